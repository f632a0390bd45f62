-- One row per unique vacancy from the job boards (reposts, cross-board and near-duplicate copies
-- folded into one), in 巴中 and outside it (in_region). No ad text and no contact fields.

with

vacancies as (

    select * from {{ ref('int_postings_deduplicated') }}

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

final as (

    -- new columns go last (readers may rely on the order), after the skills calculation
    select -- noqa: ST06
        vacancies.dedup_key as posting_key,
        vacancies.month,
        vacancies.first_posted_at,
        vacancies.last_posted_at,
        vacancies.title,
        vacancies.company,
        vacancies.county,
        vacancies.in_region,
        vacancies.industry,
        -- a code the occupations seed does not know counts as unclassified, never null
        coalesce(occupations.occupation_code, 'unclassified') as occupation_code,
        coalesce(occupations.occupation_name, '未分类') as occupation_name,
        vacancies.education_level,
        vacancies.experience_min_years,
        vacancies.experience_max_years,
        vacancies.headcount,
        vacancies.salary_min,
        vacancies.salary_max,
        vacancies.salary_mid,
        vacancies.salary_months,
        vacancies.salary_negotiable,
        vacancies.copies,
        vacancies.exact_groups,
        vacancies.boards,
        vacancies.first_board,
        vacancies.first_posting_id,
        vacancies.first_url,
        -- "GMP|HACCP" (the fences of skill_tags dropped)
        case
            when vacancies.skill_tags is not null
                then substring(vacancies.skill_tags, 2, length(vacancies.skill_tags) - 2)
        end as skills,
        -- codes beside the labels: GB/T 2260 code of the county, the industry's code
        counties.admin_code as county_code,
        industries.code as industry_code

    from vacancies
    left join occupations
        on vacancies.occupation_code = occupations.occupation_code
    left join counties
        on vacancies.county = counties.name_zh
    left join industries
        on vacancies.industry = industries.name_zh

)

select * from final
