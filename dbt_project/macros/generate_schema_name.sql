{#
    Use custom schemas verbatim: `+schema: marts` builds into `marts`, not `<target schema>_marts`.
    The contract (docs/contracts.md section 4) names the schemas `staging`, `intermediate`, `marts`,
    and downstream readers (publish, forecast, dashboards) query them by those names on every target.
    Models without a custom schema land in the target's schema (`main` on DuckDB, `public` on PostgreSQL).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
