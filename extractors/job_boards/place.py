"""Where a job ad's job is: the county of 巴中 it names, or a label that is no county (issue 12).

Split from normalize.py, which re-exports everything here; `parse_county` is the one reader."""

from __future__ import annotations

import re

from extractors.job_boards.pay import fold as _fold

BAZHONG_CITY = "巴中市"
COUNTIES = ("巴州区", "恩阳区", "通江县", "南江县", "平昌县", "巴中经开区")
# What `county` says when it cannot name one of COUNTIES: a blank would read as "no data" and the city's
# name as a seventh county (issue 12). None of these is a county series in a report.
CITY_LEVEL = "市本级"  # in 巴中, but the ad names only the city
NOT_STATED = "未注明"  # the ad says nothing usable about where the job is
OUTSIDE = "市外"  # the job is outside 巴中
COUNTY_LABELS = (CITY_LEVEL, NOT_STATED, OUTSIDE)
_COUNTY_PATTERNS = (
    ("恩阳区", re.compile(r"恩阳")),
    ("通江县", re.compile(r"通江")),
    ("南江县", re.compile(r"南江")),
    ("平昌县", re.compile(r"平昌")),
)
_DEV_ZONE = re.compile(r"经开区|经济技术开发区|经济开发区|开发区")
# Address lines in descriptions: "工作地点：平昌县江口镇", "地址：四川省巴中市恩阳区…".
_ADDRESS_LINE = re.compile(
    r"(?:工作地点|工作地址|上班地点|办公地点|公司地址|地址|地点)\s*[:：]\s*([^\n。；;]{2,40})"
)
_UNSPECIFIC = re.compile(r"^(?:全国|不限|远程|异地|待定|若干|多地|四川省?)$")


def parse_county(location: str | None, description: str | None = None) -> tuple[str | None, bool | None]:
    """(county, in_region) from a location such as "巴中·恩阳区", "巴中-恩阳区" or
    "四川省巴中市平昌县…", helped by an address line in the description when the location is
    missing or names only the city.

    A Bazhong county → (county, True); only the city → ("市本级", True); elsewhere → ("市外", False);
    nothing to go on → ("未注明", None), because unknown is not the same as outside."""
    county, in_region = _located(location, description)
    if county == BAZHONG_CITY:
        return CITY_LEVEL, True
    if county is None:
        return (NOT_STATED, None) if in_region is None else (OUTSIDE, False)
    return county, in_region


def _located(location: str | None, description: str | None) -> tuple[str | None, bool | None]:
    county, in_region = _county_of(location)
    if description and (in_region is None or county == BAZHONG_CITY):
        for m in _ADDRESS_LINE.finditer(_fold(description)):
            found, found_in = _county_of(m.group(1))
            if found_in and found != BAZHONG_CITY:
                return found, True
            if in_region is None and found_in is not None:
                # the location said nothing; the address says Bazhong (city only) or elsewhere
                county, in_region = found, found_in
    return county, in_region


def _county_of(location: str | None) -> tuple[str | None, bool | None]:
    if not location or not location.strip():
        return None, None
    s = _fold(location).replace(" ", "")
    if _UNSPECIFIC.match(s):
        return None, None
    for county, pattern in _COUNTY_PATTERNS:
        if pattern.search(s):
            return county, True
    # "巴州" alone is also Xinjiang's 巴音郭楞 prefecture: only trust it with 区 or next to 巴中.
    if "巴州区" in s or ("巴州" in s and "巴中" in s):
        return "巴州区", True
    if _DEV_ZONE.search(s):
        # Every city has a 经开区; it is ours only when no other city is named.
        other_city = re.search(r"([\u4e00-\u9fff]{2,3})市", s)
        if "巴中" in s or not other_city or other_city.group(1) == "巴中":
            return "巴中经开区", True
    if "巴中" in s:
        return BAZHONG_CITY, True
    return None, False
