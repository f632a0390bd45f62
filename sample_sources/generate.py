"""Write the sample site: statistics bulletins, two job boards' data, school exports, truth.json.

The site stands in for the real world in demos and tests, so it is deliberately imperfect in
the ways real sources are (a legacy-encoded page, mixed link styles, noise in listings, reposts
and cross-posts, contact details in ads, rows a validator must reject, files in three encodings)
and it ships its own answer key, `truth.json`, for tests to check the pipeline against.

Same arguments, same bytes: every random draw comes from random.Random seeded with the seed and
a section name, files are written in a fixed order, and nothing records the time of generation.

Layout of DIR (the server maps URLs onto it; see sample_sources.server):
    index.html, stats/…, schools/…     static pages and files, served as they are
    _inbox/schools/…                   school files sent by hand (not served; `talent run` copies
                                       them into the warehouse inbox)
    _data/zhaopin.jsonl, _data/rencai.jsonl   job items the server answers from
    _headers.json                      Content-Type for files that are not UTF-8
    truth.json                         the answer key (not served)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sample_sources.bulletins import write_bulletins
from sample_sources.postings import month_list, write_postings
from sample_sources.schools import write_schools

# What generate_site owns inside DIR; removed first so a re-run leaves no stale files behind.
OWNED = (
    "stats",
    "mirror",
    "schools",
    "boards",
    "_data",
    "_inbox",
    "index.html",
    "_headers.json",
    "truth.json",
)


def _front_page() -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>巴中人才数据样例站点</title>\n</head>\n<body>\n"
        "<h1>巴中人才数据样例站点</h1>\n"
        "<p>本站为演示和测试生成的模拟数据，不代表真实招聘信息。</p>\n<ul>\n"
        '<li><a href="/stats/tjgb/index.html">巴中市统计局 · 统计公报</a></li>\n'
        '<li><a href="/boards/zhaopin/api/v1/jobs?limit=20">巴中招聘网 · 职位接口</a></li>\n'
        '<li><a href="/boards/rencai/list/index.html">巴山人才网 · 最新职位</a></li>\n'
        '<li><a href="/schools/index.html">职业院校毕业生去向数据</a></li>\n'
        "</ul>\n</body>\n</html>\n"
    ).encode()


def generate_site(
    out_dir: str | Path, seed: int = 42, postings: int = 3000, end_month: str = "2026-10"
) -> dict:
    """Write the whole site into `out_dir` and return the truth (also written to truth.json).

    `postings` is the number of job items over both boards, reposts and cross-posts included;
    they cover `end_month` and the 35 months before it.
    """
    month_list(end_month)  # fail before touching the folder
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()

    site: dict[str, bytes] = {"/index.html": _front_page()}
    headers: dict[str, str] = {}
    bulletins = write_bulletins(site, seed)
    for path in bulletins["gb18030_paths"]:
        headers[path] = "text/html; charset=GB18030"
    schools = write_schools(site, headers, seed)
    for path in sorted(site):
        target = out / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(site[path])
    (out / "_headers.json").write_text(
        json.dumps(dict(sorted(headers.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    posting_truth = write_postings(out, seed, postings, end_month)

    truth = {
        "seed": seed,
        "end_month": end_month,
        "postings_requested": postings,
        "bulletin_years": bulletins["bulletin_years"],
        "gb18030_paths": sorted(bulletins["gb18030_paths"] + schools.pop("gb18030_paths")),
        "bulletins": {
            "paths": bulletins["bulletin_paths"],
            "listing_pages": bulletins["listing_pages"],
            "indicators": bulletins["bulletin_indicators"],
            **bulletins["truth_extra"],
        },
        "postings": posting_truth,
        "schools": schools,
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return truth
