"""Issue 14, school parts: the faults a hostile tester found, one test (or two) each, named
`test_fault_<what>` so a fault matrix can list them. Each runs the real extractor over an inbox
folder (no HTTP: the schools' index is not configured), and where the fault reached the warehouse,
the real validator and loader too."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from expectations import ValidationFailed, validate_landing
from extractors.landing import list_landings, read_records
from extractors.schools import extract_schools

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schools"
CONFIG = {"user_agent": "t", "retries": 0}  # no index_url: the inbox alone
HEADER = "学校,年份,专业代码,专业名称,招生人数,毕业生数,就业人数,升学人数,参军人数,待就业人数\r\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\r\n" for r in rows)).encode("utf-8")


MAJORS = {
    "660301": "机电技术应用",
    "710102": "电子技术应用",
    "710201": "计算机应用",
    "720101": "护理",
    "720201": "药剂",
}
SCHOOLS = ("南江县职业中学", "巴中市职业中学", "通江县职业高级中学")
# 75 clean rows, so the few bad records a test plants stay under the suite's 5% threshold
GOOD = csv_bytes(
    *(
        f"{school},{year},{code},{name},60,55,20,30,1,4"
        for school in SCHOOLS
        for year in range(2021, 2026)
        for code, name in MAJORS.items()
    )
)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "njzz_2024.csv").write_bytes(GOOD)
    (folder / "tjzg_2024_gb18030.csv").write_bytes((FIXTURES / "tjzg_2024_gb18030.csv").read_bytes())
    return folder


def run(tmp_path, inbox, partition="2026-11-01"):
    return extract_schools(CONFIG, partition, tmp_path / "raw", inbox)


def validate(tmp_path, result):
    try:
        return validate_landing(Path(result.path), quarantine_dir=tmp_path / "quarantine").to_dict()
    except ValidationFailed as exc:  # the summary is written before it raises
        raise AssertionError(str(exc)) from exc


# ------------------------------------------------------------------ reruns on a later date


def test_fault_rerun_next_day_lands_nothing(tmp_path, inbox):
    first = run(tmp_path, inbox, "2026-11-01")
    validate(tmp_path, first)
    second = run(tmp_path, inbox, "2026-11-02")
    third = run(tmp_path, inbox, "2027-01-15")
    validate(tmp_path, second)
    assert first.status == "landed"
    assert (second.status, second.path, second.partition) == ("unchanged", first.path, "2026-11-01")
    assert third.path == first.path
    assert len(list_landings(tmp_path / "raw", "school_records")) == 1
    assert [p.name for p in (tmp_path / "raw" / "school_records").iterdir()] == ["2026-11-01"]
    quarantine = list((tmp_path / "quarantine").rglob("*.jsonl"))
    assert len(quarantine) == 1  # one file of quarantined rows, not one per day


def test_fault_rerun_lands_again_when_content_changes_and_changes_back(tmp_path, inbox):
    first = run(tmp_path, inbox, "2026-11-01")
    (inbox / "njzz_2024.csv").write_bytes(csv_bytes("南江县职业中学,2024,710201,计算机应用,60,56,21,30,1,4"))
    changed = run(tmp_path, inbox, "2026-11-02")
    (inbox / "njzz_2024.csv").write_bytes(GOOD)
    back = run(tmp_path, inbox, "2026-11-03")
    assert changed.status == "landed" and changed.path != first.path
    # back to the first figures: newer than the change, so it must land to be the newest
    assert back.status == "landed" and back.sha256 == first.sha256 and back.path != first.path


# ------------------------------------------------------------------ one bad file


def test_fault_one_bad_inbox_file_does_not_stop_the_others(tmp_path, inbox):
    (inbox / "broken.xlsx").write_bytes(b"not a zip at all")
    (inbox / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "no_header.csv").write_bytes("名称,数量\r\n甲,1\r\n".encode())
    (inbox / "no_graduates.csv").write_bytes("学校,年份,专业名称\r\n南江县职业中学,2024,护理\r\n".encode())
    result = run(tmp_path, inbox)
    records = read_records(result.path)
    files = {r["source_file"]: r for r in records if r["record_kind"] == "file"}
    assert set(files) == {
        f"inbox/{n}" for n in ("broken.xlsx", "old_format.xls", "no_header.csv", "no_graduates.csv")
    }
    assert "not a readable XLSX" in files["inbox/broken.xlsx"]["parse_error"]
    assert files["inbox/no_graduates.csv"]["parse_error_field"] == "graduates"
    assert files["inbox/no_graduates.csv"]["source_row"] == 1
    # the good files are all there
    good = [r for r in records if r["record_kind"] == "summary" and r["parse_error"] is None]
    assert {r["source_file"] for r in good} >= {"inbox/njzz_2024.csv", "inbox/tjzg_2024_gb18030.csv"}
    assert {u["file"] for u in result.unread_files} == set(files)
    summary = validate(tmp_path, result)
    quarantined = [
        json.loads(line)
        for path in (tmp_path / "quarantine").rglob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
    ]
    assert {q["record"]["source_file"] for q in quarantined} >= set(files)
    bad = next(q for q in quarantined if q["record"]["source_file"] == "inbox/no_graduates.csv")
    assert "graduates" in bad["field"] and summary["quarantined"] >= len(files)


# ------------------------------------------------------------------ personal data in a footer


def test_fault_footer_personal_data_never_lands(tmp_path, inbox, caplog):
    spec_path = FIXTURES / "make_fixtures.py"
    import importlib.util

    spec = importlib.util.spec_from_file_location("school_fixtures", spec_path)
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    for name in ("njzz_2024_footer.csv", "bzsz_2024_vocabulary.xlsx"):
        (inbox / name).write_bytes((FIXTURES / name).read_bytes())
    caplog.set_level(logging.DEBUG)
    result = run(tmp_path, inbox)
    validate(tmp_path, result)
    stored = Path(result.path) / "files" / "inbox"
    assert not (stored / "njzz_2024_footer.csv").exists()  # not byte for byte
    layout = [
        json.loads(x) for x in (stored / "njzz_2024_footer.csv.rows.jsonl").read_text("utf-8").splitlines()
    ]
    assert [e["kind"] for e in layout] == ["header", "data", "data", "footer", "footer"]
    records = read_records(result.path)
    assert len([r for r in records if r["source_file"] == "inbox/njzz_2024_footer.csv"]) == 2
    everything = b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "inbox" not in p.parts[-2:]
    )
    for value in fixtures.FOOTER.values():
        assert value.encode() not in everything, value
        assert value not in caplog.text, value


# ------------------------------------------------------------------ graduation years


def test_fault_future_graduation_year_is_quarantined(tmp_path, inbox):
    (inbox / "njzz_years.csv").write_bytes(
        csv_bytes(
            "南江县职业中学,2031,720101,护理,80,76,30,40,2,4",
            "南江县职业中学,1998,720101,护理,80,76,30,40,2,4",
            "南江县职业中学,2026,720101,护理,80,76,30,40,2,4",
        )
    )
    (inbox / "南江县职业中学_2027届.csv").write_bytes(
        ("专业代码,专业名称,毕业生数,就业人数\r\n720201,药剂,10,10\r\n").encode()
    )
    result = run(tmp_path, inbox, "2026-11-01")
    by_row = {
        r["source_row"]: r for r in read_records(result.path) if r["source_file"] == "inbox/njzz_years.csv"
    }
    assert by_row[2]["parse_error_field"] == "year" and "2031" in by_row[2]["parse_error"]
    assert by_row[3]["parse_error_field"] == "year" and "before 2000" in by_row[3]["parse_error"]
    assert by_row[4]["parse_error"] is None  # the data date's own year has graduated by November
    [named] = [r for r in read_records(result.path) if r["source_file"].endswith("2027届.csv")]
    assert named["year"] == 2027 and named["parse_error_field"] == "year"


# ------------------------------------------------------------------ skipped files


def test_fault_hidden_and_other_skipped_files_are_logged_and_recorded(tmp_path, inbox, caplog):
    for name in (".hidden_2023.csv", "~$bzvtc.xlsx", "readme.txt"):
        (inbox / name).write_bytes(GOOD)
    (inbox / "subfolder").mkdir()
    caplog.set_level(logging.INFO, logger="extractors.schools")
    result = run(tmp_path, inbox)
    skipped = {s["file"]: s["reason"] for s in result.skipped_files}
    assert set(skipped) == {
        f"inbox/{n}" for n in (".hidden_2023.csv", "~$bzvtc.xlsx", "readme.txt", "subfolder")
    }
    assert "hidden" in skipped["inbox/.hidden_2023.csv"]
    for name in (".hidden_2023.csv", "~$bzvtc.xlsx", "readme.txt", "subfolder"):
        assert any(name in rec.getMessage() and "skipped" in rec.getMessage() for rec in caplog.records), name
    assert result.to_dict()["skipped_files"]  # the run's summary (XCom) carries them


# ------------------------------------------------------------------ counts within the column type


def test_fault_count_above_plausible_bound_is_quarantined_and_load_survives(tmp_path, inbox):
    from talent.load import load_raw

    (inbox / "njzz_huge.csv").write_bytes(
        csv_bytes(
            "南江县职业中学,2023,720101,护理,80,2999999999,30,40,2,4",
            "南江县职业中学,2023,710201,计算机应用,60,55,20,30,1,4",
        )
    )
    result = run(tmp_path, inbox)
    huge = next(r for r in read_records(result.path) if r["source_file"] == "inbox/njzz_huge.csv")
    assert huge["graduates"] is None and huge["parse_error_field"] == "graduates"
    assert "2,999,999,999" in huge["parse_error"]
    validate(tmp_path, result)
    counts = load_raw(tmp_path / "wh.duckdb", tmp_path / "raw")
    assert counts["school_records"] > 0


def test_fault_suite_rejects_a_count_beyond_int32_from_an_older_extractor(tmp_path):
    """A landing written without the extractor's bound: the suite quarantines the row, the load goes on."""
    from extractors.landing import land
    from talent.load import load_raw

    rows = [
        {
            "school": school, "year": year, "major_code": code, "major_name": name, "enrolment": 80,
            "graduates": 76, "employed": 30, "further_study": 40, "military": 2, "not_placed": 4,
            "in_field": None, "employed_local": None, "source_file": "a.csv", "source_row": 2,
        }
        for school in SCHOOLS
        for year in (2023, 2024)
        for code, name in MAJORS.items()
    ]  # fmt: skip
    # enrolment and destinations unknown: only the bound can stop it
    rows[0] = {**rows[0], "graduates": 2_999_999_999, "enrolment": None, "employed": None}
    result = land("school_records", "2026-11-01", rows, raw_dir=tmp_path / "raw")
    summary = validate(tmp_path, result)
    assert summary["quarantined"] == 1
    assert load_raw(tmp_path / "wh.duckdb", tmp_path / "raw")["school_records"] == len(rows) - 1
