"""Mask personal data in free text before it is landed, and detect what was left unmasked.

Job ads carry recruiters' mobiles, landlines, e-mails, QQ/WeChat ids and names ("请联系张经理"),
and now and then an ID number. None of that may reach the warehouse (the plans' data-governance
rule), so every string of every record is scrubbed *before* it is written (`scrub_value` walks
dicts and lists), and the landing expectations run the very same detector (`personal_data_kinds`)
over every text column: one set of rules, so the gate cannot be weaker than the scrubber.

People hide contact details from filters on purpose: full-width digits (１３８…), digits split by
spaces, dots or slashes, "+86", "Q Q", "扣扣", "加V", "hr（at）163.com". Matching therefore runs on
a *folded* copy of the text (every character NFKC-folded on its own and every Unicode decimal digit
made ASCII, so one character stays one character) and masks the same spans of the original, which
otherwise stays as written. Digit patterns allow up to two separator characters between any two
digits and refuse to start or end next to another digit, so salaries (4500-6000元), dates
(2026-03-16), counts and model numbers, which never have 11 or 18 digits in a row, stay intact.

Masks are fixed tokens ([电话] [邮箱] [QQ] [微信] [身份证] [联系人]) so the text stays readable and
analyses can still count "ads that give a phone number". The rules lean towards masking too much:
a wrongly masked word costs little, a leaked phone number cannot be taken back.

Every pattern is linear: no nested unbounded quantifiers, bounded repeats after a left boundary.
Text longer than MAX_SCAN_CHARS is cut (ending in TRUNCATED) before scanning: no real field is that
long, and a pasted blob must neither stall the scrubber nor hide data past the scanned part.

Not covered: numbers written in Chinese numerals (幺三八…) or as images."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from itertools import product
from typing import Any, NamedTuple

PHONE = "[电话]"
EMAIL = "[邮箱]"
QQ = "[QQ]"
WECHAT = "[微信]"
ID_NUMBER = "[身份证]"
CONTACT = "[联系人]"
MASKS = (PHONE, EMAIL, QQ, WECHAT, ID_NUMBER, CONTACT)

MAX_SCAN_CHARS = 20_000
TRUNCATED = "[超长已截断]"
OVERLONG = "overlong text"

# Identifiers and fingerprints: masking a digit run in them would break lineage, and they are
# never typed by a recruiter. Every other string, at any depth, is scrubbed.
IDENTIFIER_KEYS = frozenset(
    {"url", "source_id", "dedup_key", "description_minhash", "sha256", "page_sha256", "fetched_at"}
)


class _Fold(dict):
    """str.translate table built on demand: a character → its one-character NFKC form, any Unicode
    decimal digit → ASCII; characters whose NFKC form is longer stay as they are."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out = str(digit)
        else:
            norm = unicodedata.normalize("NFKC", ch)
            out = norm if len(norm) == 1 else ch
        self[code] = out
        return out


_FOLD = _Fold()


def fold(text: str) -> str:
    """The copy of `text` the patterns run on: same length, width and digit forms folded."""
    return text.translate(_FOLD)


_HAN = r"\u4e00-\u9fff"
# What people put between digit groups: spaces (NFKC turns U+3000/U+00A0 into " "), dots, dashes,
# slashes, underscores, middle dots and zero-width characters.
_S = r"[ \t.\-/_·—–\u200b-\u200d\u2060\ufeff]"
_G = rf"{_S}{{0,2}}"  # the gap allowed between two digits
# Not right after a digit, nor after a digit and a gap: "2026 13800138000" must not start mid-number.
_LB = rf"(?<![0-9])(?<![0-9]{_S})(?<![0-9]{_S}{_S})"
_RB = rf"(?!{_G}[0-9])"


def _digits(n: str) -> str:
    """n more digits, each after an optional gap."""
    return rf"(?:{_G}[0-9]){{{n}}}"


