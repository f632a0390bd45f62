"""School graduate-destination exports (毕业生去向统计): CSV (UTF-8, UTF-8 with BOM, GB18030) and
XLSX, from the schools' index page and from the inbox folder people drop files into, landed as
source `school_records` (docs/school_records.md).

This module is the source's front: it finds the files, reads each with `extractors.school_parse`
(header vocabulary and cells in `school_headers`/`school_cells`, checks in `school_checks`, student
lists in `school_students`), decides which of several versions of a figure wins, and lands.

Three rules of the landing:
- The schools serve a full snapshot every time, so a landing happens only when the records differ
  from the newest school landing, whatever the date: a rerun tomorrow of what landed today is
  `unchanged` and points at today's landing (no duplicate raw or quarantine rows).
- One file that cannot be read does not stop the others: it becomes a record of kind "file" whose
  `parse_error` says why (file, row, field) and the validator quarantines it. Every inbox file that
  is skipped (hidden, an Office lock file, not an export) is logged and listed in the result.
- A file is kept byte for byte under `files/` only when it is nothing but the table (a CSV of a
  header, data and subtotal rows). Anything else (every workbook, a CSV with a title, notes or a
  footer naming who filled it in) is kept as its rows (`files/<name>.rows.jsonl`: sheet, row, kind,
  masked cells), footers left out, so personal data in a footer never lands. Student lists keep
  nothing.

When two files (or two rows) give the same school × year × major, the later one wins: the earlier
record gets `superseded_by` ("file#row" of the winner) and both are landed and loaded (the suite
reports the superseded rows, staging keeps the winner), and the winner gets `is_correction` = true
when the figures differ. "Later" is: a file that says it is a correction (更正/修正/修订/更新 in its
name or title) over one that does not, an inbox file over a published one, then file name, then row.

`source_file` is the file's name as landed (inbox files under `inbox/`) and `source_row` the 1-based
row in the original sheet or CSV (header and title rows counted); `sheet` names the XLSX sheet."""

from __future__ import annotations

import hashlib
import json
import logging
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import parse_html
from extractors.http import HttpClient
from extractors.landing import LandingResult, canonical_jsonl, land, list_landings
from extractors.school_cells import (  # noqa: F401 - parse_count is part of this module's interface
    COUNT_FIELDS,
    DESTINATIONS,
    RECORD_KEYS,
    SUPPORTED,
    UNSUPPORTED,
    parse_count,
)
from extractors.school_parse import Export, file_problem, read_export, read_sheet
from extractors.school_students import PERSONAL_KEYS

log = logging.getLogger("extractors.schools")

SOURCE = "school_records"


def parse_rows(rows, source_file: str, **kwargs) -> list[dict]:
    """Records from a sheet's rows (index 0 = sheet row 1); see `school_parse.read_sheet`."""
    return read_sheet(rows, source_file, **kwargs).records


def parse_export(
    content: bytes,
    source_file: str,
    *,
    school: str | None = None,
    year: int | None = None,
    seen_students: set[str] | None = None,
    as_of: date | None = None,
) -> tuple[list[dict], str | None]:
    """(records, encoding) of one export, by file extension; every sheet of a workbook that has a
    recognisable header is read. Raises SourceError when the file cannot be read."""
    export = read_export(
        content, source_file, school=school, year=year, seen_students=seen_students, as_of=as_of
    )
    return export.records, export.encoding


def is_student_level(records: Iterable[dict]) -> bool:
    return any(r.get("record_kind") in ("student_level", "student_row") for r in records)


# ----------------------------------------------------------------------------------- corrections

_FIGURES = (*COUNT_FIELDS, "major_name")


def resolve_versions(records: list[dict], file_rank: dict[str, int] | None = None) -> None:
    """Mark every countable record that a later one for the same school × year × major replaces
    (`superseded_by`), and flag the winner `is_correction` when the figures differ. In place."""
    file_rank = file_rank or {}
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        if rec["record_kind"] in ("summary", "student_level") and rec["parse_error"] is None:
            groups.setdefault((rec["school"], rec["year"], rec["major_code"]), []).append(rec)
    for versions in groups.values():
        if len(versions) < 2:
            continue
        versions.sort(
            key=lambda r: (
                bool(r.get("_declared_correction")),
                file_rank.get(r["source_file"], 0),
                r["source_file"],
                r["sheet"] or "",
                r["source_row"],
            )
        )
        winner = versions[-1]
        for old in versions[:-1]:
            changed = [k for k in _FIGURES if k != "major_name" and old[k] != winner[k]]
            old["superseded_by"] = f"{winner['source_file']}#{winner['source_row']}"
            old["parse_error_field"] = ", ".join(changed) or None
            if changed:
                winner["is_correction"] = True
        log.info(
            "%s %s %s: %d versions, %s#%s wins%s",
            winner["school"],
            winner["year"],
            winner["major_code"],
            len(versions),
            winner["source_file"],
            winner["source_row"],
            " (figures corrected)" if winner["is_correction"] else "",
        )


