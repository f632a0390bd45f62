"""The words of one ad: pay as boards write it (5-7K, 6000元/月, 面议, 年薪12万) and the description
around the duties. Split from sample_sources/postings.py, which decides which ads exist, where and
when; the order of every draw is the same as before the split."""

from __future__ import annotations

from bisect import bisect
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING

from sample_sources import vocabulary as vocab

if TYPE_CHECKING:
    from sample_sources.postings import Company


class Weighted:
    """A weighted choice with its cumulative weights computed once (random.choices redoes it per call)."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


_SALARY_KINDS = {
    level: Weighted(
        [("range", 70), ("negotiable", 8), ("floor", 7)]
        + ([("daily", 7)] if level in ("op", "svc") else [])
        + ([("annual", 9)] if level in ("eng", "mgr") else [])
    )
    for level in vocab.EDUCATION_BY_LEVEL
}


def _k(value: int) -> str:
    """6500 -> "6.5", 6000 -> "6" (thousands, as boards print "6.5-8K")."""
    return f"{value / 1000:.1f}".removesuffix(".0")


def _wan(value: int) -> str:
    """15000 -> "1.5", 20000 -> "2" (ten-thousands)."""
    return f"{value / 10000:.1f}".removesuffix(".0")


def _round_pay(value: float) -> int:
    step = 500 if value >= 4000 else 100
    return max(step, int(round(value / step)) * step)


def salary_texts(rng: Random, level: str, low: int, high: int, factor: float) -> tuple[str, str, int]:
    """The ad's pay as each board prints it, plus the number of months paid a year."""
    lo = _round_pay(low * factor)
    hi = max(_round_pay(high * factor), lo + 500)
    months = 12
    if level in ("tech", "eng", "mgr") and rng.random() < 0.22:
        months = 14 if level == "eng" and rng.random() < 0.25 else 13
    kind = _SALARY_KINDS[level].pick(rng)
    if kind == "negotiable":
        return "面议", rng.choice(("面议", "面议", "薪资面议")), months
    if kind == "floor":
        return f"{lo}元以上", rng.choice((f"{lo}元以上", f"{lo}以上")), months
    if kind == "daily":
        rate = max(80, int(round(lo / 26 / 10)) * 10)
        rencai = f"{rate}元/天" if rng.random() < 0.6 else f"{rate}-{rate + 30}元/天"
        return f"{rate}元/天", rencai, months
    if kind == "annual":
        first = max(3, round(lo * months / 10000))
        second = max(first + 1, round(hi * months / 10000))
        return f"{first}-{second}万/年", f"{first}万-{second}万/年", months
    # A monthly range, the common case, in each board's favourite shapes.
    pick = rng.random()
    if lo >= 10000 and pick < 0.5:
        zhaopin = f"{_wan(lo)}万-{_wan(hi)}万"
    elif pick < 0.65:
        zhaopin = f"{_k(lo)}-{_k(hi)}K" + (f"·{months}薪" if months > 12 else "")
    else:
        zhaopin = f"{lo}-{hi}元"
    pick = rng.random()
    if lo >= 10000:
        rencai = f"{_wan(lo)}万-{_wan(hi)}万元/月"
    elif pick < 0.8:
        rencai = f"{lo}-{hi}元/月"
    else:
        rencai = f"{_k(lo)}-{_k(hi)}千元/月"
    return zhaopin, rencai, months


def ad_description(
    rng: Random,
    ad_title: str,
    duties: tuple[str, str],
    company: Company,
    county: str,
    district: str,
    edu: str,
    headcount: int,
    months: int,
) -> str:
    """Ad text as employers write it, contact details included (the pipeline must mask them)."""
    lines = []
    if rng.random() < 0.5:
        lines.append(f"{company.name}因业务发展需要，现招聘{ad_title}{headcount}名。")
    lines.append("岗位职责：")
    lines.append(f"1、{duties[0]}；")
    lines.append(f"2、{duties[1]}；")
    lines.append("3、完成上级交办的其他工作。")
    lines.append("任职要求：")
    edu_text = "学历不限" if edu == "不限" else f"{edu.split('/')[0]}及以上学历"
    requirements = rng.sample(vocab.GENERIC_REQUIREMENTS, 2)
    lines.append(f"1、{edu_text}；")
    lines.append(f"2、{requirements[0]}；")
    lines.append(f"3、{requirements[1]}。")
    benefits = rng.sample(vocab.BENEFITS, rng.randint(2, 5))
    if months > 12:
        benefits.append(f"年底{months}薪")
    lines.append("福利待遇：" + "、".join(benefits) + "。")
    if county in vocab.OUTSIDE_PLACES:
        lines.append(f"工作地点：{county}{district}")
        if rng.random() < 0.5:
            lines.append("巴中籍员工优先，春节提供返乡车费补贴。")
    elif county == "巴中市":
        lines.append("工作地点：巴中市内，面试时确定")
    else:
        lines.append(f"工作地点：{county}{rng.choice(vocab.ADDRESS_HINTS[county])}")
    contact = f"联系人：{company.contact}"
    pick = rng.random()
    if pick < 0.55:
        contact += f"  电话：{company.mobile}"
    elif pick < 0.8:
        contact += f"  电话：{company.mobile}（微信同号）"
    else:
        contact += f"  座机：{company.landline}"
    lines.append(contact)
    if rng.random() < 0.35:
        lines.append(f"简历请发邮箱：{company.email}，邮件标题注明应聘岗位")
    if rng.random() < 0.15:
        lines.append(f"QQ：{company.qq}")
    if rng.random() < 0.2 and company.wechat != company.mobile:
        lines.append(f"微信：{company.wechat}")
    return "\n".join(lines)
