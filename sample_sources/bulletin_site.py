"""The statistics bureau's site around the bulletins: its page, article and listing templates, the
news mirror that reposts county bulletins, and the channel's items that are not city bulletins.
Split from sample_sources/bulletins.py (the figures and prose); rendering only, no figures."""

from __future__ import annotations

import html
from datetime import date
from random import Random

_SECTION_PREFIXES = ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、")


def page(title: str, body: str, charset: str = "utf-8", crumbs: str = "") -> str:
    """A full page in the bureau's site template."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n'
        f'<meta charset="{charset}">\n'
        f"<title>{html.escape(title)}_巴中市统计局</title>\n"
        "</head>\n<body>\n"
        '<div class="header"><a href="/stats/tjgb/index.html">巴中市统计局</a></div>\n'
        f'<div class="crumbs">当前位置：首页 &gt; 统计数据{crumbs}</div>\n'
        f"{body}"
        '<div class="footer">主办：巴中市统计局　地址：巴中市巴州区江北大道　电话：0827-5261234</div>\n'
        "</body>\n</html>\n"
    )


def article(title: str, published: date, paragraphs: list[str], charset: str = "utf-8") -> str:
    """An article page: `<div class="article-content">` with one `<p>` a paragraph."""
    lines = [f"<p>{html.escape(title)}</p>"]
    for text in paragraphs:
        if text.startswith(_SECTION_PREFIXES) and len(text) < 20:
            lines.append(f"<p><strong>{html.escape(text)}</strong></p>")
        else:
            lines.append(f"<p>{html.escape(text)}</p>")
    body = (
        '<div class="article">\n'
        f'<h1 class="article-title">{html.escape(title)}</h1>\n'
        f'<div class="article-info">发布时间：{published:%Y-%m-%d}　来源：巴中市统计局</div>\n'
        '<div class="article-content">\n' + "\n".join(lines) + "\n</div>\n</div>\n"
    )
    return page(title, body, charset, ' &gt; <a href="../index.html">统计公报</a>')


def listing(
    items: list[tuple[str, str, date]], page_number: int, pages: int, channel: str = "统计公报"
) -> str:
    """Listing page of a channel (统计公报, 县区统计公报): items are (href, title, date)."""
    rows = [
        f'<li><a href="{href}">{html.escape(title)}</a><span>{day:%Y-%m-%d}</span></li>'
        for href, title, day in items
    ]
    pager = []
    if page_number > 1:
        previous = "index.html" if page_number == 2 else f"index_{page_number - 1}.html"
        pager.append(f'<a href="{previous}">上一页</a>')
    if page_number < pages:
        pager.append(f'<a href="index_{page_number + 1}.html">下一页</a>')
    body = (
        f'<div class="channel"><h2>{channel}</h2>\n<ul class="news-list">\n' + "\n".join(rows) + "\n</ul>\n"
        f'<div class="pager">{"".join(pager)}</div>\n</div>\n'
    )
    return page(channel, body)


def noise_items(rng: Random) -> list[tuple[str, date, list[str]]]:
    """Items in the same channel that are not city bulletins (and one that almost looks like one)."""

    def day(year: int, month: int) -> date:
        return date(year, month, rng.randint(3, 27))

    return [
        (
            "巴中市2024年政府工作报告",
            day(2024, 2),
            [
                "——2024年1月在巴中市第五届人民代表大会第四次会议上",
                "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议。",
            ],
        ),
        (
            "巴中市2025年政府工作报告",
            day(2025, 2),
            [
                "——2025年1月在巴中市第五届人民代表大会第五次会议上",
                "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议。",
            ],
        ),
        (
            "2023年巴中市统计年鉴编制说明",
            day(2023, 10),
            [
                "《巴中统计年鉴—2023》系统收录了全市经济和社会发展各方面的统计数据。",
                "本年鉴资料主要来源于统计部门常规统计调查。",
            ],
        ),
        (
            "《巴中市2024年国民经济和社会发展统计公报》解读",
            day(2025, 3),
            [
                "2024年，全市经济运行总体平稳、稳中有进，主要指标增速好于预期。",
                "本解读仅对公报主要内容进行说明，具体数据以公报为准。",
            ],
        ),
        (
            "四川省2024年国民经济和社会发展统计公报",
            day(2025, 3),
            ["本公报由四川省统计局、国家统计局四川调查总队发布。", "全省数据请以四川省统计局网站发布为准。"],
        ),
        ("巴中市2025年1-12月主要经济指标", day(2026, 1), ["本表数据为快报数，正式数据以统计年鉴为准。"]),
        (
            "巴中市第七次全国人口普查公报（第一号）",
            date(2021, 5, 28),
            ["根据第七次全国人口普查结果，现将全市常住人口的基本情况公布如下。"],
        ),
        (
            "关于开展2022年统计执法检查工作的通知",
            day(2022, 6),
            ["各县（区）统计局、经开区经发局：", "为进一步加强统计执法监督，现将有关事项通知如下。"],
        ),
    ]


def mirror_page(title: str, paragraphs: list[str]) -> str:
    """A news mirror's repost: its own template (no article-content div), Traditional characters."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} - 巴山資訊網</title>\n</head>\n<body>\n"
        '<div class="nav"><a href="/">首頁</a> | 地方經濟 | 統計數據</div>\n'
        f"<h1>{html.escape(title)}</h1>\n"
        '<div class="info">來源：轉載自縣統計局　編輯：本網</div>\n'
        f'<div class="TRS_Editor">\n{body}\n</div>\n'
        '<div class="footer">巴山資訊網 版權所有</div>\n</body>\n</html>\n'
    )
