-- supply_demand_gap as each report month knew it: demand counted from the months up to the report
-- month only, graduates only for the cohorts known then (macros/report_as_of.sql), years up to the
-- report year. Same columns, key (gap_id) and rules as supply_demand_gap, per report month; at the
-- latest month of data it equals supply_demand_gap.

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

gap as (

    select * from {{ ref('supply_demand_gap') }}

),

demand as (

    select * from {{ ref('talent_demand_monthly') }}

),

industries as (

    select * from {{ ref('industries') }}

),

indicators as (

    select * from {{ ref('report_regional_indicators') }}
    where region = '巴中市'

),

demand_known as (

    -- talent_demand_monthly carries a null occupation_code where supply_demand_gap says 'unclassified'
    select
        as_of.report_month,
        {{ year_of('demand.month') }} as year,
        demand.industry,
        coalesce(demand.occupation_code, 'unclassified') as occupation_code,
        cast(sum(demand.postings) as {{ dbt.type_bigint() }}) as demand_postings,
        cast(sum(demand.headcount) as {{ dbt.type_bigint() }}) as demand_headcount

    from as_of
    inner join demand
        on as_of.demand_through >= demand.month
    group by
        as_of.report_month,
        {{ year_of('demand.month') }},
        demand.industry,
        coalesce(demand.occupation_code, 'unclassified')

),

context as (

    select
        report_month,
        year,
        max(case when indicator = 'resident_population' then value end) as resident_population_10k,
        max(case when indicator = 'rural_labour_outflow' then value end) as rural_labour_outflow_10k

    from indicators
    group by report_month, year

),

joined as (

    -- a row is kept when some of its demand is known, or when its cohort is known and it has
    -- graduates (even if its demand comes later in the year: the shortage list compares with them)
    select
        as_of.report_month,
        gap.gap_id,
        gap.year,
        gap.industry,
        gap.occupation_code,
        gap.occupation_name,
        coalesce(demand_known.demand_postings, 0) as demand_postings,
        coalesce(demand_known.demand_headcount, 0) as demand_headcount,
        cast(
            case when gap.year <= as_of.supply_cohorts_through then gap.supply_graduates else 0 end
            as {{ type_double() }}
        ) as supply_graduates,
        cast(
            case when gap.year <= as_of.supply_cohorts_through then gap.supply_employed_local else 0 end
            as {{ type_double() }}
        ) as supply_employed_local

    from as_of
    inner join gap
        on as_of.report_year >= gap.year
    left join demand_known
        on
            as_of.report_month = demand_known.report_month
            and gap.year = demand_known.year
            and gap.industry = demand_known.industry
            and gap.occupation_code = demand_known.occupation_code
    where
        demand_known.demand_postings is not null
        or (
            gap.year <= as_of.supply_cohorts_through
            and (gap.demand_postings = 0 or gap.supply_graduates > 0)
        )

),

final as (

    select
        {{ dbt.concat([year_month('joined.report_month'), "'/'", 'joined.gap_id']) }} as report_gap_id,
        joined.report_month,
        joined.gap_id,
        joined.year,
        joined.industry,
        joined.occupation_code,
        joined.occupation_name,
        joined.demand_postings,
        joined.demand_headcount,
        joined.supply_graduates,
        joined.supply_employed_local,
        {{ round_double(safe_divide('joined.demand_headcount', 'joined.supply_graduates'), 4) }} as demand_supply_ratio,
        {{ round_double('joined.demand_headcount - joined.supply_graduates') }} as gap,
        -- the shortage rule on the year's own cohort (macros/shortage_rule.sql, docs/shortage_rule.md)
        {{ shortage_flag('joined.demand_headcount', 'joined.supply_graduates', 'joined.demand_postings') }}
            as shortage_flag,
        context.resident_population_10k,
        context.rural_labour_outflow_10k,
        industries.code as industry_code

    from joined
    left join context
        on
            joined.report_month = context.report_month
            and joined.year = context.year
    left join industries
        on joined.industry = industries.name_zh

)

select * from final
