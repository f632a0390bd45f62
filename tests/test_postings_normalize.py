"""The normaliser's contract (`talent postings normalize`, `normalize_jsonl`): every salary,
education, experience and location form the issue lists, masking, malformed input, and the
classifiers measured on the hand-labelled evaluation set (tests/fixtures/postings_eval.jsonl) and on
the holdout set nobody tuned on (tests/fixtures/postings_holdout.jsonl)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.job_boards.normalize import (
    DATA_DIR,
    UNCLASSIFIED,
    classify_occupation,
    company_key,
    education_level,
    experience_years,
    normalize_jsonl,
    parse_county,
    process_ad,
    salary_fields,
    title_key,
)

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "fixtures" / "postings_eval.jsonl"
# written and labelled for issue 12 before its vocabulary was grown, and not tuned on
HOLDOUT_SET = ROOT / "tests" / "fixtures" / "postings_holdout.jsonl"
OUTPUT_FIELDS = {
    "salary_min",
    "salary_max",
    "salary_months",
    "salary_negotiable",
    "salary_parse_error",
    "education_level",
    "experience_min_years",
    "experience_max_years",
    "county",
    "in_region",
    "industry",
    "occupation_code",
    "skills",
    "description",
}


def _salary(text):
    f = salary_fields(text)
    return (
        f["salary_min"],
        f["salary_max"],
        f["salary_months"],
        f["salary_negotiable"],
        f["salary_parse_error"],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples
        ("6-8K·13薪", (6000, 8000, 13, False, None)),
        ("1.5万-2万", (15000, 20000, 12, False, None)),
        ("10-15万/年", (8333.33, 12500, 12, False, None)),
        ("面议", (None, None, None, True, None)),
        # K/k, 千, 万 and mixed units
        ("6k-8k", (6000, 8000, 12, False, None)),
        ("4千-6千", (4000, 6000, 12, False, None)),
        ("8千-1.2万", (8000, 12000, 12, False, None)),
        ("1-1.5万", (10000, 15000, 12, False, None)),
        ("2500-3500元/月·14薪", (2500, 3500, 14, False, None)),
        # yearly ÷12, daily ×21.75, hourly ×174
        ("年薪12-18万", (10000, 15000, 12, False, None)),
        ("年薪30万以上", (25000, None, 12, False, None)),
        ("150元/天", (3262.5, 3262.5, 12, False, None)),
        ("200-300元/天", (4350, 6525, 12, False, None)),
        ("日结300元", (6525, 6525, 12, False, None)),
        ("18元/小时", (3132, 3132, 12, False, None)),
        ("时薪20元", (3480, 3480, 12, False, None)),
        # one open bound
        ("3500元以上", (3500, None, 12, False, None)),
        ("2000元以下", (None, 2000, 12, False, None)),
        ("底薪3000+提成", (3000, None, 12, False, None)),
        # negotiable with and without an amount
        ("薪资面议", (None, None, None, True, None)),
        ("3000-5000元，可面议", (3000, 5000, 12, True, None)),
        # nothing to read: nulls and a reason, never a guess
        ("6-8", (None, None, None, False, "amount without a unit in salary text '6-8'")),
        ("待遇优厚", (None, None, None, False, "no amount in salary text '待遇优厚'")),
        (None, (None, None, None, False, None)),
    ],
)
def test_salary_forms(text, expected):
    assert _salary(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不限", "none"),
        ("初中及以下", "junior_high"),
        ("初中", "junior_high"),
        ("高中", "high_school"),
        ("高中及以上", "high_school"),
        ("中专/中技", "secondary_vocational"),
        ("中技", "secondary_vocational"),
        ("职高", "secondary_vocational"),
        ("大专", "associate"),
        ("大专及以上", "associate"),
        ("统招大专", "associate"),
        ("本科", "bachelor"),
        ("本科及以上", "bachelor"),
        ("硕士", "master"),
        ("硕士及以上", "master"),
        ("博士", "doctor"),
    ],
)
def test_education_forms(text, expected):
    assert education_level(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-3年", (1, 3)),
        ("5年以上", (5, None)),
        ("1年以下", (0, 1)),
        ("不限", (0, None)),
        ("经验不限", (0, None)),
        ("无经验", (0, None)),
        ("应届生", (0, 0)),
        ("应届毕业生", (0, 0)),
        ("三年以上", (3, None)),
        ("一年以内", (0, 1)),
        ("5-10年", (5, 10)),
        ("见面详谈", (None, None)),
        (None, (None, None)),
    ],
)
def test_experience_forms(text, expected):
    assert experience_years(text) == expected


@pytest.mark.parametrize(
    ("location", "description", "expected"),
    [
        ("巴中·巴州区", None, ("巴州区", True)),
        ("巴中-恩阳区", None, ("恩阳区", True)),
        ("四川省巴中市平昌县江口镇", None, ("平昌县", True)),
        ("巴中经济技术开发区", None, ("巴中经开区", True)),
        ("巴中", None, ("市本级", True)),
        ("巴中", "工作地点：南江县光雾山大道", ("南江县", True)),
        (None, "地址：四川省巴中市通江县诺江镇", ("通江县", True)),
        (None, "公司地址：巴中市内，面试时确定", ("市本级", True)),
        ("成都·高新区", "工作地点：成都市高新区\n巴中籍员工优先", ("市外", False)),
        ("重庆市两江新区", None, ("市外", False)),
        (None, "负责全国经销商开发", ("未注明", None)),
    ],
)
def test_county_forms(location, description, expected):
    assert parse_county(location, description) == expected


def test_dedup_keys_ignore_decorations_but_not_the_post():
    assert title_key("【急招】焊工（包吃住）") == title_key("焊工") == title_key("高薪诚聘焊工5名")
    assert title_key("招聘专员") == "招聘专员"  # a job, not a decoration
    assert title_key("电焊工") != title_key("焊工")  # a paraphrase: the near-duplicate step's job
    assert company_key("四川通友微电科技有限公司") == company_key("通友微电科技")
    assert company_key("巴中鑫华食品有限公司") != company_key("通江鑫华食品有限公司")


def test_minhash_signature_estimates_jaccard_and_has_no_digits():
    from extractors.job_boards.normalize import description_minhash

    text = "岗位职责：\n1、负责贴片机操作；\n2、做好首件确认。\n福利待遇：五险一金、包吃住。\n工作地点：巴中经开区"
    a = description_minhash(text)
    assert len(a) == 128 * 8 and not any(c.isdigit() for c in a)

    def agreement(x: str, y: str) -> float:
        # What int_postings_near_duplicates_flagged computes in SQL: the share of equal 8-letter positions.
        return sum(x[i : i + 8] == y[i : i + 8] for i in range(0, len(x), 8)) / 128

    assert agreement(a, description_minhash(text + "\n本岗位长期有效，欢迎推荐。")) > 0.8
    assert agreement(a, description_minhash("负责小区门岗值守、巡逻，退役军人优先。")) < 0.2
    # masks do not count: a copy that gave a phone and one that gave an e-mail are the same text
    assert description_minhash(text + "联系：[电话]") == description_minhash(text + "联系：[邮箱]")


def test_normalize_jsonl_adds_every_field_and_masks_personal_data():
    ad = {
        "title": "QC化验员",
        "company": "巴中康恩药业有限公司",
        "salary": "4500-6500元/月·13薪",
        "education": "大专及以上",
        "experience": "1-3年",
        "location": "巴中·巴中经开区",
        "description": "熟悉GMP，会用液相色谱。联系人：李女士 电话：0827-5212345 手机13812345678 邮箱hr@163.com "
        "QQ：12345678 微信：bz_hr2024 身份证510722199001011234",
        "posted_at": "2026-03-05 09:00:00",
        "headcount": "2人",
        "source": "zhaopin",
        "url": "https://example.invalid/job/1",
        "board_extra": "kept",
    }
    out = io.StringIO()
    stats = normalize_jsonl(io.StringIO(json.dumps(ad, ensure_ascii=False) + "\n"), out, name="ads.jsonl")
    assert stats["records"] == 1 and stats["errors"] == 0
    rec = json.loads(out.getvalue())
    assert OUTPUT_FIELDS <= set(rec)
    assert (rec["salary_min"], rec["salary_max"], rec["salary_months"]) == (4500, 6500, 13)
    assert rec["education_level"] == "associate"
    assert (rec["experience_min_years"], rec["experience_max_years"]) == (1, 3)
    assert (rec["county"], rec["in_region"], rec["industry"]) == ("巴中经开区", True, "生物医药")
    assert rec["occupation_code"] == "4-08-05-04"
    assert rec["skills"] == ["GMP", "精密仪器使用"]
    for secret in ("李女士", "0827-5212345", "13812345678", "hr@163.com", "12345678", "bz_hr2024", "510722"):
        assert secret not in rec["description"], secret
    assert rec["board_extra"] == "kept" and rec["posted_at"] == "2026-03-05" and rec["headcount"] == 2


def test_malformed_lines_become_error_records_naming_input_and_line():
    lines = ['{"title": "焊工"}', "{not json", "", "[1, 2]", '{"title": "电工"}']
    out = io.StringIO()
    stats = normalize_jsonl(io.StringIO("\n".join(lines) + "\n"), out, name="in.jsonl")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("title") for r in records] == ["焊工", None, None, "电工"]  # nothing skipped silently
    assert records[1]["error"].startswith("in.jsonl:2: malformed input line")
    assert (records[1]["input"], records[1]["line"]) == ("in.jsonl", 2)
    assert records[2]["line"] == 4 and "expected a JSON object" in records[2]["error"]
    assert (stats["records"], stats["errors"], stats["blank"]) == (2, 2, 1)


def test_cli_contract(tmp_path):
    """`talent postings normalize FILE` and `... -` (stdin) write one JSON line per input line."""
    source = tmp_path / "ads.jsonl"
    source.write_text(
        json.dumps({"title": "导游", "salary": "面议", "location": "巴中·南江县"}, ensure_ascii=False)
        + "\nbroken\n",
        encoding="utf-8",
    )
    talent = str(Path(sys.executable).with_name("talent"))
    from_file = subprocess.run([talent, "postings", "normalize", str(source)], capture_output=True, text=True)
    from_stdin = subprocess.run(
        [talent, "postings", "normalize", "-"],
        input=source.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
    )
    for proc, name in ((from_file, str(source)), (from_stdin, "<stdin>")):
        # Every line gets its output record, but the exit code tells a pipeline some input was unreadable.
        assert proc.returncode == 1, proc.stderr
        first, second = (json.loads(line) for line in proc.stdout.splitlines())
        assert (first["county"], first["salary_negotiable"], first["occupation_code"]) == (
            "南江县",
            True,
            "4-07-04-01",
        )
        assert second["error"].startswith(f"{name}:2:")
        assert f"{name}:2" in proc.stderr  # and the log says where, too

    clean = tmp_path / "clean.jsonl"
    clean.write_text(source.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    ok = subprocess.run([talent, "postings", "normalize", str(clean)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert len(ok.stdout.splitlines()) == 1


# --------------------------------------------------------------------------- the evaluation set


def _ads(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _eval_ads() -> list[dict]:
    return _ads(EVAL_SET)


def test_evaluation_set_is_large_and_labelled_with_known_codes():
    ads = _eval_ads()
    assert len(ads) >= 300
    codes = {
        row["occupation_code"] for row in csv.DictReader(open(ROOT / "dbt_project/seeds/occupations.csv"))
    }
    skills = {row["skill"] for row in csv.DictReader(open(DATA_DIR / "skills.csv", encoding="utf-8"))}
    for ad in ads:
        labels = ad["labels"]
        assert labels["occupation_code"] is None or labels["occupation_code"] in codes, ad["id"]
        assert set(labels["skills"]) <= skills, ad["id"]


def _precision_recall(field: str, negative=(), path: Path = EVAL_SET) -> tuple[float, float]:
    """Precision and recall of `field`, a value other than None and the `negative` ones counting as
    positive (None and "unclassified" are the same answer: labels written before the code say None)."""
    negatives = {None, *((negative,) if isinstance(negative, str) else negative)}
    tp = predicted = labelled = 0
    for ad in _ads(path):
        got, label = process_ad(ad)[field], ad["labels"][field]
        positive_got = got not in negatives
        positive_label = label not in negatives
        predicted += positive_got
        labelled += positive_label
        tp += positive_got and got == label
    return tp / predicted, tp / labelled


@pytest.mark.parametrize(
    ("field", "negative", "min_precision", "min_recall"),
    [
        # the aim: at least 0.9 precision for industry and county
        ("county", ("市外", "未注明"), 0.95, 0.95),
        ("industry", "其他", 0.9, 0.9),
        # relabelled for issue 12's wider seed and then tuned on: an optimistic figure (the holdout is not)
        ("occupation_code", UNCLASSIFIED, 0.9, 0.9),
        ("education_level", (), 0.95, 0.95),
    ],
)
def test_classifiers_on_the_evaluation_set(field, negative, min_precision, min_recall):
    precision, recall = _precision_recall(field, negative)
    assert precision >= min_precision and recall >= min_recall, (precision, recall)


# --------------------------------------------------------------------------- the holdout set


def test_holdout_set_is_labelled_with_known_codes_and_apart_from_the_evaluation_set():
    ads = _ads(HOLDOUT_SET)
    assert len(ads) >= 80
    codes = {
        row["occupation_code"] for row in csv.DictReader(open(ROOT / "dbt_project/seeds/occupations.csv"))
    }
    counties = {row["name_zh"] for row in csv.DictReader(open(ROOT / "dbt_project/seeds/counties.csv"))}
    for ad in ads:
        labels = ad["labels"]
        assert labels["occupation_code"] in codes, ad["id"]
        assert labels["county"] in counties - {"巴中市"}, ad["id"]
    # a few ads must say 未分类: a classifier that codes everything cannot pass the precision floor
    assert sum(ad["labels"]["occupation_code"] == UNCLASSIFIED for ad in ads) >= 5
    seen = {(ad["title"], ad["company"], ad["description"]) for ad in _eval_ads()}
    assert not [ad["id"] for ad in ads if (ad["title"], ad["company"], ad["description"]) in seen]


@pytest.mark.parametrize(
    ("field", "negative", "min_precision", "min_recall"),
    [
        # measured once before and once after the issue 12 vocabulary (docs/job_boards.md); floors a
        # little under the after-figures, so a vocabulary change that costs precision fails here
        ("industry", "其他", 0.9, 0.9),
        ("occupation_code", UNCLASSIFIED, 0.85, 0.7),
        ("county", ("市外", "未注明"), 0.95, 0.95),
    ],
)
def test_classifiers_on_the_holdout_set(field, negative, min_precision, min_recall):
    precision, recall = _precision_recall(field, negative, HOLDOUT_SET)
    assert precision >= min_precision and recall >= min_recall, (precision, recall)


def test_occupation_is_never_none():
    for title in ("", None, "网格员", "高级总监", "工程师", "普工", "总经理助理"):
        for industry in (None, "其他", "智能制造"):
            assert classify_occupation(title, industry), (title, industry)
    assert classify_occupation("网格员", "其他") == UNCLASSIFIED
    assert classify_occupation("酒店总经理", "文旅康养") == "1-06-00-00"  # a manager of no named trade
    assert classify_occupation("景区运营主管", "文旅康养") == "4-07-04-04"  # keeps the trade it names
    assert classify_occupation("生产主管", "智能制造") == "1-06-00-00"  # not the line's operator
    assert classify_occupation("烧结炉操作工", "新材料") == "6-16-04-04"  # the trade beats the fallback
    assert classify_occupation("操作工", "新材料") == "6-99-00-00"
    assert classify_occupation("普工", "食品饮料") == "6-01-01-01"  # the industry's row first
    assert classify_occupation("工艺工程师", "新材料") == "2-02-09-01"  # an engineer is no operator


def test_skills_on_the_evaluation_set():
    tp = predicted = labelled = 0
    for ad in _eval_ads():
        got, label = set(process_ad(ad)["skills"]), set(ad["labels"]["skills"])
        tp, predicted, labelled = tp + len(got & label), predicted + len(got), labelled + len(label)
    assert tp / predicted >= 0.85 and tp / labelled >= 0.85


def test_every_occupation_keyword_points_at_a_seed_code():
    codes = {
        row["occupation_code"] for row in csv.DictReader(open(ROOT / "dbt_project/seeds/occupations.csv"))
    }
    industries = {row["name_zh"] for row in csv.DictReader(open(ROOT / "dbt_project/seeds/industries.csv"))}
    rows = [
        row
        for name in ("occupation_keywords.csv", "occupation_fallbacks.csv")
        for row in csv.DictReader(open(DATA_DIR / name, encoding="utf-8"))
    ]
    assert rows
    for row in rows:
        # "" blocks a shorter word; 'unclassified' is the answer, never a keyword's
        assert row["occupation_code"] in codes - {UNCLASSIFIED} or row["occupation_code"] == "", row
        assert row["industry"] in industries or row["industry"] == "", row
        assert row["source"], row
    for row in csv.DictReader(open(DATA_DIR / "industry_keywords.csv", encoding="utf-8")):
        assert row["industry"] in industries and row["strength"] in ("strong", "weak", "other_employer"), row


def test_skills_seed_matches_the_taxonomy():
    """dbt's `skills` seed (what skill_demand_monthly counts) lists the taxonomy's skills, in order."""
    seed = [r["skill"] for r in csv.DictReader(open(ROOT / "dbt_project/seeds/skills.csv", encoding="utf-8"))]
    taxonomy = [r["skill"] for r in csv.DictReader(open(DATA_DIR / "skills.csv", encoding="utf-8"))]
    assert seed == taxonomy


def _eval_lines() -> list[str]:
    return [line for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_workers_write_the_same_lines_in_the_same_order(caplog):
    """`--workers`: blocks of lines in other processes, the output byte for byte the one-process one,
    malformed and blank lines included (a block boundary falls inside the input)."""
    from extractors.job_boards import blocks

    lines = _eval_lines()
    text = "\n".join([*lines[:5], "", "not json", *lines[5:], "[1, 2]", *lines[:40]]) + "\n"
    one, two = io.StringIO(), io.StringIO()
    stats_one = normalize_jsonl(io.StringIO(text), one, name="ads.jsonl")
    old_block, blocks.BLOCK_LINES = blocks.BLOCK_LINES, 97
    try:
        with caplog.at_level("WARNING"):
            stats_two = normalize_jsonl(io.StringIO(text), two, name="ads.jsonl", workers=2)
    finally:
        blocks.BLOCK_LINES = old_block
    assert two.getvalue() == one.getvalue()
    drop = ("seconds", "ads_per_second")
    assert {k: v for k, v in stats_two.items() if k not in drop} == {
        k: v for k, v in stats_one.items() if k not in drop
    }
    assert stats_two["errors"] == 2 and stats_two["blank"] == 1
    assert "ads.jsonl:7: malformed input line" in caplog.text  # the line number of the whole file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-16", "2026-03-16"),
        ("2026-03-16 10:22", "2026-03-16"),
        ("2026-03-16 10:22:07", "2026-03-16"),
        ("２０２６-０３-１６", "2026-03-16"),
        ("2026-03-16 10:22:60", None),  # strptime reads second 60, but then builds a datetime
        ("2026-02-30", None),
        ("2026-03-16 24:00:00", None),
        ("2026-3-6", "2026-03-06"),
        ("2026-03-16T10:22:00+08:00", "2026-03-16"),
    ],
)
def test_dates_read_without_strptime_as_strptime_reads_them(text, expected):
    from extractors.job_boards.normalize import parse_date

    assert parse_date(text) == expected


def test_keyword_lookup_finds_what_a_scan_of_every_keyword_finds():
    """KeywordTable files keywords by their first two characters; `matches` must still return every
    keyword in the text, in the table's order, as scanning all of them does."""
    from extractors.job_boards.normalize import KeywordTable, _fold, _tables

    texts = [v for line in _eval_lines() for v in json.loads(line).values() if isinstance(v, str)]
    texts += ["IOTA OTA ota,ota", "机修工 机修", "a", "电子陶瓷电子"]
    tables = [t for t in _tables().values() if isinstance(t, KeywordTable)]
    tables.append(KeywordTable([("a", 1), ("电", 2), ("", 3), ("ota", 4)]))
    for table in tables:
        for text in texts:
            s = _fold(text).lower()
            scanned = [
                (k, table.values[k])
                for k in table.keys
                if k in s and (k not in table.ascii or table.ascii[k].search(s))
            ]
            assert table.matches(text) == scanned, text
