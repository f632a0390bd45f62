{#-
    Bazhong's shortage rule, in one place (docs/shortage_rule.md is the reader's version; section 八 of
    the report and the dashboard quote it). Used by supply_demand_gap and report_supply_demand_gap
    (per cell), report_gap_by_industry (per industry) and shortage_occupations and
    report_shortage_occupations (the published list, per occupation).

    Short = at least `shortage_min_postings()` unique ads in the year (a minimum sample, as the
    人社部 "最缺工的100个职业" ranking only ranks on enough vacancies), graduates mapped to the
    occupation in a reported cohort (supply > 0), and people wanted ≥ 1.5 × those graduates (the
    求人倍率 idea). Demand with no mapped graduates is never short by itself: a ratio over zero is no
    evidence (rule 7, "no figure on zero evidence"); the list shows it as 无对口供给（待核实）.
-#}

{% macro shortage_ratio_threshold() -%}
    1.5
{%- endmacro %}

{# Fewer unique ads than this: one employer's burst could make the ratio; too thin to flag. #}
{% macro shortage_min_postings() -%}
    5
{%- endmacro %}

{# From this many ads, with the same year's graduate cohort, the evidence counts as strong. #}
{% macro shortage_strong_postings() -%}
    20
{%- endmacro %}

{#
    People wanted at least 1.5 x the graduates mapped, with graduates to compare with (supply > 0); with
    `postings`, also the minimum sample of ads. Without it (report_gap_by_industry, gap_status: an
    industry's year always has far more ads than the minimum) only the ratio part applies.
#}
{% macro shortage_flag(demand, supply, postings=none) -%}
    {%- set sample = '' if postings is none else postings ~ ' >= ' ~ shortage_min_postings() ~ ' and ' %}
    ({{ sample }}{{ supply }} > 0 and {{ demand }} >= {{ shortage_ratio_threshold() }} * {{ supply }})
{%- endmacro %}

{# The list's verdict, a stable code; the first reason that applies wins. #}
{% macro shortage_status(postings, demand, supply, cohort_year) -%}
    case
        when {{ cohort_year }} is null then 'no_cohort'
        when {{ postings }} < {{ shortage_min_postings() }} then 'thin_demand'
        when {{ supply }} <= 0 then 'no_mapped_supply'
        when {{ shortage_flag(demand, supply, postings) }} then 'shortage'
        else 'not_short'
    end
{%- endmacro %}

{% macro shortage_status_label(status) -%}
    case {{ status }}
        when 'shortage' then '紧缺'
        when 'not_short' then '不紧缺'
        when 'no_mapped_supply' then '无对口供给（待核实）'
        when 'thin_demand' then '需求样本不足'
        when 'no_cohort' then '暂无毕业生数据'
    end
{%- endmacro %}

{# How well the demand/supply comparison is supported: only a verdict on a ratio has evidence. #}
{% macro shortage_evidence(status, postings, year, cohort_year) -%}
    case
        when {{ status }} not in ('shortage', 'not_short') then 'insufficient'
        when {{ postings }} >= {{ shortage_strong_postings() }} and {{ cohort_year }} = {{ year }} then 'strong'
        else 'moderate'
    end
{%- endmacro %}

{% macro shortage_evidence_label(evidence) -%}
    case {{ evidence }}
        when 'strong' then '证据充分'
        when 'moderate' then '证据一般'
        when 'insufficient' then '证据不足'
    end
{%- endmacro %}

{# Short first, then to verify (demand, no mapped graduates), then the rest; each by gap, then demand. #}
{% macro shortage_order(status, demand, supply, code) -%}
    case {{ status }}
        when 'shortage' then 1
        when 'no_mapped_supply' then 2
        when 'not_short' then 3
        when 'thin_demand' then 4
        else 5
    end asc,
    {{ demand }} - {{ supply }} desc,
    {{ demand }} desc,
    {{ code }} asc
{%- endmacro %}