def _finish(records: list[dict]) -> list[dict]:
    """Records in the landing shape: internal keys dropped, nothing personal."""
    out = []
    for rec in records:
        out.append({k: rec.get(k) for k in RECORD_KEYS if k not in PERSONAL_KEYS})
    return out


# ----------------------------------------------------------------------------------- one file


def parse_school_file(
    path: Path, school: str | None = None, year: int | None = None, as_of: date | None = None
) -> dict:
    """One export as the `talent schools parse` contract: rows per major and quarantined cells.

    `{"rows": [{"school", "year", "major_code", "major_name", "enrolment", "graduates",
    "destinations": {"employed", "further_study", "military", "not_placed"}, "in_field"}],
    "quarantined": [{"sheet", "row", "field", "reason"}]}`; counts are integers, null where the
    file does not say. A student-level file comes out aggregated, with no personal data."""
    path = Path(path)
    records, _ = parse_export(path.read_bytes(), path.name, school=school, year=year, as_of=as_of)
    resolve_versions(records)
    rows, quarantined = [], []
    for rec in sorted(records, key=lambda r: (r["sheet"] or "", r["source_row"])):
        if rec["parse_error"] is not None:
            quarantined.append(
                {
                    "sheet": rec["sheet"],
                    "row": rec["source_row"],
                    "field": rec["parse_error_field"],
                    "reason": rec["parse_error"],
                }
            )
        elif rec["superseded_by"] is not None:
            quarantined.append(
                {
                    "sheet": rec["sheet"],
                    "row": rec["source_row"],
                    "field": rec["parse_error_field"] or "major_code",
                    "reason": f"superseded by a later row for the same major ({rec['superseded_by']})",
                }
            )
        else:
            rows.append(
                {
                    "school": rec["school"],
                    "year": rec["year"],
                    "major_code": rec["major_code"],
                    "major_name": rec["major_name"],
                    "enrolment": rec["enrolment"],
                    "graduates": rec["graduates"],
                    "destinations": {k: rec[k] for k in DESTINATIONS},
                    "in_field": rec["in_field"],
                }
            )
    rows.sort(key=lambda r: (str(r["school"]), r["year"] or 0, str(r["major_code"])))
    return {"rows": rows, "quarantined": quarantined}


# ----------------------------------------------------------------------------------- landing


@dataclass(frozen=True)
class SchoolLanding(LandingResult):
    """What a school extraction did: the landing, plus the inbox files it skipped and the files it
    could not read (each {"file", "reason"}), so the run's summary names them."""

    skipped_files: list[dict] = field(default_factory=list)
    unread_files: list[dict] = field(default_factory=list)


def _link_path(url: str) -> str:
    return unquote(urlsplit(url).path)


def find_export_links(index_html: str, index_url: str) -> list[str]:
    """Absolute URLs of every .csv/.xlsx linked from the index page, in page order."""
    doc = parse_html(index_html)
    links: list[str] = []
    for a in doc.find_all("a"):
        href = a.get("href")
        if not href:
            continue
        url = urljoin(index_url, href)
        path = _link_path(url).lower()
        if path.endswith(SUPPORTED) or path.endswith(UNSUPPORTED):
            if url not in links:
                links.append(url)
    return links


def _skip_reason(path: Path) -> str | None:
    if not path.is_file():
        return "not a regular file"
    if path.name.startswith("~$"):
        return "an Office lock file (the workbook is open somewhere)"
    if path.name.startswith("."):
        # macOS leaves "._name.csv" copies that are not the file; a hidden file is nobody's export.
        return "a hidden file (name starts with '.'); rename it to have it read"
    if path.suffix.lower() not in SUPPORTED + UNSUPPORTED:
        return f"not a school export (.csv or .xlsx), suffix {path.suffix or '(none)'!r}"
    return None


def inbox_files(inbox_dir: Path | None) -> tuple[list[Path], list[dict]]:
    """(files to read, skipped files as {"file", "reason"}); every skipped file is logged."""
    if inbox_dir is None or not Path(inbox_dir).is_dir():
        return [], []
    read, skipped = [], []
    for path in sorted(Path(inbox_dir).iterdir()):
        reason = _skip_reason(path)
        if reason is None:
            read.append(path)
        else:
            log.warning("inbox file skipped: %s: %s", path, reason)
            skipped.append({"file": f"inbox/{path.name}", "reason": reason})
    return read, skipped


