with

source as (

    select * from {{ source('raw', 'job_postings') }}

),

renamed as (

    select
        {{ clean_text('source') }} as board,
        {{ clean_text('source_id') }} as source_id,
        {{ clean_text('url') }} as url,
        {{ clean_text('title') }} as title,
        {{ clean_text('company') }} as company,
        {{ clean_text('salary') }} as salary_text,
        {{ clean_text('education') }} as education,
        {{ clean_text('experience') }} as experience,
        {{ clean_text('location') }} as location,
        {{ clean_text('description') }} as description,
        {{ dbt.safe_cast('posted_at', 'date') }} as posted_at,
        {{ dbt.safe_cast('headcount', dbt.type_int()) }} as headcount,
        {{ dbt.safe_cast('salary_min', type_double()) }} as salary_min,
        {{ dbt.safe_cast('salary_max', type_double()) }} as salary_max,
        {{ dbt.safe_cast('salary_months', dbt.type_int()) }} as salary_months,
        {{ clean_text('county') }} as county,
        {{ dbt.safe_cast('in_region', dbt.type_boolean()) }} as in_region,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('education_level') }} as education_level,
        {{ clean_text('dedup_key') }} as dedup_key,
        _landing as landing,
        {{ dbt.safe_cast('_partition', 'date') }} as landed_partition,
        _landed_at as landed_at,
        _row as landing_row

    from source

),

ranked as (

    -- the same ad is landed again on every run that still sees it: keep its latest vintage
    select
        *,
        row_number() over (
            partition by board, source_id
            order by landed_at desc nulls last, landed_partition desc nulls last, landing desc, landing_row asc
        ) as vintage_rank

    from renamed

)

select
    {{ dbt.concat(['board', "':'", 'source_id']) }} as posting_id,
    board,
    source_id,
    url,
    title,
    company,
    salary_text,
    education,
    experience,
    location,
    description,
    posted_at,
    cast({{ dbt.date_trunc('month', 'posted_at') }} as date) as posted_month,
    headcount,
    salary_min,
    salary_max,
    salary_months,
    county,
    in_region,
    industry,
    education_level,
    dedup_key,
    landing,
    landed_partition,
    landed_at

from ranked
where vintage_rank = 1