_LOCAL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}"
_TLDS = r"(?:com|cn|net|org|edu|gov|info|biz|top|vip|xyz|cc|co|io|me|hk|tw|mo|us|uk|site|shop|ltd|ink)"
_EMAIL = re.compile(
    rf"{_LOCAL}\s{{0,2}}@\s{{0,2}}{_LABEL}(?:\s?[.。]\s?{_LABEL}){{0,3}}\s?[.。]\s?[A-Za-z]{{2,10}}(?![A-Za-z0-9])"
)
# (at) [at] {at} <at> " at " 艾特, and (dot) [dot] " dot " 点 for the dots: only before a known
# top-level domain, so English prose ("look at it") is not taken for an address.
_AT = r"(?:\s{0,2}@\s{0,2}|\s?[(\[{<]\s?(?i:at)\s?[)\]}>]\s?|\s(?i:at)\s|\s?艾特\s?)"
_DOT = r"(?:\s?[.。]\s?|\s?[(\[{<]\s?(?i:dot|点)\s?[)\]}>]\s?|\s(?i:dot)\s|点)"
_EMAIL_SPELLED = re.compile(
    rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}{_DOT}(?i:{_TLDS})(?![A-Za-z0-9])"
)

_ID = re.compile(rf"{_LB}[1-9]{_digits('16')}{_G}[0-9Xx](?![A-Za-z0-9]){_RB}")
_QQ = re.compile(
    rf"(?<![A-Za-z])(?i:q{_G}q|q(?=号)|扣扣|企鹅)\s?(?:号码|号|群)?\s?[:：]?\s?"
    rf"[1-9]{_digits('4,11')}{_RB}"
)
_WECHAT = re.compile(
    r"(?:[微威薇徽]\s?信|(?i:v)\s?信|加\s?(?:[微威薇]|(?i:v)(?![A-Za-z]))"
    r"|(?<![A-Za-z])(?i:v\s?x|w\s?x|wei\s?xin|we\s?chat)(?![A-Za-z]))"
    r"\s?(?:同号|号码|号|(?i:id))?\s?[:：]?\s?[A-Za-z0-9][\-_A-Za-z0-9]{4,29}(?![\-_A-Za-z0-9])"
)
_MOBILE = re.compile(
    rf"{_LB}(?:(?:\+|00)?{_G}86{_G}|\(\s?\+?86\s?\){_G}|0{_G})?1{_G}[3-9]{_digits('9')}{_RB}"
)
_AREA = r"(?:\(\s?0[1-9][0-9]{1,2}\s?\)|0[1-9][0-9]{1,2})"
_LANDLINE = re.compile(
    rf"{_LB}{_AREA}{_G}[2-9]{_digits('6,7')}{_RB}(?:\s?(?:转|(?i:ext)\.?|-)\s?[0-9]{{1,5}}(?![0-9]))?"
)
# A bare local number is only recognisable by its label ("电话：5123456").
_NUMBER_LABEL = r"(?i:电话|座机|固话|手机|热线|tel|联系方式)"
_LABELLED_NUMBER = re.compile(rf"{_NUMBER_LABEL}\s?[:：]?\s?(?P<pii>[2-9]{_digits('6,7')}){_RB}")

_SURNAME_LIST = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温"
    "康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费"
    "卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝萧鄢"
)
_SURNAMES = rf"(?:欧阳|司马|上官|诸葛|东方|皇甫|令狐|慕容|[{_SURNAME_LIST}])"
# 车工 and 管工 are trades, not Mr Che and Mr Guan.
_SURNAMES_NOT_TRADES = rf"(?:欧阳|司马|上官|诸葛|[{_SURNAME_LIST.replace('车', '').replace('管', '')}])"
# Where a name can start: after a word that introduces a contact, or not inside a Han word.
_CONTACT_CUES = "系找询电给与和及请致人位为是的或向部处：:，,、（(/"
_NAME_START = rf"(?:(?<=[{_CONTACT_CUES}])|(?<![{_HAN}]))"
# "张女士", "王先生" are always people.
_NAME_POLITE = re.compile(rf"{_SURNAMES}(?:女士|先生|小姐)")
# "经理", "老师" also end job titles ("工程经理", "课程老师"), "姐"/"哥" end words ("任何姐妹"):
# a surname + one of these counts as a name only where a name can start.
_NAME_TITLE = re.compile(rf"{_NAME_START}{_SURNAMES}(?:经理|老师|主管|主任|[姐哥](?![妹弟们夫姐哥儿]))")
# "张工", "王总" only right after a contact verb: 总 and 工 start too many words (总额, 工资).
_NAME_SHORT = re.compile(
    rf"(?<=[系找询问给请致电与和向])(?:{_SURNAMES_NOT_TRADES}工(?![程作厂业艺资种人具])"
    rf"|{_SURNAMES}总(?!监|裁|部|公司|经理|计|额|数|量|值|体|共|结|之|局|站|台))"
)
# "王某某", "刘XX", "李**": a redacted-looking name is still a name. A single 某 only before a
# non-Han character: "对于某些" must survive.
_NAME_PLACEHOLDER = re.compile(rf"{_SURNAMES}(?:某某|[Xx×*]{{1,3}}|某(?![{_HAN}]))")
# "联系小王", "找老李": a familiar form of a surname is a person only after a contact cue.
_NAME_FAMILIAR = re.compile(rf"(?<=[联系找询给与和请致])(?:小|老)(?:{_SURNAMES})(?![{_HAN}])")
# Whatever follows a contact label is a name: "联系人：刘XX", "负责人：李四".
_NAME_LABELLED = re.compile(
    rf"(?:(?:联系人|(?<![A-Za-z])HR)\s?[:：]?|(?:负责人|姓名)\s?[:：])\s?"
    rf"(?P<pii>[{_HAN}][{_HAN}Xx×*某]{{0,3}}?)(?=$|[^{_HAN}Xx×*某]|电话|手机|微信|邮箱|座机|联系|QQ)"
)


