-- What the report for each month could have known (the rules are the macros in
-- macros/report_as_of.sql): demand up to the month, the graduate cohorts known then, the bulletins
-- published by its last day. One row per month from the first to the last month with postings; the
-- other report marts filter their inputs with these bounds, and the report's manifest quotes them.

with

report_months as (

    select * from {{ ref('report_headline_monthly') }}

),

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

supply as (

    select * from {{ ref('talent_supply_yearly') }}

),

indicators as (

    select * from {{ ref('regional_indicators') }}

),

bounds as (

    select
        report_months.month as report_month,
        {{ year_of('report_months.month') }} as report_year,
        {{ supply_cohorts_through('report_months.month') }} as supply_cohorts_through,
        {{ indicators_published_by('report_months.month') }} as indicators_published_by

    from report_months

),

first_month as (

    select min(month) as demand_from

    from demand

),

supply_years as (

    select
        bounds.report_month,
        max(supply.year) as supply_year

    from bounds
    inner join supply
        on bounds.supply_cohorts_through >= supply.year
    group by bounds.report_month

),

indicator_years as (

    select
        bounds.report_month,
        max(indicators.year) as indicators_year

    from bounds
    inner join indicators
        on bounds.indicators_published_by >= indicators.vintage
    group by bounds.report_month

),

final as (

    select
        {{ year_month('bounds.report_month') }} as report_as_of_id,
        bounds.report_month,
        bounds.report_year,
        first_month.demand_from,
        bounds.report_month as demand_through,
        bounds.supply_cohorts_through,
        supply_years.supply_year,
        bounds.indicators_published_by,
        indicator_years.indicators_year

    from bounds
    cross join first_month
    left join supply_years
        on bounds.report_month = supply_years.report_month
    left join indicator_years
        on bounds.report_month = indicator_years.report_month

)

select * from final
