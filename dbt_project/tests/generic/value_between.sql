{#
    Every non-null value of the column lies in [min_value, max_value] (either bound may be omitted).
    Written here because the project uses no dbt packages (the pipeline runs offline, no `dbt deps`).

        columns:
          - name: placement_rate
            data_tests:
              - value_between:
                  arguments: {min_value: 0, max_value: 1}
#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

    select {{ column_name }} as failing_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            {{ column_name ~ ' < ' ~ min_value if min_value is not none else 'false' }}
            or {{ column_name ~ ' > ' ~ max_value if max_value is not none else 'false' }}
        )

{% endtest %}
