-- The report's skills section (六): per report month x skill, the postings mentioning the skill in the
-- 12 months up to the report month and in the 12 months before, the change, and the two rankings the
-- report lists (most asked for; fastest rising, among skills with 5+ mentions in both windows).

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

skills as (

    select * from {{ ref('skill_demand_monthly') }}
    where skill is not null

),

windows as (

    select
        report_month,
        cast({{ dbt.dateadd('month', -11, 'report_month') }} as date) as window_start,
        cast({{ dbt.dateadd('month', -23, 'report_month') }} as date) as previous_start

    from as_of

),

sums as (

    select
        windows.report_month,
        windows.window_start,
        skills.skill,
        sum(case when skills.month >= windows.window_start then coalesce(skills.postings, 0) end)
            as postings_last12,
        sum(case when skills.month < windows.window_start then coalesce(skills.postings, 0) end)
            as postings_previous12

    from windows
    inner join skills
        on skills.month between windows.previous_start and windows.report_month
    group by windows.report_month, windows.window_start, skills.skill

),

current_skills as (

    -- a skill is listed when it was mentioned in the last 12 months
    select
        report_month,
        window_start,
        skill,
        cast(postings_last12 as {{ type_double() }}) as postings_last12,
        cast(postings_previous12 as {{ type_double() }}) as postings_previous12,
        case
            when postings_previous12 > 0
                then cast(postings_last12 as {{ type_double() }}) / postings_previous12 - 1
        end as change_pct,
        -- a skill mentioned a handful of times "doubles" easily: rising needs 5+ mentions in both windows
        coalesce(
            postings_last12 >= 5 and postings_previous12 >= 5 and postings_last12 > postings_previous12, false
        ) as is_rising

    from sums
    where postings_last12 is not null

),

final as (

    select
        {{ dbt.concat([year_month('report_month'), "'/'", 'skill']) }} as report_skill_id,
        report_month,
        window_start,
        skill,
        postings_last12,
        postings_previous12,
        change_pct,
        row_number() over (
            partition by report_month order by postings_last12 desc, skill asc
        ) as hot_rank,
        case
            when is_rising
                then row_number() over (partition by report_month, is_rising order by change_pct desc, skill asc)
        end as rising_rank

    from current_skills

)

select * from final
