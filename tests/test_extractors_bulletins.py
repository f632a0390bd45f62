"""Statistics bulletins against the sample site (both listings, the GB18030 page, the Traditional
mirror, the corrected re-publication), the incremental crawl against a scripted bureau, bad pages
through validation and loading, and the mart built by dbt from a real crawl."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from extractors.bulletins import (
    SKELETON_INDICATORS,
    WAREHOUSE_INDICATORS,
    extract_bulletins,
    parse_bulletin_text,
    parse_title,
)
from extractors.errors import SourceError
from extractors.landing import list_landings, read_records

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = ["巴州区", "恩阳区", "通江县", "南江县", "平昌县"]


@pytest.fixture(scope="module")
def landed(sample_site, tmp_path_factory):
    from extractors.config import load_sources_config

    config = load_sources_config(ROOT / "config" / "sources.yml", base_url=sample_site.base_url)
    raw_dir = tmp_path_factory.mktemp("raw")
    result = extract_bulletins(config, "2026-11-01", raw_dir)
    return config, raw_dir, result


def _truth(sample_site) -> dict:
    return sample_site.truth["bulletins"]


def _originals(records, region="巴中市"):
    """(year, indicator) → row of the region's bulletins as first published (not the revision)."""
    return {
        (r["year"], r["indicator"]): r for r in records if r["region"] == region and "修订" not in r["title"]
    }


def test_finds_every_bulletin_over_both_listings(landed, sample_site):
    _config, _raw_dir, result = landed
    truth = _truth(sample_site)
    assert result.status == "landed" and result.source == "bulletins"
    records = read_records(result.path)
    assert (
        sorted({r["year"] for r in records}) == sample_site.truth["bulletin_years"] == list(range(2018, 2026))
    )
    assert {(r["region"], r["year"]) for r in records} == {
        (region, year) for region in truth["regions"] for year in range(2018, 2026)
    }
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    listing_fetches = [f["url"] for f in manifest["fetches"] if "/index" in f["url"]]
    city_pages = truth["listing_pages"]
    county_pages = truth["county_listing_pages"]
    assert city_pages == 2 and county_pages == 3
    assert [u.split("/stats/", 1)[1] for u in listing_fetches] == [
        "tjgb/index.html",
        "tjgb/index_2.html",
        "xqgb/index.html",
        "xqgb/index_2.html",
        "xqgb/index_3.html",
    ]
    # 6 regions x 8 years + the city's corrected 2023 re-publication; noise pages are never fetched.
    pages = 6 * 8 + 1
    assert len(manifest["files"]) == pages
    assert len(manifest["fetches"]) == len(listing_fetches) + pages


def test_noise_and_other_regions_are_skipped(landed):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    assert {r["region"] for r in records} == {"巴中市", *COUNTIES}  # 达州市 and 四川省 reposts skipped
    assert all(parse_title(r["title"]) for r in records)
    assert not any("解读" in r["title"] or "图解" in r["title"] for r in records)


def test_2024_published_figures(landed):
    _config, _raw_dir, result = landed
    rows = _originals(read_records(result.path))
    assert rows[(2024, "gdp")]["value"] == 870.51 and rows[(2024, "gdp")]["unit"] == "亿元"
    assert rows[(2024, "gdp")]["growth_pct"] == 6.3
    assert rows[(2024, "gdp_growth_pct")]["value"] == 6.3
    structure = rows[(2024, "industry_structure")]
    assert (
        structure["value"] is None
        and structure["value_text"] == "22.3:20.0:57.7"
        and structure["unit"] == "a:b:c"
    )
    assert rows[(2024, "resident_population")]["value"] == 261.30
    assert rows[(2024, "resident_population")]["value_text"] == "261.30"
    assert rows[(2024, "urbanization_rate_pct")]["value"] == 48.91
    assert rows[(2024, "rural_labour_outflow")]["value"] == 101.58
    assert rows[(2024, "labour_income")]["value"] == 291.83
    assert rows[(2024, "growth_contribution_tertiary")]["value"] == 67.2
    # the sentence as published, full-width punctuation kept
    assert "870.51亿元" in rows[(2024, "gdp")]["text"]
    assert "（GDP）" in rows[(2024, "gdp")]["text"]


