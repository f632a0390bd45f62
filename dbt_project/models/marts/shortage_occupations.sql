-- Bazhong's own "最缺工的职业" list: per year, classified occupations with demand (summed over
-- industries), their demand set against the latest graduate cohort reported by that year, judged by
-- the shortage rule (macros/shortage_rule.sql, docs/shortage_rule.md) and ranked, with the rank change
-- since the previous year. A year whose own cohort is not reported yet (the current one) is compared
-- with the cohort before it, and says so in supply_cohort_year: comparing with 0 graduates would flag
-- every occupation on no evidence.

with

gap as (

    select * from {{ ref('supply_demand_gap') }}

),

occupations as (

    select * from {{ ref('occupations') }}

),

industries as (

    select * from {{ ref('industries') }}

),

by_occupation as (

    select
        year,
        occupation_code,
        cast(sum(demand_postings) as {{ dbt.type_bigint() }}) as demand_postings,
        cast(sum(demand_headcount) as {{ dbt.type_bigint() }}) as demand_headcount,
        sum(supply_graduates) as supply_graduates,
        sum(supply_employed_local) as supply_employed_local

    from gap
    where occupation_code <> 'unclassified'
    group by year, occupation_code

),

cohorts as (

    -- a graduation year counts as reported when it has graduates at all
    select year as cohort_year

    from gap
    group by year
    having sum(supply_graduates) > 0

),

demand_years as (

    select distinct year

    from by_occupation

),

cohort_used as (

    select
        demand_years.year,
        max(cohorts.cohort_year) as supply_cohort_year

    from demand_years
    left join cohorts
        on demand_years.year >= cohorts.cohort_year
    group by demand_years.year

),

compared as (

    select
        demand.year,
        demand.occupation_code,
        demand.demand_postings,
        demand.demand_headcount,
        cohort_used.supply_cohort_year,
        coalesce(supply.supply_graduates, 0) as supply_graduates,
        coalesce(supply.supply_employed_local, 0) as supply_employed_local

    from by_occupation as demand
    inner join cohort_used
        on demand.year = cohort_used.year
    left join by_occupation as supply
        on
            cohort_used.supply_cohort_year = supply.year
            and demand.occupation_code = supply.occupation_code
    where demand.demand_headcount > 0

),

judged as (

    select
        *,
        {{ shortage_status(
            'demand_postings', 'demand_headcount', 'supply_graduates', 'supply_cohort_year'
        ) }} as shortage_status

    from compared

),

ranked as (

    select
        judged.year,
        judged.occupation_code,
        occupations.occupation_name,
        occupations.industry,
        judged.demand_postings,
        judged.demand_headcount,
        judged.supply_cohort_year,
        judged.shortage_status,
        {{ round_double('judged.supply_graduates') }} as supply_graduates,
        {{ round_double('judged.supply_employed_local') }} as supply_employed_local,
        {{ round_double(safe_divide('judged.demand_headcount', 'judged.supply_graduates'), 4) }}
            as demand_supply_ratio,
        {{ round_double('judged.demand_headcount - judged.supply_graduates') }} as gap,
        row_number() over (
            partition by judged.year
            order by
                {{ shortage_order(
                    'judged.shortage_status', 'judged.demand_headcount', 'judged.supply_graduates',
                    'judged.occupation_code'
                ) }}
        ) as shortage_rank

    from judged
    inner join occupations
        on judged.occupation_code = occupations.occupation_code

),

with_previous as (

    select
        ranked.*,
        previous.shortage_rank as previous_rank,
        industries.code as industry_code,
        {{ shortage_evidence(
            'ranked.shortage_status', 'ranked.demand_postings', 'ranked.year', 'ranked.supply_cohort_year'
        ) }} as evidence

    from ranked
    left join ranked as previous
        on
            ranked.occupation_code = previous.occupation_code
            and ranked.year = previous.year + 1
    left join industries
        on ranked.industry = industries.name_zh

),

final as (

    select
        {{ dbt.concat(["cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'occupation_code']) }} as shortage_id,
        year,
        shortage_rank,
        occupation_name,
        occupation_code,
        demand_headcount,
        supply_graduates,
        gap,
        demand_supply_ratio,
        -- positive: moved up the list (more short than last year); null when not ranked last year
        previous_rank - shortage_rank as rank_change,
        shortage_status = 'shortage' as shortage_flag,
        previous_rank,
        industry,
        demand_postings,
        supply_employed_local,
        industry_code,
        supply_cohort_year,
        shortage_status,
        {{ shortage_status_label('shortage_status') }} as shortage_status_label,
        evidence,
        {{ shortage_evidence_label('evidence') }} as evidence_label

    from with_previous

)

select * from final
