-- The backtest summary the report quotes (section 九), per forecast run month: over the series that
-- have both the chosen model's and the SeasonalNaive benchmark's MASE, the mean of each and how many
-- series the chosen model beats; the mean MASE of the equal-weight Combination (where the benchmark is
-- known too); the chosen models' mean interval coverage. Built after the forecast (refs
-- forecast_accuracy), so the pipeline's second dbt step builds it.

with

accuracy as (

    select * from {{ ref('forecast_accuracy') }}

),

per_series as (

    select
        run_month,
        series_id,
        max(case when chosen then mase end) as chosen_mase,
        max(case when model = 'SeasonalNaive' then mase end) as bench_mase,
        max(case when model = 'Combination' then mase end) as combo_mase,
        max(case when chosen then coverage80 end) as coverage80,
        max(case when chosen then coverage95 end) as coverage95,
        max(backtest_horizon) as backtest_horizon,
        max(windows) as windows

    from accuracy
    group by run_month, series_id

),

final as (

    select
        {{ year_month('run_month') }} as report_accuracy_id,
        run_month,
        avg(case when bench_mase is not null then chosen_mase end) as mase_chosen,
        avg(case when chosen_mase is not null then bench_mase end) as mase_bench,
        avg(case when bench_mase is not null then combo_mase end) as mase_combo,
        avg(coverage80) as coverage80,
        avg(coverage95) as coverage95,
        cast(
            sum(case when chosen_mase < bench_mase then 1 else 0 end) as {{ dbt.type_int() }}
        ) as series_beating_benchmark,
        cast(
            sum(case when chosen_mase is not null and bench_mase is not null then 1 else 0 end)
            as {{ dbt.type_int() }}
        ) as series_compared,
        max(backtest_horizon) as backtest_horizon,
        max(windows) as windows

    from per_series
    group by run_month

)

select * from final
