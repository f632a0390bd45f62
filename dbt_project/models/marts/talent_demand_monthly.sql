-- Demand: unique job ads in 巴中 per month x county x industry.

with

ads as (

    select * from {{ ref('int_postings_deduplicated') }}
    where in_region

),

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

by_group as (

    select
        month,
        county,
        industry,
        count(*) as postings,
        -- an ad that states no headcount (招若干人) counts as one person
        cast(sum(coalesce(headcount, 1)) as {{ dbt.type_bigint() }}) as headcount,
        count(salary_mid) as postings_with_salary,
        {{ median('salary_mid') }} as salary_mid_median

    from ads
    group by month, county, industry

),

boards as (

    -- boards carrying any copy (repost or cross-board copy) of the group's ads
    select
        ads.month,
        ads.county,
        ads.industry,
        count(distinct postings.board) as boards

    from ads
    inner join postings
        on ads.dedup_key = coalesce(postings.dedup_key, postings.posting_id)
    group by ads.month, ads.county, ads.industry

)

select
    {{ dbt.concat([
        year_month('by_group.month'), "'-'", 'by_group.county', "'-'", 'by_group.industry'
    ]) }} as demand_id,
    by_group.month,
    by_group.county,
    by_group.industry,
    by_group.postings,
    by_group.headcount,
    by_group.postings_with_salary,
    cast(by_group.salary_mid_median as {{ type_double() }}) as salary_mid_median,
    boards.boards

from by_group
inner join boards
    on
        by_group.month = boards.month
        and by_group.county = boards.county
        and by_group.industry = boards.industry
