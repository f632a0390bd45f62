"""`talent dashboard` (the 数据驾驶舱) in a real browser, on a warehouse built by a real `talent run`.

The module builds a small warehouse (sample seed 7, 400 postings) with its published snapshot, then
moves the pipeline's own `talent.duckdb` away, so the dashboard can only work from the snapshot and
files. It starts `talent dashboard --port <free>` as a subprocess and drives it with headless
Chromium through Selenium and Debian's chromedriver: the Chinese title shows, the charts draw with
data, every request stays on 127.0.0.1, changing the county and industry filters changes the numbers
to what the snapshot says, and the page paints within 2 s. A screenshot is kept (path printed;
TALENT_DASHBOARD_SHOT chooses it) for a human to look at.

Skipped only when Chromium or chromedriver is absent on a developer machine; in CI a missing browser
fails (`make browser` installs both)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
TITLE = "巴中市重点产业人才数据驾驶舱"
CHARTS = ("chart-industry", "chart-county", "chart-forecast", "chart-majors")
FIRST_PAINT_BUDGET_MS = 2000

browser_missing = None
if CHROMIUM is None or CHROMEDRIVER is None:
    browser_missing = "chromium and chromedriver are needed: `make browser` (as root) installs them"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {browser_missing}", pytrace=False)
needs_browser = pytest.mark.skipif(browser_missing is not None, reason=browser_missing or "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, sample_port: int | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "TALENT_WAREHOUSE_DIR": str(home / "warehouse"),
        "TALENT_AIRFLOW_HOME": str(home / "airflow"),
    }
    if sample_port:
        env["TALENT_SAMPLE_PORT"] = str(sample_port)
    env.pop("TALENT_DUCKDB_PATH", None)
    env.pop("TALENT_SOURCE_BASE_URL", None)
    return env


TALENT = str(Path(sys.executable).with_name("talent"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The session's warehouse built by `talent run` (shared with the serving tests), copied without
    the pipeline's DuckDB file: the dashboard must work from the snapshot alone."""
    if browser_missing:
        pytest.skip(browser_missing)
    from serving_support import built_warehouse

    built = built_warehouse(tmp_path_factory)
    home = tmp_path_factory.mktemp("dashboard")
    shutil.copytree(
        built.warehouse,
        home / "warehouse",
        symlinks=True,
        ignore=lambda folder, names: [
            n
            for n in names
            if Path(folder) == built.warehouse and (n.startswith("talent.duckdb") or n == "sample_site")
        ],
    )
    wh = home / "warehouse"
    assert (wh / "serving" / "talent.duckdb").exists(), "talent run published no snapshot"
    assert not (wh / "talent.duckdb").exists()
    return home


