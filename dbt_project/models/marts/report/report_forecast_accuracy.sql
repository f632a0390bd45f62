-- The backtest summary the report quotes (section 九), per forecast run month: over the series that
-- have both the chosen model's and the SeasonalNaive benchmark's MASE, the mean of each and how many
-- series the chosen model beats; the mean MASE of the equal-weight Combination (where the benchmark is
-- known too); the chosen models' mean interval coverage. Then the honest pair (docs/forecast.md): the
-- nested score of the choice (model NestedSelection) beside the published and benchmark MASE on the
-- same outer-origin points, and the out-of-sample coverage of the calibrated intervals. Built after
-- the forecast (refs forecast_accuracy), so the pipeline's second dbt step builds it.

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
        max(case when model = 'NestedSelection' then mase end) as nested_mase,
        max(case when chosen then mase_outer end) as chosen_mase_outer,
        max(case when model = 'SeasonalNaive' then mase_outer end) as bench_mase_outer,
        max(case when model = 'NestedSelection' then coverage80_calibrated end) as coverage80_calibrated,
        max(case when model = 'NestedSelection' then coverage95_calibrated end) as coverage95_calibrated,
        max(backtest_horizon) as backtest_horizon,
        max(windows) as windows

    from accuracy
    group by run_month, series_id

),

compared as (

    select
        *,
        -- The nested, published and benchmark MASE on the same (outer-origin) points, like with like.
        coalesce(
            nested_mase is not null and chosen_mase_outer is not null and bench_mase_outer is not null,
            false
        ) as nested_compared

    from per_series

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
        max(windows) as windows,
        avg(case when nested_compared then nested_mase end) as mase_nested,
        avg(case when nested_compared then chosen_mase_outer end) as mase_chosen_outer,
        avg(case when nested_compared then bench_mase_outer end) as mase_bench_outer,
        cast(
            sum(case when nested_compared then 1 else 0 end) as {{ dbt.type_int() }}
        ) as series_nested_compared,
        avg(coverage80_calibrated) as coverage80_calibrated,
        avg(coverage95_calibrated) as coverage95_calibrated

    from compared
    group by run_month

)

select * from final
