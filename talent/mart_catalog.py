"""What dbt says about each served table: its description, grain, primary key and column descriptions.

Read from dbt's `manifest.json` (written by every `dbt build` into `<warehouse>/dbt/target/`, or
`DBT_TARGET_PATH`): there doc blocks are rendered and dbt has already worked out each model's primary
key from its constraints or its unique + not_null tests. Without a manifest (a warehouse built
elsewhere) the YAML beside the models is read instead, with `{{ doc("…") }}` blocks resolved from the
project's .md files, so the snapshot's comments never depend on which of the two was at hand."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from talent.settings import get_settings

log = logging.getLogger(__name__)

DOC_REF = re.compile(r"""\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}""")
DOC_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.S)
# "… one row per month × county × industry × occupation (`demand_id` = …)": the grain, as the
# descriptions state it, up to the first bracket or full stop.
GRAIN = re.compile(r"one row per\s+(.+?)(?:\s*[(（:;.。]|,\s|\s—|$)", re.I)
# Failing that, "… per report month x industry: …" in the first sentence.
GRAIN_PER = re.compile(r"\bper\s+(.{3,80}?)(?:\s*[(（:;.。]|,\s|\s—|$)", re.I)


@dataclass
class TableDoc:
    schema: str
    name: str
    description: str = ""
    grain: str = ""
    key: str | None = None
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def manifest_path() -> Path:
    target = os.environ.get("DBT_TARGET_PATH")
    return (
        Path(target) / "manifest.json"
        if target
        else get_settings().warehouse_dir / "dbt" / "target" / "manifest.json"
    )


def load_catalog(manifest: Path | None = None) -> dict[str, TableDoc]:
    """Every dbt model and seed by `schema.name`; empty when neither manifest nor project is readable."""
    path = manifest or manifest_path()
    if path.exists():
        try:
            return _from_manifest(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read dbt manifest %s (%s); reading the dbt YAML instead", path, exc)
    return _from_yaml(get_settings().dbt_project_dir)


def grain_of(description: str, meta: dict | None = None) -> str:
    if meta and meta.get("grain"):
        return str(meta["grain"])
    text = " ".join(description.split())
    match = GRAIN.search(text) or GRAIN_PER.search(text.split(". ")[0])
    return match.group(1).strip() if match else ""


def _from_manifest(manifest: dict) -> dict[str, TableDoc]:
    catalog: dict[str, TableDoc] = {}
    for node in manifest["nodes"].values():
        if node.get("resource_type") not in ("model", "seed"):
            continue
        name = node.get("alias") or node["name"]
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        description = (node.get("description") or "").strip()
        keys = node.get("primary_key") or []
        doc = TableDoc(
            schema=node["schema"],
            name=name,
            description=description,
            grain=grain_of(description, meta),
            key=keys[0] if len(keys) == 1 else None,
            columns={c: (v.get("description") or "").strip() for c, v in (node.get("columns") or {}).items()},
        )
        catalog[doc.qualified] = doc
    return catalog


def _from_yaml(project: Path) -> dict[str, TableDoc]:
    import yaml

    docs: dict[str, str] = {}
    for md in project.rglob("*.md"):
        for name, body in DOC_BLOCK.findall(md.read_text(encoding="utf-8")):
            docs[name] = body.strip()

    def render(text) -> str:
        return DOC_REF.sub(lambda m: docs.get(m.group(1), ""), str(text or "")).strip()

    catalog: dict[str, TableDoc] = {}
    for folder, kind, default_schema in (("models", "models", None), ("seeds", "seeds", "reference")):
        for spec in sorted((project / folder).rglob("*.yml")):
            content = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
            for entry in content.get(kind) or []:
                config = entry.get("config") or {}
                schema = config.get("schema") or default_schema or _schema_of_folder(spec, project)
                description = render(entry.get("description"))
                columns = entry.get("columns") or []
                doc = TableDoc(
                    schema=schema,
                    name=entry["name"],
                    description=description,
                    grain=grain_of(description, {**(entry.get("meta") or {}), **(config.get("meta") or {})}),
                    key=_yaml_key(entry, columns),
                    columns={c["name"]: render(c.get("description")) for c in columns},
                )
                catalog[doc.qualified] = doc
    return catalog


def _schema_of_folder(spec: Path, project: Path) -> str:
    # models/marts/report/x.yml → marts: dbt_project.yml sets the schema per top folder.
    return spec.relative_to(project / "models").parts[0]


def _yaml_key(entry: dict, columns: list[dict]) -> str | None:
    for constraint in entry.get("constraints") or []:
        if constraint.get("type") == "primary_key" and len(constraint.get("columns") or []) == 1:
            return constraint["columns"][0]
    for column in columns:
        if any(c.get("type") == "primary_key" for c in column.get("constraints") or []):
            return column["name"]
        tests = {t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests") or []}
        if {"unique", "not_null"} <= tests:
            return column["name"]
    return None
