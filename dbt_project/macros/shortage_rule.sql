{#-
    Bazhong's shortage rule, in one place for marts.shortage_occupations and its per-report-month
    twin marts.report_shortage_occupations (docs/school_records.md):
    an occupation is short when people wanted are at least 1.5 × the mapped graduates, or when it has
    demand and no mapped graduates at all; the list is ordered by the absolute gap, then demand.
-#}

{% macro shortage_flag(demand, supply) -%}
    coalesce({{ safe_divide(demand, supply) }} >= 1.5, {{ demand }} > 0)
{%- endmacro %}

{% macro shortage_order(demand, supply, code) -%}
    {{ demand }} - {{ supply }} desc, {{ demand }} desc, {{ code }} asc
{%- endmacro %}
