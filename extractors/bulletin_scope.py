"""Whose figure is it? Binding each value of a bulletin to the subject it is stated for.

A bulletin states the whole region's figures and, beside them, the same measures for parts of it:
"全年民营经济增加值…。其中，第二产业增加值X亿元" is the private economy's secondary industry, not
the region's; "区本级地区生产总值…" leaves out two towns; "分区域看，成都平原经济区地区生产总值…"
is one part of the province. Only the whole region's figures may fill the catalogue, so every
value is read together with its scope:

- text is cut into sentences (after 。！？ and at line breaks) and those into clauses (after ；;),
  the unit the parser's rules work on;
- a sentence's scope comes from its subject, the words before its first figure (after the last
  comma: "在规模以上工业带动下，全年地区生产总值…" is the whole region's);
- a sentence that opens with 其中, or has no subject of its own ("民营经济发展势头良好。实现增加值
  34.7亿元…"), inherits the scope of the sentence before it; with no sentence before it in its
  section its scope is unclear and its values are left out;
- a value whose own subject names a scope ("城镇居民人均可支配收入", "区本级民营经济增加值") has that
  scope, else the sentence's.

`scope_problem` says why a value cannot fill a key (a sub-scope other than the key's own, an
unclear scope, a 全市 figure in a county bulletin), or None when it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.textnorm import normalise

WHOLE: frozenset[str] = frozenset()

SCOPE_MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("private_economy", re.compile(r"民营经济|民营企业|私营")),
    ("non_public_economy", re.compile(r"非公有制|非公经济")),
    ("above_designated_size", re.compile(r"规模以上|规上|限额以上|限上")),
    ("local_level", re.compile(r"本级")),
    (
        "sub_region",
        re.compile(r"经济区|经济圈|开发区|经开区|高新区|园区|示范区|城区|市区|县城|乡镇|街道"),
    ),
    ("urban_residents", re.compile(r"城镇(?:常住)?居民|城市居民")),
    ("rural_residents", re.compile(r"(?:农村|乡村)(?:常住)?居民")),
)
# Keys whose subject is itself a part of the region: their own scope is not a sub-scope.
OWN_SCOPE = {
    "private_economy_value_added": "private_economy",
    "per_capita_disposable_income_urban": "urban_residents",
    "per_capita_disposable_income_rural": "rural_residents",
}

_QIZHONG = re.compile(r"^[,:]*其中[,:]?")
# A sentence's first figure; a year, month or day is a date, not a figure.
_FIRST_FIGURE = re.compile(r"\d+(?:\.\d+)?(?![\d.]*[年月日])")
# "实现增加值34.7亿元": a sentence that continues the previous one's subject.
_SUBJECTLESS = re.compile(
    r"^(?:全年|年末|初步统计|初步核算|据统计)*(?:实现|完成|达到|达|共|累计)?(?:增加值|总量|总额)?(?:为|达到|达)?$"
)
_LEVEL = re.compile(r"全(省|市|县|区|州)")
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?])")
_CLAUSE_SPLIT = re.compile(r"(?<=[；;])")
_HEADING_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、[\u4e00-\u9fff、和与及]{1,24}$")


@dataclass
class Clause:
    """One clause: as published (`text`) and normalised (`norm`), with its section heading, the
    normalised text of its sentence before it (`prefix`) and its sentence's scope."""

    text: str
    norm: str
    section: str | None
    index: int
    prefix: str = ""
    scope: frozenset[str] = WHOLE
    inherited: bool = False
    unclear: str | None = None


def markers(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in SCOPE_MARKERS if pattern.search(text))


def _subject_tail(norm: str) -> tuple[str, bool]:
    """(subject words after the last comma, whether the sentence states a figure)."""
    m = _FIRST_FIGURE.search(norm)
    subject = norm[: m.start()] if m else norm
    return re.split(r"[,:]", _QIZHONG.sub("", subject))[-1], m is not None


def build_clauses(text: str) -> tuple[list[Clause], list[str]]:
    """(clauses of `text` with their scopes, section headings in order)."""
    clauses: list[Clause] = []
    headings: list[str] = []
    section = None
    previous: frozenset[str] | None = None  # scope of the previous sentence in this section
    for line in (text or "").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        norm_line = normalise(stripped)
        if _HEADING_RE.match(norm_line):
            section = norm_line
            if norm_line not in headings:
                headings.append(norm_line)
            previous = None
            continue
        for sentence in _SENTENCE_SPLIT.split(stripped):
            if not sentence.strip():
                continue
            norm_sentence = normalise(sentence)
            tail, has_figure = _subject_tail(norm_sentence)
            inherits = bool(_QIZHONG.match(norm_sentence)) or (has_figure and bool(_SUBJECTLESS.match(tail)))
            unclear = None
            if inherits and previous is None:
                scope, unclear = WHOLE, "其中/subject-less sentence with no sentence before it to qualify"
            elif inherits:
                scope = previous
            else:
                scope = markers(tail)
            previous = scope
            prefix = ""
            for part in _CLAUSE_SPLIT.split(sentence):
                if not part.strip():
                    continue
                norm = normalise(part)
                clauses.append(
                    Clause(part.strip(), norm, section, len(clauses), prefix, scope, inherits, unclear)
                )
                prefix += norm
    return clauses, headings


def scope_problem(clause: Clause, key: str, start: int, anchor_end: int, region: str | None) -> str | None:
    """Why the value whose subject is clause.norm[start:anchor_end] cannot fill `key`, or None."""
    before = _QIZHONG.sub("", re.split(r"[,:]", clause.norm[:start])[-1])
    subject = before + clause.norm[start:anchor_end]
    own = markers(subject)
    if own:
        scope = own | (clause.scope if clause.inherited else WHOLE)
    elif clause.unclear:
        return f"scope unclear: {clause.unclear}"
    else:
        scope = clause.scope
    extra = scope - {OWN_SCOPE.get(key)}
    if extra:
        how = (
            "inherited from the sentence it qualifies"
            if clause.inherited and not own
            else "named in its subject"
        )
        return f"sub-scope {'+'.join(sorted(extra))} ({how})"
    level = _LEVEL.search(subject)
    if level and region and not region.endswith(level.group(1)):
        return f"subject {level.group(0)} is not the bulletin's region {region}"
    return None
