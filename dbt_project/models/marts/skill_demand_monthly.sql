-- Skills asked for in 巴中: unique in-region ads per month x industry x skill that mention the
-- skill, their share of the month's ads in that industry, and the change on the same month a year
-- earlier.

with

ads as (

    select * from {{ ref('int_postings_deduplicated') }}
    where in_region

),

skills as (

    select * from {{ ref('skills') }}

),

industries as (

    select * from {{ ref('industries') }}

),

coverage as (

    select min(month) as first_month
    from ads

),

industry_totals as (

    select
        month,
        industry,
        count(*) as industry_postings

    from ads
    group by month, industry

),

mentions as (

    select
        ads.month,
        ads.industry,
        skills.skill,
        skills.category as skill_category,
        count(*) as postings

    from ads
    inner join skills
        -- skill_tags is fenced ("|GMP|HACCP|"): a skill matches only as a whole name
        on position({{ dbt.concat(["'|'", 'skills.skill', "'|'"]) }} in ads.skill_tags) > 0
    group by ads.month, ads.industry, skills.skill, skills.category

),

joined as (

    select
        mentions.month,
        mentions.industry,
        mentions.skill,
        mentions.skill_category,
        mentions.postings,
        industry_totals.industry_postings,
        -- no row a year earlier is zero mentions when that month is covered, unknown before that
        case
            when last_year.postings is not null then last_year.postings
            when cast(mentions.month - interval '12 months' as date) >= coverage.first_month then 0
        end as postings_last_year

    from mentions
    inner join industry_totals
        on
            mentions.month = industry_totals.month
            and mentions.industry = industry_totals.industry
    cross join coverage
    left join mentions as last_year
        on
            mentions.industry = last_year.industry
            and mentions.skill = last_year.skill
            and cast(mentions.month - interval '12 months' as date) = last_year.month

),

final as (

    select
        {{ dbt.concat([year_month('joined.month'), "'-'", 'joined.industry', "'-'", 'joined.skill']) }}
            as skill_demand_id,
        joined.month,
        joined.industry,
        joined.skill,
        joined.skill_category,
        joined.postings,
        joined.industry_postings,
        {{ round_double(safe_divide('joined.postings', 'joined.industry_postings'), 4) }} as posting_share,
        joined.postings_last_year,
        {{ round_double(safe_divide('joined.postings - joined.postings_last_year', 'joined.postings_last_year'), 4) }}
            as yoy_change,
        industries.code as industry_code

    from joined
    left join industries
        on joined.industry = industries.name_zh

)

select * from final
