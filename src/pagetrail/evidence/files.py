"""Parse JSON and YAML bundle files into objects, reporting problems with file and line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import yaml

# libyaml is ~10x faster; PyYAML wheels ship it, source builds may not.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnreadableFileError(ValueError):
    """A file that cannot be parsed at all; `line` is 1-based when known."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass(slots=True)
class Document:
    """One parsed document of a file, and the raw bytes to locate lines in on error."""

    value: Any
    data: bytes


def parse_documents(name: str, data: bytes) -> Iterator[Any]:
    """Yield the documents of a JSON or YAML file (YAML may hold several)."""
    if name.endswith(".json"):
        try:
            yield orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise UnreadableFileError(f"not valid JSON: {exc.msg.lower()}", exc.lineno) from exc
        return
    try:
        for document in yaml.load_all(data, Loader=_Loader):
            if document is not None:
                yield document
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        raise UnreadableFileError(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise UnreadableFileError(f"not valid YAML: {exc}", None) from exc


def line_of(data: bytes, needle: str) -> int | None:
    """1-based line where `needle` first appears, to point a user at a bad object in a list."""
    if not needle:
        return None
    index = data.find(needle.encode())
    if index < 0:
        return None
    return data.count(b"\n", 0, index) + 1


def expand_objects(document: Any) -> Iterator[tuple[int, Any]]:
    """Objects of a document: itself, or the items of a `kind: List` / `*List` (with index)."""
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        kind = document.get("kind")
        if kind is None or (isinstance(kind, str) and kind.endswith("List")):
            yield from enumerate(document["items"])
            return
    yield -1, document
