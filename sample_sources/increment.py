"""One more day on a generated sample site: `append_day(site_dir, ads)` adds `ads` job items posted on
the day after the site's last posting date, as a board gets them between two daily crawls.

The day is drawn the way the generator draws a month (sample_sources/postings.py, same employers,
titles, shares of malformed items, cross-board copies and reposts), squeezed into one day:

- new ads go on zhaopin, rencai or both, with same-day reposts, as `PostingWriter._placements`
  places them in a month (a cross-board copy goes up within three hours instead of three days);
- a share of the day's items are reposts of ads the board showed in the week before, the share of
  repost items in the site (truth `repost_items`). Only copies whose text is the ad's own (no
  variant) are reposted, so the ad's identity is known; the repost is varied as the generator
  varies copies. A repost in the ad's own month is the same ad in the truth; in a later month it is
  a new vacancy there, as the truth counts ads (title + company + county + month).

Items are appended to `_data/zhaopin.jsonl`, `_data/rencai.jsonl` (ids and dates ascending, as the
server requires; it indexes the files when it starts, so a restarted server serves the day) and
`_data/postings_truth.jsonl`; truth.json's postings counts are updated and the day is recorded
under `postings.increments`. Same site and arguments, same bytes: the draws come from
random.Random seeded with the site's seed and the day.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random
from types import SimpleNamespace

from sample_sources.postings import (
    _HOURS,
    _REPOSTS,
    _VARIANT,
    MALFORMED_REASONS,
    MALFORMED_SHARE,
    PostingWriter,
)

BOARDS = ("zhaopin", "rencai")
RECENT_DAYS = 7  # reposts copy ads the board showed this many days before the new day
DAY = 86400
# Which fields of a board's item hold what a copy may vary, and its id and date.
FIELDS = {
    "zhaopin": {"title": "job_title", "company": "company_name", "description": "job_desc"},
    "rencai": {"title": "title", "company": "company", "description": "description"},
}


def _read_back(path: Path, keep) -> list[bytes]:
    """Lines from the end of `path` back to the first for which `keep(line)` is false, in file order.
    The data files are sorted by date, so the recent days are read without reading the years."""
    lines: list[bytes] = []
    with open(path, "rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        rest = b""
        while position > 0:
            step = min(1 << 20, position)
            position -= step
            handle.seek(position)
            block = handle.read(step) + rest
            parts = block.split(b"\n")
            rest = parts[0] if position > 0 else b""
            whole = parts[1:] if position > 0 else parts
            for line in reversed(whole):
                if not line:
                    continue
                if not keep(line):
                    lines.reverse()
                    return lines
                lines.append(line)
    lines.reverse()
    return lines


def _last_line(path: Path) -> list[bytes]:
    taken: list[bytes] = []

    def first_only(line: bytes) -> bool:
        taken.append(line)
        return len(taken) == 1

    return _read_back(path, first_only)


def _month_of(line: bytes) -> str:
    start = line.index(b'"month": "') + 10
    return line[start : start + 7].decode()


def append_day(site_dir: str | Path, ads: int = 10_000) -> dict:
    """Append `ads` items posted on the day after the site's last posting; return what was added."""
    if ads < 1:
        raise ValueError("ads must be >= 1")
    site = Path(site_dir)
    data = site / "_data"
    truth = json.loads((site / "truth.json").read_text(encoding="utf-8"))
    postings = truth["postings"]

    tails = {board: _last_line(data / f"{board}.jsonl") for board in BOARDS}
    last_day = max(date.fromisoformat(_iso(t[0][:8].decode())) for t in tails.values() if t)
    day = last_day + timedelta(days=1)
    month = f"{day:%Y-%m}"
    cutoff = min(day - timedelta(days=RECENT_DAYS), day.replace(day=1))
    cutoff_key = int(f"{cutoff:%Y%m%d}")
    recent = {
        board: _read_back(data / f"{board}.jsonl", lambda line: int(line[:8]) >= cutoff_key)
        for board in BOARDS
    }
    truth_tail = _read_back(data / "postings_truth.jsonl", lambda line: _month_of(line) >= f"{cutoff:%Y-%m}")
    truths = {item["id"]: item for item in map(json.loads, truth_tail)}
    next_ad = 1 + max(
        (item["ad"] for item in truths.values()), default=_max_ad(data / "postings_truth.jsonl")
    )

    writer = PostingWriter(site, truth["seed"], truth["postings_requested"], truth["end_month"])
    rng = writer.rng = Random(f"{truth['seed']}:increment:{day}")
    companies = {c.name: c for pool in (*writer.inside.values(), *writer.outside.values()) for c in pool}
    numbers = {board: int(tails[board][0].split(b"\t")[1][2:]) if tails[board] else 0 for board in BOARDS}
    writer.zhaopin_next, writer.rencai_next = numbers["zhaopin"] or 10_000, numbers["rencai"] or 2_000

    # Ads of the new day's month already on the site (identity -> truth ad id), and the week's
    # verbatim items that may be reposted.
    identities: dict[tuple[str, str, str], int] = {}
    sources: dict[str, list[tuple[dict, dict]]] = {board: [] for board in BOARDS}
    week = int(f"{day - timedelta(days=RECENT_DAYS):%Y%m%d}")
    for board in BOARDS:
        names = FIELDS[board]
        for line in recent[board]:
            _, item_id, raw = line.decode("utf-8").split("\t", 2)
            item = truths.get(item_id)
            if item is None or item["malformed"] or item["variant"]:
                continue
            record = json.loads(raw)
            identity = (record[names["title"]], record[names["company"]], item["county"])
            if item["month"] == month:
                identities.setdefault(identity, item["ad"])
            if int(line[:8]) >= week and record[names["company"]] in companies:
                sources[board].append((record, item))

    items_total = postings["zhaopin"] + postings["rencai"]
    repost_share = postings["repost_items"] / items_total if items_total else 0.0
    row = writer._weights()[-1]
    industries, industry_cum = list(row), list(accumulate(row.values()))
    year_index = _months_between(truth["postings"]["months"][0], month) / 12

    # (board, second of the day, sequence, kind, payload): kind "ad" renders an Ad, "copy" a record.
    items: list[tuple] = []
    new_identities = {"total": 0, "in_region": 0}
    stats = {"cross_board_ads": 0, "repost_items": 0}
    variants: dict[str, int] = {}
    remaining = ads
    while remaining > 0:
        board = rng.choice(BOARDS)
        if sources[board] and rng.random() < repost_share:
            record, item = rng.choice(sources[board])
            variant = _VARIANT.pick(rng)
            second = _HOURS.pick(rng) * 3600 + rng.randrange(3600)
            items.append((board, second, len(items), "copy", (record, item, variant)))
            stats["repost_items"] += 1
            if variant:
                variants[variant] = variants.get(variant, 0) + 1
            remaining -= 1
            continue
        industry = rng.choices(industries, cum_weights=industry_cum)[0]
        ad = writer._ad(industry, year_index)
        if rng.random() < MALFORMED_SHARE:
            board = rng.choice(BOARDS)
            second = _HOURS.pick(rng) * 3600 + rng.randrange(3600)
            reason = rng.choice(MALFORMED_REASONS[board])
            items.append((board, second, len(items), "ad", (ad, reason, "")))
            remaining -= 1
            continue
        placed = _day_placements(rng)[:remaining]
        remaining -= len(placed)
        if len({board for board, _ in placed}) == 2:
            stats["cross_board_ads"] += 1
        stats["repost_items"] += len(placed) - len({board for board, _ in placed})
        for number, (board, second) in enumerate(placed):
            variant = _VARIANT.pick(rng) if number else ""
            if variant:
                variants[variant] = variants.get(variant, 0) + 1
            items.append((board, second, len(items), "ad", (ad, "", variant)))

    items.sort(key=lambda entry: (entry[1], entry[2]))
    start = datetime(day.year, day.month, day.day)
    malformed = postings["malformed"]
    added = {board: [] for board in BOARDS}
    with (
        open(data / "zhaopin.jsonl", "a", encoding="utf-8", newline="\n") as zhaopin_file,
        open(data / "rencai.jsonl", "a", encoding="utf-8", newline="\n") as rencai_file,
        open(data / "postings_truth.jsonl", "a", encoding="utf-8", newline="\n") as truth_file,
    ):
        files = {"zhaopin": zhaopin_file, "rencai": rencai_file}
        for board, second, _seq, kind, payload in items:
            if board == "zhaopin":
                writer.zhaopin_next += rng.choice((1, 1, 1, 2, 3))
                item_id = f"ZP{writer.zhaopin_next:08d}"
            else:
                writer.rencai_next += rng.choice((1, 1, 1, 2, 3))
                item_id = f"RC{writer.rencai_next:07d}"
            moment = start + timedelta(seconds=second)
            reason = ""
            if kind == "copy":
                source_record, source, variant = payload
                names = FIELDS[board]
                # the source is the ad's own text (no variant), so it names the ad's identity
                identity = (source_record[names["title"]], source_record[names["company"]], source["county"])
                record = _repost(writer, board, source_record, companies, item_id, moment, variant)
                county, in_region = source["county"], source["in_region"]
            else:
                ad, reason, variant = payload
                record = writer._render(board, item_id, ad, moment, reason, variant)
                county, in_region = ad.county, ad.in_region
                identity = (ad.title, ad.company.name, ad.county)
            if reason:
                ad_id = -1 - sum(m["count"] for m in malformed.values())
                malformed[board]["count"] += 1
                malformed[board]["ids"].append(item_id)
                malformed[board]["by_reason"][reason] = malformed[board]["by_reason"].get(reason, 0) + 1
            else:
                # an ad of this month already on the site keeps its id; an earlier month's ad
                # posted again is a vacancy of this month, as the truth counts them
                ad_id = identities.get(identity)
                if ad_id is None:
                    ad_id = identities[identity] = next_ad
                    next_ad += 1
                    new_identities["total"] += 1
                    new_identities["in_region"] += in_region
            truth_line = {
                "id": item_id,
                "board": board,
                "ad": ad_id,
                "month": month,
                "county": county,
                "in_region": in_region,
                "variant": variant,
                "malformed": reason,
            }
            truth_file.write(json.dumps(truth_line, ensure_ascii=False, sort_keys=True) + "\n")
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            files[board].write(f"{moment:%Y%m%d}\t{item_id}\t{line}\n")
            added[board].append(item_id)

    for board in BOARDS:
        postings[board] += len(added[board])
        malformed[board]["by_reason"] = dict(sorted(malformed[board]["by_reason"].items()))
    postings["unique_total"] += new_identities["total"]
    postings["unique_in_region"] += new_identities["in_region"]
    by_month = postings["unique_in_region_by_month"]
    by_month[month] = by_month.get(month, 0) + new_identities["in_region"]
    postings["months"][1] = max(postings["months"][1], month)
    postings["cross_board_ads"] += stats["cross_board_ads"]
    postings["repost_items"] += stats["repost_items"]
    for variant, count in variants.items():
        postings["copy_variants"][variant] = postings["copy_variants"].get(variant, 0) + count
    postings["copy_variants"] = dict(sorted(postings["copy_variants"].items()))
    summary = {"day": day.isoformat(), "items": ads, **{board: len(added[board]) for board in BOARDS}}
    postings.setdefault("increments", []).append(summary)
    (site / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {**summary, "ids": added, "new_ads": new_identities["total"], **stats}


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


def _months_between(first: str, month: str) -> int:
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, month.split("-")))
    return (y1 * 12 + m1) - (y0 * 12 + m0)


