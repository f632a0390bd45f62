-- The backtest accuracy of every candidate model as the forecast step (talent.forecast) wrote it:
-- one row per run month × series × model, plus the nested score of the choice (model NestedSelection).

with

forecast_accuracy as (

    select * from {{ source('forecast', 'forecast_accuracy') }}

),

final as (

    select
        accuracy_id,
        run_month,
        series_id,
        measure,
        dimension,
        member,
        label,
        model,
        chosen,
        mase,
        smape,
        mae,
        coverage80,
        coverage95,
        mase_outer,
        coverage80_calibrated,
        coverage95_calibrated,
        interval_scale80,
        interval_scale95,
        nested_choices,
        backtest_horizon,
        windows,
        points,
        mase_scale,
        fallback,
        inputs_sha256

    from forecast_accuracy

)

select * from final
