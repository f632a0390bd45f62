"""School exports against the sample site: every file and row, CSV encodings, XLSX title rows,
inbox files and the parse_error rule for bad cells."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from extractors.errors import SourceError
from extractors.landing import read_records
from extractors.schools import extract_schools, parse_count, parse_export

KEYS = {
    "school",
    "year",
    "major_code",
    "major_name",
    "enrolment",
    "graduates",
    "employed",
    "further_study",
    "military",
    "not_placed",
    "in_field",
    "employed_local",
    "source_file",
    "source_row",
    "parse_error",
    # added by the school-records issue: lineage, kind of record, the reason's field, corrections
    "sheet",
    "record_kind",
    "major_code_reported",
    "parse_error_field",
    "superseded_by",
    "is_correction",
    # issue 12.4: on-roll apart from intake, rates as reported (fractions 0..1)
    "on_roll",
    "employment_rate_reported",
    "in_field_rate_reported",
}
HEADER = "学校,年份,专业代码,专业名称,招生人数,毕业生数,就业人数,升学人数,参军人数,待就业人数,对口就业人数,本地就业人数"


@pytest.fixture(scope="module")
def landed(sample_site, tmp_path_factory):
    from extractors.config import load_sources_config

    config = load_sources_config(
        Path(__file__).resolve().parent.parent / "config" / "sources.yml", base_url=sample_site.base_url
    )
    raw_dir = tmp_path_factory.mktemp("raw")
    inbox = tmp_path_factory.mktemp("inbox")  # empty
    result = extract_schools(config, "2026-11-01", raw_dir, inbox)
    return config, raw_dir, result


def test_rows_and_files_equal_truth(landed, sample_site):
    _config, _raw_dir, result = landed
    truth = sample_site.truth["schools"]
    records = read_records(result.path)
    assert result.status == "landed" and result.source == "school_records"
    assert len(records) == result.rows == truth["rows"]
    assert sum(r["graduates"] for r in records) == truth["graduates_total"]
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == truth["files"]
    assert all(set(r) == KEYS for r in records)
    assert all(r["parse_error"] is None for r in records)


def test_counts_add_up(landed):
    _config, _raw_dir, result = landed
    for r in read_records(result.path):
        assert r["employed"] + r["further_study"] + r["military"] + r["not_placed"] == r["graduates"], r
        assert len(r["major_code"]) == 6 and r["major_code"].isdigit()
        assert 2021 <= r["year"] <= 2025


def test_gb18030_csv_is_read(landed, sample_site):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    gb_files = {p.rsplit("/", 1)[1] for p in sample_site.truth["gb18030_paths"] if p.startswith("/schools/")}
    assert gb_files
    gb_rows = [r for r in records if r["source_file"] in gb_files]
    assert gb_rows and {r["school"] for r in gb_rows} == {"通江县职业高级中学"}
    assert any(r["major_name"] == "护理" for r in gb_rows)
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    gb_fetches = [f for f in manifest["fetches"] if f["url"].rsplit("/", 1)[1] in gb_files]
    assert gb_fetches and {f["encoding"] for f in gb_fetches} == {"gb18030"}


def test_xlsx_is_read_below_its_title_row(landed):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    xlsx = [r for r in records if r["source_file"].endswith(".xlsx")]
    assert xlsx and {r["school"] for r in xlsx} == {"巴中职业技术学院"}
    first_rows = {
        r["source_file"]: min(x["source_row"] for x in xlsx if x["source_file"] == r["source_file"])
        for r in xlsx
    }
    assert set(first_rows.values()) == {3}  # row 1 title, row 2 header
    assert len({r["source_file"] for r in xlsx}) == 5


def test_bom_csv_and_source_rows(landed):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    csv_rows = [r for r in records if r["source_file"].endswith(".csv")]
    assert min(r["source_row"] for r in csv_rows) == 2  # row 1 is the header
    assert any(r["school"] == "南江县小河职业中学" for r in csv_rows)  # the UTF-8-with-BOM exports
    assert not any(r["school"].startswith("\ufeff") for r in records)


def test_optional_columns_left_empty_are_null(landed):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    untracked = [r for r in records if r["school"] == "南江县职业中学" and r["year"] == 2021]
    assert untracked and all(r["in_field"] is None and r["employed_local"] is None for r in untracked)
    assert all(r["parse_error"] is None for r in untracked)


def test_files_are_kept_byte_for_byte_or_as_their_rows(landed, sample_site):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    files = Path(result.path) / "files"
    stored = sorted(files.iterdir())
    assert stored
    for path in stored:
        if path.name.endswith(".rows.jsonl"):
            # more than the table (every workbook; a CSV with a title): its rows, one per line
            original = path.name.removesuffix(".rows.jsonl")
            assert (sample_site.dir / "schools" / "files" / original).is_file()
            layout = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            data_rows = [e["row"] for e in layout if e["kind"] == "data"]
            assert data_rows == [r["source_row"] for r in records if r["source_file"] == original]
        else:
            assert path.read_bytes() == (sample_site.dir / "schools" / "files" / path.name).read_bytes()
    assert any(p.name.endswith(".xlsx.rows.jsonl") for p in stored)
    assert not any(p.name.endswith(".xlsx") for p in stored)


def test_inbox_files_are_landed(sample_config, sample_site, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # A GB18030 export with renamed headers, a title row, a totals row, a note and a bad cell.
    text = (
        "2025年南江县职业中学补报表\r\n"
        "学校,年份,专业编码,专业名称,招生人数,毕业人数,就业人数,升学人数,参军人数,待就业人数,对口就业人数,本地就业人数\r\n"
        "南江县职业中学,2025届,660301,机电技术应用,150,140,60,70,2,8,40,30\r\n"
        "南江县职业中学,2025,710201,计算机应用,120,十二,60,50,1,,30,20\r\n"
        "合计,,,,270,152,120,120,3,8,70,50\r\n"
        "注：数据截至2025年8月31日\r\n"
    )
    (inbox / "njzz_2025_supplement.csv").write_bytes(text.encode("gb18030"))
    # An inbox copy of a file the site already serves is read once.
    duplicate = next((sample_site.dir / "schools" / "files").glob("pcty_*.csv"))
    (inbox / duplicate.name).write_bytes(duplicate.read_bytes())

    result = extract_schools(sample_config, "2026-11-01", tmp_path / "raw", inbox)
    records = read_records(result.path)
    assert len(records) == sample_site.truth["schools"]["rows"] + 2
    supplement = [r for r in records if r["source_file"] == "inbox/njzz_2025_supplement.csv"]
    assert [r["source_row"] for r in supplement] == [3, 4]
    good, bad = supplement
    assert good["year"] == 2025 and good["graduates"] == 140 and good["parse_error"] is None
    assert bad["graduates"] is None and "graduates" in bad["parse_error"] and "十二" in bad["parse_error"]
    assert bad["not_placed"] is None  # blank is simply unknown, not an error
    # a title, a 合计 and a note besides the table: kept as its rows, the note as a note
    stored = Path(result.path) / "files" / "inbox" / "njzz_2025_supplement.csv.rows.jsonl"
    kinds = {
        json.loads(line)["row"]: json.loads(line)["kind"] for line in stored.read_text("utf-8").splitlines()
    }
    assert kinds == {1: "title", 2: "header", 3: "data", 4: "data", 5: "subtotal", 6: "note"}
    assert not (Path(result.path) / "files" / "inbox" / duplicate.name).exists()


def test_xlsx_with_header_variants(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["某某学校2024届毕业生去向统计表"])
    sheet.append([])
    sheet.append(["专业代码", "专业名称", "毕业生数", "就业人数", "升学人数", "参军人数", "待就业人数"])
    sheet.append([51001, "护理", 100.0, 80, 15, 1, 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [row], encoding = parse_export(buffer.getvalue(), "x.xlsx")
    assert encoding is None
    # School and year come from the title row when the sheet has no such columns.
    assert (row["school"], row["year"]) == ("某某学校", 2024)
    assert row["major_code"] == "051001" and row["graduates"] == 100 and row["source_row"] == 4
    assert row["enrolment"] is None
    # 051001 is in neither the 2021 catalogue nor the old→new mapping: quarantined, not guessed
    assert row["parse_error_field"] == "major_code" and "051001" in row["parse_error"]


def test_unreadable_files_raise_naming_the_file(tmp_path):
    with pytest.raises(SourceError, match="bad.csv"):
        parse_export("名称,数量\r\n甲,1\r\n".encode(), "bad.csv")
    with pytest.raises(SourceError, match="broken.xlsx"):
        parse_export(b"not a zip", "broken.xlsx")
    with pytest.raises(SourceError, match="old.xls"):
        parse_export(b"\xd0\xcf\x11\xe0", "old.xls")
    with pytest.raises(SourceError, match="header lacks"):
        parse_export("学校,年份,专业名称\r\n甲,2024,护理\r\n".encode(), "nocode.csv")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, (12, None)),
        (12.0, (12, None)),
        ("12", (12, None)),
        (" 1,234 ", (1234, None)),
        ("12人", (12, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("-", (None, None)),
    ],
)
def test_parse_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", ["十二", "12.5", 12.5, -3, "abc"])
def test_parse_count_errors(value):
    number, error = parse_count(value)
    assert number is None and error


def test_empty_index_raises(tiny_server, tmp_path):
    server = tiny_server(
        lambda req, hit: (
            200,
            "<html><body><ul class='files'></ul></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        )
    )
    config = {
        "user_agent": "t",
        "retries": 0,
        "schools": {"index_url": server.base_url + "/schools/index.html"},
    }
    with pytest.raises(SourceError, match="/schools/index.html"):
        extract_schools(config, "2026-11-01", tmp_path / "raw", tmp_path / "no-inbox")


def test_csv_header_variant_in_bytes():
    rows, encoding = parse_export(
        ("\ufeff" + HEADER + "\r\n甲校,2024,720201,药剂,10,9,3,5,0,1,2,1\r\n").encode("utf-8"), "a.csv"
    )
    assert encoding == "utf-8-sig" and rows[0]["school"] == "甲校" and rows[0]["graduates"] == 9
