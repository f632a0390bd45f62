"""Reference data the school extractor checks exports against: the 2021 职业教育专业目录 majors,
the old → new code mapping, and the schools. One source of truth: they are read from the dbt seeds
(`dbt_project/seeds/*.csv`), the same files the warehouse joins on, so a major added to the seed is
known to the extractor and to the marts at once.

`resolve_major(code, name, level)` turns what a school wrote into a 2021 code:
- a code in `majors.csv` is taken as it is;
- a pre-2021 code in `major_code_changes.csv` becomes its 2021 code (the reported code is kept);
- no code: the name decides when it names exactly one major (at the school's level when known; old
  names count too: 学前教育 → 幼儿保育);
- anything else is an error the caller quarantines: a malformed code, or a well-formed code in
  neither table (the seed must learn it before its graduates can be counted)."""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"


@dataclass(frozen=True)
class MajorMatch:
    major_code: str | None  # the 2021 code, None when unresolved
    reported: str | None  # the code as the school wrote it, when it differs from major_code
    error: str | None


@dataclass(frozen=True)
class Catalogue:
    majors: dict[str, tuple[str, str]]  # 2021 code -> (name, level)
    old_codes: dict[str, str]  # old code -> 2021 code
    names: dict[str, tuple[str, ...]]  # normalised name (2021 or old) -> 2021 codes
    schools: dict[str, str]  # school name -> level (高职/中职)

    def level_of(self, school: str | None) -> str | None:
        return self.schools.get(school or "")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _read(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def load_catalogue(seeds_dir: str | None = None) -> Catalogue:
    """The catalogue from the seed CSVs (cached; `TALENT_SEEDS_DIR` points elsewhere if needed)."""
    folder = Path(seeds_dir or os.environ.get("TALENT_SEEDS_DIR") or SEEDS_DIR)
    majors = {r["major_code"]: (r["major_name"], r["level"]) for r in _read("majors.csv", folder)}
    changes = _read("major_code_changes.csv", folder)
    old_codes = {r["old_code"]: r["major_code"] for r in changes}
    names: dict[str, set[str]] = {}
    for code, (name, _level) in majors.items():
        names.setdefault(_norm(name), set()).add(code)
    for row in changes:
        names.setdefault(_norm(row["old_name"]), set()).add(row["major_code"])
    schools = {r["name"]: r["level"] for r in _read("schools.csv", folder)}
    return Catalogue(
        majors=majors,
        old_codes=old_codes,
        names={k: tuple(sorted(v)) for k, v in names.items()},
        schools=schools,
    )


def resolve_major(
    code: str | None, name: str | None, level: str | None = None, catalogue: Catalogue | None = None
) -> MajorMatch:
    cat = catalogue or load_catalogue()
    if code:
        if not re.fullmatch(r"\d{6}", code):
            return MajorMatch(None, code, f"major_code {code!r} is not a 6-digit code")
        if code in cat.majors:
            return MajorMatch(code, None, None)
        if code in cat.old_codes:
            return MajorMatch(cat.old_codes[code], code, None)
        return MajorMatch(
            None,
            code,
            f"major_code {code} is in neither the 2021 专业目录 seed (majors.csv) nor the old→new "
            "mapping (major_code_changes.csv)",
        )
    if not name:
        return MajorMatch(None, None, "major_code is missing and there is no major name")
    candidates = cat.names.get(_norm(name), ())
    if level and len(candidates) > 1:
        candidates = tuple(c for c in candidates if cat.majors[c][1] == level)
    if len(candidates) == 1:
        return MajorMatch(candidates[0], None, None)
    if not candidates:
        return MajorMatch(None, None, f"major_code is missing and {name!r} names no major in the catalogue")
    return MajorMatch(
        None, None, f"major_code is missing and {name!r} names several majors ({', '.join(candidates)})"
    )
