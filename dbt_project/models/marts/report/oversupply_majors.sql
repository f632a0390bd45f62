-- Majors at risk of oversupply, per report month: the latest graduate cohort known at the month
-- (report_as_of.supply_year, macros/report_as_of.sql) of each major against the next 12 months' demand of its industry.
-- Demand is the month's forecast run (headcount series when the run has them, else postings); a month
-- without a forecast run falls back to the industry's actual headcount over the last 12 months.
-- Built after the forecast (it refs demand_forecast), so the pipeline's second dbt step builds it.

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

supply as (

    select * from {{ ref('talent_supply_yearly') }}

),

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

forecast as (

    select * from {{ ref('demand_forecast') }}

),

industries as (

    select * from {{ ref('industries') }}

),

months as (

    select
        report_month as month,
        supply_year,
        cast({{ dbt.dateadd('month', -11, 'report_month') }} as date) as window_start

    from as_of

),

cohorts as (

    select
        month,
        supply_year as year

    from months
    where supply_year is not null

),

majors as (

    select
        year,
        coalesce(major_code, '') as major_code,
        coalesce(major_name, '') as major_name,
        coalesce(industry, '其他') as industry,
        sum(coalesce(graduates, 0)) as graduates

    from supply
    where year is not null
    group by year, coalesce(major_code, ''), coalesce(major_name, ''), coalesce(industry, '其他')

),

industry_graduates as (

    select
        year,
        industry,
        sum(graduates) as industry_graduates

    from majors
    group by year, industry

),

forecast_next12 as (

    -- every industry series of the run counts, even one with no point in the first 12 months
    select
        run_month as month,
        measure,
        member as industry,
        sum(case when horizon <= 12 then coalesce(point, 0) else 0 end) as demand

    from forecast
    where dimension = 'industry' and measure in ('headcount', 'postings')
    group by run_month, measure, member

),

forecast_measure as (

    select
        month,
        min(case when measure = 'headcount' then 1 else 2 end) as preference

    from forecast_next12
    group by month

),

forecast_demand as (

    select
        forecast_next12.month,
        forecast_next12.industry,
        forecast_next12.demand,
        {{ dbt.concat(["'forecast_'", 'forecast_next12.measure']) }} as demand_basis

    from forecast_next12
    inner join forecast_measure
        on
            forecast_next12.month = forecast_measure.month
            and (case when forecast_next12.measure = 'headcount' then 1 else 2 end) = forecast_measure.preference

),

actual_last12 as (

    -- an industry's stated headcount; its postings where the headcount is zero or unknown
    select
        months.month,
        demand.industry,
        sum(coalesce(nullif(demand.headcount, 0), demand.postings, 0)) as demand

    from months
    inner join demand
        on demand.month between months.window_start and months.month
    where months.month not in (select forecast_measure.month from forecast_measure)
    group by months.month, demand.industry

),

industry_demand as (

    select
        month,
        industry,
        demand

    from forecast_demand

    union all

    select
        month,
        industry,
        demand

    from actual_last12

),

bases as (

    select
        months.month,
        coalesce(max(forecast_demand.demand_basis), 'actual_headcount_last12') as demand_basis

    from months
    left join forecast_demand
        on months.month = forecast_demand.month
    group by months.month

),

compared as (

    select
        cohorts.month,
        cohorts.year,
        majors.major_code,
        majors.major_name,
        majors.industry,
        cast(majors.graduates as {{ type_double() }}) as graduates,
        cast(industry_graduates.industry_graduates as {{ type_double() }}) as industry_graduates,
        cast(coalesce(industry_demand.demand, 0) as {{ type_double() }}) as industry_demand_next12,
        case
            when industry_graduates.industry_graduates > 0
                then
                    cast(coalesce(industry_demand.demand, 0) as {{ type_double() }})
                    / industry_graduates.industry_graduates
        end as demand_per_graduate,
        bases.demand_basis

    from cohorts
    inner join majors
        on cohorts.year = majors.year
    inner join industry_graduates
        on
            majors.year = industry_graduates.year
            and majors.industry = industry_graduates.industry
    inner join bases
        on cohorts.month = bases.month
    left join industry_demand
        on
            cohorts.month = industry_demand.month
            and majors.industry = industry_demand.industry

),

final as (

    select
        {{ dbt.concat([
            year_month('compared.month'), "'-'", 'compared.major_code', "'-'", 'compared.major_name',
            "'-'", 'compared.industry'
        ]) }} as oversupply_id,
        compared.month,
        compared.year,
        compared.major_code,
        compared.major_name,
        compared.industry,
        compared.graduates,
        compared.industry_graduates,
        compared.industry_demand_next12,
        compared.demand_per_graduate,
        case
            when compared.demand_per_graduate < 0.5 then 'high'
            when compared.demand_per_graduate < 1 then 'medium'
            else 'low'
        end as oversupply_risk,
        compared.demand_basis,
        row_number() over (
            partition by compared.month
            order by
                case when compared.demand_per_graduate is null then 1 else 0 end asc,
                compared.demand_per_graduate asc,
                compared.graduates desc,
                compared.major_code asc,
                compared.major_name asc,
                compared.industry asc
        ) as oversupply_rank,
        industries.code as industry_code

    from compared
    left join industries
        on compared.industry = industries.name_zh

)

select * from final
