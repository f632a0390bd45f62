"""extractors.landing: content-addressed, atomic, idempotent raw landings (contract section 2)."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from extractors import landing
from extractors.landing import (
    LandingResult,
    canonical_jsonl,
    land,
    list_landings,
    newest_validated,
    read_records,
)

RECORDS = [
    {"region": "巴中市", "year": 2024, "indicator": "gdp", "value": 870.51, "value_text": "870.51"},
    {
        "year": 2024,
        "region": "巴中市",
        "indicator": "industry_structure",
        "value": None,
        "value_text": "22.3:20.0:57.7",
    },
]


def test_first_landing_layout_and_manifest(tmp_path):
    fetches = [
        {
            "url": "http://x/a.html",
            "fetched_at": "2025-01-01T00:00:00+00:00",
            "sha256": "0" * 64,
            "bytes": 3,
            "status": 200,
            "encoding": "utf-8",
        }
    ]
    result = land(
        "bulletins", "2025-03-01", RECORDS, {"stats/a.html": b"<p>a</p>"}, raw_dir=tmp_path, fetches=fetches
    )
    assert isinstance(result, LandingResult)
    assert result.status == "landed" and result.rows == 2 and result.source == "bulletins"
    path = tmp_path / "bulletins" / "2025-03-01" / result.sha256[:12]
    assert result.path == str(path)
    payload = (path / "records.jsonl").read_bytes()
    assert hashlib.sha256(payload).hexdigest() == result.sha256
    # canonical: sorted keys, raw UTF-8 (no \\u escapes), one object a line
    first = payload.decode("utf-8").splitlines()[0]
    assert first == json.dumps(RECORDS[0], ensure_ascii=False, sort_keys=True)
    assert "巴中市" in first and list(json.loads(first)) == sorted(RECORDS[0])
    assert (path / "files" / "stats" / "a.html").read_bytes() == b"<p>a</p>"

    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"source", "partition", "sha256", "rows", "landed_at", "fetches", "files"}
    assert manifest["source"] == "bulletins" and manifest["partition"] == "2025-03-01"
    assert manifest["sha256"] == result.sha256 and manifest["rows"] == 2
    assert manifest["landed_at"].endswith("+00:00")
    assert manifest["fetches"] == fetches
    assert manifest["files"] == [
        {"path": "files/stats/a.html", "sha256": hashlib.sha256(b"<p>a</p>").hexdigest(), "bytes": 8}
    ]
    assert result.to_dict() == {
        "source": "bulletins",
        "partition": "2025-03-01",
        "path": str(path),
        "sha256": result.sha256,
        "rows": 2,
        "status": "landed",
    }


def test_same_records_again_is_unchanged(tmp_path):
    first = land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path)
    manifest_before = (
        tmp_path / "bulletins" / "2025-03-01" / first.sha256[:12] / "manifest.json"
    ).read_bytes()
    # Key order inside a record does not matter: the bytes are canonical.
    again = land(
        "bulletins", "2025-03-01", [dict(reversed(list(r.items()))) for r in RECORDS], raw_dir=tmp_path
    )
    assert again.status == "unchanged" and again.path == first.path and again.sha256 == first.sha256
    assert len(list((tmp_path / "bulletins" / "2025-03-01").iterdir())) == 1
    # Nothing was rewritten.
    assert (
        tmp_path / "bulletins" / "2025-03-01" / first.sha256[:12] / "manifest.json"
    ).read_bytes() == manifest_before


def test_changed_records_land_as_new_vintage(tmp_path):
    first = land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path)
    changed = [*RECORDS, {"region": "巴中市", "year": 2024, "indicator": "gdp_growth_pct", "value": 6.3}]
    second = land("bulletins", "2025-03-01", changed, raw_dir=tmp_path)
    assert second.status == "new_vintage" and second.path != first.path and second.rows == 3
    assert read_records(first.path) == [json.loads(json.dumps(r)) for r in RECORDS]
    landings = list_landings(tmp_path, "bulletins")
    assert [str(lnd.path) for lnd in landings] == [first.path, second.path]
    assert landings[-1].relative == f"bulletins/2025-03-01/{second.sha256[:12]}"
    # Another partition is a first landing again.
    assert land("bulletins", "2025-04-01", RECORDS, raw_dir=tmp_path).status == "landed"
    assert len(list_landings(tmp_path, "bulletins", partition="2025-03-01")) == 2
    assert [lnd.partition for lnd in list_landings(tmp_path)] == ["2025-03-01", "2025-03-01", "2025-04-01"]


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken_rename(src, dst):
        raise OSError("disk went away")

    monkeypatch.setattr(landing.os, "rename", broken_rename)
    with pytest.raises(OSError, match="disk went away"):
        land("bulletins", "2025-03-01", RECORDS, {"a.html": b"x"}, raw_dir=tmp_path)
    partition = tmp_path / "bulletins" / "2025-03-01"
    assert list(partition.iterdir()) == []  # no half landing, no temp folder
    monkeypatch.undo()
    assert land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path).status == "landed"


def test_readers_ignore_temp_and_incomplete_folders(tmp_path):
    result = land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path)
    partition = tmp_path / "bulletins" / "2025-03-01"
    (partition / ".tmp-abcdef123456-x").mkdir()
    (partition / "0123456789ab").mkdir()  # no manifest: not a landing
    assert [str(lnd.path) for lnd in list_landings(tmp_path, "bulletins")] == [result.path]
    other = land("bulletins", "2025-03-01", RECORDS[:1], raw_dir=tmp_path)
    assert other.status == "new_vintage"


def _validated(path, success):
    (path / "validation").mkdir()
    (path / "validation" / "result.json").write_text(json.dumps({"success": success}), encoding="utf-8")


def test_list_finds_every_source_and_newest_validated_keeps_last_good_vintage(tmp_path):
    old = land("job_board_third", "2025-03-01", RECORDS, raw_dir=tmp_path)
    new = land("job_board_third", "2025-03-01", RECORDS[:1], raw_dir=tmp_path)
    never = land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path)
    (tmp_path / ".checkpoints" / "job_board_third").mkdir(parents=True)  # not a source
    _validated(landing.Path(old.path), True)
    _validated(landing.Path(new.path), False)
    found = list_landings(tmp_path)
    assert [(lnd.source, str(lnd.path)) for lnd in found] == [
        ("bulletins", never.path),
        ("job_board_third", old.path),
        ("job_board_third", new.path),
    ]
    assert found[1].sha256 == old.sha256 and found[1].rows == 2 and found[1].validated
    # The newer vintage failed and the bulletins were never validated: the last good data stays.
    assert [str(lnd.path) for lnd in newest_validated(found)] == [old.path]


def test_stray_folders_do_not_count_as_vintages(tmp_path):
    partition = tmp_path / "bulletins" / "2025-03-01"
    (partition / ".tmp-abcdef123456-x").mkdir(parents=True)
    (partition / "0123456789ab").mkdir()
    os.chmod(partition, 0o755)
    assert land("bulletins", "2025-03-01", RECORDS, raw_dir=tmp_path).status == "landed"


def test_landing_is_readable_by_others(tmp_path):
    result = land("school_records", "2025-03-01", RECORDS, {"x.csv": b"a"}, raw_dir=tmp_path)
    for path in [
        tmp_path / "school_records" / "2025-03-01" / result.sha256[:12],
        *(tmp_path / "school_records" / "2025-03-01" / result.sha256[:12]).rglob("*"),
    ]:
        assert path.stat().st_mode & 0o004


@pytest.mark.parametrize("partition", ["2025-3-1", "20250301", "2025-02-30", "../etc"])
def test_rejects_bad_partition(tmp_path, partition):
    with pytest.raises(ValueError):
        land("bulletins", partition, RECORDS, raw_dir=tmp_path)


def test_rejects_unsafe_file_names_and_nan(tmp_path):
    with pytest.raises(ValueError):
        land("bulletins", "2025-03-01", RECORDS, {"../evil": b"x"}, raw_dir=tmp_path)
    with pytest.raises(ValueError):
        land("bulletins", "2025-03-01", [{"value": float("nan")}], raw_dir=tmp_path)
    assert not (tmp_path / "bulletins").exists()


def test_empty_landing_is_allowed_and_stable(tmp_path):
    # Whether an empty source is acceptable is the validator's call; landing it must still work.
    result = land("job_board_rencai", "2025-03-01", [], raw_dir=tmp_path)
    assert result.rows == 0 and result.sha256 == hashlib.sha256(b"").hexdigest()
    assert canonical_jsonl([]) == b""
