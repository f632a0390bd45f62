-- Supply: graduates and their destinations per graduation year x school x major.

with

graduates as (

    select * from {{ ref('stg_schools__graduates') }}

),

main_industry as (

    select * from {{ ref('int_graduates_mapped') }}
    where industry_rank = 1

)

select
    graduates.supply_id,
    graduates.year,
    graduates.school,
    graduates.major_code,
    graduates.major_name,
    main_industry.industry,
    graduates.enrolment,
    graduates.graduates,
    graduates.employed,
    graduates.further_study,
    graduates.military,
    graduates.not_placed,
    graduates.in_field,
    graduates.employed_local,
    {{ safe_divide('graduates.graduates - graduates.not_placed', 'graduates.graduates') }} as placement_rate,
    {{ safe_divide('graduates.in_field', 'graduates.employed') }} as in_field_rate,
    {{ safe_divide('graduates.employed_local', 'graduates.employed') }} as local_retention_rate

from graduates
inner join main_industry
    on graduates.supply_id = main_industry.supply_id
