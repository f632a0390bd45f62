-- The backtest accuracy of every candidate model as the forecast step (talent.forecast) wrote it:
-- one row per run month × series × model.

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
        backtest_horizon,
        windows,
        points,
        mase_scale,
        fallback,
        inputs_sha256

    from forecast_accuracy

)

select * from final
