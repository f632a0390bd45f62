"""Precision and recall of the bulletin parser on the hand-checked fixtures.

    .venv/bin/python scripts/bulletin_parser_eval.py [FIXTURE_DIR]

Reads `tests/fixtures/bulletins/expected.json` (hand-checked values per fixture file), parses every
fixture with `extractors.bulletins.parse_bulletin_file` (what `talent bulletin parse` prints) and
scores one item per indicator: an extracted indicator is a true positive only when its value, unit
and the growth_pct / share_of_gdp_pct stated with it all equal the expected ones (a wrong value is
both a false positive and a false negative). Region and year are scored separately. Prints one line
per file and the totals.

Then the same for the real bulletin excerpts (`tests/fixtures/bulletins/real/`, published pages and
their mirrors, values checked by hand in its expected.json), scored finer: every value and every
growth_pct / share_of_gdp_pct stated with it is one item, so a missed growth rate costs recall, not
precision; a value in a fixture's `must_not` list (a part of the region's figure) is reported.

Exits 1 when the hand-written fixtures are below 1.0, when any real-excerpt value is wrong
(precision below 1.0) or when the real excerpts' recall drops below REAL_RECALL_FLOOR.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.bulletins import parse_bulletin_file  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "bulletins"
REAL = FIXTURES / "real"
ATTRIBUTES = ("value", "unit", "growth_pct", "share_of_gdp_pct")
# Measured on the 15 real excerpts when they were collected (docs/bulletins.md, "Measured").
REAL_RECALL_FLOOR = 0.95


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return a == b


def matches(got: dict, want: dict) -> bool:
    return all(_same(got.get(attr), want.get(attr)) for attr in ATTRIBUTES)


def score(fixture_dir: Path = FIXTURES) -> dict:
    """{"files": {name: {...}}, "tp", "fp", "fn", "precision", "recall", "region_year_ok"}."""
    expected = json.loads((fixture_dir / "expected.json").read_text(encoding="utf-8"))
    files, tp, fp, fn, place_ok = {}, 0, 0, 0, 0
    for name, want in sorted(expected.items()):
        if name.startswith("_"):
            continue
        got = parse_bulletin_file(fixture_dir / name)
        f_tp = [
            k
            for k, w in want["indicators"].items()
            if k in got["indicators"] and matches(got["indicators"][k], w)
        ]
        f_fp = [k for k in got["indicators"] if k not in f_tp]
        f_fn = [k for k in want["indicators"] if k not in f_tp]
        place = (got["region"], got["year"]) == (want["region"], want["year"])
        files[name] = {"tp": len(f_tp), "fp": f_fp, "fn": f_fn, "region_year_ok": place}
        tp, fp, fn, place_ok = tp + len(f_tp), fp + len(f_fp), fn + len(f_fn), place_ok + place
    return {
        "files": files,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "region_year_ok": f"{place_ok}/{len(files)}",
    }


def _items(indicators: dict) -> dict[str, object]:
    """{"gdp": 870.51, "gdp.growth_pct": 6.3, …}: one item per value and per attribute stated."""
    out = {}
    for key, ind in indicators.items():
        out[key] = (ind["value"], ind["unit"])
        for attr in ("growth_pct", "share_of_gdp_pct"):
            if ind.get(attr) is not None:
                out[f"{key}.{attr}"] = ind[attr]
    return out


def _same_item(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return _same(a[0], b[0]) and a[1] == b[1]
    return _same(a, b)


def score_real(fixture_dir: Path = REAL) -> dict:
    """Item-level scores on the real excerpts: {"files", "tp", "fp", "fn", "precision", "recall",
    "region_year_ok", "must_not_hits"}."""
    expected = json.loads((fixture_dir / "expected.json").read_text(encoding="utf-8"))
    files, tp, fp, fn, place_ok, hits = {}, 0, 0, 0, 0, []
    for name, want in sorted(expected.items()):
        if name.startswith("_"):
            continue
        got = parse_bulletin_file(fixture_dir / name)
        got_items, want_items = _items(got["indicators"]), _items(want["indicators"])
        f_tp = [k for k, v in want_items.items() if k in got_items and _same_item(got_items[k], v)]
        f_fp = [k for k in got_items if k not in f_tp]
        f_fn = [k for k in want_items if k not in f_tp]
        for bad in want.get("must_not", []):
            ind = got["indicators"].get(bad["key"])
            if ind is not None and _same(ind["value"], bad["value"]):
                hits.append(f"{name}: {bad['key']}={bad['value']}")
        place = (got["region"], got["year"]) == (want["region"], want["year"])
        files[name] = {"tp": len(f_tp), "fp": f_fp, "fn": f_fn, "region_year_ok": place}
        tp, fp, fn, place_ok = tp + len(f_tp), fp + len(f_fp), fn + len(f_fn), place_ok + place
    return {
        "files": files,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "region_year_ok": f"{place_ok}/{len(files)}",
        "must_not_hits": hits,
    }


def _print(result: dict) -> None:
    for name, f in result["files"].items():
        print(
            f"{name:40s} tp={f['tp']:3d} fp={len(f['fp'])} fn={len(f['fn'])} "
            f"region/year {'ok' if f['region_year_ok'] else 'WRONG'}"
            + (f"  fp: {', '.join(f['fp'])}" if f["fp"] else "")
            + (f"  fn: {', '.join(f['fn'])}" if f["fn"] else "")
        )
    print(
        f"TOTAL files={len(result['files'])} items={result['tp'] + result['fn']} tp={result['tp']} "
        f"fp={result['fp']} fn={result['fn']} precision={result['precision']:.4f} "
        f"recall={result['recall']:.4f} region/year={result['region_year_ok']}"
    )


def main(argv: list[str]) -> int:
    result = score(Path(argv[1]) if len(argv) > 1 else FIXTURES)
    print("# hand-written fixtures (tests/fixtures/bulletins)")
    _print(result)
    ok = result["precision"] == 1.0 and result["recall"] == 1.0
    if len(argv) <= 1:
        real = score_real()
        print("# real bulletin excerpts (tests/fixtures/bulletins/real), one item per value and per rate")
        _print(real)
        for hit in real["must_not_hits"]:
            print(f"MUST-NOT value read: {hit}")
        print(f"REAL precision={real['precision']:.4f} recall={real['recall']:.4f} floor={REAL_RECALL_FLOOR}")
        ok = ok and real["precision"] == 1.0 and real["recall"] >= REAL_RECALL_FLOOR
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
