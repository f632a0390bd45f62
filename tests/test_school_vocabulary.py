"""Issue 12.4: the header vocabulary real Chinese school statistics use, against
tests/fixtures/schools/bzsz_2024_vocabulary.xlsx (built by make_fixtures.py): intake (新生数) apart
from on-roll (在校生数), bare 就业 | 升学 | 参军 | 待就业 under a merged 毕业去向, 对口就业, rates as
"95.2%" text, as 95.2 under 就业率(%) and as fractions, cross-checked against the counts; note and
source rows kept as notes, not rows and not quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.school_cells import parse_rate, rate_column_in_percent
from extractors.school_headers import find_header, row_kind
from extractors.school_parse import read_export
from extractors.schools import parse_export

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schools"
VOCABULARY = FIXTURES / "bzsz_2024_vocabulary.xlsx"


def _export():
    return read_export(VOCABULARY.read_bytes(), VOCABULARY.name)


def test_on_roll_and_intake_are_kept_apart():
    rows = {r["source_row"]: r for r in _export().records}
    assert set(rows) == {4, 5, 6}  # the note, source and footer rows are not records
    first = rows[4]
    # 在校生数 (every grade on roll) is not the cohort's intake (新生数)
    assert (first["enrolment"], first["on_roll"], first["graduates"]) == (120, 352, 118)
    assert (first["employed"], first["further_study"], first["military"], first["not_placed"]) == (
        50,
        62,
        2,
        4,
    )
    assert first["in_field"] == 40
    assert (first["school"], first["year"]) == ("巴中市职业中学", 2024)


def test_rates_are_fractions_and_checked_against_counts():
    rows = {r["source_row"]: r for r in _export().records}
    assert rows[4]["employment_rate_reported"] == pytest.approx(0.949)  # "94.9%"
    assert rows[4]["in_field_rate_reported"] == pytest.approx(0.8)  # "80.0%"
    assert rows[5]["employment_rate_reported"] == pytest.approx(0.98)  # 98 under 就业率(%)
    assert rows[5]["in_field_rate_reported"] == pytest.approx(0.667)  # 0.667, a fraction
    assert rows[4]["parse_error"] is None and rows[5]["parse_error"] is None
    # 90% agrees with no reading of the counts (40%, 88%, 92%): quarantined, naming the rate
    assert rows[6]["parse_error_field"] == "employment_rate_reported"
    assert "90.0%" in rows[6]["parse_error"] and "88.0%" in rows[6]["parse_error"]


def test_note_rows_are_notes_not_bad_major_codes():
    export = _export()
    assert not any(r["parse_error_field"] == "major_code" for r in export.records)
    kinds = {e["row"]: e["kind"] for e in export.layout}
    assert kinds[7] == "note" and kinds[8] == "note" and kinds[9] == "footer" and kinds[10] == "footer"
    assert any("数据统计截至2024年8月31日" in note for note in export.notes)
    assert any(note.startswith("数据来源") for note in export.notes)
    # footers are recorded as being there, never with their cells
    assert all("cells" not in e for e in export.layout if e["kind"] == "footer")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("注：数据统计截至2025年8月31日", "note"),
        ("注 1. 就业含灵活就业", "note"),
        ("说明：本表由学校填报", "note"),
        ("数据来源：教育局", "note"),
        ("备注", "note"),
        ("填表说明：按专业填写", "note"),
        ("单位：人", "note"),
        ("填表人：王五", "footer"),
        ("联系电话：0827-5551234", "footer"),
        ("邮箱：a@b.cn", "footer"),
        ("身份证号：511902198801010023", "footer"),
        ("注塑模具技术", None),  # a major, not a note
        ("660301", None),
    ],
)
def test_row_kind(text, kind):
    assert row_kind([None, text, None]) == kind


def test_header_spellings_with_units():
    header = find_header(
        [
            [
                "专业代码",
                "专业名称",
                "在籍生数",
                "招生数(人)",
                "毕业生数（人）",
                "就业率（%）",
                "专业对口就业率",
            ]
        ]
    )
    assert header is not None
    assert list(header.mapping.values()) == [
        "major_code",
        "major_name",
        "on_roll",
        "enrolment",
        "graduates",
        "employment_rate_reported",
        "in_field_rate_reported",
    ]
    assert header.percent_columns == {5}


@pytest.mark.parametrize(
    ("value", "in_percent", "expected"),
    [
        ("95.2%", False, 0.952),
        ("95.2", True, 0.952),
        (95.2, True, 0.952),
        (0.952, False, 0.952),
        ("100%", False, 1.0),
    ],
)
def test_parse_rate(value, in_percent, expected):
    rate, problem = parse_rate(value, in_percent)
    assert problem is None and rate.value == pytest.approx(expected)


@pytest.mark.parametrize("value", ["九成", "120%", "-5%"])
def test_parse_rate_errors(value):
    rate, problem = parse_rate(value, True)
    assert rate is None and problem


def test_a_rate_column_is_read_one_way():
    # one bare number above 1 makes the whole column percent, so 1 there is 1%, not 100%
    assert rate_column_in_percent([95.0, 1, "98%"], heading_says_percent=False)
    assert not rate_column_in_percent([0.95, 1, "98%"], heading_says_percent=False)


def test_csv_with_bare_destination_headers():
    text = "专业代码,专业名称,毕业生,就业,升学,参军,待就业,就业率\r\n710201,计算机应用,10,4,5,0,1,90%\r\n"
    [rec], _ = parse_export(text.encode(), "巴中市职业中学_2024.csv")
    assert (rec["graduates"], rec["employed"], rec["further_study"], rec["not_placed"]) == (10, 4, 5, 1)
    assert rec["employment_rate_reported"] == pytest.approx(0.9) and rec["parse_error"] is None