def stored_rows(export: Export) -> bytes:
    """The `files/<name>.rows.jsonl` of an export that holds more than its table."""
    return "".join(
        json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str) + "\n" for entry in export.layout
    ).encode("utf-8")


def _same_as_newest(records: list[dict], raw_dir) -> LandingResult | None:
    """The newest school landing (any date) when it holds exactly these records, else None."""
    landings = list_landings(raw_dir, SOURCE)
    if not landings:
        return None
    newest = max(landings, key=lambda lnd: (lnd.landed_at, lnd.folder))
    sha = hashlib.sha256(canonical_jsonl(records)).hexdigest()
    if newest.sha256 != sha:
        return None
    log.info("school records unchanged since %s: nothing landed", newest.relative)
    return LandingResult(SOURCE, newest.partition, str(newest.path), sha, len(records), "unchanged")


def extract_schools(
    config: dict, partition: str, raw_dir, inbox_dir=None, *, client: HttpClient | None = None
) -> SchoolLanding:
    """Read every export linked from `schools.index_url` plus every file in `inbox_dir`, land
    source `school_records` when the records changed. An inbox file byte-identical to a downloaded
    one is read once; a student-level file is aggregated and its bytes are not kept."""
    settings = config.get("schools") or {}
    index_url = settings.get("index_url")
    client = client or HttpClient.from_config(config)
    as_of = date.fromisoformat(partition)
    sources: list[tuple[str, bytes, str, int]] = []  # (name under files/, bytes, origin, rank)

    if index_url:
        index = client.get(index_url)
        links = find_export_links(index.text, index.url)
        log.info("school index %s: %d export links", index.url, len(links))
        if not links:
            raise SourceError(
                "school index page links no .csv/.xlsx export (layout change?)", where=index.url
            )
        for url in links:
            result = client.get(url)
            sources.append((posixpath.basename(_link_path(url)), result.content, url, 0))
    inbox_paths, skipped = inbox_files(Path(inbox_dir) if inbox_dir else None)
    for path in inbox_paths:
        # Inbox files are sent after publication (late reports, corrections): they rank later.
        sources.append((f"inbox/{path.name}", path.read_bytes(), str(path), 1))
    if not sources:
        raise SourceError(
            "no school exports: index_url not configured and the inbox is empty",
            where=str(inbox_dir) if inbox_dir else config.get("config_path"),
        )

    records: list[dict] = []
    files: dict[str, bytes] = {}
    names: set[str] = set()
    rank: dict[str, int] = {}
    seen_sha: dict[str, str] = {}
    seen_students: set[str] = set()
    unread: list[dict] = []
    for name, content, origin, origin_rank in sources:
        sha = hashlib.sha256(content).hexdigest()
        if sha in seen_sha:
            log.info("%s is byte-identical to %s; read once", origin, seen_sha[sha])
            continue
        if name in names:
            # Two different files with one base name: keep both, the second under its full URL path.
            name = (
                _link_path(origin).lstrip("/") if "://" in origin else f"inbox/{sha[:8]}-{Path(origin).name}"
            )
        seen_sha[sha] = origin
        names.add(name)
        rank[name] = origin_rank
        try:
            export = read_export(content, name, seen_students=seen_students, as_of=as_of, keep_going=True)
        except SourceError as exc:
            records.append(file_problem(name, exc))
            unread.append({"file": name, "reason": exc.reason})
            continue
        unread.extend(
            {"file": name, "sheet": r["sheet"], "reason": r["parse_error"]}
            for r in export.records
            if r["record_kind"] == "file"
        )
        if export.encoding:
            _note_encoding(client.fetch_log, origin, export.encoding)
        if export.student_level:
            log.info("school export %s is student-level: aggregated, the file itself is not kept", origin)
        elif export.only_table and not name.lower().endswith(".xlsx"):
            files[name] = content
        else:
            files[f"{name}.rows.jsonl"] = stored_rows(export)
        log.info(
            "school export %s: %d records (encoding %s)",
            origin,
            len(export.records),
            export.encoding or "xlsx",
        )
        records.extend(export.records)
    resolve_versions(records, rank)
    records.sort(key=lambda r: (r["source_file"], r["sheet"] or "", r["source_row"] or 0, r["record_kind"]))
    finished = _finish(records)
    result = _same_as_newest(finished, raw_dir) or land(
        SOURCE, partition, finished, files, raw_dir=raw_dir, fetches=client.fetch_log
    )
    return SchoolLanding(**result.to_dict(), skipped_files=skipped, unread_files=unread)


def _note_encoding(fetches: Iterable[dict], url: str, encoding: str) -> None:
    """Record the encoding the CSV was actually read with (the server's header may be wrong)."""
    for entry in fetches:
        if entry.get("url") == url:
            entry["encoding"] = encoding
