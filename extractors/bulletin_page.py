"""Where a bulletin sits on its page, and which region and year it is for.

Bureau pages put the article in a CMS container; mirror sites copy it with their own navigation
around it ("您当前的位置:首页 > 统计公报 > 四川", year indexes, a "选择区域" box), sometimes with a
province in front of the title ("（四川省）2023年乐山市夹江县…统计公报"), the title run into the first
paragraph ("2023年宣汉县…统计公报 2023年，在县委…") or a stray year after it. This module finds the
title line, reads region and year from it, and tells the parser where the article starts: lines
before the title are the site's, not the bulletin's.

Without a title, region and year come from a "2024年平昌县地区生产总值…" sentence, a "广安区辖区
（简称全区）…" sentence, a "平昌县统计局" line, or (year only) a "2024年，全县…" sentence.
"""

from __future__ import annotations

import re

from extractors.textnorm import normalise

TITLE_SUFFIX = r"(?:\((?:修订|修订版|修订稿|更正|更正版)\))?"
TITLE_RE = re.compile(
    r"^\s*(?:\([\u4e00-\u9fff]{2,8}\))?(?P<pre>[\u4e00-\u9fff]{0,16}?)(?P<year>(?:19|20)\d{2})\s*年\s*"
    r"(?P<post>[\u4e00-\u9fff]{0,16}?)国民经济和社会发展统计公报" + TITLE_SUFFIX + r"\s*$"
)
_HEADING_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_REGION_NAME = r"[\u4e00-\u9fff]{1,8}?(?:自治县|自治州|新区|市|县|区|州|省)"
_REGION_IN_TEXT = re.compile(
    r"(?P<year>(?:19|20)\d{2})年,?(?:全年,?)?(?P<region>[\u4e00-\u9fff]{2,10}?)(?:全年)?(?:实现|完成)?"
    r"(?:地区生产总值|国民经济)"
)
_REGION_JURISDICTION = re.compile(r"(?:^|,)(?P<region>[\u4e00-\u9fff]{2,8}?(?:市|县|区))辖区\(")
_REGION_PUBLISHER = re.compile(r"^(?P<region>[\u4e00-\u9fff]{2,10}?(?:市|县|区|州|省))统计局")
_NOT_A_REGION = re.compile(r"^(?:全|本|城|市|县|区|该|各|我|辖)")


def _region_of(part: str) -> str | None:
    """The lowest administrative unit named in a title fragment ("四川省巴中市平昌县" → 平昌县)."""
    part = re.sub(r"^[\u4e00-\u9fff]{2,3}省(?=[\u4e00-\u9fff]{2,})", "", part or "")
    part = re.sub(r"^[\u4e00-\u9fff]{2,4}?市(?=[\u4e00-\u9fff]{1,6}(?:县|区)$)", "", part)
    if re.fullmatch(_REGION_NAME, part) and not _NOT_A_REGION.match(part):
        return part
    return None


def _match_title(line: str) -> tuple[str, str | None, int] | None:
    """(title as published, region, year) of a line that is or starts with a bulletin title."""
    line = (line or "").strip()
    title, m = line, TITLE_RE.match(normalise(line))
    # A title run into what follows it ends where a space does: "…统计公报 2023年，在县委…".
    for space in re.finditer(r"\s+", line[:120]) if not m else ():
        title, m = line[: space.start()], TITLE_RE.match(normalise(line[: space.start()]))
        if m:
            break
    if not m:
        return None
    return title, _region_of(m.group("pre")) or _region_of(m.group("post")), int(m.group("year"))


def parse_title(title: str) -> tuple[str | None, int] | None:
    """(region, year) of a bulletin title, or None if the title is not a bulletin.

    Handles "巴中市2024年国民经济…", "2024年巴中市国民经济…", a trailing "（修订）", a province in
    parentheses in front, and a title run into the text after it."""
    found = _match_title(title)
    return (found[1], found[2]) if found else None


def find_title(lines: list[str]) -> tuple[int, str, tuple[str | None, int]] | None:
    """(line index, line, (region, year)) of the bulletin's title among `lines`.

    Navigation may list other bulletins before the article, so the title is the last bulletin
    title before the first numbered section heading; else the first one in the opening lines."""
    found = []
    for i, line in enumerate(lines[:80]):
        norm = normalise(line)
        if _HEADING_RE.match(norm):
            break
        title = _match_title(line)
        if title:
            found.append((i, title[0], title[1:]))
    if found:
        return found[-1]
    for i, line in enumerate(lines[:40]):
        title = _match_title(line)
        if title:
            return i, title[0], title[1:]
    return None


def region_year_from_text(norm_clauses: list[str], lines: list[str]) -> tuple[str | None, int | None]:
    """Region and year for a page without a usable title (see the module docstring)."""
    region = year = None
    for norm in norm_clauses[:60]:
        m = _REGION_IN_TEXT.search(norm)
        if m and _region_of(m.group("region")):
            region, year = _region_of(m.group("region")), int(m.group("year"))
            break
    if region is None:
        for norm in norm_clauses[:60]:
            m = _REGION_JURISDICTION.search(norm)
            if m and _region_of(m.group("region")):
                region = m.group("region")
                break
    if region is None:
        for line in lines[:10]:
            m = _REGION_PUBLISHER.match(normalise(line))
            if m and _region_of(m.group("region")):
                region = m.group("region")
                break
    if year is None:
        for norm in norm_clauses[:20]:
            m = re.match(r"^((?:19|20)\d{2})年,(?:全年,?)?(?:全市|全县|全区|全省)", norm)
            if m:
                year = int(m.group(1))
                break
    return region, year


# --------------------------------------------------------------------------- HTML

_CONTAINER_CLASSES = (
    "article-content",
    "TRS_Editor",
    "trs_editor",
    "article-body",
    "article_content",
    "content-text",
    "zoom",
    "view",
    "con",
)


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return any(tag in head for tag in ("<html", "<body", "<p>", "<p ", "<div", "<!doctype html", "<br"))


def html_to_text(html: str) -> tuple[str, str | None]:
    """(article text one paragraph a line, page title) of an HTML page."""
    from extractors.htmltext import parse_html

    doc = parse_html(html)
    container = None
    for cls in _CONTAINER_CLASSES:
        container = doc.find(None, cls)
        if container is not None:
            break
    if container is None:
        for node in doc.iter():
            if node.get("id") in ("zoom", "content", "article", "UCAP-CONTENT"):
                container = node
                break
    container = container or doc.find("body") or doc
    heading = doc.find("h1")
    title_node = doc.find("title")
    hint = heading.text().strip() if heading is not None else None
    if not hint and title_node is not None:
        hint = re.split(r"[_|\-]", title_node.text().strip())[0]
    return container.text(), hint
