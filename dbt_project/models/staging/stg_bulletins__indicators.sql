-- Bulletin indicators, one row per region x year x indicator x vintage. The same published version
-- can be landed more than once (re-runs, a parser fix re-landing a page): the newest landing wins.

with

source as (

    select * from {{ source('bulletins', 'bulletin_indicators') }}

),

renamed as (

    select
        {{ clean_text('region') }} as region,
        {{ dbt.safe_cast('year', dbt.type_int()) }} as year,
        lower({{ clean_text('indicator') }}) as indicator,
        {{ dbt.safe_cast('value', type_double()) }} as value,
        {{ clean_text('value_text') }} as value_text,
        {{ clean_text('unit') }} as unit,
        {{ dbt.safe_cast('growth_pct', type_double()) }} as growth_pct,
        {{ dbt.safe_cast('vintage', 'date') }} as vintage,
        {{ dbt.safe_cast(clean_text('fetched_at'), dbt.type_timestamp()) }} as fetched_at,
        {{ clean_text('page_sha256') }} as page_sha256,
        {{ clean_text('text') }} as source_sentence,
        {{ clean_text('url') }} as source_url,
        {{ clean_text('title') }} as source_title,
        _landing as landing,
        {{ dbt.safe_cast('_partition', 'date') }} as landed_partition,
        _landed_at as landed_at,
        _row as landing_row

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by region, year, indicator, vintage
            order by landed_at desc nulls last, landed_partition desc nulls last, landing desc, landing_row asc
        ) as landing_rank

    from renamed

),

final as (

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
        landed_partition,
        landed_at

    from ranked
    where landing_rank = 1

)

select * from final
