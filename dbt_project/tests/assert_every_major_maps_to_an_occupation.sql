-- Every major of the catalogue seed (the only majors the extractor lets through) maps to at least
-- one occupation, so no known major's graduates fall into unclassified.
with

majors as (

    select * from {{ ref('majors') }}

),

crosswalk as (

    select * from {{ ref('major_occupation_crosswalk') }}

)

select majors.major_code

from majors
left join crosswalk
    on majors.major_code = crosswalk.major_code
where crosswalk.major_code is null
