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

catalogue as (

    select * from {{ ref('indicators') }}

),

counties as (

    select * from {{ ref('counties') }}

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
        {{ dbt.concat([year_month('published.report_month'), "'/'", 'published.indicator_id']) }}
            as report_indicator_id,
        published.report_month,
        published.indicator_id,
        published.region,
        published.year,
        published.indicator,
        published.value,
        published.value_text,
        published.unit,
        published.source_sentence,
        published.source_url,
        published.growth_pct,
        published.vintage,
        published.vintage_recency = 1 as is_latest_vintage,
        published.is_derived,
        published.fetched_at,
        published.previous_year_value,
        published.yoy_change,
        published.yoy_change_pct,
        -- as in regional_indicators (joined here from the seeds, so the mart needs only its columns above)
        catalogue.indicator_name_cn,
        counties.admin_code as region_code

    from published
    left join catalogue
        on published.indicator = catalogue.indicator
    left join counties
        on published.region = counties.name_zh

)

select * from final
