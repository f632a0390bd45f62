"""extractors.charset: a bad byte is replaced where it is, counted, and never makes the decoder
re-read the whole page in another encoding; a page with too many bad bytes is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.bulletins import parse_bulletin_file
from extractors.charset import MAX_REPLACED_SHARE, CharsetError, decode, decode_bytes
from extractors.errors import SourceError
from extractors.http import HttpClient

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bulletins"
ADS = "".join(f"<li>巴中市巴州区招聘数控车工{i}名，月薪4500-6000元，五险一金。</li>\n" for i in range(300))
PAGE = f'<html><head><meta charset="utf-8"></head><body><ul>\n{ADS}</ul></body></html>'


def _with_stray_byte(page: str, marker: str = "车工7名") -> bytes:
    """The page as UTF-8 with one Windows-1252 curly quote (0x93) inserted before `marker`."""
    head, tail = page.split(marker, 1)
    return head.encode("utf-8") + b"\x93" + (marker + tail).encode("utf-8")


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", None])
def test_one_bad_byte_is_one_replacement_and_the_rest_intact(content_type):
    content = _with_stray_byte(PAGE)
    result = decode(content, content_type, where="https://example.invalid/jobs")
    assert (result.encoding, result.replaced) == ("utf-8", 1)
    assert result.text.count("\ufffd") == 1
    assert result.text.replace("\ufffd", "") == PAGE  # all 300 ads read as published
    assert decode_bytes(content, content_type)[0] == result.text


def test_declared_gb18030_page_with_one_bad_byte_stays_gb18030():
    page = PAGE.replace("utf-8", "gb18030")
    head, tail = page.split("车工7名", 1)
    content = head.encode("gb18030") + b"\xff" + ("车工7名" + tail).encode("gb18030")
    result = decode(content, "text/html")
    assert (result.encoding, result.replaced) == ("gb18030", 1)
    assert result.text.replace("\ufffd", "") == page


def test_many_bad_bytes_refuse_the_page_naming_it():
    content = PAGE.encode("utf-8").replace("招聘".encode(), b"\x93\x94", 100)  # 100 of 300 ads damaged
    with pytest.raises(
        CharsetError, match=r"https://example.invalid/jobs: 200 of \d+ characters .* not valid utf-8"
    ):
        decode(content, "text/html; charset=utf-8", where="https://example.invalid/jobs")
    # the share allowed is a parameter: 0 (strict) refuses even one
    with pytest.raises(CharsetError, match="0.00% allowed"):
        decode_bytes(_with_stray_byte(PAGE), "text/html", strict=True, where="x.csv")
    assert MAX_REPLACED_SHARE == 0.005


def test_mislabelled_gbk_page_is_still_detected():
    # Nearly every character fails as the declared UTF-8: the label is wrong, not the bytes.
    content = PAGE.replace("utf-8", "gbk").encode("gb18030")
    result = decode(content, "text/html; charset=utf-8")
    assert (result.text, result.encoding, result.replaced) == (PAGE.replace("utf-8", "gbk"), "gb18030", 0)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("guangyuan_city_2019_gb2312.txt", "gb18030"),
        ("nanchong_city_2022_gbk.html", "gb18030"),
        ("pingchang_2023_gb18030.txt", "gb18030"),
        ("bazhong_city_2024.html", "utf-8"),
    ],
)
def test_bulletin_fixtures_decode_cleanly(name, encoding):
    result = decode((FIXTURES / name).read_bytes(), "text/html" if name.endswith(".html") else None)
    assert (result.encoding, result.replaced) == (encoding, 0)
    assert "巴中" in result.text or "生产总值" in result.text


def test_http_client_refuses_a_garbled_page_by_url_and_records_a_stray_byte(tiny_server):
    garbled = PAGE.encode("utf-8").replace("招聘".encode(), b"\x93\x94", 100)
    pages = {"/ok": _with_stray_byte(PAGE), "/bad": garbled}
    server = tiny_server(
        lambda req, hit: (200, pages[req.path], {"Content-Type": "text/html; charset=utf-8"})
    )
    with HttpClient("test", retries=0) as client:
        ok = client.get(server.base_url + "/ok")
        assert ok.replaced_chars == 1 and ok.manifest_entry()["replaced_chars"] == 1
        assert ok.text.replace("\ufffd", "") == PAGE
        with pytest.raises(SourceError, match=r"undecodable page.*source=http://.*/bad"):
            client.get(server.base_url + "/bad")
    assert client.fetch_log == [ok.manifest_entry()]  # the refused page is not in the manifest


def test_bulletin_file_with_too_many_bad_bytes_names_the_file(tmp_path):
    path = tmp_path / "garbled.html"
    path.write_bytes(PAGE.encode("utf-8").replace("招聘".encode(), b"\x93\x94", 100))
    with pytest.raises(SourceError, match=rf"undecodable bulletin file.*source={path}"):
        parse_bulletin_file(path)
