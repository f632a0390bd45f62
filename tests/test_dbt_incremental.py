"""Incremental dbt runs give what a full rebuild gives.

The warehouse of tests/test_dbt_project.py (same raw tables, same helpers) gets job ads with MinHash
signatures in two landings: the first is built, the second is added as new raw rows and built
incrementally (int_postings_near_duplicates_linked only compares the new ads), then a copy is rebuilt
with --full-refresh and the posting models must agree row for row. The second landing holds the hard
case: an ad that is a near-duplicate of two old groups that were not linked to each other.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from test_dbt_project import _lineage, run_dbt, write_raw

from extractors.job_boards.normalize import description_minhash

SELECT = ("--select", "+job_postings", "--indirect-selection", "cautious")

# Long enough texts that a one-sentence edit keeps the estimated Jaccard similarity above 0.9.
WELDING = (
    "岗位职责：负责钢结构件的焊接、打磨与返修，按图纸要求完成二氧化碳保护焊和氩弧焊作业，"
    "做好焊前检查和焊后自检，保持作业区域整洁，遵守安全操作规程，配合质检完成焊缝探伤。"
    "任职要求：持有焊工证，两年以上钢结构焊接经验，能看懂施工图纸，吃苦耐劳，服从安排。"
    "福利待遇：包吃包住，缴纳五险，满勤奖，年底双薪，节日福利，技能等级补贴。"
)
FORKLIFT = (
    "岗位职责：负责仓库货物的装卸、搬运与码放，按出入库单据操作叉车完成货物转运，"
    "每日检查叉车状况并做好保养记录，协助盘点库存，保持库区通道畅通，遵守仓库安全管理制度。"
    "任职要求：持有叉车操作证，一年以上仓库叉车经验，身体健康，能适应倒班。"
    "福利待遇：缴纳五险一金，提供工作餐，夜班补贴，节日福利，带薪年假。"
)
BAKERY = (
    "岗位职责：负责面包和糕点的制作与烘烤，按配方称量原料，控制发酵和烘烤时间，"
    "清洁整理操作间和设备，做好原料的验收与保管，遵守食品安全卫生规范。"
    "任职要求：有烘焙经验者优先，持有健康证，工作认真细致，能适应早班。"
    "福利待遇：包吃住，节日福利，生日福利，员工折扣，带薪年假。"
)

NEW_COLUMNS = (
    "source, source_id, url, title, company, description, posted_at, county, in_region, industry, "
    "education_level, dedup_key, title_key, company_key, description_minhash"
)


def ad(board, source_id, title_key, company_key, posted_at, county, description, lineage, *, key=None):
    """A raw row the normaliser could have written (keys given by hand, as in the other fixture)."""
    dedup_key = key or f"k-{title_key}-{company_key}-{posted_at[:7]}"
    return (
        board,
        source_id,
        f"https://jobs.example/{board}/{source_id}",
        title_key,
        company_key,
        description,
        posted_at,
        county,
        True,
        "其他",
        "associate",
        dedup_key,
        title_key,
        company_key,
        description_minhash(description),
        *lineage,
    )


def first_landing() -> list[tuple]:
    z = lambda row: _lineage("job_board_zhaopin", "2025-04-30", "z10000000001", row)  # noqa: E731
    r = lambda row: _lineage("job_board_rencai", "2025-04-30", "r10000000001", row)  # noqa: E731
    return [
        # one vacancy: the rencai copy reworded the title (same employer) and added a sentence
        ad("zhaopin", "N01", "焊工", "巴中钢构", "2025-03-03", "巴州区", WELDING, z(1)),
        ad("rencai", "N02", "电焊工", "巴中钢构", "2025-03-04", "巴州区", WELDING + "欢迎退役军人。", r(1)),
        # same title, another employer, another text: not a copy
        ad("zhaopin", "N03", "焊工", "通江机械", "2025-03-05", "巴州区", BAKERY, z(2)),
        # two groups that share neither title nor employer: only a bridge can join them
        ad("zhaopin", "N04", "叉车司机", "恩阳物流", "2025-03-06", "恩阳区", FORKLIFT, z(3)),
        ad("rencai", "N05", "叉车工", "秦巴仓储", "2025-03-07", "恩阳区", FORKLIFT + "长期招聘。", r(2)),
    ]


def second_landing() -> list[tuple]:
    z = lambda row: _lineage("job_board_zhaopin", "2025-05-31", "z20000000001", row)  # noqa: E731
    r = lambda row: _lineage("job_board_rencai", "2025-05-31", "r20000000001", row)  # noqa: E731
    return [
        # the bridge: N04's title, N05's employer, the same text
        ad("rencai", "N06", "叉车司机", "秦巴仓储", "2025-03-20", "恩阳区", FORKLIFT + "包住宿。", r(1)),
        # a repost of N01 (new id, same exact key) and a near-duplicate of N02 on the other board
        ad("zhaopin", "N07", "焊工", "巴中钢构", "2025-03-25", "巴州区", WELDING, z(1)),
        ad("zhaopin", "N08", "电焊工", "巴中钢构", "2025-03-26", "巴州区", WELDING + "欢迎退役军人。", z(2)),
        # N03 landed again (a later vintage of the same ad)
        ad("zhaopin", "N03", "焊工", "通江机械", "2025-03-05", "巴州区", BAKERY, z(3)),
        # a landing validated late: landed before the first build, loaded only now (a landed_at
        # watermark would skip it)
        ad(
            "zhaopin",
            "N10",
            "烘焙工",
            "通江机械",
            "2025-03-28",
            "巴州区",
            BAKERY + "欢迎应届生。",
            _lineage("job_board_zhaopin", "2025-04-20", "z30000000001", 1),
        ),
        # next month: never compared with March
        ad("rencai", "N09", "焊工", "巴中钢构", "2025-04-02", "巴州区", WELDING, r(2)),
    ]


def add_postings(db_path, rows: list[tuple]) -> None:
    con = duckdb.connect(str(db_path))
    try:
        lineage = "_landing, _partition, _landed_at, _row"
        marks = ", ".join(["?"] * (len(NEW_COLUMNS.split(",")) + 4))
        con.executemany(f"insert into raw.job_postings ({NEW_COLUMNS}, {lineage}) values ({marks})", rows)
    finally:
        con.close()


MODELS = {
    "intermediate.int_postings_near_duplicates_linked": "key_a, key_b, similarity",
    "intermediate.int_postings_near_duplicates_flagged": "*",
    "intermediate.int_postings_deduplicated": "*",
    "marts.job_postings": "*",
}


def snapshot(db_path) -> dict[str, list]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {
            table: sorted(map(repr, con.execute(f"select {columns} from {table}").fetchall()))
            for table, columns in MODELS.items()
        }
    finally:
        con.close()


def vacancies(db_path) -> dict[str, str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(
            con.execute(
                "select posting_id, dedup_key from intermediate.int_postings_near_duplicates_flagged "
                "where posting_id like '%:N%'"
            ).fetchall()
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_incremental")
    db_path = work / "talent.duckdb"
    write_raw(db_path)
    add_postings(db_path, first_landing())
    first = run_dbt(db_path, work / "first", "build", *SELECT)
    assert first.returncode == 0, first.stdout[-6000:]
    before = vacancies(db_path)
    add_postings(db_path, second_landing())
    incremental = run_dbt(db_path, work / "incremental", "build", *SELECT)
    assert incremental.returncode == 0, incremental.stdout[-6000:]
    rebuilt_path = work / "rebuilt.duckdb"
    shutil.copyfile(db_path, rebuilt_path)
    full = run_dbt(rebuilt_path, work / "full", "build", *SELECT, "--full-refresh")
    assert full.returncode == 0, full.stdout[-6000:]
    return work, db_path, rebuilt_path, before


def test_the_second_run_was_incremental(built):
    work, *_ = built
    results = json.loads((work / "incremental" / "target" / "run_results.json").read_text(encoding="utf-8"))
    (linked,) = [
        r for r in results["results"] if r["unique_id"].endswith(".int_postings_near_duplicates_linked")
    ]
    # only the incremental branch reads the model's own table (the watermark and the stored links)
    assert '"int_postings_near_duplicates_linked"' in linked["compiled_code"]
    first = json.loads((work / "first" / "target" / "run_results.json").read_text(encoding="utf-8"))
    (built_first,) = [r for r in first["results"] if r["unique_id"] == linked["unique_id"]]
    assert '"int_postings_near_duplicates_linked"' not in built_first["compiled_code"]


def test_incremental_equals_full_refresh(built):
    _, incremental_path, rebuilt_path, _ = built
    incremental, rebuilt = snapshot(incremental_path), snapshot(rebuilt_path)
    for table in MODELS:
        assert incremental[table] == rebuilt[table], table


def test_a_new_ad_joins_two_old_groups(built):
    _, db_path, _, before = built
    # two vacancies after the first landing; the bridge N06 (N04's title, N05's employer) makes them one
    assert before["zhaopin:N04"] != before["rencai:N05"]
    vacancy = vacancies(db_path)
    assert vacancy["zhaopin:N04"] == vacancy["rencai:N05"] == vacancy["rencai:N06"]
    assert before["zhaopin:N01"] == before["rencai:N02"]
    assert vacancy["zhaopin:N01"] == vacancy["rencai:N02"] == vacancy["zhaopin:N07"] == vacancy["zhaopin:N08"]
    assert vacancy["zhaopin:N03"] != vacancy["zhaopin:N01"]
    assert vacancy["zhaopin:N10"] == vacancy["zhaopin:N03"]
    assert vacancy["rencai:N09"] != vacancy["zhaopin:N01"]
    assert len(set(vacancy.values())) == 4
