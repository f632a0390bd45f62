-- Graduates spread over industries with the major → industry crosswalk weights
-- (one row per year x school x major x industry). Majors missing from the crosswalk count
-- fully as 其他. industry_rank = 1 marks a major's main industry (largest weight).

with

graduates as (

    select * from {{ ref('stg_schools__graduates') }}

),

crosswalk as (

    select * from {{ ref('major_industry_crosswalk') }}

),

industries as (

    select * from {{ ref('industries') }}

),

mapped as (

    select
        graduates.supply_id,
        graduates.year,
        graduates.school,
        graduates.major_code,
        graduates.major_name,
        coalesce(crosswalk.industry, '其他') as industry,
        cast(coalesce(crosswalk.weight, 1) as {{ type_double() }}) as weight,
        crosswalk.major_code is not null as is_mapped,
        graduates.graduates,
        graduates.employed,
        graduates.employed_local

    from graduates
    left join crosswalk
        on graduates.major_code = crosswalk.major_code

),

ranked as (

    select
        mapped.*,
        row_number() over (
            partition by mapped.supply_id
            order by mapped.weight desc, industries.sort_order asc, mapped.industry asc
        ) as industry_rank

    from mapped
    left join industries
        on mapped.industry = industries.name_zh

)

select
    {{ dbt.concat(['supply_id', "'-'", 'industry']) }} as mapping_id,
    supply_id,
    year,
    school,
    major_code,
    major_name,
    industry,
    weight,
    is_mapped,
    industry_rank,
    graduates,
    employed,
    employed_local,
    graduates * weight as weighted_graduates,
    employed * weight as weighted_employed,
    employed_local * weight as weighted_employed_local

from ranked
