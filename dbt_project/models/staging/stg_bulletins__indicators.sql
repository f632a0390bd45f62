with

source as (

    select * from {{ source('raw', 'bulletin_indicators') }}

),

renamed as (

    select
        {{ clean_text('region') }} as region,
        {{ dbt.safe_cast('year', dbt.type_int()) }} as year,
        lower({{ clean_text('indicator') }}) as indicator,
        {{ dbt.safe_cast('value', type_double()) }} as value,
        {{ clean_text('value_text') }} as value_text,
        {{ clean_text('unit') }} as unit,
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
            partition by region, year, indicator
            order by landed_at desc nulls last, landed_partition desc nulls last, landing desc, landing_row asc
        ) as vintage_rank

    from renamed

)

select
    region,
    year,
    indicator,
    value,
    value_text,
    unit,
    source_sentence,
    source_url,
    source_title,
    landing,
    landed_partition,
    landed_at

from ranked
where vintage_rank = 1
