-- Regional indicators from the statistics bulletins: one row per region x year x indicator x vintage.
-- The latest vintage of a figure keeps the short id `region-year-indicator`, so links to the current
-- figure survive revisions; superseded vintages get `region-year-indicator@vintage`.

with

indicators as (

    select * from {{ ref('int_indicators_rolled_up') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

counties as (

    select * from {{ ref('counties') }}

),

latest as (

    select
        region,
        year,
        indicator,
        value

    from indicators
    where is_latest_vintage

),

final as (

    select
        case
            when indicators.is_latest_vintage
                then {{ dbt.concat([
                    'indicators.region', "'-'",
                    "cast(indicators.year as " ~ dbt.type_string() ~ ")", "'-'",
                    'indicators.indicator'
                ]) }}
            else {{ dbt.concat([
                'indicators.region', "'-'",
                "cast(indicators.year as " ~ dbt.type_string() ~ ")", "'-'",
                'indicators.indicator', "'@'",
                "coalesce(cast(indicators.vintage as " ~ dbt.type_string() ~ "), 'unversioned')"
            ]) }}
        end as indicator_id,
        indicators.region,
        indicators.year,
        indicators.indicator,
        indicators.value,
        indicators.value_text,
        indicators.unit,
        indicators.source_sentence,
        indicators.source_url,
        indicators.growth_pct,
        indicators.vintage,
        indicators.is_latest_vintage,
        indicators.is_derived,
        indicators.fetched_at,
        previous.value as previous_year_value,
        {{ round_double('indicators.value - previous.value', 4) }} as yoy_change,
        case
            when indicators.unit != '%'
                then {{ round_double(safe_divide('(indicators.value - previous.value) * 100', 'previous.value'), 4) }}
        end as yoy_change_pct,
        -- labels and codes beside the keys (reference.indicators, reference.counties)
        catalogue.indicator_name_cn,
        counties.admin_code as region_code

    from indicators
    left join latest as previous
        on
            indicators.region = previous.region
            and indicators.indicator = previous.indicator
            and indicators.year = previous.year + 1
    left join catalogue
        on indicators.indicator = catalogue.indicator
    left join counties
        on indicators.region = counties.name_zh

)

select * from final
