-- Every major's crosswalk weights add up to 1, so spreading graduates over occupations neither
-- loses nor invents people.
with

crosswalk as (

    select * from {{ ref('major_occupation_crosswalk') }}

)

select
    major_code,
    sum(weight) as total_weight

from crosswalk
group by major_code
having abs(sum(weight) - 1) > 0.0001
