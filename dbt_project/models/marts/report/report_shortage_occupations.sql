-- shortage_occupations as each report month knew it: the same ranking over report_supply_demand_gap
-- (demand up to the report month, known cohorts). Same columns and key as shortage_occupations, per
-- report month; at the latest month of data it equals shortage_occupations.

with

gap as (

    select * from {{ ref('report_supply_demand_gap') }}
    where occupation_code <> 'unclassified'

),

occupations as (

    select * from {{ ref('occupations') }}

),

industries as (

    select * from {{ ref('industries') }}

),

by_occupation as (

    select
        report_month,
        year,
        occupation_code,
        cast(sum(demand_postings) as {{ dbt.type_bigint() }}) as demand_postings,
        cast(sum(demand_headcount) as {{ dbt.type_bigint() }}) as demand_headcount,
        sum(supply_graduates) as supply_graduates,
        sum(supply_employed_local) as supply_employed_local

    from gap
    group by report_month, year, occupation_code

),

ranked as (

    select
        by_occupation.report_month,
        by_occupation.year,
        by_occupation.occupation_code,
        occupations.occupation_name,
        occupations.industry,
        by_occupation.demand_postings,
        by_occupation.demand_headcount,
        {{ round_double('by_occupation.supply_graduates') }} as supply_graduates,
        {{ round_double('by_occupation.supply_employed_local') }} as supply_employed_local,
        {{ round_double(safe_divide('by_occupation.demand_headcount', 'by_occupation.supply_graduates'), 4) }}
            as demand_supply_ratio,
        {{ round_double('by_occupation.demand_headcount - by_occupation.supply_graduates') }} as gap,
        {{ shortage_flag('by_occupation.demand_headcount', 'by_occupation.supply_graduates') }} as shortage_flag,
        row_number() over (
            partition by by_occupation.report_month, by_occupation.year
            order by
                {{ shortage_order(
                    'by_occupation.demand_headcount', 'by_occupation.supply_graduates', 'by_occupation.occupation_code'
                ) }}
        ) as shortage_rank

    from by_occupation
    inner join occupations
        on by_occupation.occupation_code = occupations.occupation_code
    where by_occupation.demand_headcount > 0

),

with_previous as (

    select
        ranked.*,
        previous.shortage_rank as previous_rank,
        industries.code as industry_code

    from ranked
    left join ranked as previous
        on
            ranked.report_month = previous.report_month
            and ranked.occupation_code = previous.occupation_code
            and ranked.year = previous.year + 1
    left join industries
        on ranked.industry = industries.name_zh

),

final as (

    select
        {{ dbt.concat([
            year_month('report_month'), "'/'", "cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'occupation_code'
        ]) }} as report_shortage_id,
        report_month,
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
        shortage_flag,
        previous_rank,
        industry,
        demand_postings,
        supply_employed_local,
        industry_code

    from with_previous

)

select * from final