def test_every_year_matches_truth(landed, sample_site):
    _config, _raw_dir, result = landed
    rows = _originals(read_records(result.path))
    expected = _truth(sample_site)["indicators"]
    assert sorted(expected) == [str(y) for y in range(2018, 2026)]
    for year, indicators in expected.items():
        for name, value_text in indicators.items():
            assert rows[(int(year), name)]["value_text"] == value_text, (year, name)


def _check_page(rows: dict, expected: dict, where) -> None:
    """Every indicator the generator wrote is read exactly, and nothing else is."""
    stated = {key for key in expected if "@" not in key}
    if "private_economy_value_added@share_of_gdp_pct" in expected:
        stated.add("private_economy_share_of_gdp_pct")
    assert set(rows) == stated, where
    for key, text in expected.items():
        if "@" in key:
            name, attribute = key.split("@")
            if attribute == "share_of_gdp_pct":
                assert rows["private_economy_share_of_gdp_pct"]["value"] == float(text), where
            else:
                assert rows[name][attribute] == float(text), (where, key)
        else:
            assert rows[key]["value_text"] == text, (where, key)
            if rows[key]["value"] is not None:
                assert rows[key]["value"] == float(text), (where, key)


def test_every_region_year_reads_the_whole_catalogue(landed, sample_site):
    _config, _raw_dir, result = landed
    records = read_records(result.path)
    expected = _truth(sample_site)["expected"]
    assert set(expected) == {"巴中市", *COUNTIES}
    for region, years in expected.items():
        by_key = _originals(records, region)
        for year, indicators in years.items():
            rows = {k: r for (y, k), r in by_key.items() if y == int(year)}
            _check_page(rows, indicators, (region, year))
    assert {r["indicator"] for r in records} <= set(WAREHOUSE_INDICATORS)
    assert all(r["parse_error"] is None for r in records)


def test_corrected_republication_is_a_second_vintage(landed, sample_site):
    _config, _raw_dir, result = landed
    revision = _truth(sample_site)["revision"]
    rows = [r for r in read_records(result.path) if r["region"] == "巴中市" and r["year"] == revision["year"]]
    vintages = sorted({r["vintage"] for r in rows})
    assert len(vintages) == 2 and vintages[-1] == revision["vintage"]
    revised = {r["indicator"]: r for r in rows if r["vintage"] == revision["vintage"]}
    original = {r["indicator"]: r for r in rows if r["vintage"] == vintages[0]}
    _check_page(revised, revision["expected"], "revision")
    assert revised["gdp"]["value"] > original["gdp"]["value"]  # the census revised GDP up
    assert revised["resident_population"]["value"] == original["resident_population"]["value"]
    assert all(r["url"].endswith(revision["path"]) for r in revised.values())


def test_traditional_mirror_page_is_read_in_simplified(landed, sample_site):
    _config, _raw_dir, result = landed
    [path] = _truth(sample_site)["traditional_paths"]
    rows = [r for r in read_records(result.path) if r["url"].endswith(path)]
    assert {(r["region"], r["year"]) for r in rows} == {("通江县", 2020)}
    assert any("縣" in r["text"] or "產" in r["text"] for r in rows)  # the sentence as the mirror wrote it
    assert {r["indicator"] for r in rows} >= {"gdp", "resident_population", "industry_structure"}


def test_gb18030_page_is_decoded(landed, sample_site):
    _config, _raw_dir, result = landed
    manifest = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))
    gb_paths = sample_site.truth["gb18030_paths"]
    bulletin_gb = [p for p in gb_paths if p.startswith("/stats/")]
    assert bulletin_gb
    for path in bulletin_gb:
        [fetch] = [f for f in manifest["fetches"] if f["url"].endswith(path)]
        assert fetch["encoding"] == "gb18030"
        stored = Path(result.path) / "files" / path.lstrip("/")
        assert stored.read_bytes().decode("gb18030")  # original bytes, not re-encoded
        with pytest.raises(UnicodeDecodeError):
            stored.read_bytes().decode("utf-8")
    rows_2019 = [r for r in read_records(result.path) if r["year"] == 2019 and r["region"] == "巴中市"]
    expected = _truth(sample_site)["expected"]["巴中市"]["2019"]
    assert len(rows_2019) == len([k for k in expected if "@" not in k])
    assert all("公报" in r["title"] for r in rows_2019)


def test_second_run_is_unchanged(landed):
    config, raw_dir, result = landed
    again = extract_bulletins(config, "2026-11-01", raw_dir)
    assert again.status == "unchanged" and again.path == result.path


