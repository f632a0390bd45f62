{#
    Row-level identity: the listed columns add up to the tested column, for rows where all are known.
    E.g. graduates = employed + further_study + military + not_placed (school exports).

        columns:
          - name: graduates
            data_tests:
              - columns_sum_to:
                  arguments:
                    parts: [employed, further_study, military, not_placed]
#}
{% test columns_sum_to(model, column_name, parts) %}
    {%- set total = parts | join(' + ') %}

    select
        {{ column_name }} as expected_total,
        {{ total }} as actual_total
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ parts | join(' is not null and ') }} is not null
        and {{ column_name }} <> {{ total }}

{% endtest %}
