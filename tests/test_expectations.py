"""Tests for `expectations.validate_landing`: landings are written by hand in the shapes of
contract section 2, validated with the real Great Expectations suites, and the accepted rows,
quarantine records, result.json and ValidationFailed messages are checked."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from expectations import ValidationFailed, validate_landing

PARTITION = "2025-03-05"


def write_landing(raw_dir: Path, source: str, records: list[dict], *, partition: str = PARTITION) -> Path:
    """Write a landing the way `extractors.landing.land` does (canonical lines, manifest)."""
    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()
    sha = hashlib.sha256(data).hexdigest()
    landing = raw_dir / source / partition / sha[:12]
    landing.mkdir(parents=True)
    (landing / "records.jsonl").write_bytes(data)
    manifest = {
        "source": source,
        "partition": partition,
        "sha256": sha,
        "rows": len(records),
        "landed_at": f"{partition}T02:00:00+00:00",
        "fetches": [],
        "files": [],
    }
    (landing / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True))
    return landing


COUNTIES = ["巴州区", "恩阳区", "通江县", "南江县", "平昌县", "巴中经开区"]
JOBS = [
    ("文旅康养", "光雾山景区讲解员", "巴中光雾山旅游开发有限公司"),
    ("食品饮料", "生产车间普工", "四川巴中恒源食品有限公司"),
    ("生物医药", "质检员", "巴中普瑞制药有限公司"),
    ("电子信息", "电子装配技术员", "巴中经开区华星电子科技有限公司"),
    ("智能制造", "数控车床操作工", "巴中市川东智能装备有限公司"),
]


def job(i: int, board: str = "zhaopin") -> dict:
    industry, title, company = JOBS[i % len(JOBS)]
    county = COUNTIES[i % len(COUNTIES)]
    prefix = "ZP" if board == "zhaopin" else "RC"
    return {
        "source": board,
        "source_id": f"{prefix}{i:08d}",
        "url": f"https://example.invalid/{board}/job/{prefix}{i:08d}",
        "title": title,
        "company": company,
        "salary": "6-8K·13薪",
        "education": "大专",
        "experience": "1-3年",
        "location": f"巴中·{county}",
        # masked by the board itself: "张**" and "138****5678" identify nobody and pass the checks
        "description": f"岗位职责：负责{title}相关工作，服从安排。联系人张**，电话138****5678。五险一金，包住宿。",
        "posted_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "headcount": 1 + i % 5,
        "salary_min": 6000,
        "salary_max": 8000,
        "salary_months": 13,
        "county": county,
        "in_region": True,
        "industry": industry,
        "education_level": "associate",
        "dedup_key": hashlib.sha1(f"{title}|{company}|{county}|2025-03".encode()).hexdigest(),
    }


def jobs(n: int) -> list[dict]:
    return [job(i) for i in range(n)]


def school(i: int) -> dict:
    majors = [("720201", "电子技术应用"), ("490206", "药品生产技术"), ("740201", "旅游服务与管理")]
    code, name = majors[i % len(majors)]
    return {
        "school": "巴中市职业中学",
        "year": 2021 + i % 5,
        "major_code": code,
        "major_name": name,
        "enrolment": 50,
        "graduates": 45,
        "employed": 30,
        "further_study": 10,
        "military": 2,
        "not_placed": 3,
        "in_field": 20,
        "employed_local": 18,
        "source_file": "巴中市职业中学_2024届.csv",
        "source_row": i + 2,
    }


def schools(n: int) -> list[dict]:
    return [school(i) for i in range(n)]


BULLETIN_2024 = [
    ("gdp", 870.51, "870.51", "亿元", "全年实现地区生产总值（GDP）870.51亿元"),
    ("gdp_growth_pct", 6.3, "6.3", "%", "按不变价格计算，比上年增长6.3%"),
    ("industry_structure", None, "22.3:20.0:57.7", "a:b:c", "三次产业结构为22.3:20.0:57.7"),
    ("resident_population", 261.30, "261.30", "万人", "年末常住人口261.30万人"),
    ("urbanization_rate_pct", 48.91, "48.91", "%", "常住人口城镇化率48.91%"),
    ("rural_labour_outflow", 101.58, "101.58", "万人", "转移输出农村劳动力101.58万人"),
    ("labour_income", 291.83, "291.83", "亿元", "实现劳务收入291.83亿元"),
]


def bulletin_rows(year: int = 2024) -> list[dict]:
    return [
        {
            "region": "巴中市",
            "year": year,
            "indicator": indicator,
            "value": value,
            "value_text": value_text,
            "unit": unit,
            "text": text,
            "url": f"https://example.invalid/stats/tjgb/{year}/t{year + 1}0321_8734.html",
            "title": f"巴中市{year}年国民经济和社会发展统计公报",
        }
        for indicator, value, value_text, unit, text in BULLETIN_2024
    ]


def quarantine_lines(qdir: Path, landing: Path) -> list[dict]:
    path = qdir / landing.parts[-3] / landing.parts[-2] / f"{landing.name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def result_of(landing: Path) -> dict:
    return json.loads((landing / "validation" / "result.json").read_text(encoding="utf-8"))


def by_name(result: dict) -> dict[str, dict]:
    return {e["name"]: e for e in result["expectations"]}


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "raw", tmp_path / "quarantine"


@pytest.mark.parametrize(
    "source, records",
    [
        ("bulletins", bulletin_rows(2023) + bulletin_rows(2024)),
        ("job_board_zhaopin", jobs(40)),
        ("job_board_rencai", [job(i, "rencai") for i in range(40)]),
        ("school_records", schools(15)),
    ],
)
def test_clean_landing_passes_with_every_row_accepted(dirs, source, records):
    raw, qdir = dirs
    landing = write_landing(raw, source, records)
    summary = validate_landing(landing, quarantine_dir=qdir)

    assert summary.success and summary.rows == len(records)
    assert (summary.accepted, summary.quarantined) == (len(records), 0)
    assert (landing / "validation" / "accepted.jsonl").read_bytes() == (
        landing / "records.jsonl"
    ).read_bytes()
    result = result_of(landing)
    assert result["success"] is True
    assert result["landing"] == f"{source}/{PARTITION}/{landing.name}"
    assert {e["severity"] for e in result["expectations"]} == {"critical", "warning"}
    assert all(e["success"] for e in result["expectations"]), result
    assert not (qdir / source).exists()


def test_unmasked_personal_data_refuses_the_landing_and_is_never_copied(dirs):
    raw, qdir = dirs
    records = jobs(150)
    records[2]["description"] += "有意者请致电13812345678或发邮件hr@hengyuan-food.com"
    landing = write_landing(raw, "job_board_zhaopin", records)

    # One leaked value is enough: a landing with personal data was not scrubbed, so none of it loads.
    with pytest.raises(
        ValidationFailed, match=r"description_has_no_personal_data.*rows 3; field description"
    ):
        validate_landing(landing, quarantine_dir=qdir)

    [q] = quarantine_lines(qdir, landing)
    assert q["row"] == 3 and q["file"] == "records.jsonl" and q["source"] == "job_board_zhaopin"
    assert q["field"] == "description"
    assert "unmasked personal data" in q["reason"] and "description_has_no_personal_data" in q["reason"]
    assert q["record"]["source_id"] == "ZP00000002"
    # The quarantine must not spread what it caught.
    quarantine_text = (qdir / "job_board_zhaopin").rglob("*.jsonl").__next__().read_text(encoding="utf-8")
    assert "13812345678" not in quarantine_text and "hr@hengyuan-food.com" not in quarantine_text

    result = result_of(landing)
    assert result["success"] is False and result["quarantined"] == 1
    checks = by_name(result)
    assert checks["description_has_no_personal_data"]["unexpected_rows"] == [3]
    assert checks["description_has_no_personal_data"]["severity"] == "critical"


@pytest.mark.parametrize(
    ("field", "leak"),
    [
        ("title", "急招普工１３６０１３８０００２"),  # full-width phone in a title
        ("company", "巴中鑫华食品微信bzxh2024"),  # WeChat id in a company name
        ("description", "QQ：2738491"),
        ("description", "联系人：张姐"),
        ("title_key", "普工13601380002"),  # a key derived from an unscrubbed title
        ("location", "巴中 0827-5261234"),
    ],
)
def test_every_disguise_in_every_text_column_refuses_the_landing(dirs, field, leak):
    raw, qdir = dirs
    records = jobs(20)
    records[7][field] = leak
    landing = write_landing(raw, "job_board_rencai", records)
    with pytest.raises(ValidationFailed, match=rf"{field}_has_no_personal_data"):
        validate_landing(landing, quarantine_dir=qdir)
    quarantine_text = next((qdir / "job_board_rencai").rglob("*.jsonl")).read_text(encoding="utf-8")
    assert leak not in quarantine_text


@pytest.mark.parametrize(
    ("field", "leak"),
    [
        ("major_name", "护理（联系人：王老师 13881234567）"),
        ("school", "巴中职业技术学院 bzzy@163.com"),
        ("source_file", "填表人张姐_2025.csv"),
    ],
)
def test_a_school_landing_with_personal_data_is_refused_by_the_same_detector(dirs, field, leak):
    raw, qdir = dirs
    records = schools(20)
    records[3][field] = leak
    landing = write_landing(raw, "school_records", records)
    with pytest.raises(ValidationFailed, match=rf"{field}_has_no_personal_data"):
        validate_landing(landing, quarantine_dir=qdir)
    assert leak not in next((qdir / "school_records").rglob("*.jsonl")).read_text(encoding="utf-8")


def test_inconsistent_school_row_is_quarantined(dirs):
    raw, qdir = dirs
    records = schools(30)
    records[4]["not_placed"] = 9  # 30 + 10 + 2 + 9 = 51 graduates, but 45 are reported
    landing = write_landing(raw, "school_records", records)

    summary = validate_landing(landing, quarantine_dir=qdir)

    assert summary.success and (summary.accepted, summary.quarantined) == (29, 1)
    [q] = quarantine_lines(qdir, landing)
    assert q["row"] == 5
    assert q["field"].startswith("graduates") and "not_placed" in q["field"]
    assert "does not equal graduates" in q["reason"] and "placements_add_up_to_graduates" in q["reason"]
    assert q["record"]["major_code"] == records[4]["major_code"]


def test_most_rows_bad_raises_validation_failed_naming_file_rows_and_field(dirs):
    raw, qdir = dirs
    records = schools(10)
    for rec in records[1:]:
        rec["major_code"] = "72020"  # five digits: a dropped leading/trailing digit in the export
    landing = write_landing(raw, "school_records", records)

    with pytest.raises(ValidationFailed) as caught:
        validate_landing(landing, quarantine_dir=qdir)

    message = str(caught.value)
    assert "school_records" in message and "records.jsonl" in message
    assert "major_code_six_digits" in message and "major_code" in message
    assert "rows 2, 3, 4, 5, 6 and 4 more" in message
    # Even a failed validation leaves everything needed to inspect it.
    result = result_of(landing)
    assert result["success"] is False
    assert by_name(result)["major_code_six_digits"]["unexpected_rows"] == list(range(2, 11))
    assert [q["row"] for q in quarantine_lines(qdir, landing)] == list(range(2, 11))
    assert caught.value.summary.quarantined == 9


def test_leaked_numbers_in_many_rows_fail_the_landing(dirs):
    raw, qdir = dirs
    records = jobs(50)
    for rec in records[::10]:
        rec["description"] += "电话13987654321"
    landing = write_landing(raw, "job_board_rencai", records)
    with pytest.raises(ValidationFailed, match=r"description_has_no_personal_data.*rows 1, 11, 21, 31, 41"):
        validate_landing(landing, quarantine_dir=qdir)


def test_result_json_is_deterministic(dirs):
    raw, qdir = dirs
    records = jobs(60)
    records[5]["salary_min"] = 9000  # warning
    records[7]["headcount"] = 0  # critical, quarantined
    landing = write_landing(raw, "job_board_zhaopin", records)
    outputs = []
    for _ in range(2):
        validate_landing(landing, quarantine_dir=qdir)
        outputs.append(
            [
                (landing / "validation" / name).read_bytes()
                for name in ("result.json", "accepted.jsonl", "accepted_rows.json")
            ]
            + [p.read_bytes() for p in sorted(qdir.rglob("*.jsonl"))]
        )
    assert outputs[0] == outputs[1]
    text = outputs[0][0].decode()
    result = json.loads(text)
    assert text == json.dumps(result, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert {"success", "source", "landing", "rows", "accepted", "quarantined", "expectations"} <= set(result)
    assert (result["rows"], result["accepted"], result["quarantined"]) == (60, 59, 1)
    assert not any("time" in key for key in result)


def test_warnings_do_not_fail_or_quarantine(dirs):
    raw, qdir = dirs
    records = schools(12)
    records[3]["in_field"] = 35  # more in-field than employed (30): suspicious, not impossible to load
    landing = write_landing(raw, "school_records", records)
    summary = validate_landing(landing, quarantine_dir=qdir)
    assert summary.success and summary.quarantined == 0
    check = by_name(result_of(landing))["in_field_within_employed"]
    assert (check["severity"], check["success"], check["unexpected_rows"]) == ("warning", False, [4])

    jobs_records = jobs(20)
    jobs_records[0]["salary_min"], jobs_records[0]["salary_max"] = 9000, 7000
    job_landing = write_landing(raw, "job_board_zhaopin", jobs_records)
    assert validate_landing(job_landing, quarantine_dir=qdir).accepted == 20
    assert by_name(result_of(job_landing))["salary_min_not_above_max"]["unexpected_rows"] == [1]


def test_wrong_types_are_quarantined_by_field(dirs):
    raw, qdir = dirs
    records = jobs(80)
    records[10]["headcount"] = "3人"
    records[20]["posted_at"] = "2025-02-30"
    records[30]["salary_months"] = 13.5
    landing = write_landing(raw, "job_board_zhaopin", records)
    summary = validate_landing(landing, quarantine_dir=qdir)
    assert summary.success and summary.quarantined == 3
    found = {q["row"]: q for q in quarantine_lines(qdir, landing)}
    assert sorted(found) == [11, 21, 31]
    assert found[11]["field"] == "headcount" and "should be an integer" in found[11]["reason"]
    assert found[21]["field"] == "posted_at" and "YYYY-MM-DD date" in found[21]["reason"]
    assert "missing" not in found[21]["reason"]  # blamed on the bad value, not a null
    assert found[31]["field"] == "salary_months"


def test_bulletin_rules(dirs):
    raw, qdir = dirs
    records = [row for year in range(2018, 2025) for row in bulletin_rows(year)]  # 49 rows
    records[0]["year"] = 1900
    records[8]["indicator"] = "gdp_per_capita"
    records[15]["value"], records[15]["value_text"] = None, None
    records.append(dict(records[20]))  # the same indicator twice: a warning, dbt's key test decides
    # industry_structure rows (value null, value_text "a:b:c") are fine as they are.
    landing = write_landing(raw, "bulletins", records)

    summary = validate_landing(landing, quarantine_dir=qdir)

    assert summary.success and (summary.accepted, summary.quarantined) == (47, 3)
    found = {q["row"]: q["field"] for q in quarantine_lines(qdir, landing)}
    assert found == {1: "year", 9: "indicator", 16: "value, value_text"}
    checks = by_name(result_of(landing))
    assert checks["industry_structure_is_a_ratio"]["success"] is True
    duplicate = checks["one_row_per_region_year_indicator"]
    assert (duplicate["severity"], duplicate["success"], duplicate["unexpected_rows"]) == (
        "warning",
        False,
        [21, 50],
    )


def test_bulletin_years_mostly_wrong_fail(dirs):
    raw, qdir = dirs
    records = bulletin_rows(2024)
    for rec in records[:4]:
        rec["year"] = 24  # a two-digit year parsed from "24年"
    landing = write_landing(raw, "bulletins", records)
    with pytest.raises(
        ValidationFailed, match=r"bulletins landing .*records\.jsonl.*year_in_range.*rows 1, 2, 3, 4"
    ):
        validate_landing(landing, quarantine_dir=qdir)


@pytest.mark.parametrize("case", ["missing_column", "empty"])
def test_table_level_failures(dirs, case):
    raw, qdir = dirs
    records = []
    if case == "missing_column":
        records = jobs(20)
        for rec in records:
            del rec["company"]
    landing = write_landing(raw, "job_board_zhaopin", records)
    with pytest.raises(ValidationFailed) as caught:
        validate_landing(landing, quarantine_dir=qdir)
    message = str(caught.value)
    if case == "missing_column":
        assert "required_columns: missing fields company" in message
    else:
        assert "landing_not_empty" in message
        assert [e["name"] for e in result_of(landing)["expectations"] if not e["success"]] == [
            "landing_not_empty"
        ]
    assert result_of(landing)["success"] is False


def rewrite_records(landing, data: bytes) -> None:
    """Replace a landing's records as if it had been landed that way (the manifest's checksum too):
    the validator refuses a records.jsonl that no longer matches its manifest."""
    (landing / "records.jsonl").write_bytes(data)
    manifest = json.loads((landing / "manifest.json").read_text(encoding="utf-8"))
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    (landing / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_unparseable_line_is_quarantined(dirs):
    raw, qdir = dirs
    landing = write_landing(raw, "school_records", schools(25))
    records_path = landing / "records.jsonl"
    lines = records_path.read_bytes().splitlines(keepends=True)
    lines[6] = b'{"school": "\xe5\xb7\xb4\xe4\xb8\xad\n'  # truncated line
    rewrite_records(landing, b"".join(lines))
    summary = validate_landing(landing, quarantine_dir=qdir)
    assert summary.quarantined == 1
    [q] = quarantine_lines(qdir, landing)
    assert (q["row"], q["field"]) == (7, "(line)") and "_unparsed_line" in q["record"]


def test_revalidation_after_a_fix_removes_stale_quarantine(dirs):
    raw, qdir = dirs
    records = schools(30)
    records[0]["employed"] = -1
    landing = write_landing(raw, "school_records", records)
    validate_landing(landing, quarantine_dir=qdir)
    assert quarantine_lines(qdir, landing)
    rewrite_records(
        landing,
        "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in schools(30)).encode(
            "utf-8"
        ),
    )
    assert validate_landing(landing, quarantine_dir=qdir).quarantined == 0
    assert not list(qdir.rglob("*.jsonl"))


def test_unknown_source_is_an_error(dirs):
    raw, qdir = dirs
    landing = write_landing(raw, "weather", [{"x": 1}])
    with pytest.raises(ValueError, match="no expectation suite for source 'weather'"):
        validate_landing(landing, quarantine_dir=qdir)


def test_importing_the_package_does_not_import_great_expectations():
    code = "import sys, expectations; print('great_expectations' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_records_are_not_modified_by_validation(dirs):
    raw, qdir = dirs
    records = jobs(30)
    snapshot = copy.deepcopy(records)
    landing = write_landing(raw, "job_board_zhaopin", records)
    before = (landing / "records.jsonl").read_bytes()
    validate_landing(landing, quarantine_dir=qdir)
    assert (landing / "records.jsonl").read_bytes() == before and records == snapshot


@pytest.mark.parametrize("source", ["bulletins", "job_board_zhaopin", "school_records"])
def test_every_row_level_critical_expectation_has_a_mostly_threshold(source):
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    from expectations.suites import suite_module

    checks = suite_module(source).checks()
    row_level = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    for check in checks:
        assert check.expectation.meta["severity"] == check.severity in ("critical", "warning")
        if check.name.endswith("_has_no_personal_data"):
            # the one exception: a single unscrubbed value refuses the landing (issue 14)
            assert check.severity == "critical" and check.mostly in (None, 1), check.name
        elif check.severity == "critical" and isinstance(check.expectation, row_level):
            assert check.mostly is not None and 0.9 <= check.mostly < 1, check.name
