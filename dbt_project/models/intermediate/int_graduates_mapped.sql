-- Graduates spread over occupations (国家职业分类大典 2022) with the major → occupation crosswalk
-- weights, one row per year x school x major x occupation; the industry comes through the
-- occupation. Majors missing from the crosswalk count fully as occupation 'unclassified' in 其他.

with

graduates as (

    select * from {{ ref('stg_schools__graduates') }}

),

crosswalk as (

    select * from {{ ref('major_occupation_crosswalk') }}

),

occupations as (

    select * from {{ ref('occupations') }}

),

mapped as (

    select
        graduates.supply_id,
        graduates.year,
        graduates.school,
        graduates.major_code,
        graduates.major_name,
        coalesce(crosswalk.occupation_code, 'unclassified') as occupation_code,
        coalesce(occupations.occupation_name, '未分类') as occupation_name,
        coalesce(occupations.industry, '其他') as industry,
        cast(coalesce(crosswalk.weight, 1) as {{ type_double() }}) as weight,
        crosswalk.major_code is not null as is_mapped,
        graduates.graduates,
        graduates.employed,
        graduates.employed_local

    from graduates
    left join crosswalk
        on graduates.major_code = crosswalk.major_code
    left join occupations
        on crosswalk.occupation_code = occupations.occupation_code

),

final as (

    select
        {{ dbt.concat(['supply_id', "'-'", 'occupation_code']) }} as mapping_id,
        supply_id,
        year,
        school,
        major_code,
        major_name,
        occupation_code,
        occupation_name,
        industry,
        weight,
        is_mapped,
        graduates,
        employed,
        employed_local,
        graduates * weight as weighted_graduates,
        employed * weight as weighted_employed,
        employed_local * weight as weighted_employed_local

    from mapped

)

select * from final
