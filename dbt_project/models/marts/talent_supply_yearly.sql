-- Supply: graduates and their destinations per graduation year x school x major.

with

graduates as (

    select * from {{ ref('stg_schools__graduates') }}

),

mapped as (

    select * from {{ ref('int_graduates_mapped') }}

),

industries as (

    select * from {{ ref('industries') }}

),

industry_weights as (

    -- a major's share per industry: the sum of its occupations' weights in that industry
    select
        mapped.supply_id,
        mapped.industry,
        sum(mapped.weight) as weight

    from mapped
    group by mapped.supply_id, mapped.industry

),

main_industry as (

    select
        industry_weights.supply_id,
        industry_weights.industry,
        row_number() over (
            partition by industry_weights.supply_id
            order by industry_weights.weight desc, industries.sort_order asc, industry_weights.industry asc
        ) as industry_rank

    from industry_weights
    left join industries
        on industry_weights.industry = industries.name_zh

),

final as (

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
        {{ safe_divide('graduates.employed_local', 'graduates.employed') }} as local_retention_rate,
        graduates.is_corrected,
        graduates.major_code_reported,
        industries.code as industry_code

    from graduates
    inner join main_industry
        on
            graduates.supply_id = main_industry.supply_id
            and main_industry.industry_rank = 1
    left join industries
        on main_industry.industry = industries.name_zh

)

select * from final
