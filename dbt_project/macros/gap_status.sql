{#-
    The word the report's gap table (section 四, 判断) prints for an industry's year: the shortage rule
    (shortage_rule.sql, ratio part) first, then the people-wanted ÷ graduates ratio against the
    oversupply thresholds of marts.oversupply_majors (below 1 medium, below 0.5 high risk):
    shortage   shortage_flag (ratio at least 1.5 with graduates to compare with)
    tight      1 to 1.5: more people wanted than graduates, short of the shortage line
    surplus    0.5 to 1: more graduates than people wanted
    oversupply below 0.5: graduates at least twice the people wanted
    no_supply  demand but no graduates on record (a cohort not yet known): no ratio, no verdict
    no_data    neither demand nor graduates
-#}

{% macro gap_status(demand, supply) -%}
    case
        when {{ shortage_flag(demand, supply) }} then 'shortage'
        when {{ safe_divide(demand, supply) }} >= 1 then 'tight'
        when {{ safe_divide(demand, supply) }} >= 0.5 then 'surplus'
        when {{ safe_divide(demand, supply) }} is not null then 'oversupply'
        when {{ demand }} > 0 then 'no_supply'
        else 'no_data'
    end
{%- endmacro %}
