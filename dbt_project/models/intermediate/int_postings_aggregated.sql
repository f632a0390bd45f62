-- Demand per posting year x industry x occupation: unique in-region ads and headcount. The
-- industry is the ad's own (as in talent_demand_monthly, so the two marts reconcile); the
-- occupation is the 大典 code the job-board classifier gave the ad, 'unclassified' when none.
with

ads as (

    select * from {{ ref('int_postings_deduplicated') }}
    where in_region

),

occupations as (

    select * from {{ ref('occupations') }}

),

classified as (

    select
        {{ year_of('ads.month') }} as year,
        ads.industry,
        coalesce(occupations.occupation_code, 'unclassified') as occupation_code,
        coalesce(occupations.occupation_name, '未分类') as occupation_name,
        ads.headcount

    from ads
    left join occupations
        on ads.occupation_code = occupations.occupation_code

),

final as (

    select
        year,
        industry,
        occupation_code,
        occupation_name,
        count(*) as demand_postings,
        -- an ad that states no headcount (招若干人) counts as one person
        cast(sum(coalesce(headcount, 1)) as {{ dbt.type_bigint() }}) as demand_headcount

    from classified
    group by year, industry, occupation_code, occupation_name

)

select * from final