def _valid_id(compact: str) -> bool:
    """An 18-character ID: a plausible birth date at positions 7-14 (region codes change too often
    to check, and the checksum is left out on purpose: a typo'd ID is still an ID)."""
    year, month, day = int(compact[6:10]), int(compact[10:12]), int(compact[12:14])
    return 1850 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31


def _id_check(match: re.Match) -> bool:
    return _valid_id(re.sub(r"[^0-9Xx]", "", match.group(0)))


def _contains(*needles: str) -> Callable[[str], re.Match | None]:
    """A gate: does the text hold one of `needles`? Plain literals, so the search skips to their
    first characters (a case-insensitive alternation tries every position, over every string)."""
    return re.compile("|".join(map(re.escape, needles))).search


def _any_case(word: str) -> list[str]:
    """Every upper/lower-case spelling of an ASCII word: what (?i:word) matches, as literals."""
    return ["".join(chars) for chars in product(*((c.lower(), c.upper()) for c in word))]


class Rule(NamedTuple):
    """A kind of personal data and where to look for it. Every field after `accept` only saves
    time: each is a property every match of `pattern` has, so a text without it cannot match.
    (Masks hold no digit and no gap character, so what holds of a text before masking bounds what
    holds after.)"""

    kind: str
    pattern: re.Pattern
    mask: str
    accept: Callable[[re.Match], bool] | None
    gate: Callable[[str], object]  # truthy for every text the pattern matches in
    digits: int = 0  # the fewest ASCII digits a match holds
    chain: int = 0  # the fewest digits of one _CHAIN a match holds; matches are sought near such chains
    anchor: re.Pattern | None = None  # a character every match has, `offsets` after its start
    offsets: tuple[int, int] = (0, 0)


