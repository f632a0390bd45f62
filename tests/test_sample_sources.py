"""The sample site: deterministic, internally consistent, and its truth.json matches what it serves.

These tests read the site over HTTP the way an extractor would (API walk, HTML listing walk) and
recompute the answer key independently, so a generator change that breaks the truth is caught here
rather than in a confusing end-to-end failure.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import openpyxl
import pytest
import requests

from sample_sources.generate import generate_site
from sample_sources.postings import month_list
from sample_sources.schools import HEADER
from sample_sources.server import serve_in_thread

POSTINGS = 400
BAZHONG = {"巴州区", "恩阳区", "通江县", "南江县", "平昌县", "巴中经开区", "巴中市"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A generated site served on a random port: (base_url, truth, site_dir)."""
    site_dir = tmp_path_factory.mktemp("sample_site")
    truth = generate_site(site_dir, seed=7, postings=POSTINGS, end_month="2026-10")
    server, base_url = serve_in_thread(site_dir)
    try:
        yield base_url, truth, site_dir
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_same_arguments_give_identical_bytes(tmp_path):
    first = generate_site(tmp_path / "a", seed=3, postings=250)
    second = generate_site(tmp_path / "b", seed=3, postings=250)
    assert first == second
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert files_a.keys() == files_b.keys()
    assert [name for name in files_a if files_a[name] != files_b[name]] == []
    # Regenerating into a used folder gives the same bytes too (nothing stale is left behind).
    generate_site(tmp_path / "a", seed=3, postings=250)
    assert _files(tmp_path / "a") == files_a


def test_another_seed_gives_other_postings(tmp_path):
    generate_site(tmp_path / "a", seed=1, postings=100)
    generate_site(tmp_path / "b", seed=2, postings=100)
    data = "_data/zhaopin.jsonl"
    assert (tmp_path / "a" / data).read_bytes() != (tmp_path / "b" / data).read_bytes()


def test_item_count_is_exact_for_any_size(tmp_path):
    for postings in (0, 1, 37):
        truth = generate_site(tmp_path / str(postings), seed=5, postings=postings)
        assert truth["postings"]["zhaopin"] + truth["postings"]["rencai"] == postings


def test_end_month_is_validated(tmp_path):
    assert month_list("2026-02")[0] == (2023, 3) and month_list("2026-02")[-1] == (2026, 2)
    with pytest.raises(ValueError):
        generate_site(tmp_path, end_month="2026-13")


def test_truth_has_the_contract_keys(site):
    _, truth, site_dir = site
    assert json.loads((site_dir / "truth.json").read_text(encoding="utf-8")) == truth
    assert truth["seed"] == 7 and truth["end_month"] == "2026-10"
    assert truth["bulletin_years"] == list(range(2018, 2026))
    postings = truth["postings"]
    for key in ("zhaopin", "rencai", "unique_in_region", "unique_total", "unique_in_region_by_month"):
        assert key in postings
    assert len(postings["unique_in_region_by_month"]) == 36
    assert sum(postings["unique_in_region_by_month"].values()) == postings["unique_in_region"]
    assert set(truth["schools"]) >= {"files", "rows", "graduates_total"}


def _zhaopin_walk(http, base_url, **filters) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": 100, **filters} | ({"cursor": cursor} if cursor else {})
        response = http.get(f"{base_url}/boards/zhaopin/api/v1/jobs", params=params)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body["code"] == 0 and body["msg"] == "ok"
        items += body["data"]["items"]
        cursor = body["data"]["next_cursor"]
        if cursor is None:
            assert len(items) == body["data"]["total"]
            return items


