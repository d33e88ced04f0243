"""Load every YAML file under the knowledge directory and validate it, reporting all problems at once.

Each problem names file:line and the entry id so a curator can go straight to it. Line numbers come from
a YAML loader that remembers where every mapping and key started.

Knowledge files are untrusted input: every file is size-limited, read only when it really lies inside the
knowledge folder, and parsed by a loader that refuses YAML anchors and aliases (the format never needs them,
and they are how a 400-byte "billion laughs" file expands to gigabytes) and stops after a fixed number of values.
Problem messages show offending values through `shown`, which caps their length.
"""

from __future__ import annotations

import os
import re
import reprlib
import stat
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from bot.engine import provenance, registry
from bot.engine.models import (
    AREAS,
    EXCERPT_KINDS,
    SOURCE_KINDS,
    SOURCE_STANDINGS,
    VALUE_STATUSES,
    Entry,
    Excerpt,
    KnowledgeBase,
    Source,
    Step,
    Value,
)
from bot.engine.series import Series, read_series

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")

SOURCE_KEYS = {"id", "title", "short", "citation", "publisher", "kind", "url", "date", "effective", "aliases", "standing",
               "updated"}
SOURCE_REQUIRED = ("id", "title", "citation", "publisher", "kind", "url", "date", "standing")
ENTRY_KEYS = {
    "id", "title", "area", "aliases", "questions", "summary", "excerpts", "related", "last_reviewed",
    "event_date", "as_of", "conditions",
}
ENTRY_REQUIRED = ("id", "title", "area", "questions", "summary", "last_reviewed")
LADDER_KEYS = (ENTRY_KEYS - {"excerpts"}) | {"steps"}
EXCERPT_KEYS = {"text", "source", "pinpoint", "kind", "quote"}  # `quote: true|false` is the older spelling of kind
STEP_KEYS = {"title", "who", "what", "time_limits", "precedent", "source", "pinpoint", "status", "note", "branches", "reached"}
VALUE_KEYS = {"id", "value", "as_of", "since", "source", "review_every", "status", "reported_by", "literal_patterns",
              "description"}
STEP_REQUIRED = ("title", "who", "what", "time_limits", "source", "pinpoint")
TOP_KEYS = {"sources", "entries", "ladders", "synonyms", "values", "series"}

# Limits for untrusted files (documented in knowledge/README.md). The shipped knowledge base has 20 files and
# 420 KB; its largest file is 55 KB with about 1,550 YAML values, and no mapping is nested more than 6 deep.
MAX_FILE_BYTES = 1_000_000
MAX_TOTAL_BYTES = 8_000_000
MAX_FILES = 500
MAX_FILE_NODES = 100_000  # values (scalars, lists, mappings) in one file
MAX_TOTAL_NODES = 500_000
MAX_DEPTH = 32  # lists and mappings inside one another
MAX_HINTS = 100  # "did you mean" suggestions per check: each one compares against every id


class _ShortRepr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 80
        self.maxlist = self.maxtuple = self.maxdict = 4
        self.maxlevel = 2

    repr_LinedDict = reprlib.Repr.repr_dict  # reprlib dispatches on the type's name; without this it would repr() all


_SHORT_REPR = _ShortRepr()


def shown(value: object) -> str:
    """A value for a problem message: repr, capped in length and depth whatever the value holds."""
    return _SHORT_REPR.repr(value)


def clip(text: object, limit: int = 80) -> str:
    """Text for a problem message, cut at limit characters."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    entry_id: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: [{self.entry_id}] {self.message}" if self.entry_id else f"{where}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n" + "\n".join(map(str, problems)))


class LinedDict(dict):
    """A mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict


# libyaml's C parser when PyYAML was built with it (several times faster); same constructors either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RefusedYAML(yaml.composer.ComposerError):
    """YAML that parses but that knowledge files must not contain (anchors, aliases, too many values)."""


