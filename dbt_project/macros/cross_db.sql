{#
    Engine-specific SQL lives here, behind adapter.dispatch, so the same models run on DuckDB (the
    embedded warehouse) and PostgreSQL (the scale-out path). Everything else in the models uses
    dbt's own cross-database macros (dbt.date_trunc, dbt.concat, dbt.safe_cast, dbt.type_string, ...).
#}

{# Median of a numeric expression, as an aggregate (nulls ignored). #}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'talent_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro postgres__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}


{# A date as text 'YYYY-MM' (used in surrogate keys such as demand_id). #}
{% macro year_month(date_expression) -%}
    {{ return(adapter.dispatch('year_month', 'talent_warehouse')(date_expression)) }}
{%- endmacro %}

{% macro default__year_month(date_expression) -%}
    to_char({{ date_expression }}, 'YYYY-MM')
{%- endmacro %}

{% macro duckdb__year_month(date_expression) -%}
    strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}


{# Extract the calendar year of a date as an integer. #}
{% macro year_of(date_expression) -%}
    cast(extract(year from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}


{#
    numerator / denominator as a float; null when the denominator is null or zero.
    Casting first avoids integer division on PostgreSQL.
#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / {{ denominator }}
    end
{%- endmacro %}


{# Trimmed text with empty strings turned into null (light cleaning in staging). #}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}


{#
    8-byte floating point. dbt.type_float() renders `float`, which is 8 bytes on PostgreSQL but a 4-byte
    REAL on DuckDB, so money and rates use this instead.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'talent_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}


{# Round a float to `digits` decimals and keep it a float (PostgreSQL only rounds numerics). #}
{% macro round_double(expression, digits=2) -%}
    cast(round(cast({{ expression }} as {{ dbt.type_numeric() }}), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
