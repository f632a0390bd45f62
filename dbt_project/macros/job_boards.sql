{#
    A raw column the job-board normaliser added later: cast it when the raw table has it (`present`),
    a typed null otherwise, so a raw table built before it still builds.
#}
{% macro optional_raw_column(present, column, data_type) -%}
    {%- if present -%}
        {{ dbt.safe_cast(column, data_type) }}
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
