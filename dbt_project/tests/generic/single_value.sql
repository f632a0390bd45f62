{#
    The column holds at most one distinct non-null value (e.g. demand_forecast_latest.run_month: one
    forecast run, never a mix). Fails with the values found when there are several.

        columns:
          - name: run_month
            data_tests: [single_value]
#}
{% test single_value(model, column_name) %}

    with

    found as (

        select distinct {{ column_name }} as found_value
        from {{ model }}
        where {{ column_name }} is not null

    )

    select found_value
    from found
    where (select count(*) from found) > 1

{% endtest %}
