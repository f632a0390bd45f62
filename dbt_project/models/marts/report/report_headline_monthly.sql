-- The report's headline figures, one row per month from the first to the last month with postings
-- (a month inside that range with no postings is a row of zeros, not a missing row).
-- The city-wide salary median cannot be recomputed from talent_demand_monthly, whose grain is
-- month x county x industry x occupation: it is the lower weighted median of the cells' medians,
-- each weighted by its postings with a salary (the report's long-standing definition).

with

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

bounds as (

    select
        min(month) as first_month,
        max(month) as last_month

    from demand

),

offsets as (

    {{ dbt.generate_series(1200) }}

),

spine as (

    select
        cast({{ dbt.dateadd('month', 'offsets.generated_number - 1', 'bounds.first_month') }} as date) as month,
        bounds.last_month

    from offsets
    cross join bounds

),

months as (

    select
        month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as previous_month,
        cast({{ dbt.dateadd('month', -12, 'month') }} as date) as last_year_month

    from spine
    where month <= last_month

),

totals as (

    select
        month,
        sum(postings) as postings,
        sum(headcount) as headcount,
        sum(postings_with_salary) as postings_with_salary

    from demand
    group by month

),

salary_cells as (

    select
        month,
        salary_mid_median,
        sum(postings_with_salary) over (
            partition by month
            order by salary_mid_median asc, postings_with_salary asc, demand_id asc
            rows between unbounded preceding and current row
        ) as running_weight,
        sum(postings_with_salary) over (partition by month) as total_weight

    from demand
    where salary_mid_median is not null and postings_with_salary > 0

),

salary as (

    -- the smallest cell median at which the running weight reaches half the month's weight
    select
        month,
        min(salary_mid_median) as salary_median

    from salary_cells
    where 2 * running_weight >= total_weight
    group by month

),

monthly as (

    select
        months.month,
        months.previous_month,
        months.last_year_month,
        cast(coalesce(totals.postings, 0) as {{ dbt.type_bigint() }}) as postings,
        cast(coalesce(totals.headcount, 0) as {{ dbt.type_bigint() }}) as headcount,
        cast(coalesce(totals.postings_with_salary, 0) as {{ dbt.type_bigint() }}) as postings_with_salary,
        cast(salary.salary_median as {{ type_double() }}) as salary_median

    from months
    left join totals
        on months.month = totals.month
    left join salary
        on months.month = salary.month

),

final as (

    select
        {{ year_month('monthly.month') }} as headline_id,
        monthly.month,
        monthly.postings,
        monthly.headcount,
        monthly.postings_with_salary,
        monthly.salary_median,
        -- a base month before the first month of data is unknown (null), not zero
        previous.postings as previous_month_postings,
        monthly.postings - previous.postings as mom_change,
        {{ safe_divide('monthly.postings - previous.postings', 'previous.postings') }} as mom_change_pct,
        last_year.postings as last_year_postings,
        monthly.postings - last_year.postings as yoy_change,
        {{ safe_divide('monthly.postings - last_year.postings', 'last_year.postings') }} as yoy_change_pct

    from monthly
    left join monthly as previous
        on monthly.previous_month = previous.month
    left join monthly as last_year
        on monthly.last_year_month = last_year.month

)

select * from final