class _StrictComposer(yaml.composer.Composer):
    """Builds nodes from the parser's events one at a time, refusing anchors and aliases and counting values.

    Placed before the C parser in the MRO, so libyaml still scans and parses while this composes: that keeps
    every limit checked as the file is read, and lets other threads run between events.
    """

    max_nodes = MAX_FILE_NODES
    nodes = 0
    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise RefusedYAML(None, None, f"YAML aliases are not allowed in knowledge files (found *{clip(event.anchor)}); "
                              "write the value out in full", event.start_mark)
        if event.anchor is not None:
            raise RefusedYAML(None, None, f"YAML anchors are not allowed in knowledge files (found &{clip(event.anchor)}); "
                              "write the value out in full", event.start_mark)
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise RefusedYAML(None, None, f"too many values: the limit is {self.max_nodes:,} per file "
                              f"and {MAX_TOTAL_NODES:,} in the whole folder", event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise RefusedYAML(None, None, f"lists and mappings nested more than {MAX_DEPTH} deep", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _LineLoader(_StrictComposer, _BaseLoader):
    """SafeLoader that keeps line numbers, refuses duplicate keys and leaves dates as text.

    Dates stay strings so that a bad date becomes a validation problem, not a crash of the whole file.
    """

    def __init__(self, stream, max_nodes: int = MAX_FILE_NODES):
        _BaseLoader.__init__(self, stream)
        self.anchors = {}
        self.max_nodes = max_nodes


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    mapping = LinedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain word, not a list or mapping",
                                                    key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {shown(key)}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, max_nodes: int = MAX_FILE_NODES) -> tuple[object, int]:
    """Parse one knowledge file's text: (data, number of values). Raises yaml.YAMLError (RefusedYAML for
    anchors, aliases and too many values) or ValueError (e.g. an integer with thousands of digits)."""
    loader = _LineLoader(text, max_nodes)
    try:
        return loader.get_single_data(), loader.nodes
    finally:
        loader.dispose()


def yaml_files(kb_dir: Path) -> list[Path]:
    """Every *.yaml / *.yml under kb_dir, sorted. Directory symlinks are not followed; file symlinks are listed
    (and refused when reading if they point outside the folder)."""
    found = []
    for folder, _dirs, names in os.walk(kb_dir):  # followlinks=False: a linked directory is never entered
        found += [Path(folder) / name for name in names if name.endswith((".yaml", ".yml"))]
    return sorted(found)


UNREAD = object()  # what _Reader.read returns for a file it refused (the problem is already reported)


class _Reader:
    """Reads knowledge files within the limits; each refusal becomes one problem naming the file."""

    def __init__(self, kb_dir: Path, problem):
        self.root = kb_dir.resolve()
        self.problem = problem
        self.files = self.bytes = self.nodes = 0
        self.stopped = False  # set once a folder-wide limit is reached: later files are not read

    def read(self, path: Path, name: str) -> object:
        """The file's YAML data (None when empty), or UNREAD."""
        text = self._text(path, name)
        return UNREAD if text is None else self._parse(text, name)

    def _stop(self, name: str, message: str) -> None:
        self.stopped = True
        self.problem(name, 0, "", message + "; this file and any after it are not read")

    def _text(self, path: Path, name: str) -> str | None:
        if self.stopped:
            return None
        self.files += 1
        if self.files > MAX_FILES:
            self._stop(name, f"more than {MAX_FILES} knowledge files")
            return None
        try:
            real = path.resolve(strict=True)
            if not real.is_relative_to(self.root):
                self.problem(name, 0, "", f"refused: a link to {clip(real)}, outside the knowledge folder")
                return None
            # Non-blocking, so a FIFO swapped in after listing cannot hang the read; the type is checked on the open file.
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            with os.fdopen(os.open(real, flags), "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    self.problem(name, 0, "", "refused: not a regular file")
                    return None
                raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit, even if the file grows meanwhile
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
            self.problem(name, 0, "", f"cannot read file: {clip(getattr(exc, 'strerror', None) or exc, 200)}")
            return None
        if len(raw) > MAX_FILE_BYTES:
            self.problem(name, 0, "", f"refused: {max(info.st_size, len(raw)):,} bytes, over the limit of "
                         f"{MAX_FILE_BYTES:,} bytes per file")
            return None
        self.bytes += len(raw)
        if self.bytes > MAX_TOTAL_BYTES:
            self._stop(name, f"the knowledge folder is over the limit of {MAX_TOTAL_BYTES:,} bytes")
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(name, 0, "", f"cannot read file: not UTF-8 text ({exc.reason} at byte {exc.start:,})")
            return None

    def _parse(self, text: str, name: str) -> object:
        try:
            data, nodes = parse_yaml(text, max_nodes=min(MAX_FILE_NODES, MAX_TOTAL_NODES - self.nodes))
        except RefusedYAML as exc:
            self.problem(name, _line(exc), "", str(exc.problem))
            return UNREAD
        except yaml.MarkedYAMLError as exc:
            self.problem(name, _line(exc), "", f"YAML syntax error: {clip(exc.problem or exc, 200)}")
            return UNREAD
        except (yaml.YAMLError, ValueError, RecursionError, MemoryError) as exc:  # ValueError: e.g. a 5,000-digit number
            self.problem(name, 0, "", f"cannot read file: {clip(exc, 200)}")
            return UNREAD
        self.nodes += nodes
        return data


def _line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 0


class _Validator:
    def __init__(self, kb_dir: Path):
        self.kb_dir = kb_dir
        self.problems: list[Problem] = []
        self.sources: dict[str, Source] = {}
        self.entries: dict[str, Entry] = {}
        self.synonyms: list[tuple[str, ...]] = []
        self.series: dict[str, Series] = {}
        self._seen_at: dict[str, str] = {}
        # Cross-references are checked after every file is read, so order of files never matters.
        self._source_refs: list[tuple[str, int, str, str]] = []
        self._related_refs: list[tuple[str, int, str, str]] = []
        self.values: dict[str, Value] = {}
        self._lines: dict[str, dict[str, int]] = {}  # entry id -> line of its title and summary
        self._hints = 0
        self.reader = _Reader(kb_dir, self.problem)

    def problem(self, file: str, line: int, entry_id: str, message: str) -> None:
        self.problems.append(Problem(file, line, clip(entry_id), clip(message, 400)))

    # -- scalars ---------------------------------------------------------------------------------
    def text(self, item: LinedDict, key: str, file: str, ident: str, required: bool = True) -> str:
        value = item.get(key)
        line = item.key_lines.get(key, item.line)
        if value is None:
            if required:
                self.problem(file, item.line, ident, f"missing required key '{key}'")
            return ""
        if not isinstance(value, str):
            self.problem(file, line, ident, f"'{key}' must be text, got {type(value).__name__}")
            return ""
        value = " ".join(value.split())
        if required and not value:
            self.problem(file, line, ident, f"'{key}' is empty")
        return value

    def day(self, item: LinedDict, key: str, file: str, ident: str, required: bool = True) -> date | None:
        value = item.get(key)
        line = item.key_lines.get(key, item.line)
        if value is None:
            if required:
                self.problem(file, item.line, ident, f"missing required key '{key}'")
            return None
        if isinstance(value, str) and DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(file, line, ident, f"'{key}' is not a valid date (YYYY-MM-DD): {shown(value)}")
        return None

    def partial_day(self, item: LinedDict, key: str, file: str, ident: str, required: bool = True
                    ) -> tuple[date | None, str]:
        """A day, or a month (2022-06) or year (2019) when no day is known: (first day for sorting, as written)."""
        value = item.get(key)
        if value is None and not required:
            return None, ""
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        partial = PARTIAL_DATE.match(text)
        if partial:
            year, month = int(partial[1]), int(partial[2] or 1)
            if 1 <= month <= 12:
                return date(year, month, 1), text
            self.problem(file, item.key_lines[key], ident, f"'{key}' is not a valid date: {shown(value)}")
            return None, ""
        day = self.day(item, key, file, ident, required=required)
        return day, day.isoformat() if day else ""

    def texts(self, item: LinedDict, key: str, file: str, ident: str, required: bool = False) -> tuple:
        value = item.get(key)
        line = item.key_lines.get(key, item.line)
        if value is None:
            if required:
                self.problem(file, item.line, ident, f"missing required key '{key}'")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(file, line, ident, f"'{key}' must be a list of non-empty texts")
            return ()
        if required and not value:
            self.problem(file, line, ident, f"'{key}' must not be empty")
        return tuple(" ".join(v.split()) for v in value)

    def unknown_keys(self, item: LinedDict, allowed: set[str], file: str, ident: str, what: str) -> None:
        for key in item:
            if key not in allowed:
                hint = _closest(clip(key), allowed)
                suffix = f" (did you mean '{hint}'?)" if hint else ""
                self.problem(file, item.key_lines.get(key, item.line), ident, f"unknown {what} key '{clip(key)}'{suffix}")

    def claim_id(self, item: LinedDict, file: str, kind: str) -> str | None:
        ident = item.get("id")
        if not isinstance(ident, str) or not ident.strip():
            self.problem(file, item.line, "", f"{kind} without an 'id'")
            return None
        if not SLUG.match(ident):
            self.problem(file, item.line, ident, f"{kind} id must be a lowercase slug (letters, digits, hyphens)")
        namespace = "source" if kind == "source" else "entry"
        if (namespace, ident) in self._seen_at:
            self.problem(file, item.line, ident, f"duplicate {namespace} id (first defined at {self._seen_at[(namespace, ident)]})")
            return None
        self._seen_at[(namespace, ident)] = f"{file}:{item.line}"
        return ident

    # -- records ---------------------------------------------------------------------------------
    def source(self, item: LinedDict, file: str) -> None:
        ident = self.claim_id(item, file, "source")
        if ident is None:
            return
        self.unknown_keys(item, SOURCE_KEYS, file, ident, "source")
        kind = self.text(item, "kind", file, ident)
        if kind and kind not in SOURCE_KINDS:
            self.problem(file, item.key_lines["kind"], ident, f"kind '{kind}' is not one of {', '.join(SOURCE_KINDS)}")
        url = self.text(item, "url", file, ident)
        if url and not url.startswith("https://"):
            self.problem(file, item.key_lines["url"], ident, f"url must be an https link, got {shown(url)}")
        citation = self.text(item, "citation", file, ident)
        standing = self.text(item, "standing", file, ident)
        if standing and standing not in SOURCE_STANDINGS:
            self.problem(file, item.key_lines["standing"], ident,
                         f"standing '{standing}' is not one of {', '.join(SOURCE_STANDINGS)}")
        source_date, date_label = self.partial_day(item, "date", file, ident)
        source = Source(
            id=ident,
            title=self.text(item, "title", file, ident),
            citation=citation,
            publisher=self.text(item, "publisher", file, ident),
            kind=kind,
            url=url,
            date=source_date,
            date_label=date_label,
            short=self.text(item, "short", file, ident, required=False),
            effective=self.day(item, "effective", file, ident, required=False),
            aliases=self.texts(item, "aliases", file, ident),
            standing=standing or "official",
            updated=self.day(item, "updated", file, ident, required=False),
            file=file,
            line=item.line,
        )
        self.sources[ident] = source

    def excerpt_kind(self, item: LinedDict, file: str, ident: str) -> str:
        """quote | paraphrase | note; `quote: true|false` (the older spelling) still means quote or paraphrase."""
        if "kind" in item:
            if "quote" in item:
                self.problem(file, item.key_lines["quote"], ident, "excerpt has both 'kind' and 'quote'; keep only 'kind'")
            kind = item["kind"]
            if kind not in EXCERPT_KINDS:
                self.problem(file, item.key_lines["kind"], ident,
                             f"excerpt kind {kind!r} is not one of {', '.join(EXCERPT_KINDS)}")
                return "paraphrase"
            return kind
        quote = item.get("quote")
        if not isinstance(quote, bool):
            self.problem(file, item.key_lines.get("quote", item.line), ident,
                         f"excerpt needs 'kind' ({', '.join(EXCERPT_KINDS)})")
        return "quote" if quote is True else "paraphrase"

    def excerpt(self, item, file: str, ident: str) -> Excerpt | None:
        if not isinstance(item, LinedDict):
            self.problem(file, 0, ident, "each excerpt must be a mapping with text, kind, source, pinpoint")
            return None
        self.unknown_keys(item, EXCERPT_KEYS, file, ident, "excerpt")
        kind = self.excerpt_kind(item, file, ident)
        if kind == "note":
            # A note is the curators' own remark: it names no source, so it can never be attributed to one.
            for key in ("source", "pinpoint"):
                if key in item:
                    self.problem(file, item.key_lines[key], ident, f"a note has no '{key}' (it is never attributed)")
            return Excerpt(text=self.text(item, "text", file, ident), source_id="", pinpoint="", kind="note",
                           line=item.line)
        source_id = self.text(item, "source", file, ident)
        if source_id:
            self._source_refs.append((file, item.key_lines["source"], ident, source_id))
        return Excerpt(
            text=self.text(item, "text", file, ident),
            source_id=source_id,
            pinpoint=self.text(item, "pinpoint", file, ident),
            kind=kind,
            line=item.key_lines.get("text", item.line),
        )

    def step(self, item, file: str, ident: str) -> Step | None:
        if not isinstance(item, LinedDict):
            self.problem(file, 0, ident, "each step must be a mapping")
            return None
        self.unknown_keys(item, STEP_KEYS, file, ident, "step")
        values = {key: self.text(item, key, file, ident) for key in STEP_REQUIRED}
        reached = item.get("reached", True)
        if not isinstance(reached, bool):
            self.problem(file, item.key_lines["reached"], ident, "step 'reached' must be true or false")
        values["precedent"] = self.text(item, "precedent", file, ident, required=False)
        if values["source"]:
            self._source_refs.append((file, item.key_lines["source"], ident, values["source"]))
        return Step(
            title=values["title"], who=values["who"], what=values["what"], time_limits=values["time_limits"],
            precedent=values["precedent"], source_id=values["source"], pinpoint=values["pinpoint"],
            status=self.text(item, "status", file, ident, required=False),
            branches=self.texts(item, "branches", file, ident), reached=reached is not False,
            note=self.text(item, "note", file, ident, required=False), line=item.line,
        )

    def entry(self, item: LinedDict, file: str, ladder: bool) -> None:
        ident = self.claim_id(item, file, "ladder" if ladder else "entry")
        if ident is None:
            return
        self.unknown_keys(item, LADDER_KEYS if ladder else ENTRY_KEYS, file, ident, "ladder" if ladder else "entry")
        area = self.text(item, "area", file, ident)
        if area and area not in AREAS:
            self.problem(file, item.key_lines["area"], ident, f"area '{area}' is not one of {', '.join(AREAS)}")
        summary = self.text(item, "summary", file, ident)
        questions = self.texts(item, "questions", file, ident, required=True)
        excerpts: tuple[Excerpt, ...] = ()
        steps: tuple[Step, ...] = ()
        list_key = "steps" if ladder else "excerpts"
        raw = item.get(list_key)
        if not isinstance(raw, list) or not raw:
            self.problem(file, item.key_lines.get(list_key, item.line), ident, f"'{list_key}' must be a non-empty list")
        elif ladder:
            steps = tuple(s for s in (self.step(x, file, ident) for x in raw) if s)
        else:
            excerpts = tuple(e for e in (self.excerpt(x, file, ident) for x in raw) if e)
            if excerpts and all(e.is_note for e in excerpts):
                self.problem(file, item.key_lines["excerpts"], ident, "needs at least one sourced excerpt (only notes)")
        related = self.texts(item, "related", file, ident)
        for target in related:
            self._related_refs.append((file, item.key_lines["related"], ident, target))
        event_date, event_label = self.partial_day(item, "event_date", file, ident, required=(area == "timeline"))
        self.entries[ident] = Entry(
            id=ident,
            title=self.text(item, "title", file, ident),
            area=area,
            summary=summary,
            last_reviewed=self.day(item, "last_reviewed", file, ident),
            aliases=self.texts(item, "aliases", file, ident),
            questions=questions,
            excerpts=excerpts,
            steps=steps,
            related=related,
            event_date=event_date,
            event_label=event_label,
            as_of=self.day(item, "as_of", file, ident, required=False),
            conditions=self.texts(item, "conditions", file, ident),
            file=file,
            line=item.line,
        )
        self._lines[ident] = {key: item.key_lines.get(key, item.line) for key in ("title", "summary", "conditions")}

    def synonym_groups(self, value, file: str, line: int) -> None:
        if not isinstance(value, list):
            self.problem(file, line, "", "'synonyms' must be a list of lists of words")
            return
        for group in value:
            if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
                self.problem(file, line, "", f"synonym group {shown(group)} must list two or more words")
                continue
            self.synonyms.append(tuple(w.strip() for w in group))

    # -- the registry of changing values ---------------------------------------------------------
    def value_items(self, items, file: str, line: int) -> None:
        if not isinstance(items, list):
            self.problem(file, line, "", "'values' must be a list")
            return
        for item in items:
            if not isinstance(item, LinedDict):
                self.problem(file, line, "", "each item under 'values' must be a mapping")
                continue
            self.value_item(item, file)

    def value_item(self, item: LinedDict, file: str) -> None:
        ident = item.get("id")
        if not isinstance(ident, str) or not registry.VALUE_ID.match(ident):
            self.problem(file, item.line, "", f"value id {ident!r} must be lowercase words joined by '_'")
            return
        if ident in self.values:
            first = self.values[ident]
            self.problem(file, item.line, ident, f"duplicate value id (first defined at {first.file}:{first.line})")
            return
        self.unknown_keys(item, VALUE_KEYS, file, ident, "value")
        wording = self.text(item, "value", file, ident)
        if registry.REFERENCE.search(wording):
            self.problem(file, item.key_lines["value"], ident, "a value cannot refer to another value")
        source_id = self.text(item, "source", file, ident)
        if source_id:
            self._source_refs.append((file, item.key_lines["source"], ident, source_id))
        review_every = item.get("review_every")
        if not isinstance(review_every, int) or isinstance(review_every, bool) or review_every <= 0:
            self.problem(file, item.key_lines.get("review_every", item.line), ident,
                         "'review_every' must be a whole number of days (e.g. 90)")
            review_every = 0
        status = self.text(item, "status", file, ident, required=False) or "official"
        reported_by = self.text(item, "reported_by", file, ident, required=False)
        if status not in VALUE_STATUSES:
            self.problem(file, item.key_lines["status"], ident, f"status '{status}' is not one of {', '.join(VALUE_STATUSES)}")
        elif status == "reported":
            # A reported value is only ever stated as reported, naming who reports it.
            if not reported_by:
                self.problem(file, item.key_lines["status"], ident, "a reported value needs 'reported_by' (who reports it)")
            if "reported" not in wording.lower():
                self.problem(file, item.key_lines.get("value", item.line), ident,
                             "a reported value's wording must say it is reported")
        patterns = self.texts(item, "literal_patterns", file, ident)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.problem(file, item.key_lines["literal_patterns"], ident, f"literal pattern {pattern!r} is not a regex: {exc}")
                patterns = ()
                break
        if patterns and not any(re.search(p, wording, flags=re.IGNORECASE) for p in patterns):
            # Patterns that all miss the value itself would never catch a copy of it.
            self.problem(file, item.key_lines["literal_patterns"], ident, "no literal pattern matches the value's own wording")
        as_of = self.day(item, "as_of", file, ident)
        self.values[ident] = Value(
            id=ident, value=wording, as_of=as_of or date.min, source_id=source_id, review_every=review_every,
            status=status, reported_by=reported_by, since=self.day(item, "since", file, ident, required=False),
            literal_patterns=patterns, description=self.text(item, "description", file, ident, required=False),
            file=file, line=item.line,
        )

    def entry_texts(self) -> None:
        """Substitute registry values into every entry, and check what the sourced texts may say."""
        for ident, entry in list(self.entries.items()):
            lines = self._lines.get(ident, {})
            used: list[str] = []

            def fill(text: str, line: int, source_id: str | None = None, what: str = "",
                     entry: Entry = entry, used: list[str] = used) -> str:
                return self.fill(entry, used, text, line, source_id, what)

            title = fill(entry.title, lines.get("title", entry.line))
            summary = fill(entry.summary, lines.get("summary", entry.line))
            excerpts = tuple(
                replace(x, text=fill(x.text, x.line, None if x.is_note else x.source_id, "excerpt"))
                for x in entry.excerpts
            )
            steps = tuple(
                replace(
                    step,
                    **{key: fill(getattr(step, key), step.line, step.source_id, f"step '{step.title}'")
                       for key in ("title", "who", "what", "time_limits", "precedent")},
                    status=fill(step.status, step.line),
                    note=fill(step.note, step.line),
                )
                for step in entry.steps
            )
            for condition in entry.conditions:
                missing = [w for w in _key_words(condition) if w not in summary.lower()]
                if missing:
                    self.problem(entry.file, lines.get("conditions", entry.line), ident,
                                 f"summary omits the condition {condition!r} (missing: {', '.join(missing)})")
            stamps = tuple(self.values[n].stamp() for n in used)
            self.entries[ident] = replace(entry, title=title, summary=summary, excerpts=excerpts, steps=steps,
                                          value_stamps=stamps)

    def fill(self, entry: Entry, used: list[str], text: str, line: int, source_id: str | None, what: str) -> str:
        """One text with its values substituted; records the values used and reports what is wrong."""
        for value_id, words in registry.literal_uses(text, self.values):
            self.problem(entry.file, line, entry.id,
                         f"states the changing value '{value_id}' literally ({words!r}); write {{{{{value_id}}}}}")
        result = registry.substitute(text, self.values)
        for name in result.unknown:
            self.problem(entry.file, line, entry.id, f"unknown value '{{{{{name}}}}}' (not in the values registry)")
        used.extend(n for n in result.used if n not in used)
        if source_id:
            self.sourced_text(entry.file, line, entry.id, result.text, source_id, result.used, what)
        return result.text

    def sourced_text(self, file: str, line: int, ident: str, text: str, source_id: str, used: tuple[str, ...],
                     what: str) -> None:
        """Text attributed to a source may hold only what that source says."""
        remark = provenance.note_like(text)
        if remark:
            self.problem(file, line, ident,
                         f"{what} attributed to '{source_id}' contains curator wording ({remark!r}); make it a note")
        source = self.sources.get(source_id)
        if source is None:
            return
        for mention in provenance.dates_after_source(text, source):
            self.problem(file, line, ident, f"{what} states {mention.text!r}, later than its source '{source_id}' "
                                            f"({source.date_label}); cite a later source or make it a note")
        for name in used:
            value = self.values[name]
            if value.source_id != source_id:
                self.problem(file, line, ident, f"{what} attributed to '{source_id}' uses value '{name}', whose source "
                                                f"is '{value.source_id}'; cite that source or say it in a note")

    # -- files -----------------------------------------------------------------------------------
    def file(self, path: Path) -> None:
        name = _display(path, self.kb_dir)
        data = self.reader.read(path, name)
        if data is UNREAD:
            return
        if data is None:
            return
        if not isinstance(data, LinedDict):
            self.problem(name, 1, "", "top level must be a mapping with 'sources', 'entries' or 'ladders'")
            return
        self.unknown_keys(data, TOP_KEYS, name, "", "top-level")
        for key, handler in (("sources", self.source), ("entries", None), ("ladders", None)):
            items = data.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(name, data.key_lines[key], "", f"'{key}' must be a list")
                continue
            for item in items:
                if not isinstance(item, LinedDict):
                    self.problem(name, data.key_lines[key], "", f"each item under '{key}' must be a mapping")
                elif handler:
                    handler(item, name)
                else:
                    self.entry(item, name, ladder=(key == "ladders"))
        if "synonyms" in data:
            self.synonym_groups(data["synonyms"], name, data.key_lines["synonyms"])
        if "values" in data:
            self.value_items(data["values"], name, data.key_lines["values"])
        self.series_items(data.get("series"), name, data.key_lines.get("series", 1))

    def series_items(self, items, file: str, line: int) -> None:
        if items is None:
            return
        if not isinstance(items, list) or not all(isinstance(item, LinedDict) for item in items):
            self.problem(file, line, "", "'series' must be a list of mappings")
            return
        for item in items:
            series = read_series(self, item, file)
            if series is None:
                continue
            if series.id in self.series:
                self.problem(file, item.line, series.id, f"duplicate series id (first defined at {self.series[series.id].file})")
                continue
            self.series[series.id] = series

    def cross_references(self) -> None:
        for file, line, ident, source_id in self._source_refs:
            if source_id not in self.sources:
                self._hints += 1
                hint = _closest(source_id, set(self.sources)) if self._hints <= MAX_HINTS else None
                suffix = f" (did you mean '{hint}'?)" if hint else ""
                self.problem(file, line, ident, f"unknown source id '{source_id}'{suffix}")
        for file, line, ident, target in self._related_refs:
            if target == ident:
                self.problem(file, line, ident, "entry lists itself as related")
            elif target not in self.entries:
                self.problem(file, line, ident, f"related id '{target}' does not exist")


def _key_words(condition: str) -> list[str]:
    """The words of a condition that carry its meaning (four letters or more)."""
    return [w for w in re.findall(r"[a-z0-9()]+", condition.lower()) if len(w) >= 4]


def _display(path: Path, kb_dir: Path) -> str:
    try:
        return str(path.relative_to(kb_dir.parent))
    except ValueError:
        return str(path)


def _closest(word: str, options: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
    return matches[0] if matches else None


def validate(kb_dir: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Read and check every YAML file; returns what loaded plus every problem found."""
    kb_dir = Path(kb_dir)
    validator = _Validator(kb_dir)
    files = yaml_files(kb_dir) if kb_dir.is_dir() else []
    if not files:
        validator.problem(str(kb_dir), 0, "", "no YAML files found in the knowledge directory")
    for path in files:
        validator.file(path)
    validator.cross_references()
    validator.entry_texts()
    kb = KnowledgeBase(
        sources=validator.sources,
        entries=validator.entries,
        synonyms=tuple(validator.synonyms),
        files=tuple(_display(p, kb_dir) for p in files),
        series=validator.series,
        values=validator.values,
    )
    return kb, validator.problems


def load_knowledge_base(kb_dir: Path) -> KnowledgeBase:
    """Load a valid knowledge base or raise KnowledgeBaseError naming every problem."""
    kb, problems = validate(kb_dir)
    if problems:
        raise KnowledgeBaseError(problems)
    return kb