def test_a_later_partition_lands_nothing_when_nothing_changed(landed):
    config, raw_dir, result = landed
    later = extract_bulletins(config, "2026-12-01", raw_dir)
    assert later.status == "unchanged" and later.path == result.path
    assert [lnd.partition for lnd in list_landings(raw_dir, "bulletins")] == ["2026-11-01"]


def test_every_row_has_the_contract_keys(landed):
    _config, _raw_dir, result = landed
    keys = {
        "region",
        "year",
        "indicator",
        "value",
        "value_text",
        "unit",
        "text",
        "url",
        "title",
        "growth_pct",
        "vintage",
        "fetched_at",
        "page_sha256",
        "parse_error",
    }
    records = read_records(result.path)
    assert all(set(r) == keys and isinstance(r["value_text"], str) for r in records)
    assert all(date.fromisoformat(r["vintage"]) and len(r["page_sha256"]) == 64 for r in records)


# --------------------------------------------------------------------------- a scripted bureau


def _bureau_page(title: str, year: int, figures: dict | None, *, body: list[str] | None = None) -> bytes:
    from sample_sources.bulletins import article, bulletin_paragraphs

    paragraphs = body if body is not None else bulletin_paragraphs(figures)
    return article(title, date(year + 1, 3, 20), paragraphs).encode("utf-8")


def _listing(items: list[tuple[str, str, date]]) -> bytes:
    from sample_sources.bulletins import listing

    return listing(items, 1, 1).encode("utf-8")