_DIGIT = re.compile(r"[0-9]").search
_CHAIN = re.compile(rf"[0-9](?:{_G}[0-9])*")  # its length bounds the digits in it from above
# How far before the chain of digits it holds a digit rule's match can start: "(+86) ", "QQ号码：",
# "(0827)", "联系方式：" are at most 10 characters.
_REACH = 16
_AFTER_SURNAME = (1, 2)  # a name rule's cue comes after a one- or two-character surname
# Order matters. E-mails before QQ (123456@qq.com), ID numbers before mobiles (an ID contains
# 11-digit runs), labelled ids before bare numbers so the label goes with the value. A pattern with
# a `pii` group masks only that group, else the whole match.
_RULES: tuple[Rule, ...] = (
    Rule("e-mail address", _EMAIL, EMAIL, None, _contains("@"), anchor=re.compile("@"), offsets=(1, 66)),
    Rule(
        "e-mail address",
        _EMAIL_SPELLED,
        EMAIL,
        None,
        _contains("@", "艾特", *_any_case("at")),
        anchor=re.compile("@|艾特|[aA][tT]"),
        offsets=(1, 70),
    ),
    Rule("ID card number", _ID, ID_NUMBER, _id_check, _DIGIT, 17, 17),
    Rule("QQ number", _QQ, QQ, None, _contains("q", "Q", "扣扣", "企鹅"), 5, 5, re.compile("[qQ扣企]")),
    Rule(
        "WeChat id",
        _WECHAT,
        WECHAT,
        None,
        # w/W too: "wechat bzhr2024" holds none of the others (the gate lacked them before issue 13)
        _contains(*"信微威薇徽vVxXwW"),
        anchor=re.compile("[微威薇徽加vVwW]"),
    ),
    Rule("mobile number", _MOBILE, PHONE, None, _DIGIT, 11, 11),
    Rule("landline number", _LANDLINE, PHONE, None, _DIGIT, 10, 7),
    Rule(
        "landline number",
        _LABELLED_NUMBER,
        PHONE,
        None,
        _contains("电话", "座机", "固话", "手机", "热线", "联系方式", *_any_case("tel")),
        7,
        7,
        re.compile("[电座固手热联tT]"),
    ),
    # 工 (工作) and 经理 are in nearly every description, 女士 or 某 in few.
    Rule(
        "contact name",
        _NAME_LABELLED,
        CONTACT,
        None,
        _contains("联系人", "HR", "负责人", "姓名"),
        anchor=re.compile("[联H负姓]"),
    ),
    Rule(
        "contact name",
        _NAME_POLITE,
        CONTACT,
        None,
        _contains("女士", "先生", "小姐"),
        anchor=re.compile("[女先小]"),
        offsets=_AFTER_SURNAME,
    ),
    Rule(
        "contact name",
        _NAME_TITLE,
        CONTACT,
        None,
        _contains("经理", "老师", "主管", "主任", "姐", "哥"),
        anchor=re.compile("[经老主姐哥]"),
        offsets=_AFTER_SURNAME,
    ),
    Rule(
        "contact name",
        _NAME_SHORT,
        CONTACT,
        None,
        _contains("工", "总"),
        anchor=re.compile("[工总]"),
        offsets=_AFTER_SURNAME,
    ),
    Rule(
        "contact name",
        _NAME_PLACEHOLDER,
        CONTACT,
        None,
        _contains("某", "X", "x", "×", "*"),
        anchor=re.compile("[某Xx×*]"),
        offsets=_AFTER_SURNAME,
    ),
    Rule("contact name", _NAME_FAMILIAR, CONTACT, None, _contains("小", "老"), anchor=re.compile("[小老]")),
)
KINDS = tuple(dict.fromkeys(rule.kind for rule in _RULES))
_FEWEST_DIGITS = min(rule.digits for rule in _RULES if rule.digits)
# the gates of the rules that need no digit, in one search: most short values pass none
_ANY_GATE = re.compile("|".join(rule.gate.__self__.pattern for rule in _RULES if not rule.digits))
_ASCII_DIGITS = "0123456789"


def _finditer(rule: Rule, folded: str) -> Iterator[re.Match]:
    """rule.pattern.finditer(folded), the same matches, but tried only where the rule's anchor
    (or, for digit rules, a long enough chain of digits) says a match can start, instead of at every
    character. A search or match from a position still sees the text before it (look-behinds hold)."""
    pattern, (lo, hi) = rule.pattern, rule.offsets
    if rule.anchor is None and not rule.chain:
        yield from pattern.finditer(folded)
        return
    if rule.anchor is None:
        anchors: Iterator[re.Match] = (
            run for run in _CHAIN.finditer(folded) if run.end() - run.start() >= rule.chain
        )
        lo, hi = 0, _REACH
    else:
        anchors = rule.anchor.finditer(folded)
    pos = 0
    if hi - lo > 2:
        # a wide window: search on from its start (it stops at the next match, wherever that is)
        for anchor in anchors:
            if anchor.end() <= pos:
                continue
            match = pattern.search(folded, max(pos, anchor.start() - hi))
            if match is None:
                return
            yield match
            pos = match.end()
        return
    tried = 0  # every position below this has been tried or lies inside a match
    for anchor in anchors:
        at, last = max(pos, tried, anchor.start() - hi), anchor.start() - lo
        while at <= last:
            match = pattern.match(folded, at)
            if match:
                yield match
                pos = match.end()
                at = max(at + 1, pos)
            else:
                at += 1
        tried = max(tried, last + 1)


