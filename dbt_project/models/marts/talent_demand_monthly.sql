-- Demand: unique job ads in 巴中 per month x county x industry x occupation.

{%- set levels = [
    'none', 'junior_high', 'high_school', 'secondary_vocational', 'associate', 'bachelor', 'master', 'doctor'
] %}

with

ads as (

    select * from {{ ref('int_postings_deduplicated') }}
    where in_region

),

vacancies as (

    select * from {{ ref('int_postings_near_duplicates_flagged') }}

),

occupations as (

    select * from {{ ref('occupations') }}

),

counties as (

    select * from {{ ref('counties') }}

),

industries as (

    select * from {{ ref('industries') }}

),

classified as (

    select
        ads.dedup_key,
        ads.month,
        ads.county,
        ads.industry,
        ads.copies,
        ads.headcount,
        ads.salary_mid,
        ads.education_level,
        -- a code the occupations seed does not know counts as unclassified (the seed's 未分类 row)
        coalesce(occupations.occupation_code, 'unclassified') as occupation_code,
        coalesce(occupations.occupation_name, '未分类') as occupation_name,
        coalesce(occupations.occupation_code, 'unclassified') as occupation_group

    from ads
    left join occupations
        on ads.occupation_code = occupations.occupation_code

),

by_group as (

    select
        month,
        county,
        industry,
        occupation_group,
        max(occupation_code) as occupation_code,
        max(occupation_name) as occupation_name,
        count(*) as postings,
        cast(sum(copies) as {{ dbt.type_bigint() }}) as postings_total,
        -- an ad that states no headcount (招若干人) counts as one person
        cast(sum(coalesce(headcount, 1)) as {{ dbt.type_bigint() }}) as headcount,
        count(salary_mid) as postings_with_salary,
        {{ median('salary_mid') }} as salary_mid_median,
        percentile_cont(0.25) within group (order by salary_mid) as salary_mid_p25,
        percentile_cont(0.75) within group (order by salary_mid) as salary_mid_p75,
        {%- for level in levels %}
            cast(
                sum(case when education_level = '{{ level }}' then 1 else 0 end) as {{ dbt.type_bigint() }}
            ) as education_{{ level }},
        {%- endfor %}
        cast(
            sum(
                case
                    when
                        education_level is null
                        or education_level not in (
                            '{{ levels | join("', '") }}'
                        )
                        then 1
                    else 0
                end
            ) as {{ dbt.type_bigint() }}
        ) as education_unknown

    from classified
    group by month, county, industry, occupation_group

),

boards as (

    -- boards carrying any copy (repost, cross-board or near-duplicate copy) of the group's ads
    select
        classified.month,
        classified.county,
        classified.industry,
        classified.occupation_group,
        count(distinct vacancies.board) as boards

    from classified
    inner join vacancies
        on classified.dedup_key = vacancies.dedup_key
    group by classified.month, classified.county, classified.industry, classified.occupation_group

),

final as (

    select
        {{ dbt.concat([
            year_month('by_group.month'), "'-'", 'by_group.county', "'-'", 'by_group.industry',
            "'-'", 'by_group.occupation_group'
        ]) }} as demand_id,
        by_group.month,
        by_group.county,
        by_group.industry,
        by_group.postings,
        by_group.headcount,
        by_group.postings_with_salary,
        cast(by_group.salary_mid_median as {{ type_double() }}) as salary_mid_median,
        boards.boards,
        by_group.occupation_code,
        by_group.occupation_name,
        by_group.postings_total,
        cast(by_group.salary_mid_p25 as {{ type_double() }}) as salary_mid_p25,
        cast(by_group.salary_mid_p75 as {{ type_double() }}) as salary_mid_p75,
        {%- for level in levels %}
            by_group.education_{{ level }},
        {%- endfor %}
        by_group.education_unknown,
        -- codes beside the labels (contract issue): GB/T 2260 code of the county, the industry's code
        counties.admin_code as county_code,
        industries.code as industry_code

    from by_group
    inner join boards
        on
            by_group.month = boards.month
            and by_group.county = boards.county
            and by_group.industry = boards.industry
            and by_group.occupation_group = boards.occupation_group
    left join counties
        on by_group.county = counties.name_zh
    left join industries
        on by_group.industry = industries.name_zh

)

select * from final
