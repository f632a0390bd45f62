-- Shortage list for the latest year with both demand and supply: industries where ads want at
-- least 1.5 people per graduate (or want people no school trains). `dbt compile` renders it to
-- target/compiled/...; run the SQL in any client.
with

gap as (

    select * from {{ ref('supply_demand_gap') }}

),

latest_year as (

    select max(year) as year
    from gap
    where demand_postings > 0 and supply_graduates > 0

),

final as (

    select
        gap.industry,
        gap.demand_postings,
        gap.demand_headcount,
        gap.supply_graduates,
        gap.demand_supply_ratio,
        gap.gap

    from gap
    inner join latest_year
        on gap.year = latest_year.year
    where gap.shortage_flag

)

select * from final
order by gap desc
