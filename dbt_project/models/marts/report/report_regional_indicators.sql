-- The bulletin indicators as each report month knew them: the vintages published by the month's last
-- day, with is_latest_vintage recomputed among those (a figure revised after the month shows its
-- earlier value). Same columns as regional_indicators, per report month.

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

indicators as (

    select * from {{ ref('regional_indicators') }}

),

published as (

    select
        indicators.*,
        as_of.report_month,
        row_number() over (
            partition by as_of.report_month, indicators.region, indicators.year, indicators.indicator
            order by indicators.vintage desc, indicators.indicator_id desc
        ) as vintage_recency

    from as_of
    inner join indicators
        on as_of.indicators_published_by >= indicators.vintage

),

final as (

    select
        {{ dbt.concat([year_month('report_month'), "'/'", 'indicator_id']) }} as report_indicator_id,
        report_month,
        indicator_id,
        region,
        year,
        indicator,
        value,
        value_text,
        unit,
        source_sentence,
        source_url,
        growth_pct,
        vintage,
        vintage_recency = 1 as is_latest_vintage,
        is_derived,
        fetched_at,
        previous_year_value,
        yoy_change,
        yoy_change_pct

    from published

)

select * from final