def _max_ad(truth_file: Path) -> int:
    """The largest ad id in the truth file (a site whose recent weeks hold no ad at all)."""
    best = -1
    with open(truth_file, encoding="utf-8") as handle:
        for line in handle:
            best = max(best, json.loads(line)["ad"])
    return best


def _day_placements(rng: Random) -> list[tuple[str, int]]:
    """`PostingWriter._placements` within one day: [(board, second of the day), ...]."""
    first = _HOURS.pick(rng) * 3600 + rng.randrange(3600)
    pick = rng.random()
    boards = ("zhaopin",) if pick < 0.5 else ("rencai",) if pick < 0.85 else ("zhaopin", "rencai")
    placed = []
    for number, board in enumerate(boards):
        start = first if number == 0 else min(max(0, first + rng.randint(-3 * 3600, 3 * 3600)), DAY - 1)
        placed.append((board, start))
        when = start
        for _ in range(_REPOSTS.pick(rng)):
            when = rng.randint(min(when + 3600, DAY - 1), DAY - 1)
            placed.append((board, when))
    return placed


def _repost(writer, board, record, companies, item_id, moment, variant) -> dict:
    """An earlier item of `board` posted again as `item_id` at `moment`, varied as copies are."""
    names = FIELDS[board]
    ad = SimpleNamespace(
        title=record[names["title"]],
        company=companies[record[names["company"]]],
        description=record[names["description"]],
    )
    title, company, description = writer._vary(ad, variant)
    copy = dict(record)
    copy[names["title"]], copy[names["company"]], copy[names["description"]] = title, company, description
    if board == "zhaopin":
        copy["job_id"] = item_id
        copy["publish_time"] = f"{moment:%Y-%m-%d %H:%M:%S}"
        copy["detail_url"] = record["detail_url"].rsplit("/", 1)[0] + "/" + item_id
    else:
        copy["id"] = item_id
        copy["date"] = f"{moment:%Y-%m-%d}"
    return copy
