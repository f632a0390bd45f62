"""Tests for `talent.load.load_raw`: landings are written by hand, validated with the real suites,
and loaded into a DuckDB file in tmp_path."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from expectations import ValidationFailed, validate_landing
from talent.load import LINEAGE_COLUMNS, TABLES, load_raw


def write_landing(raw_dir: Path, source: str, records: list[dict], partition: str, landed_at: str) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()
    sha = hashlib.sha256(data).hexdigest()
    landing = raw_dir / source / partition / sha[:12]
    landing.mkdir(parents=True)
    (landing / "records.jsonl").write_bytes(data)
    manifest = {"source": source, "partition": partition, "sha256": sha, "rows": len(records),
                "landed_at": landed_at, "fetches": [], "files": []}  # fmt: skip
    (landing / "manifest.json").write_text(json.dumps(manifest, sort_keys=True))
    return landing


def job(i: int, board: str = "zhaopin") -> dict:
    prefix = "ZP" if board == "zhaopin" else "RC"
    return {
        "source": board,
        "source_id": f"{prefix}{i:08d}",
        "url": f"https://example.invalid/{board}/{prefix}{i:08d}",
        "title": "数控车床操作工",
        "company": "巴中市川东智能装备有限公司",
        "salary": "5-7K",
        "education": "中专",
        "experience": "经验不限",
        "location": "巴中·恩阳区",
        "description": "负责数控设备操作与日常保养，联系人李**，电话139****0001。",
        "posted_at": f"2025-03-{1 + i % 28:02d}",
        "headcount": 2,
        "salary_min": 5000,
        "salary_max": 7000,
        "salary_months": 12,
        "county": "恩阳区",
        "in_region": True,
        "industry": "智能制造",
        "education_level": "secondary",
        "dedup_key": hashlib.sha1(f"job-{i}".encode()).hexdigest(),
    }


def landed(raw: Path, qdir: Path, source: str, records: list[dict], partition: str, at: str) -> Path:
    landing = write_landing(raw, source, records, partition, at)
    validate_landing(landing, quarantine_dir=qdir)
    return landing


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def wh(tmp_path: Path) -> tuple[Path, Path, Path]:
    return tmp_path / "raw", tmp_path / "quarantine", tmp_path / "talent.duckdb"


def test_only_the_newest_vintage_of_a_partition_is_loaded(wh):
    raw, qdir, db = wh
    landed(raw, qdir, "job_board_zhaopin", [job(i) for i in range(30)], "2025-03-05", "2025-03-05T02:00:00Z")
    newest = landed(
        raw, qdir, "job_board_zhaopin", [job(i) for i in range(35)], "2025-03-05", "2025-03-05T09:30:00Z"
    )
    other = landed(
        raw,
        qdir,
        "job_board_rencai",
        [job(i, "rencai") for i in range(25)],
        "2025-03-06",
        "2025-03-06T02:00:00Z",
    )

    counts = load_raw(db, raw)

    assert counts == {"bulletin_indicators": 0, "job_postings": 60, "school_records": 0}
    by_landing = dict(rows(db, "select _landing, count(*) from raw.job_postings group by 1"))
    assert by_landing == {
        f"job_board_zhaopin/2025-03-05/{newest.name}": 35,
        f"job_board_rencai/2025-03-06/{other.name}": 25,
    }


def test_failed_or_unvalidated_landings_are_not_loaded(wh):
    raw, qdir, db = wh
    good = landed(
        raw, qdir, "job_board_zhaopin", [job(i) for i in range(30)], "2025-03-05", "2025-03-05T02:00:00Z"
    )
    bad_records = [job(i) for i in range(30)]
    for rec in bad_records:
        rec["description"] += "急聘，电话13912345678"
    with pytest.raises(ValidationFailed):
        landed(raw, qdir, "job_board_zhaopin", bad_records, "2025-03-05", "2025-03-05T08:00:00Z")
    with pytest.raises(ValidationFailed):
        landed(raw, qdir, "job_board_rencai", [], "2025-03-05", "2025-03-05T02:00:00Z")
    # Landed but never validated (e.g. the validation task has not run yet).
    write_landing(raw, "job_board_zhaopin", [job(i) for i in range(40)], "2025-03-05", "2025-03-05T10:00:00Z")

    counts = load_raw(db, raw)

    # The newer vintages failed or were never validated, so the last good one stays loaded.
    assert counts["job_postings"] == 30
    assert rows(db, "select distinct _landing from raw.job_postings") == [
        (f"job_board_zhaopin/2025-03-05/{good.name}",)
    ]
    assert rows(db, "select count(*) from raw.job_postings where description like '%13912345678%'") == [(0,)]


def test_lineage_columns_trace_rows_to_records_jsonl(wh):
    raw, qdir, db = wh
    records = [job(i) for i in range(120)]
    records[2]["headcount"] = 0  # quarantined: row 3 is not loaded
    landing = landed(raw, qdir, "job_board_zhaopin", records, "2025-03-05", "2025-03-05T10:22:00+08:00")

    load_raw(db, raw)

    loaded = rows(
        db, "select _row, source_id, _landing, _partition, _landed_at from raw.job_postings order by _row"
    )
    assert len(loaded) == 119
    assert [r[0] for r in loaded[:4]] == [1, 2, 4, 5]
    # _row is the line in records.jsonl, so it finds the original record.
    lines = (landing / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(lines[r - 1])["source_id"] == sid for r, sid, *_ in loaded)
    assert {r[2:] for r in loaded} == {
        (f"job_board_zhaopin/2025-03-05/{landing.name}", "2025-03-05", datetime(2025, 3, 5, 2, 22))
    }
    types = dict(rows(db, "select column_name, data_type from information_schema.columns "
                          "where table_schema = 'raw' and table_name = 'job_postings'"))  # fmt: skip
    assert types["_landed_at"] == "TIMESTAMP" and types["_row"] == "INTEGER"
    assert (types["posted_at"], types["in_region"], types["salary_min"]) == ("DATE", "BOOLEAN", "DOUBLE")


def test_reloading_gives_identical_tables(wh):
    raw, qdir, db = wh
    landed(raw, qdir, "job_board_zhaopin", [job(i) for i in range(40)], "2025-03-05", "2025-03-05T02:00:00Z")
    landed(
        raw,
        qdir,
        "job_board_rencai",
        [job(i, "rencai") for i in range(20)],
        "2025-03-05",
        "2025-03-05T02:05:00Z",
    )
    school = {
        "school": "巴中职业技术学院", "year": 2024, "major_code": "490206", "major_name": "药品生产技术",
        "enrolment": 60, "graduates": 55, "employed": 40, "further_study": 8, "military": 2,
        "not_placed": 5, "in_field": 31, "employed_local": 22, "source_file": "bzvtc_2024.xlsx", "source_row": 3,
    }  # fmt: skip
    landed(raw, qdir, "school_records", [school], "2025-03-05", "2025-03-05T02:10:00Z")

    first = load_raw(db, raw)
    snapshot = {t: rows(db, f"select * from raw.{t}") for t in TABLES}
    second = load_raw(db, raw)

    assert first == second == {"bulletin_indicators": 0, "job_postings": 60, "school_records": 1}
    assert {t: rows(db, f"select * from raw.{t}") for t in TABLES} == snapshot
    assert rows(db, "select school, graduates, _row from raw.school_records") == [("巴中职业技术学院", 55, 1)]


def test_empty_raw_dir_gives_zero_row_tables_with_contract_columns(wh):
    raw, _, db = wh
    assert load_raw(db, raw) == {"bulletin_indicators": 0, "job_postings": 0, "school_records": 0}
    for table, (_, columns) in TABLES.items():
        described = rows(db, "select column_name, data_type from information_schema.columns "
                             f"where table_schema = 'raw' and table_name = '{table}' order by ordinal_position")  # fmt: skip
        expected = [(c, t.upper()) for c, t in {**columns, **LINEAGE_COLUMNS}.items()]
        assert described == expected
        assert rows(db, f"select count(*) from raw.{table}") == [(0,)]


def test_a_failing_load_leaves_the_previous_tables(wh):
    raw, qdir, db = wh
    landing = landed(
        raw, qdir, "job_board_zhaopin", [job(i) for i in range(30)], "2025-03-05", "2025-03-05T02:00:00Z"
    )
    load_raw(db, raw)
    accepted = landing / "validation" / "accepted.jsonl"
    accepted.write_bytes(accepted.read_bytes() + b'{"source": "zhaopin", "posted_at": "not a date"}\n')
    # As if the validator itself had let an uncastable row through: its checksum matches the file.
    result_path = landing / "validation" / "result.json"
    result = json.loads(result_path.read_text())
    result["accepted_sha256"] = hashlib.sha256(accepted.read_bytes()).hexdigest()
    result_path.write_text(json.dumps(result))

    with pytest.raises(duckdb.Error):
        load_raw(db, raw)

    assert rows(db, "select count(*) from raw.job_postings") == [(30,)]


def test_bulletins_keep_value_text_for_ratios(wh):
    raw, qdir, db = wh
    base = {"region": "巴中市", "year": 2024, "url": "https://example.invalid/stats/tjgb/2024/t20250321_8734.html",
            "title": "巴中市2024年国民经济和社会发展统计公报"}  # fmt: skip
    records = [
        {**base, "indicator": "gdp", "value": 870.51, "value_text": "870.51", "unit": "亿元",
         "text": "全年实现地区生产总值（GDP）870.51亿元"},
        {**base, "indicator": "industry_structure", "value": None, "value_text": "22.3:20.0:57.7",
         "unit": "a:b:c", "text": "三次产业结构为22.3:20.0:57.7"},
    ]  # fmt: skip
    landed(raw, qdir, "bulletins", records, "2025-03-05", "2025-03-05T02:00:00Z")
    load_raw(db, raw)
    assert rows(
        db, "select indicator, value, value_text, year from raw.bulletin_indicators order by _row"
    ) == [
        ("gdp", 870.51, "870.51", 2024),
        ("industry_structure", None, "22.3:20.0:57.7", 2024),
    ]


def test_a_hand_edited_landing_stops_validation_and_load_naming_the_file(tmp_path):
    from extractors.landing import LandingTampered

    raw, qdir, db = tmp_path / "raw", tmp_path / "q", tmp_path / "w.duckdb"
    landing = landed(
        raw, qdir, "job_board_zhaopin", [job(i) for i in range(3)], "2026-11-01", "2026-11-01T00:00:00+00:00"
    )
    assert load_raw(db, raw)["job_postings"] == 3

    records = landing / "records.jsonl"
    original = records.read_bytes()
    records.write_bytes(original.replace("数控车床操作工".encode(), "数控车床操作员".encode(), 1))
    with pytest.raises(LandingTampered, match=r"records\.jsonl.*manifest\.json"):
        validate_landing(landing, quarantine_dir=qdir)
    with pytest.raises(LandingTampered, match=r"records\.jsonl"):
        load_raw(db, raw)
    records.write_bytes(original)

    accepted = landing / "validation" / "accepted.jsonl"
    accepted.write_bytes(accepted.read_bytes() + accepted.read_bytes().splitlines(keepends=True)[0])
    with pytest.raises(LandingTampered, match=r"accepted\.jsonl"):
        load_raw(db, raw)
    # The warehouse kept the last good load: a refused load changes nothing.
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.job_postings").fetchone()[0] == 3


def test_a_count_past_32_bits_is_quarantined_and_the_load_goes_on(tmp_path):
    raw, qdir, db = tmp_path / "raw", tmp_path / "q", tmp_path / "w.duckdb"
    records = [job(i) for i in range(40)]
    records[7]["headcount"] = 2_999_999_999
    landing = write_landing(raw, "job_board_zhaopin", records, "2026-11-01", "2026-11-01T00:00:00+00:00")
    summary = validate_landing(landing, quarantine_dir=qdir)
    assert summary.quarantined == 1 and summary.accepted == 39
    quarantined = (qdir / "job_board_zhaopin" / "2026-11-01" / f"{landing.name}.jsonl").read_text("utf-8")
    assert '"field": "headcount"' in quarantined and '"row": 8' in quarantined
    assert load_raw(db, raw)["job_postings"] == 39
