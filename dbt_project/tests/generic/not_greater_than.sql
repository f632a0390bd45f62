{#
    A column never exceeds another column of the same row (nulls ignored),
    e.g. salary_min <= salary_max, in_field <= employed.

        columns:
          - name: in_field
            data_tests:
              - not_greater_than:
                  arguments: {other_column: employed}
#}
{% test not_greater_than(model, column_name, other_column) %}

    select
        {{ column_name }} as checked_value,
        {{ other_column }} as limit_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ other_column }} is not null
        and {{ column_name }} > {{ other_column }}

{% endtest %}
