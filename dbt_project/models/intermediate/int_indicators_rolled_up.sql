-- Bulletin indicators with their vintage ranked, plus city figures derived from the counties.
-- A later bulletin (or a corrected re-publication) revises a year: every vintage is kept and the
-- newest (by vintage date, then fetch time) is flagged. Where the city's own bulletin lacks an
-- additive figure that every county states, the county sum stands in for it, marked derived.

with

indicators as (

    select * from {{ ref('stg_bulletins__indicators') }}

),

places as (

    select * from {{ ref('counties') }}

),

city as (

    select name_zh as region from places
    where is_city_level

),

counties as (

    -- county-level units that publish bulletins (the development zone reports inside 巴州区)
    select name_zh as region from places
    where unit_type in ('district', 'county')

),

ranked as (

    select
        *,
        row_number() over (
            partition by region, year, indicator
            order by vintage desc nulls last, fetched_at desc nulls last, landed_at desc nulls last
        ) = 1 as is_latest_vintage

    from indicators

),

county_values as (

    select ranked.*
    from ranked
    inner join counties on ranked.region = counties.region
    where
        ranked.is_latest_vintage
        and ranked.value is not null
        -- additive levels only: rates, growth, structure and per-capita income do not sum
        and ranked.indicator in (
            'gdp', 'value_added_primary', 'value_added_secondary', 'value_added_tertiary',
            'resident_population', 'urban_population', 'rural_population', 'registered_population',
            'rural_labour_outflow', 'labour_income', 'new_urban_jobs', 'private_economy_value_added',
            'retail_sales', 'vocational_students', 'vocational_graduates', 'vocational_enrolment',
            'tourism_visitors', 'tourism_revenue'
        )

),

county_totals as (

    select
        year,
        indicator,
        unit,
        sum(value) as value,
        count(distinct region) as counties_reporting,
        max(vintage) as vintage,
        max(fetched_at) as fetched_at,
        max(landed_at) as landed_at

    from county_values
    group by year, indicator, unit

),

city_stated as (

    select distinct
        ranked.year,
        ranked.indicator
    from ranked
    inner join city on ranked.region = city.region

),

derived as (

    select
        city.region,
        county_totals.year,
        county_totals.indicator,
        county_totals.vintage,
        {{ round_double('county_totals.value', 4) }} as value,
        cast(null as {{ dbt.type_string() }}) as value_text,
        county_totals.unit,
        cast(null as {{ type_double() }}) as growth_pct,
        {{ dbt.concat([
            "'由各县（区）统计公报汇总（'",
            "cast(county_totals.counties_reporting as " ~ dbt.type_string() ~ ")",
            "'个县区）'"
        ]) }} as source_sentence,
        cast(null as {{ dbt.type_string() }}) as source_url,
        cast(null as {{ dbt.type_string() }}) as source_title,
        county_totals.fetched_at,
        cast(null as {{ dbt.type_string() }}) as page_sha256,
        cast(null as {{ dbt.type_string() }}) as landing,
        county_totals.landed_at,
        true as is_latest_vintage,
        true as is_derived

    from county_totals
    cross join city
    left join city_stated
        on
            county_totals.year = city_stated.year
            and county_totals.indicator = city_stated.indicator
    where
        city_stated.indicator is null
        and county_totals.counties_reporting = (select count(*) from counties)

),

stated as (

    select
        region,
        year,
        indicator,
        vintage,
        value,
        value_text,
        unit,
        growth_pct,
        source_sentence,
        source_url,
        source_title,
        fetched_at,
        page_sha256,
        landing,
        landed_at,
        is_latest_vintage,
        false as is_derived

    from ranked

),

final as (

    select * from stated
    union all
    select * from derived

)

select * from final
