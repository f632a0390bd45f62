"""privacy.scrub: every kind of contact detail is masked, in every disguise of the adversarial corpus
(tests/fixtures/pii_adversarial.jsonl), at any depth, fast; ordinary job-ad text is left alone."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors.job_boards.normalize import normalise_text_key, process_ad, scrub_ad, title_key
from extractors.privacy import (
    CONTACT,
    EMAIL,
    ID_NUMBER,
    MAX_SCAN_CHARS,
    OVERLONG,
    PHONE,
    QQ,
    TRUNCATED,
    WECHAT,
    find_personal_data,
    fold,
    personal_data_kinds,
    scrub,
    scrub_value,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # mobiles, with and without separators and country code
        ("电话：13812345678", "电话：" + PHONE),
        ("手机 138-1234-5678", "手机 " + PHONE),
        ("手机 138 1234 5678", "手机 " + PHONE),
        ("+86 13912345678", PHONE),
        ("请拨打19912345678。", "请拨打" + PHONE + "。"),
        ("电话：18012345678（微信同号）", "电话：" + PHONE + "（微信同号）"),
        # landlines
        ("座机：0827-5123456", "座机：" + PHONE),
        ("(0827)5123456", PHONE),
        ("（0827）5123456转801", PHONE),
        ("028-86123456", PHONE),
        ("电话：5261234", "电话：" + PHONE),
        # e-mail
        (
            "简历请发邮箱：hr123@163.com，邮件标题注明应聘岗位",
            "简历请发邮箱：" + EMAIL + "，邮件标题注明应聘岗位",
        ),
        ("邮箱：12345678@qq.com", "邮箱：" + EMAIL),
        ("bz.hr-2024@bzjob.com.cn", EMAIL),
        # QQ and WeChat
        ("QQ：12345678", QQ),
        ("qq号 987654321", QQ),
        ("微信：bzh12345", WECHAT),
        ("微信号：wx_hr2024", WECHAT),
        ("VX: zhang_san88", WECHAT),
        ("wechat: zhang_san88", WECHAT),  # no v, x or 信: passed unmasked before issue 13
        ("WeChat zhangsan88", WECHAT),
        ("微信：13812345678", WECHAT),
        # ID numbers
        ("身份证号510722199001011234", "身份证号" + ID_NUMBER),
        ("51072219900101123X", ID_NUMBER),
        # contact names
        ("联系人：张经理", "联系人：" + CONTACT),
        ("联系人：刘XX", "联系人：" + CONTACT),
        ("联系人：萧先生  电话：13812345678", "联系人：" + CONTACT + "  电话：" + PHONE),
        ("请联系李女士", "请联系" + CONTACT),
        ("王先生", CONTACT),
        ("有意者请与人事部陈经理联系", "有意者请与人事部" + CONTACT + "联系"),
        ("HR张经理", "HR" + CONTACT),
        ("联系张工", "联系" + CONTACT),
        ("负责人：王某某", "负责人：" + CONTACT),
    ],
)
def test_masks(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4000-6000元/月",
        "6-8K·13薪",
        "10-15万/年",
        "发布日期 2025-03-05",
        "招聘酒店大堂经理、项目经理、工程经理、课程老师",
        "生产主管",
        "数控车床操作工",
        "QA质量保证专员",
        "对于某些岗位，我们提供住宿",
        "巴中市巴州区江北大道",
        "年底13薪，五险一金",
        "SMT操作员",
        "招聘10人，年龄18-45岁",
        "邮件标题注明应聘岗位",
        "GB18030",
        "职位编号ZP00012345",
    ],
)
def test_leaves_ordinary_text_alone(text):
    assert scrub(text) == text


def test_full_description():
    text = (
        "巴中鑫华食品有限公司因业务发展需要，现招聘包装工5名。\n"
        "岗位职责：\n1、负责产品包装；\n"
        "工作地点：平昌县江口镇\n"
        "联系人：周主管  电话：13698765432（微信同号）\n"
        "简历请发邮箱：bzhr88@126.com，邮件标题注明应聘岗位\n"
        "QQ：2738491\n"
        "微信：wx_bzhr88"
    )
    out = scrub(text)
    for secret in ("13698765432", "bzhr88@126.com", "2738491", "wx_bzhr88", "周主管"):
        assert secret not in out
    assert "现招聘包装工5名" in out and "平昌县江口镇" in out
    assert find_personal_data(out) == []
    assert find_personal_data(text)  # the audit helper does see the raw text's data


def test_idempotent_and_passes_empty_values():
    text = "联系人：张经理 电话：0827-5123456 邮箱 a@b.cn QQ：123456 微信：abc_12345"
    assert scrub(scrub(text)) == scrub(text)
    assert scrub(None) is None
    assert scrub("") == ""


# --- issue 14: adversarial forms, look-alikes, depth, speed ------------------------------------

ADVERSARIAL = Path(__file__).resolve().parent / "fixtures" / "pii_adversarial.jsonl"
CORPUS = [json.loads(line) for line in ADVERSARIAL.read_text(encoding="utf-8").splitlines() if line.strip()]
# Strings that look like personal data to a careless pattern and must come through untouched.
LOOK_ALIKES = [
    "4500-6000元/月",
    "13000-15000元",
    "130000-150000元/年",
    "年薪10-15万",
    "13-15k",
    "发布日期 2026-03-16",
    "2026.03.16",
    "2026/03/16",
    "2026-03-16 至 2026-04-16",
    "工作时间 08:30-17:30",
    "招聘 15 人，年龄18-45岁",
    "2019 2020 2021 2022",
    "15 16 17 18 19 20",
    "巴中市巴州区江北大道636600号",
    "邮编636000",
    "型号FX3U-128MT",
    "ISO 9001:2015",
    "订单号 20260316123456",
    "统一社会信用代码91511900MA62XXXX1K",
    "工号 A12345",
    "版本 v1.2.3",
    "身高160cm以上",
    "车工、管工、钳工、焊工",
    "岗位：车工",
    "生产总值870.51亿元，社会消费品零售总额",
    "任何姐妹均可报名",
    "微信公众号、微信支付",
    "加VIP会员",
    "QQ音乐运营",
    "look at this",
    "项目经理、课程老师、大堂经理、厨房主管",
    "康复治疗技术",
    "电话费报销",
    "1380元/月",
]


def _compact_digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", fold(text))


def test_adversarial_corpus_is_big_enough_and_covers_every_form():
    planted = [p for rec in CORPUS for p in rec["planted"]]
    assert len(CORPUS) >= 60 and len(planted) >= 60
    forms = " ".join(rec["form"] + " " + " ".join(rec["planted"]) for rec in CORPUS)
    for form in (
        "full-width",
        "spaces",
        "dots",
        "slashes",
        "+86",
        "0086",
        "微信同号",
        "加V",
        "Q Q",
        "扣扣",
        "(at)",
        "（at）",
        "[at]",
        "ID split",
        "landline",
        "张姐",
        "王女士",
        "李经理",
        "list extra",
        "dict extra",
        "in title",
        "in company",
    ):
        assert form in forms, form


@pytest.fixture(scope="module")
def normalized_corpus(tmp_path_factory):
    """The corpus through the real CLI, `talent postings normalize FILE`."""
    source = tmp_path_factory.mktemp("pii") / "ads.jsonl"
    source.write_text(
        "".join(json.dumps(rec["ad"], ensure_ascii=False) + "\n" for rec in CORPUS), encoding="utf-8"
    )
    talent = Path(sys.executable).with_name("talent")
    done = subprocess.run([str(talent), "postings", "normalize", str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(CORPUS)
    return lines


def test_no_planted_string_survives_normalize(normalized_corpus):
    survived = []
    for rec, line in zip(CORPUS, normalized_corpus, strict=True):
        folded_line = fold(line)
        compact_line = re.sub(r"[\s.\-/_·]", "", folded_line)
        for planted in rec["planted"]:
            digits = _compact_digits(planted)
            if (
                planted in line
                or fold(planted) in folded_line
                or (len(digits) >= 5 and digits in compact_line)
            ):
                survived.append((rec["form"], planted))
    assert survived == []


def test_normalized_corpus_has_nothing_left_for_the_detector(normalized_corpus):
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    for line in normalized_corpus:
        out = json.loads(line)
        assert out["title_key"] and not re.search(r"\d{5}", out["title_key"])
        for text in strings({k: v for k, v in out.items() if k not in ("url", "source_id")}):
            assert find_personal_data(text) == [], text


def test_look_alikes_survive_normalize_with_their_values(tmp_path):
    ad = {
        "source": "zhaopin",
        "source_id": "LOOK0001",
        "title": "数控车工（2026届）",
        "company": "巴中恒源食品有限公司",
        "salary": "4500-6000元/月",
        "location": "巴中·巴州区",
        "description": "；".join(LOOK_ALIKES),
        "posted_at": "2026-03-16",
        "headcount": 15,
    }
    out = process_ad(ad)
    assert out["description"] == ad["description"]
    assert (out["salary_min"], out["salary_max"], out["headcount"]) == (4500, 6000, 15)
    assert out["posted_at"] == "2026-03-16" and out["title"] == ad["title"]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_not_masked(text):
    assert scrub(text) == text
    assert personal_data_kinds(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("１３８ ０１３８ ００００", "mobile number"),
        ("138.0138.0000", "mobile number"),
        ("0086 13801380000", "mobile number"),
        ("0827 526 1234", "landline number"),
        ("510722 19900101 1234", "ID card number"),
        ("bzhr（at）163.com", "e-mail address"),
        ("bzhr at 163 dot com", "e-mail address"),
        ("Q Q：2738491", "QQ number"),
        ("扣扣 2738491", "QQ number"),
        ("加V：bzhr2025", "WeChat id"),
        ("联系人：张姐", "contact name"),
        ("请联系王女士", "contact name"),
    ],
)
def test_detector_names_the_kind(text, kind):
    assert personal_data_kinds(text) == [kind]
    assert personal_data_kinds(scrub(text)) == []


def test_contact_label_keeps_its_label():
    assert scrub("联系人：张姐") == "联系人：" + CONTACT
    assert scrub("微信同号") == "微信同号"  # a note, not an id


def test_lists_and_dicts_are_scrubbed_at_any_depth_but_identifiers_are_kept():
    value = {
        "contacts": ["人事部", "１３８ ０１３８ ００００"],
        "meta": {"hr": {"note": "王女士 bzhr(at)163.com"}, "n": 3, "ok": True},
        "url": "https://example.invalid/job/13801380000",
        "source_id": "13801380000",
    }
    out = scrub_value(value)
    assert out["contacts"] == ["人事部", PHONE]
    assert out["meta"] == {"hr": {"note": f"{CONTACT} {EMAIL}"}, "n": 3, "ok": True}
    assert out["url"] == value["url"] and out["source_id"] == value["source_id"]
    assert scrub_ad({"title": "焊工", "extra": [{"x": "13801380000"}]})["extra"] == [{"x": PHONE}]


def test_title_key_never_folds_a_phone_into_digits():
    assert title_key("急招普工１３６０１３８０００２") == "普工"
    assert "13601380002" not in normalise_text_key("普工１３６０１３８０００２")


def test_overlong_text_is_cut_and_flagged():
    blob = "联系" + "啊" * (MAX_SCAN_CHARS * 2) + "13801380000"
    out = scrub(blob)
    assert len(out) == MAX_SCAN_CHARS and out.endswith(TRUNCATED)
    assert scrub(out) == out  # idempotent
    assert personal_data_kinds(blob) == [OVERLONG]
    assert personal_data_kinds(out) == []


def test_long_base64_description_scrubs_fast():
    # 72 KB of base64 took 48 s with the old quadratic e-mail pattern; now ~0.03 s. The bound is
    # generous (> 50x) so a slow machine never fails it, a quadratic pattern always does.
    blob = base64.b64encode(bytes(range(256)) * 211).decode()
    assert len(blob) >= 72_000
    hostile = [blob, "a@" * 10_000, "1 " * 10_000, "a at " * 4_000, "联系人：" * 5_000, " " * 20_000]
    started = time.perf_counter()
    for text in hostile:
        scrub(text)
    assert time.perf_counter() - started < 2.0


def test_land_scrubs_every_string_before_writing(tmp_path):
    from extractors.landing import land, read_records

    record = {
        "title": "普工１３８ ０１３８ ００００",
        "extra": {"hr": ["张姐", "bzhr(at)163.com"]},
        "url": "https://example.invalid/13801380000",
        "headcount": 3,
    }
    result = land("bulletins", "2026-03-16", [record], raw_dir=tmp_path)
    [landed] = read_records(result.path)
    assert landed == {
        "title": "普工" + PHONE,
        "extra": {"hr": [CONTACT, EMAIL]},
        "url": record["url"],
        "headcount": 3,
    }
    # already-scrubbed records land byte for byte, so re-landing them is a no-op
    assert land("bulletins", "2026-03-16", [landed], raw_dir=tmp_path).status == "unchanged"


def test_names_the_board_already_masked_pass_the_detector_but_are_still_scrubbed():
    text = "联系人李**，电话139****0001"
    assert personal_data_kinds(text) == []
    assert scrub(text) == "联系人" + CONTACT + "，电话139****0001"


def _scrub_without_shortcuts(text: str) -> tuple[str, list]:
    """The scrubber as its rules read: every pattern over the whole text, in order, with none of the
    gates, digit counts, chains and anchors that only save time."""
    from extractors import privacy

    hits: list = []
    if len(text) > MAX_SCAN_CHARS:
        hits.append((OVERLONG, f"{len(text)} characters"))
        text = text[: MAX_SCAN_CHARS - len(TRUNCATED)] + TRUNCATED
    folded = fold(text)
    for rule in privacy._RULES:
        plain = rule._replace(gate=lambda _: True, digits=0, chain=0, anchor=None)
        text, folded = privacy._apply(plain, text, folded, hits)
    return text, hits


def _tricky_texts() -> list[str]:
    """Adversarial ads, and seeded mixes of the pieces every shortcut keys on: digits and gaps next to
    prefixes, labels, surnames and name cues, so a wrong offset or gate shows as a difference."""
    import random

    corpus = Path(__file__).parent / "fixtures" / "pii_adversarial.jsonl"
    texts = [
        v
        for line in corpus.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for v in json.loads(line).values()
        if isinstance(v, str)
    ]
    pieces = (
        "1|3|8|0|9|7|2| |-|.|/|(|)|+86|(+86)|0086|0827|(0827)|转|ext|电话|Tel:|手机：|联系方式|QQ|q q号|扣扣|"
        "企鹅群|微信|威信|加v|vx|wx|WeChat|wechat |@|(at)| at |艾特|点|dot|.com|qq|abc_12|联系人：|HR|负责人：|"
        "张|王|欧阳|车|女士|先生|经理|老师|姐|工|总|某|XX|*|小|老|找|请|联系|，|：|工作|大专|元/月|\n|１３８|\u3000"
    ).split("|")
    texts += [
        "简历发邮箱：zhang.san-2024_hr@bzjob.com.cn，电话13812345678",
        "hr_zhang2024 (at) 163 (dot) com 或 13812345678",
        "手机：(+86) 138 1234 5678，座机(0827)5123456转8",
        "QQ号码：123456789，身份证510722199001011234，电话：5123456",
    ]
    rng = random.Random(13)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
    return texts


def test_shortcuts_never_change_what_is_masked():
    for text in _tricky_texts():
        assert privacy_scrub_pair(text) == _scrub_without_shortcuts(text), text


def privacy_scrub_pair(text: str) -> tuple[str, list]:
    from extractors import privacy

    return privacy._scrub(text)


def test_fast_minhash_equals_datasketch():
    """description_minhash computes datasketch's values itself (one MinHash per ad cost more than the
    rest of the ad): the values must stay datasketch's, which the warehouse's signatures were made with."""
    import numpy as np
    from datasketch import MinHash

    from extractors.job_boards.normalize import (
        MINHASH_PERMUTATIONS,
        MINHASH_SEED,
        description_minhash,
        description_shingles,
        minhash_values,
    )

    corpus = Path(__file__).parent / "fixtures" / "postings_eval.jsonl"
    descriptions = [
        json.loads(line)["description"] for line in corpus.read_text(encoding="utf-8").splitlines()
    ]
    descriptions += ["ab", "岗位职责：负责焊接。" * 40, "１２３ＡＢＣ"]
    for description in descriptions:
        shingles = description_shingles(description)
        reference = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED)
        reference.update_batch(sorted(shingles))
        values = minhash_values(shingles)
        assert values.dtype == reference.hashvalues.dtype
        assert np.array_equal(values, reference.hashvalues), description
        expected = "".join(f"{int(v):08x}" for v in reference.hashvalues)
        assert description_minhash(description) == expected.translate(
            str.maketrans("0123456789abcdef", "abcdefghijklmnop")
        )
