-- The marts add up: every unique in-region ad is counted once in talent_demand_monthly and once in
-- supply_demand_gap, and every graduate once (after weights) in supply_demand_gap.
with

ads as (

    select count(*) as n
    from {{ ref('int_postings_deduplicated') }}
    where in_region

),

demand_monthly as (

    select coalesce(sum(postings), 0) as n
    from {{ ref('talent_demand_monthly') }}

),

gap as (

    select
        coalesce(sum(demand_postings), 0) as postings,
        coalesce(sum(supply_graduates), 0) as graduates,
        count(*) as n_rows

    from {{ ref('supply_demand_gap') }}

),

graduates as (

    select coalesce(sum(graduates), 0) as n
    from {{ ref('talent_supply_yearly') }}

),

checks as (

    select
        'demand_monthly_vs_ads' as check_name,
        demand_monthly.n - ads.n as difference
    from ads cross join demand_monthly

    union all

    select
        'gap_postings_vs_ads' as check_name,
        gap.postings - ads.n as difference
    from ads cross join gap

    union all

    -- supply_graduates is rounded to 2 decimals per row
    select
        'gap_graduates_vs_supply' as check_name,
        case
            when abs(gap.graduates - graduates.n) <= 0.005 * gap.n_rows then 0
            else gap.graduates - graduates.n
        end as difference
    from graduates cross join gap

)

select * from checks
where difference <> 0