def _rencai_walk(http, base_url) -> list[dict]:
    """Follow 下一页 from the first listing page; return listing rows (id, title, company, date)."""
    url, rows, pages = f"{base_url}/boards/rencai/list/index.html", [], 0
    while url:
        response = http.get(url)
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
        pages += 1
        found = re.findall(
            r'<li class="job-item"><a class="job-link" href="\.\./job/(RC\d{7})\.html">(.*?)</a>'
            r'<span class="company">(.*?)</span>.*?<span class="date">(.*?)</span></li>',
            response.text,
        )
        assert 0 < len(found) <= 20
        rows += [{"id": i, "title": t, "company": c, "date": d} for i, t, c, d in found]
        following = re.search(r'<a class="next" href="([^"]+)">下一页</a>', response.text)
        url = urljoin(url, following[1]) if following else None
    assert pages == -(-len(rows) // 20)
    return rows


def _rencai_detail(http, base_url, job_id: str) -> dict:
    text = http.get(f"{base_url}/boards/rencai/job/{job_id}.html").text
    meta = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", text))
    return {
        "title": re.search(r'<h1 class="job-title">(.*?)</h1>', text)[1],
        "company": re.search(r'<div class="company-name">(.*?)</div>', text)[1],
        "salary": re.search(r'<span class="salary">(.*?)</span>', text)[1],
        "location": meta["工作地点"],
        "date": meta["发布日期"],
        "education": meta["学历要求"],
        "description": re.search(r'<div class="job-desc">(.*?)</div>', text, re.S)[1],
    }


def _county(city: str, district: str) -> str:
    """The county an extractor should derive from a board's location fields."""
    if city != "巴中":
        return city + "市"
    if district in ("", None):
        return "巴中市"
    return "巴中经开区" if district in ("经开区", "巴中经开区") else district


def _valid_date(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except (TypeError, ValueError):
        return False
    return True


def _broken(title, date_text, fmt: str, salary) -> bool:
    """An item broken on purpose: no title (or not text), an unreadable date, a date before 2000 or
    after the site's last month, or a salary of six digits and more (no Bazhong wage)."""
    if not isinstance(title, str) or not title or not _valid_date(date_text, fmt):
        return True
    return not "2000" <= date_text[:4] <= "2026" or bool(re.search(r"\d{6}", salary or ""))


def test_walking_both_boards_reproduces_the_truth(site, http):
    base_url, truth, _ = site
    postings = truth["postings"]
    zhaopin = _zhaopin_walk(http, base_url)
    rencai_rows = _rencai_walk(http, base_url)
    assert len(zhaopin) == postings["zhaopin"]
    assert len(rencai_rows) == postings["rencai"]
    assert len(zhaopin) + len(rencai_rows) == POSTINGS

    # Order: zhaopin by (publish_time, job_id) ascending, rencai newest first.
    good_times = [
        (item["publish_time"], item["job_id"])
        for item in zhaopin
        if _valid_date(item["publish_time"], "%Y-%m-%d %H:%M:%S") and "2000" <= item["publish_time"] < "2027"
    ]
    assert good_times == sorted(good_times)
    rencai_dates = [
        row["date"]
        for row in rencai_rows
        if _valid_date(row["date"], "%Y-%m-%d") and "2000" <= row["date"] < "2027"
    ]
    assert rencai_dates == sorted(rencai_dates, reverse=True)

    # Copies of an ad may be worded differently (job-board issue: decorated or paraphrased titles,
    # shortened employers), so which ad an item copies comes from the generator's per-item answer
    # key; what the site serves must agree with it (place and month).
    answer = {
        t["id"]: t
        for t in map(json.loads, (site[2] / postings["truth_file"]).read_text(encoding="utf-8").splitlines())
    }
    identities: set[tuple] = set()
    malformed = {"zhaopin": set(), "rencai": set()}
    for item in zhaopin:
        if _broken(item["job_title"], item["publish_time"], "%Y-%m-%d %H:%M:%S", item["salary_text"]):
            malformed["zhaopin"].add(item["job_id"])
            continue
        county = _county(item["city"], item["district"])
        assert (answer[item["job_id"]]["county"], answer[item["job_id"]]["month"]) == (
            county,
            item["publish_time"][:7],
        )
        identities.add(("ad", answer[item["job_id"]]["ad"], county, item["publish_time"][:7]))
    for row in rencai_rows:
        detail = _rencai_detail(http, base_url, row["id"])
        assert (detail["title"], detail["company"], detail["date"]) == (
            row["title"],
            row["company"],
            row["date"],
        )
        if _broken(detail["title"], detail["date"], "%Y-%m-%d", detail["salary"]):
            malformed["rencai"].add(row["id"])
            continue
        city, _, district = detail["location"].partition("·")
        assert (answer[row["id"]]["county"], answer[row["id"]]["month"]) == (
            _county(city, district),
            detail["date"][:7],
        )
        identities.add(("ad", answer[row["id"]]["ad"], _county(city, district), detail["date"][:7]))

    for board in ("zhaopin", "rencai"):
        assert sorted(malformed[board]) == postings["malformed"][board]["ids"]
        assert len(malformed[board]) == postings["malformed"][board]["count"]
    assert 0 < sum(len(ids) for ids in malformed.values()) < 0.05 * POSTINGS

    in_region = [identity for identity in identities if identity[2] in BAZHONG]
    assert len(identities) == postings["unique_total"]
    assert len(in_region) == postings["unique_in_region"]
    by_month = {month: 0 for month in postings["unique_in_region_by_month"]}
    for identity in in_region:
        by_month[identity[3]] += 1
    assert by_month == postings["unique_in_region_by_month"]
    # Reposts and cross-posts exist, so there are fewer unique ads than items.
    assert postings["cross_board_ads"] > 0 and postings["repost_items"] > 0
    assert postings["unique_total"] < POSTINGS - sum(len(ids) for ids in malformed.values())
    assert len(identities) > len(in_region)  # some ads are outside Bazhong


def test_zhaopin_filters_and_errors(site, http):
    base_url, _, _ = site
    api = f"{base_url}/boards/zhaopin/api/v1/jobs"
    month = _zhaopin_walk(http, base_url, posted_since="2025-03-01", posted_until="2025-03-31")
    assert month and all(
        item["publish_time"][:7] == "2025-03"
        for item in month
        if _valid_date(item["publish_time"], "%Y-%m-%d %H:%M:%S")
    )
    first = http.get(api, params={"limit": 5}).json()["data"]
    assert len(first["items"]) == 5 and first["next_cursor"]
    # A cursor made for other filters, garbage, or a bad limit is refused with a JSON error.
    for params in (
        {"cursor": "not-a-cursor"},
        {"cursor": first["next_cursor"], "posted_since": "2025-01-01"},
        {"limit": "0"},
        {"posted_since": "2025-13-01"},
    ):
        response = http.get(api, params=params)
        assert response.status_code == 400
        assert response.json()["code"] == 400
    assert http.get(api, params={"cursor": "not-a-cursor"}).json()["msg"] == "bad cursor"
    empty = http.get(api, params={"posted_since": "2030-01-01"}).json()["data"]
    assert empty == {"items": [], "next_cursor": None, "total": 0}


def test_job_items_carry_the_messy_details(site, http):
    base_url, _, _ = site
    items = _zhaopin_walk(http, base_url)
    descriptions = "\n".join(item["job_desc"] for item in items)
    assert re.search(r"1[3-9]\d{9}", descriptions)
    assert re.search(r"联系人：[\u4e00-\u9fff](经理|女士|先生|主管|老师)", descriptions)
    salaries = {item["salary_text"] for item in items}
    assert "面议" in salaries
    assert any(re.fullmatch(r"[\d.]+-[\d.]+K(·\d+薪)?", s) for s in salaries)
    assert any(s.endswith("元/天") for s in salaries)
    assert {"巴中", "成都"} <= {item["city"] for item in items}
    named = {
        "四川通友微电科技有限公司",
        "国药天江药业巴中有限公司",
        "四川高显科技有限公司",
        "四川鑫亚商显光电科技有限公司",
    }
    assert named & {item["company_name"] for item in items}


def test_not_found_and_hidden_files(site, http):
    base_url, _, _ = site
    for path in (
        "/truth.json",
        "/_headers.json",
        "/_data/zhaopin.jsonl",
        "/nope.html",
        "/boards/rencai/job/RC9999999.html",
        "/boards/rencai/list/list_9999.html",
        "/boards/rencai/list/list_1.html",
        "/stats/../truth.json",
    ):
        assert http.get(base_url + path).status_code == 404, path


def test_bulletin_listing_and_pages(site, http):
    base_url, truth, _ = site
    first = http.get(f"{base_url}/stats/tjgb/index.html")
    second = http.get(f"{base_url}/stats/tjgb/index_2.html")
    assert '<div class="pager"><a href="index_2.html">下一页</a></div>' in first.text
    assert "上一页" in second.text and "下一页" not in second.text
    links = {}
    for response in (first, second):
        for href, title in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a><span>\d{4}-\d{2}-\d{2}</span></li>', response.text
        ):
            links[title] = urljoin(response.url, href)
    bulletins = {
        title: url
        for title, url in links.items()
        if re.fullmatch(r"巴中市\d{4}年国民经济和社会发展统计公报", title)
    }
    assert sorted(bulletins) == [f"巴中市{year}年国民经济和社会发展统计公报" for year in range(2018, 2026)]
    assert len(links) > len(bulletins)  # noise items are mixed in
    assert all(http.get(url).status_code == 200 for url in links.values())

    page_2019 = http.get(bulletins["巴中市2019年国民经济和社会发展统计公报"])
    assert page_2019.headers["Content-Type"] == "text/html; charset=GB18030"
    assert b'<meta charset="gb2312">' in page_2019.content
    with pytest.raises(UnicodeDecodeError):
        page_2019.content.decode("utf-8")
    assert "三次产业结构为" in page_2019.content.decode("gb18030")
    assert "/" + page_2019.url.split("/", 3)[3] in truth["gb18030_paths"]

    page_2024 = http.get(bulletins["巴中市2024年国民经济和社会发展统计公报"])
    assert page_2024.headers["Content-Type"] == "text/html; charset=utf-8"
    text = page_2024.text
    for sentence in (
        "全年实现地区生产总值（GDP）870.51亿元，按不变价格计算，比上年增长6.3%。",
        "三次产业结构为22.3:20.0:57.7",
        "年末常住人口261.30万人",
        "常住人口城镇化率48.91%",
        "转移输出农村劳动力101.58万人，实现劳务收入291.83亿元",
        "、19.0%和67.2%",
        "中等职业教育在校学生",
    ):
        assert sentence in text
    for section in ("一、综合", "二、农业", "三、工业和建筑业", "十、人口、就业和社会保障"):
        assert f"<p><strong>{section}</strong></p>" in text
    assert truth["bulletins"]["indicators"]["2024"]["industry_structure"] == "22.3:20.0:57.7"


def test_every_bulletin_adds_up(site, http):
    base_url, truth, _ = site
    for year, path in truth["bulletins"]["paths"].items():
        content = http.get(base_url + path).content
        text = content.decode("gb18030" if path in truth["gb18030_paths"] else "utf-8")
        gdp = float(re.search(r"地区生产总值（GDP）([\d.]+)亿元", text)[1])
        sectors = [float(v) for v in re.findall(r"第[一二三]产业增加值([\d.]+)亿元", text)]
        assert abs(sum(sectors) - gdp) < 0.011, year
        structure = [float(v) for v in re.search(r"三次产业结构为([\d.]+):([\d.]+):([\d.]+)", text).groups()]
        assert abs(sum(structure) - 100) < 1e-6, year
        contributions = [
            float(v) for v in re.search(r"贡献率分别为([\d.]+)%、([\d.]+)%和([\d.]+)%", text).groups()
        ]
        assert abs(sum(contributions) - 100) < 1e-6, year
        population = re.search(
            r"年末常住人口([\d.]+)万人，其中城镇人口([\d.]+)万人，乡村人口([\d.]+)万人", text
        )
        assert abs(float(population[2]) + float(population[3]) - float(population[1])) < 0.011, year
        assert truth["bulletins"]["indicators"][year]["gdp"] == f"{gdp:.2f}"


def _read_export(name: str, content: bytes) -> list[list[str]]:
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        assert rows[0][0].endswith("届毕业生去向统计表")  # title row above the header
        return rows[1:]
    encoding = "gb18030" if name.startswith("tjzg_") else "utf-8-sig"
    if name.startswith("njxh_"):
        assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode(encoding))))


