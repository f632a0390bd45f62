with

source as (

    select * from {{ source('schools', 'school_records') }}

),

renamed as (

    select
        {{ clean_text('school') }} as school,
        {{ dbt.safe_cast('year', dbt.type_int()) }} as year,
        {{ clean_text('major_code') }} as major_code,
        {{ clean_text('major_name') }} as major_name,
        {{ clean_text('major_code_reported') }} as major_code_reported,
        {{ dbt.safe_cast('enrolment', dbt.type_int()) }} as enrolment,
        {{ dbt.safe_cast('graduates', dbt.type_int()) }} as graduates,
        {{ dbt.safe_cast('employed', dbt.type_int()) }} as employed,
        {{ dbt.safe_cast('further_study', dbt.type_int()) }} as further_study,
        {{ dbt.safe_cast('military', dbt.type_int()) }} as military,
        {{ dbt.safe_cast('not_placed', dbt.type_int()) }} as not_placed,
        {{ dbt.safe_cast('in_field', dbt.type_int()) }} as in_field,
        {{ dbt.safe_cast('employed_local', dbt.type_int()) }} as employed_local,
        {{ dbt.safe_cast('on_roll', dbt.type_int()) }} as on_roll,
        {{ dbt.safe_cast('employment_rate_reported', dbt.type_float()) }} as employment_rate_reported,
        {{ dbt.safe_cast('in_field_rate_reported', dbt.type_float()) }} as in_field_rate_reported,
        coalesce({{ clean_text('record_kind') }}, 'summary') as record_kind,
        {{ clean_text('superseded_by') }} as superseded_by,
        coalesce(is_correction, false) as is_correction,
        {{ clean_text('source_file') }} as source_file,
        {{ clean_text('sheet') }} as sheet,
        {{ dbt.safe_cast('source_row', dbt.type_int()) }} as source_row,
        _landing as landing,
        {{ dbt.safe_cast('_partition', 'date') }} as landed_partition,
        _landed_at as landed_at,
        _row as landing_row

    from source

),

versioned as (

    select
        *,
        -- the figures of this version, to tell a correction from the same export landed again
        {{ dbt.concat([
            "coalesce(cast(enrolment as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(graduates as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(employed as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(further_study as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(military as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(not_placed as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(in_field as " ~ dbt.type_string() ~ "), '-')", "'|'",
            "coalesce(cast(employed_local as " ~ dbt.type_string() ~ "), '-')"
        ]) }} as figures

    from renamed

),

ranked as (

    -- an export fetched on several runs, or corrected and re-sent, is landed more than once: the
    -- latest landing wins, and inside one landing the version no later file superseded
    select
        *,
        row_number() over (
            partition by school, year, major_code
            order by
                landed_at desc nulls last,
                landed_partition desc nulls last,
                landing desc,
                case when superseded_by is null then 0 else 1 end asc,
                landing_row asc
        ) as vintage_rank,
        -- min <> max: portable "more than one distinct value" (no distinct in window aggregates)
        min(figures) over (partition by school, year, major_code)
        <> max(figures) over (partition by school, year, major_code) as has_other_figures

    from versioned

),

final as (

    select
        {{ dbt.concat([
            "cast(year as " ~ dbt.type_string() ~ ")", "'-'", 'school', "'-'", 'major_code'
        ]) }} as supply_id,
        school,
        year,
        major_code,
        major_name,
        major_code_reported,
        enrolment,
        graduates,
        employed,
        further_study,
        military,
        not_placed,
        in_field,
        employed_local,
        on_roll,
        employment_rate_reported,
        in_field_rate_reported,
        record_kind,
        -- a later file changed the figures of this school x year x major, in this landing or since an
        -- earlier one: the earlier versions stay in raw.school_records
        (is_correction or has_other_figures) as is_corrected,
        source_file,
        sheet,
        source_row,
        landing,
        landed_partition,
        landed_at

    from ranked
    where vintage_rank = 1

)

select * from final