def _apply(rule: Rule, text: str, folded: str, hits: list[tuple[str, str]]) -> tuple[str, str]:
    """Mask the rule's matches (found in `folded`) in both `text` and `folded`."""
    kind, pattern, mask, accept, gate = rule[:5]
    if not gate(folded):
        return text, folded
    out, out_folded, pos = [], [], 0
    for match in _finditer(rule, folded):
        if accept is not None and not accept(match):
            continue
        start, end = match.span("pii") if "pii" in pattern.groupindex else match.span()
        if folded[start:end] == mask:
            continue
        out.append(text[pos:start])
        out_folded.append(folded[pos:start])
        out.append(mask)
        out_folded.append(mask)
        hits.append((kind, text[start:end]))
        pos = end
    if not out:
        return text, folded
    out.append(text[pos:])
    out_folded.append(folded[pos:])
    return "".join(out), "".join(out_folded)


def _scrub(text: str) -> tuple[str, list[tuple[str, str]]]:
    hits: list[tuple[str, str]] = []
    if len(text) > MAX_SCAN_CHARS:
        hits.append((OVERLONG, f"{len(text)} characters"))
        text = text[: MAX_SCAN_CHARS - len(TRUNCATED)] + TRUNCATED
    folded = fold(text)
    digits = sum(map(folded.count, _ASCII_DIGITS))
    if digits < _FEWEST_DIGITS:
        if not _ANY_GATE.search(folded):
            return text, hits
        chain = 0
    else:
        chain = max(m.end() - m.start() for m in _CHAIN.finditer(folded))
    for rule in _RULES:
        if digits >= rule.digits and chain >= rule.chain:
            text, folded = _apply(rule, text, folded, hits)
    return text, hits


def scrub(text: str | None) -> str | None:
    """Return `text` with personal data replaced by fixed masks (None and '' pass through); text
    longer than MAX_SCAN_CHARS is cut to that length, ending in TRUNCATED."""
    if not text:
        return text
    if len(text) <= _CACHED_CHARS:
        return _scrub_short(text)
    return _scrub(text)[0]


# Short values (an education, a salary, a company, a date) recur from ad to ad; descriptions, which
# carry the phone numbers and names, rarely do and are always scanned.
_CACHED_CHARS = 40


@lru_cache(maxsize=16384)
def _scrub_short(text: str) -> str:
    return _scrub(text)[0]


def scrub_value(value: Any, *, keep: Collection[str] = IDENTIFIER_KEYS) -> Any:
    """`value` with every string scrubbed, at any depth of dicts, lists and tuples (as lists).
    Values under a key in `keep` (identifiers, see IDENTIFIER_KEYS) are left as they are."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        # strings scrubbed here, not through another call: an ad is a dozen of them
        return {
            k: v if k in keep else scrub(v) if type(v) is str else scrub_value(v, keep=keep)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub_value(v, keep=keep) for v in value]
    return value


def find_personal_data(text: str | None) -> list[str]:
    """The personal-data substrings `scrub` would mask in `text` (empty when clean); an overlong
    text also counts, since its end was never scanned."""
    if not text:
        return []
    return [found for _, found in _scrub(text)[1]]


# What a board's own masking leaves of a name ("李**", "张XX"): `scrub` masks it anyway, but it
# identifies nobody, like the "139****0001" boards leave of a number, so the detector lets it pass.
_MASKED_BY_BOARD = re.compile(rf"{_SURNAMES}(?:某某|[Xx×*]{{1,3}}|某)")


def personal_data_kinds(text: str | None) -> list[str]:
    """The kinds of personal data (KINDS, or OVERLONG) left unmasked in `text`, in rule order:
    what the landing expectations check every text column with."""
    if not text:
        return []
    hits = _scrub(text)[1]
    return list(dict.fromkeys(kind for kind, found in hits if not _MASKED_BY_BOARD.fullmatch(fold(found))))


def scrub_document(text: str) -> str:
    """A whole document (a stored bulletin page) scrubbed without the length cut: scanned line by
    line in pieces under MAX_SCAN_CHARS, so every part is checked and nothing is dropped. A contact
    is written on one line; a line longer than the limit is scanned in limit-sized pieces."""
    pieces: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        while len(line) > MAX_SCAN_CHARS:
            pieces.append(line[:MAX_SCAN_CHARS])
            line = line[MAX_SCAN_CHARS:]
        if size + len(line) > MAX_SCAN_CHARS:
            pieces.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line)
    pieces.append("".join(chunk))
    return "".join(scrub(piece) or "" for piece in pieces)
