"""Mask personal data in free text before it is landed.

Job ads carry recruiters' mobiles, landlines, e-mails, QQ/WeChat ids and names ("请联系张经理"),
and now and then an ID number. None of that may reach the warehouse (the plans' data-governance
rule), so extractors run `scrub` over every free-text field *before* landing; the raw bytes of job
pages are never stored for the same reason.

Masks are fixed tokens ([电话] [邮箱] [QQ] [微信] [身份证] [联系人]) so the text stays readable and
analyses can still count "ads that give a phone number". The rules lean towards masking too much:
a wrongly masked word in a description costs little, a leaked phone number cannot be taken back."""

from __future__ import annotations

import re

PHONE = "[电话]"
EMAIL = "[邮箱]"
QQ = "[QQ]"
WECHAT = "[微信]"
ID_NUMBER = "[身份证]"
CONTACT = "[联系人]"
MASKS = (PHONE, EMAIL, QQ, WECHAT, ID_NUMBER, CONTACT)

_HAN = r"\u4e00-\u9fff"
# Dashes people type between digit groups, half- and full-width.
_SEP = r"[ \t\-－—–]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Any 18-character number of the ID shape: checking region/birth date would only let typos through.
_ID = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{9}[\dXx](?![0-9A-Za-z])")
_QQ = re.compile(r"(?i)(?:QQ|扣扣)\s*(?:号码|号)?\s*[:：]?\s*[1-9]\d{4,11}(?!\d)")
_WECHAT = re.compile(
    r"(?i)(?:微信号?|威信|薇信|V信|加微|(?<![A-Za-z])(?:vx|wx|weixin|wechat)(?![A-Za-z]))\s*(?:号)?\s*[:：]?\s*"
    r"[A-Za-z0-9][\-_A-Za-z0-9]{4,19}"
)
_MOBILE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{_SEP}?)?1[3-9]\d(?:{_SEP}?\d{{4}}){{2}}(?!\d)")
_LANDLINE = re.compile(
    rf"(?<!\d)(?:[(（]\s*0\d{{2,3}}\s*[)）]{_SEP}?|0\d{{2,3}}{_SEP}?)[2-9]\d{{6,7}}"
    rf"(?:\s*(?:转|ext\.?|-)\s*\d{{1,5}})?(?!\d)"
)
# A bare local number is only recognisable by its label ("电话：5123456").
_LABELLED_NUMBER = re.compile(r"(?i)((?:电话|座机|固话|手机|tel|联系方式)\s*[:：]?\s*)[2-9]\d{6,7}(?!\d)")

_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|"
    "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温"
    "康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费"
    "卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝萧鄢]"
)
# "张女士", "王先生" are always people.
_NAME_POLITE = re.compile(rf"(?:{_SURNAMES})(?:女士|先生|小姐)")
# "经理", "老师", "工" also end job titles ("工程经理", "课程老师"), so a surname + one of these counts
# as a name only at a word start or after a word that introduces a contact ("联系张经理").
_CONTACT_CUES = "系找询电给与和及请致人位为是的或向部处：:，,、（(/"
_NAME_TITLE = re.compile(
    rf"(?:(?<=[{_CONTACT_CUES}])|(?<![{_HAN}]))(?:{_SURNAMES})"
    r"(?:总经理|经理|老师|主管|主任|工(?![程作厂业艺资种人])|总(?!监|裁|部|公司|经理|计|额|数))"
)
# "王某某", "刘XX", "李**": a redacted-looking name is still a name. A single 某 only before a
# non-Han character: "对于某些" must survive.
_NAME_PLACEHOLDER = re.compile(rf"(?:{_SURNAMES})(?:某某|[Xx×＊*]{{1,3}}|某(?![{_HAN}]))")
# "联系小王", "找老李": a familiar form of a surname is a person only after a contact cue.
_NAME_FAMILIAR = re.compile(rf"(?<=[联系找询给与和请致])(?:小|老)(?:{_SURNAMES})(?![{_HAN}])")
# Whatever follows a contact label is a name: "联系人：刘XX", "负责人：李四".
_NAME_LABELLED = re.compile(
    rf"((?:(?:联系人|(?<![A-Za-z])HR)\s*[:：]?|(?:负责人|姓名)\s*[:：])\s*)"
    rf"[{_HAN}][{_HAN}Xx×＊*某]{{0,3}}?(?=$|[^{_HAN}Xx×＊*某]|电话|手机|微信|邮箱|座机|联系|QQ)"
)

# Order matters: e-mails before QQ (123456@qq.com), ID numbers before mobiles (an ID contains
# 11-digit runs), labelled ids before bare numbers so the label is masked with the value.
_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (_EMAIL, EMAIL),
    (_ID, ID_NUMBER),
    (_QQ, QQ),
    (_WECHAT, WECHAT),
    (_MOBILE, PHONE),
    (_LANDLINE, PHONE),
    (_LABELLED_NUMBER, r"\1" + PHONE),
    (_NAME_LABELLED, r"\1" + CONTACT),
    (_NAME_POLITE, CONTACT),
    (_NAME_TITLE, CONTACT),
    (_NAME_PLACEHOLDER, CONTACT),
    (_NAME_FAMILIAR, CONTACT),
)


def scrub(text: str | None) -> str | None:
    """Return `text` with personal data replaced by fixed masks (None and '' pass through)."""
    if not text:
        return text
    for pattern, mask in _RULES:
        text = pattern.sub(mask, text)
    return text


def find_personal_data(text: str | None) -> list[str]:
    """Personal-data-looking substrings left in `text` (empty when clean) — for tests and audits."""
    if not text:
        return []
    hits = []
    for pattern, _ in _RULES:
        hits.extend(m.group(0) for m in pattern.finditer(text))
    return [h for h in hits if h not in MASKS and not h.endswith(MASKS)]
