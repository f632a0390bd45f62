-- Demand (unique in-region ads, by posting year) against supply (graduates, by graduation year,
-- spread over industries with the crosswalk weights) per year x industry.

with

ads as (

    select * from {{ ref('int_postings_deduplicated') }}
    where in_region

),

graduates as (

    select * from {{ ref('int_graduates_mapped') }}

),

demand as (

    select
        {{ year_of('month') }} as year,
        industry,
        count(*) as demand_postings,
        cast(sum(coalesce(headcount, 1)) as {{ dbt.type_bigint() }}) as demand_headcount

    from ads
    group by {{ year_of('month') }}, industry

),

supply as (

    select
        year,
        industry,
        sum(weighted_graduates) as supply_graduates,
        sum(weighted_employed_local) as supply_employed_local

    from graduates
    group by year, industry

),

joined as (

    select
        coalesce(demand.year, supply.year) as year,
        coalesce(demand.industry, supply.industry) as industry,
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

)

select
    {{ dbt.concat(["cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'industry']) }} as gap_id,
    year,
    industry,
    demand_postings,
    demand_headcount,
    supply_graduates,
    supply_employed_local,
    {{ round_double(safe_divide('demand_headcount', 'supply_graduates'), 4) }} as demand_supply_ratio,
    {{ round_double('demand_headcount - supply_graduates') }} as gap,
    -- a ratio of 1.5 or more, or demand with no graduates at all (an unbounded ratio)
    coalesce(
        {{ safe_divide('demand_headcount', 'supply_graduates') }} >= 1.5,
        demand_headcount > 0
    ) as shortage_flag

from joined
