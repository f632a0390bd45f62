with

source as (

    select * from {{ source('raw', 'school_records') }}

),

renamed as (

    select
        {{ clean_text('school') }} as school,
        {{ dbt.safe_cast('year', dbt.type_int()) }} as year,
        {{ clean_text('major_code') }} as major_code,
        {{ clean_text('major_name') }} as major_name,
        {{ dbt.safe_cast('enrolment', dbt.type_int()) }} as enrolment,
        {{ dbt.safe_cast('graduates', dbt.type_int()) }} as graduates,
        {{ dbt.safe_cast('employed', dbt.type_int()) }} as employed,
        {{ dbt.safe_cast('further_study', dbt.type_int()) }} as further_study,
        {{ dbt.safe_cast('military', dbt.type_int()) }} as military,
        {{ dbt.safe_cast('not_placed', dbt.type_int()) }} as not_placed,
        {{ dbt.safe_cast('in_field', dbt.type_int()) }} as in_field,
        {{ dbt.safe_cast('employed_local', dbt.type_int()) }} as employed_local,
        {{ clean_text('source_file') }} as source_file,
        {{ dbt.safe_cast('source_row', dbt.type_int()) }} as source_row,
        _landing as landing,
        {{ dbt.safe_cast('_partition', 'date') }} as landed_partition,
        _landed_at as landed_at,
        _row as landing_row

    from source

),

ranked as (

    -- an export fetched on several runs (or corrected and re-sent) is landed more than once:
    -- keep the latest vintage of each school x year x major
    select
        *,
        row_number() over (
            partition by school, year, major_code
            order by landed_at desc nulls last, landed_partition desc nulls last, landing desc, landing_row asc
        ) as vintage_rank

    from renamed

)

select
    {{ dbt.concat([
        "cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'school', "'-'", 'major_code'
    ]) }} as supply_id,
    school,
    year,
    major_code,
    major_name,
    enrolment,
    graduates,
    employed,
    further_study,
    military,
    not_placed,
    in_field,
    employed_local,
    source_file,
    source_row,
    landing,
    landed_partition,
    landed_at

from ranked
where vintage_rank = 1
