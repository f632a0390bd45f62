-- Postings and headcount per month x industry with the industry's share of the month's postings and
-- its rank (1 = most postings; the name breaks ties). The report lists ranks 1-5 and draws its
-- trend chart from these rows.

with

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

industries as (

    select * from {{ ref('industries') }}

),

by_industry as (

    select
        month,
        industry,
        cast(sum(postings) as {{ dbt.type_bigint() }}) as postings,
        cast(sum(headcount) as {{ dbt.type_bigint() }}) as headcount

    from demand
    group by month, industry

),

month_totals as (

    select
        month,
        sum(postings) as month_postings

    from by_industry
    group by month

),

final as (

    select
        {{ dbt.concat([year_month('by_industry.month'), "'-'", 'by_industry.industry']) }} as top_industry_id,
        by_industry.month,
        by_industry.industry,
        by_industry.postings,
        by_industry.headcount,
        {{ safe_divide('by_industry.postings', 'month_totals.month_postings') }} as postings_share,
        row_number() over (
            partition by by_industry.month
            order by by_industry.postings desc, by_industry.industry asc
        ) as industry_rank,
        industries.code as industry_code

    from by_industry
    inner join month_totals
        on by_industry.month = month_totals.month
    left join industries
        on by_industry.industry = industries.name_zh

)

select * from final