class Bureau:
    """A bureau whose pages a test edits between runs (served by the conftest's TinyServer)."""

    def __init__(self) -> None:
        from sample_sources.bulletins import bulletin_figures

        self.figures = bulletin_figures(11)
        self.pages: dict[str, bytes] = {}
        items = []
        for year in (2021, 2022, 2023, 2024):
            title = f"巴中市{year}年国民经济和社会发展统计公报"
            self.pages[f"/tjgb/{year}.html"] = _bureau_page(title, year, self.figures[year])
            items.append((f"{year}.html", title, date(year + 1, 3, 20)))
        self.pages["/tjgb/index.html"] = _listing(items)

    def handler(self, request, hit):
        body = self.pages.get(request.path)
        if body is None:
            return 404, "not found", {"Content-Type": "text/plain"}
        return 200, body, {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def bureau(tiny_server):
    bureau = Bureau()
    server = tiny_server(bureau.handler)
    config = {
        "user_agent": "t",
        "retries": 0,
        "bulletins": {"listing_url": server.base_url + "/tjgb/index.html", "regions": ["巴中市"]},
    }
    return bureau, config


def _validate(path, qdir):
    from expectations import validate_landing

    return validate_landing(Path(path), quarantine_dir=qdir)


def test_bad_pages_are_quarantined_with_reason_and_sentence(bureau, tmp_path):
    bureau, config = bureau
    # 2021: the listing says bulletin, the page is something else
    bureau.pages["/tjgb/2021.html"] = _bureau_page(
        "巴中市2021年政府工作报告", 2021, None, body=["各位代表：现在，我代表市人民政府，向大会报告工作。"]
    )
    # 2022: the bureau replaced the text with a scanned attachment (layout change, no core figures)
    bureau.pages["/tjgb/2022.html"] = _bureau_page(
        "巴中市2022年国民经济和社会发展统计公报", 2022, None, body=["本公报为扫描件，请下载附件查看。"]
    )
    # 2023: a typo makes the industry structure add up to 110
    f = dict(bureau.figures[2023])
    f["p3"] += 10
    bureau.pages["/tjgb/2023.html"] = _bureau_page("巴中市2023年国民经济和社会发展统计公报", 2023, f)

    result = extract_bulletins(config, "2026-01-01", tmp_path / "raw")
    records = read_records(result.path)
    problems = {r["year"]: r["parse_error"] for r in records if r["parse_error"]}
    assert "not a statistics bulletin" in problems[2021]
    assert "core indicator(s) not found: gdp, resident_population" in problems[2022]
    assert 2023 not in problems and 2024 not in problems

    summary = _validate(result.path, tmp_path / "q")
    assert summary.success  # the good pages load; the bad ones wait in quarantine
    quarantined = [
        json.loads(line) for line in Path(summary.quarantine_path).read_text(encoding="utf-8").splitlines()
    ]
    by_year = {q["record"]["year"]: q for q in quarantined}
    assert set(by_year) == {2021, 2022, 2023}
    assert "page_is_a_readable_bulletin" in by_year[2021]["reason"]
    assert by_year[2021]["record"]["text"].startswith("巴中市2021年政府工作报告")
    assert by_year[2022]["record"]["parse_error"].startswith("core indicator(s) not found")
    structure = by_year[2023]
    assert structure["field"] == "value_text" and "structure_sums_to_100" in structure["reason"]
    assert structure["record"]["text"].startswith("三次产业结构为")
    assert summary.accepted == len(records) - 3


def test_a_dead_link_fails_only_its_page(bureau, tmp_path):
    bureau, config = bureau
    del bureau.pages["/tjgb/2022.html"]
    result = extract_bulletins(config, "2026-01-01", tmp_path / "raw")
    records = read_records(result.path)
    [dead] = [r for r in records if r["parse_error"]]
    assert (dead["region"], dead["year"], dead["page_sha256"]) == ("巴中市", 2022, None)
    assert "could not be fetched" in dead["parse_error"] and "/tjgb/2022.html" in dead["parse_error"]
    assert {r["year"] for r in records if not r["parse_error"]} == {2021, 2023, 2024}
    summary = _validate(result.path, tmp_path / "q")
    assert summary.success and summary.quarantined == 1


def test_incremental_crawl_lands_changes_as_vintages_and_keeps_good_data(bureau, tmp_path):
    from talent.load import load_raw

    bureau, config = bureau
    raw, qdir, db = tmp_path / "raw", tmp_path / "q", tmp_path / "w.duckdb"
    first = extract_bulletins(config, "2026-01-01", raw)
    _validate(first.path, qdir)
    first_rows = read_records(first.path)
    assert {r["year"] for r in first_rows} == {2021, 2022, 2023, 2024}

    # The bureau corrects the 2024 page in place (same URL, same listing date).
    f = dict(bureau.figures[2024])
    f["gdp"] = 871.02
    bureau.pages["/tjgb/2024.html"] = _bureau_page("巴中市2024年国民经济和社会发展统计公报", 2024, f)
    second = extract_bulletins(config, "2026-02-01", raw)
    assert second.status == "landed" and second.partition == "2026-02-01"
    rows = read_records(second.path)
    assert {(r["year"], r["vintage"]) for r in rows} == {(2024, "2026-02-01")}  # only the changed page
    assert {r["indicator"]: r["value"] for r in rows}["gdp"] == 871.02
    _validate(second.path, qdir)

    # Then the 2023 page breaks: that landing fails, the earlier good 2023 figures stay loadable.
    bureau.pages["/tjgb/2023.html"] = _bureau_page(
        "巴中市2023年国民经济和社会发展统计公报", 2023, None, body=["页面维护中，请稍后访问。"]
    )
    third = extract_bulletins(config, "2026-03-01", raw)
    assert [r["year"] for r in read_records(third.path)] == [2023]
    from expectations import ValidationFailed

    with pytest.raises(ValidationFailed, match="page_is_a_readable_bulletin"):
        _validate(third.path, qdir)
    load_raw(db, raw)
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = con.execute(
            "select year, cast(vintage as varchar), value from raw.bulletin_indicators "
            "where indicator = 'gdp' order by year, vintage"
        ).fetchall()
    assert loaded == [
        (2021, "2022-03-20", bureau.figures[2021]["gdp"]),
        (2022, "2023-03-20", bureau.figures[2022]["gdp"]),
        (2023, "2024-03-20", bureau.figures[2023]["gdp"]),
        (2024, "2025-03-20", bureau.figures[2024]["gdp"]),
        (2024, "2026-02-01", 871.02),
    ]

    # Nothing new: no new landing, the newest one is handed on.
    fourth = extract_bulletins(config, "2026-04-01", raw)
    assert fourth.status == "unchanged" and fourth.path == third.path


# --------------------------------------------------------------------------- the mart, built by dbt


def _dbt(db_path: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).parent / "dbt"
    if not dbt.exists():
        found = shutil.which("dbt")
        if not found:
            pytest.skip("dbt is not installed")
        dbt = Path(found)
    env = dict(
        os.environ,
        TALENT_DUCKDB_PATH=str(db_path),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("TALENT_DBT_TARGET", None)
    project = ROOT / "dbt_project"
    cmd = [str(dbt), "--no-use-colors", *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def mart(landed, tmp_path_factory):
    from talent.load import load_raw

    _config, raw_dir, result = landed
    work = tmp_path_factory.mktemp("bulletin_mart")
    _validate(result.path, work / "quarantine")
    db = work / "talent.duckdb"
    load_raw(db, raw_dir)
    proc = _dbt(db, work, "build", "--select", "+regional_indicators", "--indirect-selection", "cautious")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def test_mart_holds_every_region_and_year_from_the_sample_site(mart, sample_site):
    regions = dict(
        mart.execute(
            "select region, list(distinct year order by year) from marts.regional_indicators "
            "where indicator = 'gdp' and is_latest_vintage group by region"
        ).fetchall()
    )
    assert regions == {region: list(range(2018, 2026)) for region in _truth(sample_site)["regions"]}
    total, ids = mart.execute(
        "select count(*), count(distinct indicator_id) from marts.regional_indicators"
    ).fetchone()
    assert total == ids


def test_mart_keeps_both_vintages_of_the_revised_year(mart, sample_site):
    revision = _truth(sample_site)["revision"]
    rows = mart.execute(
        "select indicator_id, cast(vintage as varchar), value, is_latest_vintage from marts.regional_indicators "
        "where region = '巴中市' and year = ? and indicator = 'gdp' order by vintage",
        [revision["year"]],
    ).fetchall()
    assert len(rows) == 2
    (old_id, _old_vintage, _old_value, old_latest), (new_id, new_vintage, new_value, new_latest) = rows
    assert (old_latest, new_latest) == (False, True)
    assert new_id == f"巴中市-{revision['year']}-gdp" and old_id.startswith(f"巴中市-{revision['year']}-gdp@")
    assert new_vintage == revision["vintage"] and new_value == float(revision["expected"]["gdp"])
    # the 2024 year-on-year change is measured against the revised figure
    yoy, previous = mart.execute(
        "select yoy_change, previous_year_value from marts.regional_indicators where indicator_id = '巴中市-2024-gdp'"
    ).fetchone()
    assert previous == new_value and yoy == pytest.approx(870.51 - new_value, abs=1e-4)


def test_city_figures_the_city_lacks_are_rolled_up_from_the_counties(mart, sample_site):
    expected = _truth(sample_site)["expected"]
    rows = mart.execute(
        "select year, value, is_derived, source_url from marts.regional_indicators "
        "where region = '巴中市' and indicator = 'vocational_graduates' order by year"
    ).fetchall()
    assert [r[0] for r in rows] == list(range(2018, 2026))
    for year, value, derived, url in rows:
        assert derived and url is None
        assert value == sum(int(expected[c][str(year)]["vocational_graduates"]) for c in COUNTIES)
    # a figure the city states itself is never replaced by the county sum
    assert (
        mart.execute(
            "select count(*) from marts.regional_indicators where region = '巴中市' and indicator = 'gdp' "
            "and is_derived"
        ).fetchone()[0]
        == 0
    )


# --------------------------------------------------------------------------- parser alone

BULLETIN = """巴中市2023年国民经济和社会发展统计公报
一、综合
初步核算，全年实现地区生产总值（GDP）812.40亿元，按不变价格计算，比上年增长5.8%。其中，第一产业增加值180.12亿元，增长3.9%。三次产业结构由23.0：19.5：57.5调整为22.6：20.5：56.9。人均地区生产总值31,234元，比上年增长6.1%。
十、人口、就业和社会保障
年末常住人口263.10万人，其中城镇人口126.40万人；常住人口城镇化率48.04％，比上年末提高1.02个百分点。年末户籍人口360.12万人，户籍人口城镇化率40.1%。
全年转移输出农村劳动力102.30万人，实现劳务收入278.10亿元。"""


def test_parse_bulletin_text():
    parsed = parse_bulletin_text(BULLETIN)
    assert (parsed["region"], parsed["year"]) == ("巴中市", 2023)
    ind = parsed["indicators"]
    # bulletins issue: the catalogue grew beyond the skeleton; the skeleton is all still there
    assert set(ind) == set(SKELETON_INDICATORS) | {
        "value_added_primary",
        "urban_population",
        "registered_population",
    }
    assert ind["gdp"]["value"] == 812.40 and ind["gdp"]["value_text"] == "812.40"
    assert ind["gdp"]["growth_pct"] == 5.8
    assert ind["gdp_growth_pct"]["value"] == 5.8
    assert ind["industry_structure"]["value_text"] == "22.6:20.5:56.9"  # the new structure, not the old
    assert ind["resident_population"]["value"] == 263.10
    assert ind["urbanization_rate_pct"]["value"] == 48.04  # not the 户籍 rate
    assert ind["rural_labour_outflow"]["value"] == 102.30 and ind["labour_income"]["value"] == 278.10
    assert ind["gdp"]["text"].startswith("初步核算，全年实现地区生产总值（GDP）812.40亿元")
    assert "rural_population" not in ind  # not stated: absent, not zero


def test_parse_decline_and_missing():
    parsed = parse_bulletin_text("全年实现地区生产总值500.00亿元，比上年下降1.5%。")
    assert parsed["indicators"]["gdp_growth_pct"]["value"] == -1.5
    assert parsed["indicators"]["gdp_growth_pct"]["value_text"] == "-1.5"
    assert parsed["year"] is None and "resident_population" not in parsed["indicators"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("巴中市2024年国民经济和社会发展统计公报", ("巴中市", 2024)),
        ("2024年巴中市国民经济和社会发展统计公报", ("巴中市", 2024)),
        ("四川省2024年国民经济和社会发展统计公报", ("四川省", 2024)),
        ("巴中市2024年政府工作报告", None),
        ("《巴中市2024年国民经济和社会发展统计公报》解读", None),
        ("2023年巴中市统计年鉴编制说明", None),
        ("巴州区2024年国民经济和社会发展统计公报", ("巴州区", 2024)),
        ("巴中市平昌县2024年国民经济和社会发展统计公报", ("平昌县", 2024)),
        ("巴中市2023年国民经济和社会发展统计公报（修订）", ("巴中市", 2023)),
        ("通江縣2020年國民經濟和社會發展統計公報", ("通江县", 2020)),
        ("恩阳区２０２０年国民经济和社会发展统计公报", ("恩阳区", 2020)),
    ],
)
def test_parse_title(title, expected):
    assert parse_title(title) == expected


def test_listing_without_entries_raises(tiny_server, tmp_path):
    server = tiny_server(
        lambda req, hit: (
            200,
            "<html><body><div class='list-v2'></div></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        )
    )
    config = {
        "user_agent": "t",
        "retries": 0,
        "bulletins": {"listing_url": server.base_url + "/stats/tjgb/index.html", "region": "巴中市"},
    }
    with pytest.raises(SourceError, match="/stats/tjgb/index.html"):
        extract_bulletins(config, "2026-11-01", tmp_path)


def test_listing_without_bulletins_raises(tiny_server, tmp_path):
    page = (
        '<html><body><ul class="news-list"><li><a href="a.html">巴中市2024年政府工作报告</a><span>2024-02-01</span>'
        "</li></ul></body></html>"
    )
    server = tiny_server(lambda req, hit: (200, page, {"Content-Type": "text/html; charset=utf-8"}))
    config = {
        "user_agent": "t",
        "retries": 0,
        "bulletins": {"listing_url": server.base_url + "/index.html", "region": "巴中市"},
    }
    with pytest.raises(SourceError, match="no statistics bulletin"):
        extract_bulletins(config, "2026-11-01", tmp_path)


def test_stored_pages_keep_no_personal_data_and_still_decode_as_declared(landed, sample_site):
    """The sample pages end with a contact line (联系电话：0827-…); the copy under files/ is masked in
    the page's own encoding, while change detection keeps using the fetched bytes' sha256."""
    from extractors.charset import decode_bytes
    from extractors.privacy import find_personal_data

    _, _, result = landed
    stored = sorted((Path(result.path) / "files").rglob("*.html"))
    assert stored
    fetched_with_contact = 0
    for path in stored:
        relative = path.relative_to(Path(result.path) / "files").as_posix()
        original = (sample_site.dir / relative).read_bytes()
        fetched_with_contact += b"0827" in original
        text, _ = decode_bytes(path.read_bytes(), None, strict=True)  # decodes as its <meta> declares
        assert not [
            hit
            for start in range(0, len(text), 10_000)
            for hit in find_personal_data(text[start : start + 10_050])
        ], path
    assert fetched_with_contact, "the sample pages should carry a contact line to mask"
    shas = {r["page_sha256"] for r in read_records(result.path) if r["page_sha256"]}
    originals = {
        hashlib.sha256(
            (sample_site.dir / p.relative_to(Path(result.path) / "files")).read_bytes()
        ).hexdigest()
        for p in stored
    }
    assert originals <= shas
