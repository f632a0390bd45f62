"""The one text decoder of the extractors: bytes from a web page, a saved bulletin or a CSV export → str.

Chinese government sites, job boards and school exports label their bytes wrongly or not at all.
`decode` (and its two-value form `decode_bytes`) never re-reads a whole page in another encoding
because of one bad byte:

1. a declared charset (the Content-Type `charset=` parameter, else for HTML, XML or an unknown type a
   `<meta charset>` / `<meta http-equiv>` in the first 4 KB; JSON without a charset is UTF-8, RFC
   8259) or a UTF-8 byte order mark is used as declared: bad bytes become U+FFFD and are counted.
   Only when the declared charset fails on most of the non-ASCII text (a GBK page labelled utf-8:
   more replaced than readable characters) is the declaration taken for wrong and the bytes sniffed;
2. with no usable declaration: strict UTF-8, then UTF-8 with a few bad bytes when the rest reads as
   UTF-8, then GB18030 and Big5 (the two Chinese encodings in this domain) when exactly one decodes
   strictly, charset-normalizer's choice between them when both do, charset-normalizer alone when
   neither does, GB18030 with replacements last.

The share of replaced characters is checked against `max_replaced_share` (MAX_REPLACED_SHARE,
0.5%, by default): past it `CharsetError` names the URL or file and the count, so the page is
refused (or quarantined by the caller) instead of landing garbled. `strict=True` allows none.

GB2312 and GBK (and their aliases) are always read as GB18030: pages labelled gb2312 routinely use
characters outside it, and GB18030 decodes those bytes the same and more."""

from __future__ import annotations

import codecs
import logging
import re
import threading
from typing import NamedTuple

import charset_normalizer

log = logging.getLogger("extractors.charset")

_GB_NAMES = ("gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "gb18030")
_ENCODING_ALIASES = {**dict.fromkeys(_GB_NAMES, "gb18030"), "utf8": "utf-8", "utf-8": "utf-8"}
_CHINESE_ENCODINGS = ("gb18030", "big5")
_UTF8_BOM = b"\xef\xbb\xbf"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)


# Share of replaced characters past which a page is refused: a stray byte or two in a long page is
# damage worth keeping the page for, more means the text is not what the source published.
MAX_REPLACED_SHARE = 0.005


class CharsetError(ValueError):
    """Too many bytes could not be decoded (any at all with `strict=True`); the message names the
    URL or file and the count."""


class Decoded(NamedTuple):
    """Decoded text, the encoding used and how many undecodable byte sequences became U+FFFD."""

    text: str
    encoding: str
    replaced: int


