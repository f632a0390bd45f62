"""`talent schools parse` and the school reference data, against real-looking exports in
tests/fixtures/schools/ (rebuilt by make_fixtures.py there): merged two-row headers with subtotals
and notes, GB18030 CSV, a file named by school and year, a student list with personal data; plus the
integrity of the major → occupation crosswalk and the old → new code mapping."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from extractors.landing import read_records
from extractors.school_reference import load_catalogue, resolve_major
from extractors.school_students import classify_destination
from extractors.schools import extract_schools, parse_school_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "schools"
_spec = importlib.util.spec_from_file_location("school_fixtures", FIXTURES / "make_fixtures.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
STUDENTS = _fixtures.STUDENTS
SEEDS = ROOT / "dbt_project" / "seeds"
ROW_KEYS = {
    "school",
    "year",
    "major_code",
    "major_name",
    "enrolment",
    "graduates",
    "destinations",
    "in_field",
}
DESTINATION_KEYS = {"employed", "further_study", "military", "not_placed"}
QUARANTINE_KEYS = {"sheet", "row", "field", "reason"}


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_shape(result: dict) -> None:
    assert set(result) == {"rows", "quarantined"}
    for row in result["rows"]:
        assert set(row) == ROW_KEYS and set(row["destinations"]) == DESTINATION_KEYS
        for value in (row["enrolment"], row["graduates"], row["in_field"], *row["destinations"].values()):
            assert value is None or (type(value) is int and value >= 0)
    for entry in result["quarantined"]:
        assert set(entry) == QUARANTINE_KEYS and entry["row"] >= 1 and entry["field"] and entry["reason"]


def by_code(result: dict) -> dict[str, dict]:
    return {row["major_code"]: row for row in result["rows"]}


# ------------------------------------------------------------------------------------- exports


def test_merged_header_workbook_with_subtotals_and_old_codes():
    result = parse_school_file(FIXTURES / "bzvtc_2020_merged_header.xlsx")
    check_shape(result)
    rows = by_code(result)
    # old 2015 codes 560301 / 620201 arrive as 460301 / 520201; school and year from the title row
    assert set(rows) == {"460301", "520201"}
    assert rows["460301"] == {
        "school": "巴中职业技术学院",
        "year": 2020,
        "major_code": "460301",
        "major_name": "机电一体化技术",
        "enrolment": 200,
        "graduates": 180,
        "destinations": {"employed": 150, "further_study": 20, "military": 2, "not_placed": 8},
        "in_field": 100,
    }
    quarantined = {(q["row"], q["field"]): q for q in result["quarantined"]}
    assert set(quarantined) == {(5, "major_code"), (8, "employed"), (9, "graduates")}
    assert "46O301" in quarantined[(5, "major_code")]["reason"]
    assert "negative" in quarantined[(8, "employed")]["reason"]
    # the second 小计 says 480; rows 7-8 give 380 + 90 = 470. The first 小计 and the 合计 add up.
    assert (
        "480" in quarantined[(9, "graduates")]["reason"] and "470" in quarantined[(9, "graduates")]["reason"]
    )
    assert all(q["sheet"] == "2020届" for q in result["quarantined"])


def test_gb18030_csv_with_a_correction_row_and_an_overshoot():
    raw = (FIXTURES / "tjzg_2024_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = parse_school_file(FIXTURES / "tjzg_2024_gb18030.csv")
    check_shape(result)
    rows = by_code(result)
    assert set(rows) == {"720101", "720201"}
    # row 6 corrects row 3: the later row wins, the earlier one is reported with what changed
    assert rows["720101"]["graduates"] == 142 and rows["720101"]["in_field"] == 41
    assert rows["720201"]["graduates"] == 85  # reported as old code 100600
    quarantined = {q["row"]: q for q in result["quarantined"]}
    assert set(quarantined) == {3, 5}
    assert "#6" in quarantined[3]["reason"] and quarantined[3]["field"] == "graduates, employed, in_field"
    assert quarantined[5]["field"] == "graduates" and "enrolment" in quarantined[5]["reason"]
    assert all(q["sheet"] is None for q in result["quarantined"])


def test_school_and_year_from_file_name_or_options():
    path = FIXTURES / "平昌通用职业技术学校_2023届毕业生去向.csv"
    result = parse_school_file(path)
    check_shape(result)
    assert {(r["school"], r["year"]) for r in result["rows"]} == {("平昌通用职业技术学校", 2023)}
    rows = by_code(result)
    assert rows["740201"]["enrolment"] is None and rows["740201"]["in_field"] is None  # the file does not say
    assert rows["790301"]["destinations"] == {
        "employed": 12,
        "further_study": 6,
        "military": 0,
        "not_placed": 2,
    }
    # options beat the file name, and the table's own columns
    assert {(r["school"], r["year"]) for r in parse_school_file(path, "某校", 2021)["rows"]} == {
        ("某校", 2021)
    }
    gb = parse_school_file(FIXTURES / "tjzg_2024_gb18030.csv", year=2022)
    assert {r["year"] for r in gb["rows"]} == {2022}


def test_student_list_is_aggregated_without_personal_data():
    result = parse_school_file(FIXTURES / "tjzg_2023_students.xlsx")
    check_shape(result)
    rows = by_code(result)
    # 药剂: 王小明 (签约, 对口), 李娟 (灵活就业), 张伟 (升学), 刘芳 (待就业); 王小明 again is not counted
    assert rows["720201"]["graduates"] == 4
    assert rows["720201"]["destinations"] == {
        "employed": 2,
        "further_study": 1,
        "military": 0,
        "not_placed": 1,
    }
    assert rows["720201"]["in_field"] == 1 and rows["720201"]["enrolment"] is None
    # 护理 (the 中职 one: the school is 中职): 陈强 就业, 杨丽 入伍, 赵敏 升学; 黄磊's 出国旅游 is unknown
    assert rows["720101"]["destinations"] == {
        "employed": 1,
        "further_study": 1,
        "military": 1,
        "not_placed": 0,
    }
    assert {(q["row"], q["field"]) for q in result["quarantined"]} == {
        (10, "id_number"),
        (11, "destination"),
        (12, "major_code"),
    }
    text = json.dumps(result, ensure_ascii=False)
    for name, _sex, id_number, phone, *_rest, employer, _place, _flag in STUDENTS:
        assert name not in text and id_number not in text and phone not in text
        assert not employer or employer not in text


def test_student_list_never_reaches_disk(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("tjzg_2023_students.xlsx", "tjzg_2024_gb18030.csv"):
        (inbox / name).write_bytes((FIXTURES / name).read_bytes())
    result = extract_schools({"user_agent": "t", "retries": 0}, "2026-11-01", tmp_path / "raw", inbox)
    records = read_records(result.path)
    kinds = defaultdict(int)
    for r in records:
        kinds[r["record_kind"]] += 1
    assert kinds == {"student_level": 2, "student_row": 3, "summary": 4}
    stored = sorted(
        p.relative_to(Path(result.path)).as_posix() for p in Path(result.path).rglob("*") if p.is_file()
    )
    # the summary export (a title row and a note besides the table) is kept as its rows; the
    # student list is not kept at all
    assert "files/inbox/tjzg_2024_gb18030.csv.rows.jsonl" in stored
    assert not any("students" in p for p in stored)
    everything = b"".join(p.read_bytes() for p in (tmp_path / "raw").rglob("*") if p.is_file())
    for name, _sex, id_number, phone, _major, _dest, employer, _place, _flag in STUDENTS:
        for value in (name, id_number, phone, employer):
            if value:
                assert value.encode() not in everything, value


def test_cli_prints_the_contract_json():
    talent = Path(sys.executable).with_name("talent")
    proc = subprocess.run(
        [
            str(talent),
            "schools",
            "parse",
            str(FIXTURES / "tjzg_2024_gb18030.csv"),
            "--school",
            "通江县职业高级中学",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_shape(result)
    assert len(result["rows"]) == 2 and len(result["quarantined"]) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("签约就业", "employed"),
        ("灵活就业", "employed"),
        ("自主创业", "employed"),
        ("升学（专升本）", "further_study"),
        ("应征入伍", "military"),
        ("待就业", "not_placed"),
        ("不就业拟升学", "not_placed"),
        ("出国旅游", None),
    ],
)
def test_destination_wording(text, expected):
    assert classify_destination(text) == expected


# ------------------------------------------------------------------------------------- reference data


def test_major_codes_resolve_new_old_malformed_unknown():
    assert resolve_major("460301", "机电一体化技术").major_code == "460301"
    old = resolve_major("051300", None)
    assert (old.major_code, old.reported, old.error) == ("660301", "051300", None)
    assert resolve_major("46O301", None).error and resolve_major("123456", None).error
    assert resolve_major(None, "护理").error  # 高职 520201 or 中职 720101?
    assert resolve_major(None, "护理", "中职").major_code == "720101"
    assert resolve_major(None, "学前教育").major_code == "770101"  # an old name


def test_every_major_maps_to_occupations_with_weights_summing_to_one():
    majors = {r["major_code"] for r in seed("majors.csv")}
    occupations = {r["occupation_code"]: r for r in seed("occupations.csv")}
    industries = {r["name_zh"] for r in seed("industries.csv")}
    weights: dict[str, float] = defaultdict(float)
    pairs = set()
    for row in seed("major_occupation_crosswalk.csv"):
        assert row["major_code"] in majors, row
        assert row["occupation_code"] in occupations, row
        assert 0 < float(row["weight"]) <= 1 and row["source"] and row["rationale"]
        assert (row["major_code"], row["occupation_code"]) not in pairs, row
        pairs.add((row["major_code"], row["occupation_code"]))
        weights[row["major_code"]] += float(row["weight"])
    assert set(weights) == majors  # every major in use maps to at least one occupation
    assert all(abs(total - 1) < 1e-9 for total in weights.values()), weights
    assert all(o["industry"] in industries for o in occupations.values())
    assert all(
        o["verification"] in ("spot_checked", "unverified") and o["source"] for o in occupations.values()
    )


def test_old_codes_map_into_the_catalogue_and_match_the_sample():
    from sample_sources.schools import OLD_CODES

    majors = {r["major_code"] for r in seed("majors.csv")}
    changes = {r["old_code"]: r["major_code"] for r in seed("major_code_changes.csv")}
    assert not set(changes) & majors  # an old code that is also a 2021 code would be ambiguous
    assert set(changes.values()) <= majors
    for new, (old, _name) in OLD_CODES.items():
        assert changes[old] == new
    assert load_catalogue().old_codes == changes


def test_every_major_the_sample_schools_teach_is_in_the_catalogue():
    from sample_sources.vocabulary import SCHOOLS

    majors = {r["major_code"] for r in seed("majors.csv")}
    schools = {r["name"] for r in seed("schools.csv")}
    for school, _level, _kind, _pattern, taught in SCHOOLS:
        assert school in schools
        assert {code for code, *_ in taught} <= majors, school


def test_validator_quarantines_what_the_extractor_flagged_naming_the_field(tmp_path):
    from expectations import ValidationFailed, validate_landing

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in FIXTURES.iterdir():
        if path.suffix in (".csv", ".xlsx"):
            (inbox / path.name).write_bytes(path.read_bytes())
    landing = extract_schools({"user_agent": "t", "retries": 0}, "2026-11-01", tmp_path / "raw", inbox)
    # 8 bad rows of 23 is far beyond the 5% a landing may lose: it fails, after quarantining them
    with pytest.raises(ValidationFailed) as failed:
        validate_landing(landing.path, quarantine_dir=tmp_path / "quarantine")
    summary = failed.value.summary
    quarantine = [
        json.loads(line) for line in summary.quarantine_path.read_text(encoding="utf-8").splitlines()
    ]
    found = {(q["record"]["source_file"], q["record"]["source_row"]): q for q in quarantine}
    expected = {
        ("inbox/bzvtc_2020_merged_header.xlsx", 5): "major_code",
        ("inbox/bzvtc_2020_merged_header.xlsx", 8): "employed",
        ("inbox/bzvtc_2020_merged_header.xlsx", 9): "graduates",
        ("inbox/tjzg_2023_students.xlsx", 10): "id_number",
        ("inbox/tjzg_2023_students.xlsx", 11): "destination",
        ("inbox/tjzg_2023_students.xlsx", 12): "major_code",
        ("inbox/tjzg_2024_gb18030.csv", 5): "graduates",
        # the reported 就业率 agrees with no reading of the counts (issue 12.4)
        ("inbox/bzsz_2024_vocabulary.xlsx", 6): "employment_rate_reported",
    }
    assert set(found) == set(expected)
    for key, field in expected.items():
        assert field in found[key]["field"].split(", "), found[key]
        assert f"readable_{field}" in found[key]["reason"]
        assert found[key]["record"]["parse_error"]
    # the superseded row (tjzg row 3) is loaded beside its correction and reported as a warning
    accepted = [json.loads(line) for line in summary.accepted_path.read_text(encoding="utf-8").splitlines()]
    superseded = [r for r in accepted if r["superseded_by"]]
    assert [(r["source_row"], r["superseded_by"]) for r in superseded] == [
        (3, "inbox/tjzg_2024_gb18030.csv#6")
    ]
    warned = {o.name for o in summary.expectations if not o.success and o.severity == "warning"}
    assert "not_superseded_by_a_correction" in warned
