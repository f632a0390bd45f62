-- The report's supply cards (section 三): the newest graduate cohort known at each report month
-- (report_as_of.supply_year), summed over schools and majors. Rates only over rows where both parts
-- are known, so a school that left a cell blank does not count as 100% placed or 0% local.

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

supply as (

    select * from {{ ref('talent_supply_yearly') }}

),

cohort as (

    select
        as_of.report_month,
        supply.year,
        count(distinct supply.school) as schools,
        sum(coalesce(supply.graduates, 0)) as graduates,
        sum(case when supply.not_placed is not null then supply.graduates end) as placement_base,
        sum(case when supply.graduates is not null then supply.not_placed end) as not_placed,
        sum(case when supply.employed_local is not null then supply.employed end) as local_base,
        sum(case when supply.employed is not null then supply.employed_local end) as employed_local

    from as_of
    inner join supply
        on as_of.supply_year = supply.year
    group by as_of.report_month, supply.year

),

final as (

    select
        {{ year_month('report_month') }} as report_graduates_id,
        report_month,
        year,
        cast(schools as {{ dbt.type_int() }}) as schools,
        cast(graduates as {{ dbt.type_bigint() }}) as graduates,
        {{ safe_divide('placement_base - not_placed', 'placement_base') }} as placement_rate,
        {{ safe_divide('employed_local', 'local_base') }} as local_rate

    from cohort

)

select * from final