def normalise_encoding(name: str | None) -> str | None:
    """Canonical codec name for decoding, with GB2312/GBK widened to GB18030; None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    if key in _ENCODING_ALIASES:
        return _ENCODING_ALIASES[key]
    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return None
    return _ENCODING_ALIASES.get(canonical, canonical)


def header_charset(content_type: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def meta_charset(content: bytes) -> str | None:
    """Charset declared by `<meta charset>` or `<meta http-equiv="Content-Type">` in the first 4 KB."""
    match = _META_CHARSET.search(content[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _declared(content: bytes, content_type: str | None) -> list[str]:
    found = [header_charset(content_type)]
    kind = (content_type or "").lower()
    if not kind or "html" in kind or "xml" in kind:
        found.append(meta_charset(content))
    if "json" in kind:
        found.append("utf-8")
    return [enc for enc in (normalise_encoding(name) for name in found) if enc]


def _strict(content: bytes, encoding: str) -> str | None:
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_COUNT = threading.local()


def _count_replace(exc: UnicodeError) -> tuple[str, int]:
    _COUNT.n += 1
    return "\ufffd", exc.end  # type: ignore[attr-defined]


codecs.register_error("extractors.charset.count", _count_replace)


def _replacing(content: bytes, encoding: str) -> tuple[str, int] | None:
    """(text, number of U+FFFD put in for undecodable bytes), or None for an unknown codec."""
    _COUNT.n = 0
    try:
        text = content.decode(encoding, errors="extractors.charset.count")
    except LookupError:
        return None
    return text, _COUNT.n


def _mostly_readable(text: str, replaced: int) -> bool:
    """More non-ASCII characters decoded than replaced: the encoding is right and the bytes are
    damaged, rather than the encoding wrong (GBK read as UTF-8 replaces nearly every character)."""
    readable = sum(1 for ch in text if ord(ch) > 127) - replaced
    return readable > replaced


def _detect(content: bytes) -> Decoded | None:
    """Step 2 of the module docstring: a Decoded, or None when nothing decodes cleanly."""
    text = _strict(content, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", 0)
    utf8 = _replacing(content, "utf-8")
    if utf8 is not None and _mostly_readable(*utf8):
        return Decoded(utf8[0], "utf-8", utf8[1])
    clean = {enc: text for enc in _CHINESE_ENCODINGS if (text := _strict(content, enc)) is not None}
    if len(clean) == 1:
        return next(Decoded(text, enc, 0) for enc, text in clean.items())
    best = charset_normalizer.from_bytes(content, cp_isolation=list(clean) or None).best()
    if best is not None and best.encoding:
        encoding = normalise_encoding(best.encoding) or best.encoding
        text = _strict(content, encoding)
        if text is not None:
            return Decoded(text, encoding, 0)
    if clean:
        return Decoded(clean["gb18030"], "gb18030", 0)
    return None


def _decode(content: bytes, content_type: str | None, where: str | None) -> Decoded:
    declared = _declared(content, content_type)
    if content.startswith(_UTF8_BOM) and (not declared or declared[0] == "utf-8"):
        declared = ["utf-8-sig"]
    for encoding in declared:
        if encoding == "utf-8" and content.startswith(_UTF8_BOM):
            encoding = "utf-8-sig"
        result = _replacing(content, encoding)
        if result is None:
            continue
        text, replaced = result
        if not replaced or _mostly_readable(text, replaced):
            return Decoded(text, encoding, replaced)
        # A wrong declaration is common (a page saved as GBK but labelled utf-8): detection decides.
        log.warning("declared charset %s does not decode %s; detecting", encoding, where or "the body")
    detected = _detect(content)
    if detected is not None:
        return detected
    # Undetectable: in this domain GB18030 is by far the likeliest.
    text, replaced = _replacing(content, "gb18030") or ("", 0)
    return Decoded(text, "gb18030", replaced)


def decode(
    content: bytes,
    content_type: str | None = None,
    *,
    where: str | None = None,
    max_replaced_share: float = MAX_REPLACED_SHARE,
) -> Decoded:
    """`content` decoded by the order in the module docstring, with the count of replaced bytes.

    `content_type` is the HTTP Content-Type (None for a file: then a `<meta>` still counts). Raises
    `CharsetError` naming `where` when more than `max_replaced_share` of the characters had to be
    replaced (0 allows none)."""
    result = _decode(content, content_type, where)
    if result.replaced:
        share = result.replaced / max(len(result.text), 1)
        if share > max_replaced_share:
            raise CharsetError(
                f"{where or 'these bytes'}: {result.replaced} of {len(result.text)} characters "
                f"({share:.2%}) are not valid {result.encoding}, more than the "
                f"{max_replaced_share:.2%} allowed; refusing to guess the text"
            )
        log.warning(
            "%s: %d undecodable byte sequence(s) replaced with U+FFFD (%s)",
            where or "body",
            result.replaced,
            result.encoding,
        )
    return result


def decode_bytes(
    content: bytes, content_type: str | None = None, *, strict: bool = False, where: str | None = None
) -> tuple[str, str]:
    """(text, encoding) of `decode`; `strict=True` refuses any undecodable byte."""
    result = decode(
        content, content_type, where=where, max_replaced_share=0.0 if strict else MAX_REPLACED_SHARE
    )
    return result.text, result.encoding
