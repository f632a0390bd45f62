-- The forecast figures the report quotes (sections 二, 五, 六), per forecast run month x series: the
-- actual postings over the 12 months up to the run month, the forecast over the next 12 months, and the
-- change between the two (null unless horizons 1-12 are all there). The actuals are the postings in
-- talent_demand_monthly of the series' member (the whole city, an industry, a county or an
-- occupation), or for a skill series the postings mentioning the skill (skill_demand_monthly).
-- Built after the forecast (it refs demand_forecast), so the pipeline's second dbt step builds it.

with

forecast as (

    select * from {{ ref('demand_forecast') }}

),

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

skills as (

    select * from {{ ref('skill_demand_monthly') }}

),

series as (

    select
        run_month,
        series_id,
        measure,
        dimension,
        member,
        cast({{ dbt.dateadd('month', -11, 'run_month') }} as date) as window_start,
        sum(case when horizon between 1 and 12 then coalesce(point, 0) else 0 end) as next12,
        count(distinct case when horizon between 1 and 12 then horizon end) as next12_horizons

    from forecast
    group by run_month, series_id, measure, dimension, member

),

demand_last12 as (

    select
        series.run_month,
        series.series_id,
        sum(demand.postings) as last12

    from series
    inner join demand
        on
            demand.month between series.window_start and series.run_month
            and (
                series.dimension = 'city'
                or (series.dimension = 'industry' and series.member = demand.industry)
                or (series.dimension = 'county' and series.member = demand.county)
                or (series.dimension = 'occupation' and series.member = demand.occupation_code)
            )
    group by series.run_month, series.series_id

),

skill_last12 as (

    select
        series.run_month,
        series.series_id,
        sum(skills.postings) as last12

    from series
    inner join skills
        on
            series.dimension = 'skill'
            and series.member = skills.skill
            and skills.month between series.window_start and series.run_month
    group by series.run_month, series.series_id

),

joined as (

    select
        series.run_month,
        series.series_id,
        series.measure,
        series.dimension,
        series.member,
        series.next12,
        series.next12_horizons,
        case
            when series.dimension = 'skill' then skill_last12.last12
            else coalesce(demand_last12.last12, 0)
        end as last12

    from series
    left join demand_last12
        on
            series.run_month = demand_last12.run_month
            and series.series_id = demand_last12.series_id
    left join skill_last12
        on
            series.run_month = skill_last12.run_month
            and series.series_id = skill_last12.series_id

),

final as (

    select
        {{ dbt.concat([year_month('run_month'), "'/'", 'series_id']) }} as report_series_id,
        run_month,
        series_id,
        measure,
        dimension,
        member,
        -- no actuals in the window: 0 for a demand series; null (unknown) for a skill
        cast(last12 as {{ type_double() }}) as last12,
        cast(next12 as {{ type_double() }}) as next12,
        -- the change needs the whole next 12 months (the skills table quotes it from what there is)
        case
            when next12_horizons = 12 or dimension = 'skill'
                then {{ safe_divide('next12', 'last12') }} - 1
        end as change_pct

    from joined

)

select * from final
