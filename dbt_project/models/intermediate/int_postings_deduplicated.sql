-- One row per vacancy however many times it was posted: reposts on the same board (new id, same
-- month), copies on other boards, and near-duplicate copies (reworded title, shortened employer)
-- share a dedup_key (see int_postings_near_duplicates_flagged).

with

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

vacancies as (

    select * from {{ ref('int_postings_near_duplicates_flagged') }}

),

industries as (

    select * from {{ ref('industries') }}

),

keyed as (

    select
        postings.posting_id,
        postings.board,
        postings.source_id,
        postings.url,
        postings.title,
        postings.company,
        postings.posted_at,
        postings.headcount,
        postings.salary_min,
        postings.salary_max,
        postings.salary_months,
        postings.salary_negotiable,
        postings.in_region,
        postings.education_level,
        postings.experience_min_years,
        postings.experience_max_years,
        postings.skill_tags,
        vacancies.dedup_key,
        vacancies.exact_key,
        -- never null and never the city's name (issue 12): older landings left the county empty when
        -- the ad named only the city, said nothing of the place, or was outside 巴中
        coalesce(
            postings.county,
            case
                when postings.in_region then '市本级'
                when not postings.in_region then '市外'
                else '未注明'
            end
        ) as county,
        -- landings normalised before issue 12 have no code where the classifier found none
        coalesce(postings.occupation_code, 'unclassified') as occupation_code,
        -- industries outside the reference list count as 其他
        coalesce(industries.name_zh, '其他') as industry,
        case
            when postings.salary_min is not null and postings.salary_max is not null then 1 else 0
        end as has_salary

    from postings
    inner join vacancies
        on postings.posting_id = vacancies.posting_id
    left join industries
        on postings.industry = industries.name_zh

),

ranked as (

    select
        *,
        -- the first copy (earliest posting) speaks for the ad
        row_number() over (
            partition by dedup_key
            order by posted_at, board, source_id
        ) as copy_rank,
        -- the first copy that states a salary gives the ad's salary
        row_number() over (
            partition by dedup_key
            order by has_salary desc, posted_at asc, board asc, source_id asc
        ) as salary_rank

    from keyed

),

copies as (

    select
        dedup_key,
        count(*) as copies,
        count(distinct exact_key) as exact_groups,
        count(distinct board) as boards,
        max(headcount) as headcount,
        min(posted_at) as first_posted_at,
        max(posted_at) as last_posted_at

    from keyed
    group by dedup_key

),

first_copy as (

    select * from ranked
    where copy_rank = 1

),

salary_copy as (

    select * from ranked
    where salary_rank = 1

),

final as (

    select
        first_copy.dedup_key,
        first_copy.posting_id as first_posting_id,
        first_copy.board as first_board,
        first_copy.url as first_url,
        first_copy.title,
        first_copy.company,
        first_copy.county,
        first_copy.in_region,
        first_copy.industry,
        first_copy.occupation_code,
        first_copy.education_level,
        first_copy.experience_min_years,
        first_copy.experience_max_years,
        first_copy.skill_tags,
        cast({{ dbt.date_trunc('month', 'first_copy.posted_at') }} as date) as month,
        copies.first_posted_at,
        copies.last_posted_at,
        copies.copies,
        copies.exact_groups,
        copies.boards,
        copies.headcount,
        case when salary_copy.has_salary = 1 then salary_copy.salary_min end as salary_min,
        case when salary_copy.has_salary = 1 then salary_copy.salary_max end as salary_max,
        case
            when salary_copy.has_salary = 1 then (salary_copy.salary_min + salary_copy.salary_max) / 2
        end as salary_mid,
        case when salary_copy.has_salary = 1 then salary_copy.salary_months end as salary_months,
        first_copy.salary_negotiable

    from first_copy
    inner join copies
        on first_copy.dedup_key = copies.dedup_key
    inner join salary_copy
        on first_copy.dedup_key = salary_copy.dedup_key

)

select * from final
