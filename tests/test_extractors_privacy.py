"""privacy.scrub: every kind of contact detail is masked, ordinary job-ad text is left alone."""

from __future__ import annotations

import pytest

from extractors.privacy import CONTACT, EMAIL, ID_NUMBER, PHONE, QQ, WECHAT, find_personal_data, scrub


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
