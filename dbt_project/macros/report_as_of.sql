{#
    What a report for month M could have known: the one place the as-of rules live
    (docs/contracts.md section 6, "As of its month"). The report marts in models/marts/report/ use them.

    - Demand: months up to and including M.
    - Supply: graduates of year Y are known from September of Y, when the schools' graduate destination
      survey (毕业去向调查) closes on 31 August. So the latest cohort known at M is year(M) from
      September on, year(M) - 1 before.
    - Bulletin indicators: a vintage (the bulletin's publication date) counts when published by the last
      day of M.
#}

{% macro supply_cohort_known_from_month() -%}
    9
{%- endmacro %}

{# The latest graduation year whose cohort is known at the month `month_expression` (a date). #}
{% macro supply_cohorts_through(month_expression) -%}
    (
        {{ year_of(month_expression) }}
        - case when extract(month from {{ month_expression }}) >= {{ supply_cohort_known_from_month() }} then 0 else 1 end
    )
{%- endmacro %}

{# The last day of the month `month_expression` (a first-of-month date): the bulletin cut-off. #}
{% macro indicators_published_by(month_expression) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_expression)) }} as date)
{%- endmacro %}