def test_school_exports_add_up(site, http):
    base_url, truth, _ = site
    index = http.get(f"{base_url}/schools/index.html")
    names = re.findall(r'<li><a href="files/([^"]+)">', index.text)
    assert len(names) == truth["schools"]["files"] == 30
    rows = graduates = 0
    for name in names:
        response = http.get(f"{base_url}/schools/files/{name}")
        assert response.status_code == 200
        if name.startswith("tjzg_"):
            assert response.headers["Content-Type"] == "text/csv; charset=GB18030"
            with pytest.raises(UnicodeDecodeError):
                response.content.decode("utf-8")
        table = _read_export(name, response.content)
        assert tuple(table[0]) == HEADER
        for row in table[1:]:
            record = dict(zip(HEADER, row, strict=True))
            assert re.fullmatch(r"\d{6}", record["专业代码"])
            counts = {
                key: int(record[key])
                for key in ("毕业生数", "就业人数", "升学人数", "参军人数", "待就业人数")
            }
            assert (
                counts["就业人数"] + counts["升学人数"] + counts["参军人数"] + counts["待就业人数"]
                == counts["毕业生数"]
            )
            for optional in ("对口就业人数", "本地就业人数"):
                if record[optional] != "":
                    assert 0 <= int(record[optional]) <= counts["就业人数"]
            rows += 1
            graduates += counts["毕业生数"]
    assert rows == truth["schools"]["rows"]
    assert graduates == truth["schools"]["graduates_total"]
