"""The curated registry: YAML files → validated records → checks → the store, and back.

Files live in one directory; the part of a file's name before the first "-" or "." says what it
holds (``actors.yaml``, ``actors-urban.yaml``, ``tables.yaml`` …). Each holds a list of records.
``check`` reports every problem with its file, line, record and field, so a reviewer can fix a
broken copy without reading a traceback.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from peacemonitor.checks import check
from peacemonitor.errors import PeacemonitorError, RegistryNotLoaded
from peacemonitor.model import (
    Actor,
    PartialDate,
    Source,
)
from peacemonitor.names import normalize_name
from peacemonitor.registry_records import KINDS, Problem, Registry, RegistryInvalid, record_id
from peacemonitor.store import Store


def bundled_directory() -> Path:
    """The registry shipped inside the package."""
    return Path(str(resources.files("peacemonitor") / "registry_data"))


def kind_of(path: Path) -> str | None:
    """The kind a file holds, from its name: ``actors-urban.yaml`` → ``actors``."""
    stem = path.name.split(".")[0].split("-")[0]
    return stem if stem in KINDS else None


# --- parsing ---------------------------------------------------------------------------------


def _item_lines(text: str) -> list[int]:
    """Line number (1-based) where each item of the file's top-level list starts."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def _read_file(path: Path, problems: list[Problem]) -> tuple[list[Any], list[int]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(path.name, None, "-", "-", f"unreadable YAML: {error}"))
        return [], []
    if data is None:
        return [], []
    if not isinstance(data, list):
        problems.append(Problem(path.name, 1, "-", "-", "the file must hold a list of records"))
        return [], []
    return data, _item_lines(text)


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "-"


def _parse_record(
    kind: str, raw: Any, where: tuple[str, int | None], problems: list[Problem]
) -> BaseModel | None:
    rid = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
    try:
        return KINDS[kind].model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            problems.append(
                Problem(where[0], where[1], rid, _location(detail["loc"]), detail["msg"])
            )
        return None


def parse_directory(directory: Path) -> tuple[Registry, list[Problem]]:
    """Read every registry file in ``directory``; problems found while reading are returned."""
    registry, problems = Registry(), []
    if not directory.is_dir():
        raise PeacemonitorError(f"no registry directory at {directory}")
    for path in sorted(directory.glob("*.yaml")):
        kind = kind_of(path)
        if kind is None:
            problems.append(Problem(path.name, None, "-", "-", f"unknown kind; use {list(KINDS)}"))
            continue
        items, lines = _read_file(path, problems)
        for index, raw in enumerate(items):
            line = lines[index] if index < len(lines) else None
            record = _parse_record(kind, raw, (path.name, line), problems)
            if record is not None:
                _add(registry, kind, record, (path.name, line), problems)
            elif isinstance(raw, dict) and "id" in raw:
                registry.invalid.add((kind, str(raw["id"])))
    return registry, problems


def _add(
    registry: Registry,
    kind: str,
    record: BaseModel,
    where: tuple[str, int | None],
    problems: list[Problem],
) -> None:
    rid = record_id(record)
    bucket: dict[str, BaseModel] = getattr(registry, kind)
    if rid in bucket:
        first = registry.origin[(kind, rid)]
        problems.append(
            Problem(
                where[0],
                where[1],
                rid,
                "id",
                f"duplicate id (first at {first[0]}:{first[1]})",
            )
        )
        return
    bucket[rid] = record
    registry.origin[(kind, rid)] = where


def load(directory: Path | None = None) -> Registry:
    """Parse and check a registry directory (the bundled one by default); raise on any problem."""
    registry, problems = parse_directory(directory or bundled_directory())
    problems += check(registry)
    if problems:
        raise RegistryInvalid(problems)
    return registry


def fingerprint(directory: Path) -> str:
    """sha256 over the registry files, so a load records exactly what it loaded."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- the store -------------------------------------------------------------------------------


def _alias_rows(actors: Iterable[Actor]) -> list[tuple[str, str, str, str]]:
    rows = []
    for actor in actors:
        names = [(actor.name, "name")] + [(a.name, a.kind.value) for a in actor.aliases]
        names.append((actor.id, "id"))
        for name, kind in names:
            rows.append((actor.id, name, normalize_name(name), kind))
    return rows


def save(registry: Registry, store: Store, directory: Path) -> int:
    """Replace the registry held in the store with ``registry``; return the record count."""
    import datetime as dt

    with store.write() as db:
        db.execute("DELETE FROM registry_records")
        db.execute("DELETE FROM sources")
        db.execute("DELETE FROM actor_names")
        records = [
            (kind, record_id(r), registry.origin[(kind, record_id(r))][0], r.model_dump_json())
            for kind, r in registry.records()
            if kind != "sources"
        ]
        db.executemany("INSERT INTO registry_records VALUES (?, ?, ?, ?)", records)
        db.executemany(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.id,
                    s.publisher,
                    s.title,
                    s.author,
                    str(s.date) if s.date else None,
                    s.url,
                    s.model_dump_json(),
                )
                for s in registry.sources.values()
            ],
        )
        db.executemany(
            "INSERT INTO actor_names VALUES (?, ?, ?, ?)", _alias_rows(registry.actors.values())
        )
        db.execute(
            "INSERT INTO registry_loads VALUES (?, ?, ?, ?)",
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                str(directory),
                registry.count(),
                fingerprint(directory),
            ],
        )
    return registry.count()


def from_store(store: Store) -> Registry:
    """The registry last loaded into the store, as typed records."""
    with store.read() as db:
        rows = db.execute(
            "SELECT kind, id, file, doc FROM registry_records ORDER BY kind, id"
        ).fetchall()
        sources = db.execute("SELECT doc FROM sources ORDER BY id").fetchall()
    if not rows:
        raise RegistryNotLoaded(f"{store.path} holds no registry: run `peacemonitor init`")
    registry = Registry()
    for (doc,) in sources:
        source = Source.model_validate(json.loads(doc))
        registry.sources[source.id] = source
    for kind, rid, file, doc in rows:
        getattr(registry, kind)[rid] = KINDS[kind].model_validate(json.loads(doc))
        registry.origin[(kind, rid)] = (file, None)
    return registry


def date_key(value: PartialDate | None) -> tuple[int, int, int]:
    """Sort key for optional partial dates (missing dates sort first)."""
    return (value.year, value.month, value.day) if value else (0, 0, 0)


def as_documents(registry: Registry) -> dict[str, list[dict[str, Any]]]:
    """The registry as plain JSON-ready documents, by kind (the shape of `registry export`)."""
    return {
        kind: [
            r.model_dump(mode="json", exclude_defaults=True)
            for r in getattr(registry, kind).values()
        ]
        for kind in KINDS
    }


def write_yaml(registry: Registry, directory: Path) -> list[Path]:
    """Write one YAML file per kind that `load` reads back to the same records."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, documents in as_documents(registry).items():
        path = directory / f"{kind}.yaml"
        path.write_text(
            yaml.safe_dump(documents, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        written.append(path)
    return written
