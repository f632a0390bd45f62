"""Text and number normalisation for Chinese statistical prose (统计公报 and their mirrors).

Bulletins reach us typed by hand in a CMS, re-posted by mirrors, or converted from Word: digits and
punctuation come full-width (８７０．５１，％), stray spaces sit inside numbers and words ("综 合",
"870. 51"), and mirrors repost them in Traditional characters. `normalise` folds all of that into
one canonical form the parser's patterns are written against:

- full-width ASCII (U+FF01–FF5E) becomes half-width, so "：" "，" "；" "（" "％" are ":" "," ";" "(" "%";
  the ideographic full stop "。" and the enumeration comma "、" are kept (they carry meaning);
- whitespace of every kind (ideographic space, no-break space, zero-width space) is removed,
  except a single space between two Latin letters or digits-and-letters ("GDP growth");
- Traditional characters become Simplified with OpenCC's `t2s` table (a maintained converter,
  not a hand-made character list);
- thousands separators inside numbers ("31,234") are dropped;
- mirror sites' inline pinyin readings ("統(tǒng)計公報", "人(ren)口") are removed (`strip_pinyin`).

`parse_number` and `to_unit` turn a number as written plus its unit into the catalogue's unit,
exactly (decimal arithmetic, so 2.71万人 is 27100 people, not 27100.000000000004).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Full-width ASCII block → ASCII; U+3000 (ideographic space) handled with the other spaces.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0xFFE0: ord("¢"), 0xFFE5: ord("¥"), 0x2236: ord(":"), 0xFE55: ord(":")})
# Dashes and minus signs that precede negative numbers in some bulletins.
_FULLWIDTH.update({0x2212: ord("-"), 0xFE63: ord("-")})

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d])")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified (identity on text that is already Simplified)."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text)


# A reading a mirror site puts after a character: one pinyin syllable, tone-marked or not, in
# ASCII or full-width parentheses. Only lower-case syllables, so "(GDP)" and "(CPI)" stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONED}]{{1,3}}(?:ng|n|r)?"
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff)）])[(（]{_SYLLABLE}[)）]")


def strip_pinyin(text: str) -> str:
    """ "統(tǒng)計公報" → "統計公報"; "人(ren)(ren)口" → "人口". A toneless reading counts only
    when it is a whole pinyin syllable right after a CJK character (or after another reading)."""
    previous = None
    while previous != text:
        previous, text = text, _PINYIN.sub("", text)
    return text


def fold_width(text: str) -> str:
    """Full-width ASCII to half-width; everything else unchanged."""
    return text.translate(_FULLWIDTH)


def _join_spaces(match: re.Match) -> str:
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    # Keep one space only between two Latin words ("GDP growth"); a space next to a CJK
    # character or inside a number is layout, not content.
    if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
        return " "
    return ""


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(_join_spaces, text)


def drop_thousands(text: str) -> str:
    """ "31,234元" → "31234元"; "6.3%,其中" and "1,2" are left alone."""
    return _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)


def normalise(text: str) -> str:
    """The canonical form the parser matches against (see the module docstring)."""
    if not text:
        return ""
    text = fold_width(text)
    text = collapse_spaces(text)
    text = strip_pinyin(text)
    text = to_simplified(text)
    return drop_thousands(text)


# --------------------------------------------------------------------------- numbers and units

# Factor from a unit as written to the catalogue's unit, by canonical unit.
UNIT_FACTORS: dict[str, dict[str, Decimal]] = {
    "亿元": {
        "亿元": Decimal(1),
        "万元": Decimal("0.0001"),
        "元": Decimal("0.00000001"),
        "万亿元": Decimal(10000),
    },
    "万人": {"万人": Decimal(1), "人": Decimal("0.0001"), "亿人": Decimal(10000)},
    "人": {"人": Decimal(1), "万人": Decimal(10000)},
    "万人次": {"万人次": Decimal(1), "人次": Decimal("0.0001"), "亿人次": Decimal(10000)},
    "元": {"元": Decimal(1), "万元": Decimal(10000)},
    "%": {"%": Decimal(1)},
}


def parse_number(text: str) -> Decimal:
    """A number as written after `normalise` ("870.51", "-1.5", "31234") as an exact Decimal."""
    cleaned = text.strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def to_unit(number: Decimal, written_unit: str, unit: str) -> float:
    """`number` in `written_unit` expressed in the catalogue `unit`, as the nearest float.

    Raises ValueError for a unit the catalogue cannot convert (e.g. 亿元 for a headcount)."""
    factors = UNIT_FACTORS.get(unit)
    if factors is None or written_unit not in factors:
        raise ValueError(f"cannot express {written_unit!r} in {unit!r}")
    value = number * factors[written_unit]
    # normalize() drops trailing zeros so float() sees the shortest exact decimal.
    return float(value.normalize()) if value else 0.0
