-- The demand forecasts as the forecast step (talent.forecast) wrote them: one row per run month ×
-- series × target month. A mart of its own so the report, dashboards and later models read forecasts
-- from `marts` like every other figure, and so dbt tests them.

with

demand_forecast as (

    select * from {{ source('forecast', 'demand_forecast') }}

),

final as (

    select
        forecast_id,
        run_month,
        series_id,
        measure,
        dimension,
        member,
        label,
        target_month,
        horizon,
        point,
        lo80,
        hi80,
        lo95,
        hi95,
        model,
        base_model,
        fallback,
        reconciliation,
        history_months,
        inputs_sha256

    from demand_forecast

)

select * from final
