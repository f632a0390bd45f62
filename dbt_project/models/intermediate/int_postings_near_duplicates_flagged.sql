-- One row per posting (board x board id): its exact dedup group and the vacancy that group belongs
-- to after the near-duplicate step.
--
-- Exact: postings sharing a dedup_key (normalised title | employer | place | month) are one group.
-- Near: two groups linked by int_postings_near_duplicates_linked (same month and place, same
-- normalised title or employer, MinHash signatures agreeing on at least `near_duplicate_threshold`
-- of their positions) are one vacancy. That catches a copy whose title was reworded (焊工 / 电焊工) or
-- whose employer was shortened to its brand. Groups are joined over two hops of such links; the
-- vacancy key is the smallest dedup_key among them. Rebuilt in full on every run: it is a few hash
-- joins over the groups and the links, and a new ad can join two old groups, which only a rebuild
-- settles exactly.

with

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

stored_links as (

    select * from {{ ref('int_postings_near_duplicates_linked') }}

),

keyed as (

    select
        posting_id,
        board,
        coalesce(dedup_key, posting_id) as exact_key

    from postings

),

exact_groups as (

    select distinct exact_key
    from keyed

),

current_links as (

    -- links whose groups still have postings (an ad gone from the landings takes its links along)
    select
        stored_links.key_a,
        stored_links.key_b,
        stored_links.similarity

    from stored_links
    inner join exact_groups as group_a
        on stored_links.key_a = group_a.exact_key
    inner join exact_groups as group_b
        on stored_links.key_b = group_b.exact_key

),

links as (

    select
        key_a as exact_key,
        key_b as linked_key,
        similarity
    from current_links

    union all

    select
        key_b as exact_key,
        key_a as linked_key,
        similarity
    from current_links

),

first_hop as (

    select
        exact_groups.exact_key,
        min(links.linked_key) as smallest_link,
        max(links.similarity) as best_similarity

    from exact_groups
    left join links
        on exact_groups.exact_key = links.exact_key
    group by exact_groups.exact_key

),

first_hop_keys as (

    select
        exact_key,
        best_similarity,
        case
            when smallest_link is not null and smallest_link < exact_key then smallest_link
            else exact_key
        end as hop_key

    from first_hop

),

second_hop as (

    select
        first_hop_keys.exact_key,
        first_hop_keys.best_similarity,
        min(
            case
                when linked.hop_key < first_hop_keys.hop_key then linked.hop_key
                else first_hop_keys.hop_key
            end
        ) as vacancy_key

    from first_hop_keys
    left join links
        on first_hop_keys.exact_key = links.exact_key
    left join first_hop_keys as linked
        on links.linked_key = linked.exact_key
    group by first_hop_keys.exact_key, first_hop_keys.best_similarity, first_hop_keys.hop_key

),

final as (

    select
        keyed.posting_id,
        keyed.board,
        keyed.exact_key,
        second_hop.vacancy_key as dedup_key,
        second_hop.best_similarity as near_duplicate_similarity,
        second_hop.vacancy_key <> keyed.exact_key as is_near_duplicate

    from keyed
    inner join second_hop
        on keyed.exact_key = second_hop.exact_key

)

select * from final
