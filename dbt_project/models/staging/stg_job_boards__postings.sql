-- Job ads from every board, one row per board x board id: the latest vintage when the same ad was
-- landed on several runs. Reposts and cross-board copies stay separate rows here.

with

source as (

    select * from {{ source('job_boards', 'job_postings') }}

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
        {{ dbt.safe_cast('salary_negotiable', dbt.type_boolean()) }} as salary_negotiable,
        {{ dbt.safe_cast('salary_parse_error', dbt.type_string()) }} as salary_parse_error,
        {{ dbt.safe_cast('experience_min_years', dbt.type_int()) }} as experience_min_years,
        {{ dbt.safe_cast('experience_max_years', dbt.type_int()) }} as experience_max_years,
        {{ dbt.safe_cast('occupation_code', dbt.type_string()) }} as occupation_code,
        {{ dbt.safe_cast('skill_tags', dbt.type_string()) }} as skill_tags,
        {{ dbt.safe_cast('title_key', dbt.type_string()) }} as title_key,
        {{ dbt.safe_cast('company_key', dbt.type_string()) }} as company_key,
        {{ dbt.safe_cast('description_minhash', dbt.type_string()) }} as description_minhash,
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

),

final as (

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
        coalesce(salary_negotiable, false) as salary_negotiable,
        salary_parse_error,
        -- landings normalised before issue 12 name the city as the county (the 市本级 label now) and
        -- may carry the city of a job outside 巴中, which is no county of ours (市外)
        case
            when county = '巴中市' then '市本级'
            when not in_region then '市外'
            else county
        end as county,
        in_region,
        industry,
        occupation_code,
        education_level,
        experience_min_years,
        experience_max_years,
        -- "|GMP|HACCP|": every skill the normaliser found, fenced so a lookup cannot match inside a name
        skill_tags,
        dedup_key,
        title_key,
        company_key,
        description_minhash,
        landing,
        landed_partition,
        landed_at

    from ranked
    where vintage_rank = 1

)

select * from final
