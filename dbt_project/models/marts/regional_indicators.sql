with

indicators as (

    select * from {{ ref('stg_bulletins__indicators') }}

)

select
    {{ dbt.concat([
        'region', "'-'", "cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'indicator'
    ]) }} as indicator_id,
    region,
    year,
    indicator,
    value,
    value_text,
    unit,
    source_sentence,
    source_url

from indicators
