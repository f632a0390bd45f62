-- The actual postings drawn in the report's forecast charts (section 二), per forecast run month x
-- charted series x month: the 36 months up to the run month (from the first month of data), 0 for a
-- month without postings. Charted are the postings series of the city, the industries and the counties.
-- Built after the forecast (it refs demand_forecast), so the pipeline's second dbt step builds it.

with

forecast as (

    select * from {{ ref('demand_forecast') }}
    where measure = 'postings' and dimension in ('city', 'industry', 'county')

),

months as (

    select * from {{ ref('report_headline_monthly') }}

),

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

series as (

    select distinct
        run_month,
        series_id,
        dimension,
        member

    from forecast

),

spine as (

    select
        series.run_month,
        series.series_id,
        series.dimension,
        series.member,
        months.month

    from series
    inner join months
        on
            series.run_month >= months.month
            and cast({{ dbt.dateadd('month', -35, 'series.run_month') }} as date) <= months.month

),

actuals as (

    select
        spine.run_month,
        spine.series_id,
        spine.month,
        sum(demand.postings) as postings

    from spine
    inner join demand
        on
            spine.month = demand.month
            and (
                spine.dimension = 'city'
                or (spine.dimension = 'industry' and spine.member = demand.industry)
                or (spine.dimension = 'county' and spine.member = demand.county)
            )
    group by spine.run_month, spine.series_id, spine.month

),

final as (

    select
        {{ dbt.concat([year_month('spine.run_month'), "'/'", 'spine.series_id', "'/'", year_month('spine.month')]) }}
            as report_history_id,
        spine.run_month,
        spine.series_id,
        spine.month,
        cast(coalesce(actuals.postings, 0) as {{ type_double() }}) as postings

    from spine
    left join actuals
        on
            spine.run_month = actuals.run_month
            and spine.series_id = actuals.series_id
            and spine.month = actuals.month

)

select * from final