@pytest.fixture(scope="module")
def dashboard(warehouse: Path):
    port = free_port()
    log = (warehouse / "dashboard.log").open("w")
    proc = subprocess.Popen(
        [TALENT, "dashboard", "--port", str(port)],
        env=_env(warehouse),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start:\n{(warehouse / 'dashboard.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1440,2300",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def snapshot(home: Path) -> duckdb.DuckDBPyConnection:
    link = home / "warehouse" / "serving" / "talent.duckdb"
    return duckdb.connect(str(link.resolve()), read_only=True)


def expected_postings(home: Path, county: str = "", industry: str = "", months: int = 12) -> int:
    """The KPI's value computed straight from the snapshot, independently of the dashboard's code."""
    with snapshot(home) as con:
        rows = con.execute(
            "select month, county, industry, postings from marts.talent_demand_monthly"
        ).fetchall()
    latest = max(r[0] for r in rows)
    index = latest.year * 12 + latest.month

    def in_window(month) -> bool:
        return not months or index - (month.year * 12 + month.month) < months

    return sum(
        int(p)
        for m, c, i, p in rows
        if in_window(m) and (not county or c == county) and (not industry or i == industry)
    )


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def wait_drawn(driver, timeout: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(
            "return arguments[0].every(id => { const g = document.querySelector('#' + id + ' .js-plotly-plot');"
            " return g && g.data && g.data.length > 0 && g.querySelector('svg.main-svg'); })",
            list(CHARTS),
        )
    )


def kpi(driver) -> int:
    from selenium.webdriver.common.by import By

    return _number(driver.find_element(By.ID, "kpi-postings").text)


def choose(driver, dropdown_id: str, option_text: str, expected: int) -> int:
    """Pick an option of a Dash dropdown by its text; wait for the headline number to update."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, dropdown_id).click()
    options = WebDriverWait(driver, 10).until(
        lambda d: [
            o for o in d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option") if o.text == option_text
        ]
    )
    options[0].click()
    try:
        WebDriverWait(driver, 20).until(lambda d: kpi(d) == expected)
    except TimeoutException:
        pass  # the assertion after it says what was shown instead
    return kpi(driver)


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.e2e
@needs_browser
def test_page_draws_in_chinese_from_local_files_only(dashboard, warehouse, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(dashboard)
    wait_drawn(browser)
    drawn_ms = browser.execute_script("return performance.now()")
    assert browser.find_element(By.ID, "title").text == TITLE
    assert browser.title == TITLE
    assert kpi(browser) == expected_postings(warehouse)

    # Every chart has data traces drawn as SVG: bars, the forecast's two bands, history and points.
    counts = browser.execute_script(
        "return Object.fromEntries(arguments[0].map(id => [id,"
        " document.querySelectorAll('#' + id + ' .main-svg .trace').length]))",
        list(CHARTS),
    )
    assert all(n > 0 for n in counts.values()), counts
    assert counts["chart-forecast"] >= 4, counts
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-industry .bars .point path")
    text = browser.find_element(By.TAG_NAME, "body").text
    for heading in (
        "各产业招聘需求",
        "需求预测",
        "95% 预测区间",
        "紧缺职业榜",
        "毕业生与岗位需求",
        "数据时效与质量",
    ):
        assert heading in text
    assert "文旅康养（1+3）" in text  # the 1+3 industries are marked in the legend
    assert browser.find_elements(By.CSS_SELECTOR, "#shortage-rows tbody tr")
    assert "巴中招聘网" in browser.find_element(By.ID, "table-quality").text
    assert "Loading" not in text and "Updating" not in browser.title

    # Offline: every request went to this server (scripts, styles, fonts, data), none to a CDN.
    urls = [u for u in requested_urls(browser) if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]
    assert urls, "the performance log recorded no requests"
    foreign = [u for u in urls if not u.startswith(dashboard)]
    assert not foreign, foreign
    sources = browser.execute_script(
        "return [...document.querySelectorAll('script[src], link[href]')].map(e => e.src || e.href)"
    )
    assert all(s.startswith(dashboard) for s in sources), sources

    paint = browser.execute_script(
        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null"
    )
    print(
        f"\ndashboard first contentful paint {paint:.0f} ms, charts drawn {drawn_ms:.0f} ms after navigation"
    )
    assert paint is not None and paint < FIRST_PAINT_BUDGET_MS

    shot = Path(os.environ.get("TALENT_DASHBOARD_SHOT") or tmp_path / "dashboard.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")


@pytest.mark.e2e
@needs_browser
def test_filters_change_the_numbers_to_what_the_snapshot_says(dashboard, warehouse, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(dashboard)
    wait_drawn(browser)
    city = kpi(browser)

    county = "通江县"
    expected = expected_postings(warehouse, county=county)
    in_county = choose(browser, "filter-county", county, expected)
    assert in_county == expected
    assert 0 < in_county < city
    WebDriverWait(browser, 10).until(
        lambda d: f"县区：{county}" in d.find_element(By.ID, "sub-forecast").text
    )

    industry = "生物医药"
    expected = expected_postings(warehouse, county=county, industry=industry)
    assert choose(browser, "filter-industry", f"{industry}（1+3 主导产业）", expected) == expected
    WebDriverWait(browser, 10).until(
        lambda d: f"产业：{industry}" in d.find_element(By.ID, "sub-forecast").text
    )
    industries = {
        row.find_elements(By.TAG_NAME, "td")[2].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#shortage-rows tbody tr")
    }
    assert industries <= {industry}

    # The period filter is a plain radio button: all months instead of the last 12.
    expected = expected_postings(warehouse, county=county, industry=industry, months=0)
    browser.find_element(By.XPATH, "//label[contains(., '全部月份')]").click()
    WebDriverWait(browser, 20).until(lambda d: "全部月份" in d.find_element(By.ID, "sub-industry").text)
    assert kpi(browser) == expected


@pytest.mark.e2e
@needs_browser
def test_the_latest_report_is_served_and_linked(dashboard, warehouse, browser):
    from selenium.webdriver.common.by import By

    browser.get(dashboard)
    link = browser.find_element(By.LINK_TEXT, "最新月度报告").get_attribute("href")
    with urllib.request.urlopen(link, timeout=10) as response:
        html = response.read().decode("utf-8")
    reports = sorted((warehouse / "warehouse" / "reports").glob("*/latest/report.html"))
    assert reports and html == reports[-1].read_text(encoding="utf-8")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(dashboard + "report/latest/../../../serving/current.json", timeout=10)
    assert missing.value.code == 404


def test_without_a_snapshot_the_page_says_so_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("TALENT_DUCKDB_PATH", raising=False)
    from talent.dashboard.app import create_app

    client = create_app().server.test_client()
    page = client.get("/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f"<title>{TITLE}</title>" in body and 'lang="zh-CN"' in body
    # Every script, stylesheet and icon the page names is served here (the browser test also checks
    # the requests actually made). Dash's config names its version-check URL, used only in debug mode.
    linked = re.findall(r'(?:src|href)="([^"]*)"', body)
    assert linked and all(url.startswith("/") for url in linked), linked
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "暂无可展示的数据" in layout and "talent run" in layout
