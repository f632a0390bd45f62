"""The one text decoder of the extractors: bytes from a web page, a saved bulletin or a CSV export → str.

Chinese government sites, job boards and school exports label their bytes wrongly or not at all, so
`decode_bytes` tries, in order, and takes the first that decodes the bytes cleanly:

1. the declared charset: the Content-Type `charset=` parameter, else (for HTML, XML or an unknown
   type) a `<meta charset>` / `<meta http-equiv>` in the first 4 KB; JSON without a charset is UTF-8
   (RFC 8259). A declaration that does not decode the bytes is ignored with a warning;
2. a UTF-8 byte order mark, then strict UTF-8;
3. detection: GB18030 and Big5 (the two Chinese encodings in this domain) when exactly one decodes
   strictly, charset-normalizer's choice between them when both do (Big5 bytes mostly decode as GBK
   too, so only the language model can tell them apart), charset-normalizer on its own when neither
   does.

GB2312 and GBK (and their aliases) are always read as GB18030: pages labelled gb2312 routinely use
characters outside it, and GB18030 decodes those bytes the same and more. When nothing decodes cleanly
the text is GB18030 with replacement characters, or `CharsetError` with `strict=True`."""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer

log = logging.getLogger("extractors.charset")

_GB_NAMES = ("gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "gb18030")
_ENCODING_ALIASES = {**dict.fromkeys(_GB_NAMES, "gb18030"), "utf8": "utf-8", "utf-8": "utf-8"}
_CHINESE_ENCODINGS = ("gb18030", "big5")
_UTF8_BOM = b"\xef\xbb\xbf"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)


class CharsetError(ValueError):
    """No encoding decodes the bytes cleanly (raised only with `strict=True`)."""


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


def _detect(content: bytes) -> tuple[str, str] | None:
    """Step 2 and 3 of the module docstring: (text, encoding) or None when nothing decodes cleanly."""
    if content.startswith(_UTF8_BOM):
        text = _strict(content, "utf-8-sig")
        if text is not None:
            return text, "utf-8-sig"
    text = _strict(content, "utf-8")
    if text is not None:
        return text, "utf-8"
    clean = {enc: text for enc in _CHINESE_ENCODINGS if (text := _strict(content, enc)) is not None}
    if len(clean) == 1:
        return next((text, enc) for enc, text in clean.items())
    best = charset_normalizer.from_bytes(content, cp_isolation=list(clean) or None).best()
    if best is not None and best.encoding:
        encoding = normalise_encoding(best.encoding) or best.encoding
        text = _strict(content, encoding)
        if text is not None:
            return text, encoding
    if clean:
        return clean["gb18030"], "gb18030"
    return None


def decode_bytes(
    content: bytes, content_type: str | None = None, *, strict: bool = False, where: str | None = None
) -> tuple[str, str]:
    """(text, encoding) of `content` by the order in the module docstring.

    `content_type` is the HTTP Content-Type (None for a file: then a `<meta>` still counts). With
    `strict=True` undecodable bytes raise `CharsetError` (naming `where`) instead of being replaced."""
    for encoding in _declared(content, content_type):
        if encoding == "utf-8" and content.startswith(_UTF8_BOM):
            encoding = "utf-8-sig"
        text = _strict(content, encoding)
        if text is not None:
            return text, encoding
        # A wrong declaration is common (a page saved as GBK but labelled utf-8): detection decides.
        log.warning("declared charset %s does not decode %s; detecting", encoding, where or "the body")
    detected = _detect(content)
    if detected is not None:
        return detected
    if strict:
        raise CharsetError(f"cannot tell the text encoding of {where or 'these bytes'}")
    # Undetectable: in this domain GB18030 is by far the likeliest.
    return content.decode("gb18030", errors="replace"), "gb18030"
