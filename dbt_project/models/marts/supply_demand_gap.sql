-- Demand (unique in-region ads, by posting year) against supply (graduates, by graduation year,
-- spread over occupations with the crosswalk weights) per year x industry x occupation.
-- Demand carries the ad's industry and supply the occupation's, so summing over occupations gives
-- each side's industry totals and summing over industries gives each occupation's totals.

with

demand as (

    select * from {{ ref('int_postings_aggregated') }}

),

graduates as (

    select * from {{ ref('int_graduates_mapped') }}

),

industries as (

    select * from {{ ref('industries') }}

),

indicators as (

    select * from {{ ref('regional_indicators') }}
    where region = '巴中市'

),

supply as (

    select
        year,
        industry,
        occupation_code,
        occupation_name,
        sum(weighted_graduates) as supply_graduates,
        sum(weighted_employed_local) as supply_employed_local

    from graduates
    group by year, industry, occupation_code, occupation_name

),

context as (

    select
        year,
        max(case when indicator = 'resident_population' then value end) as resident_population_10k,
        max(case when indicator = 'rural_labour_outflow' then value end) as rural_labour_outflow_10k

    from indicators
    group by year

),

joined as (

    select
        coalesce(demand.year, supply.year) as year,
        coalesce(demand.industry, supply.industry) as industry,
        coalesce(demand.occupation_code, supply.occupation_code) as occupation_code,
        coalesce(demand.occupation_name, supply.occupation_name) as occupation_name,
        coalesce(demand.demand_postings, 0) as demand_postings,
        coalesce(demand.demand_headcount, 0) as demand_headcount,
        {{ round_double('coalesce(supply.supply_graduates, 0)') }} as supply_graduates,
        case
            when supply.year is null then 0
            else {{ round_double('supply.supply_employed_local') }}
        end as supply_employed_local

    from demand
    full outer join supply
        on
            demand.year = supply.year
            and demand.industry = supply.industry
            and demand.occupation_code = supply.occupation_code

),

final as (

    select
        {{ dbt.concat([
            "cast(joined.year as " ~ dbt.type_string() ~ ")", "'-'", 'joined.industry', "'-'", 'joined.occupation_code'
        ]) }} as gap_id,
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
        on joined.year = context.year
    left join industries
        on joined.industry = industries.name_zh

)

select * from final
