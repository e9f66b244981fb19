"""Template files: finding them, reading the front matter, compiling every Jinja part up front.

A file is `<name>.<language>.md`: YAML front matter between two `---` lines, then a Markdown body. Every part
is compiled at load time, so a syntax error shows when the template is loaded, not when a message goes out.
Each part is compiled from a source padded with blank lines so that Jinja's line numbers are the file's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Template, TemplateSyntaxError

from relance.mail.rendering.environment import compile_source

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin_templates"
LINK_NAMES = ("pay", "invoice", "statement", "contact", "update_card")
# Tried, in order, when a template has no file in the language asked for.
FALLBACK_LANGUAGES = {"fr": ("en",), "en": ("fr",)}
_DEFAULT_FALLBACK = ("en", "fr")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_KEYS = {"stage", "family", "language", "variant", "subjects", "preheader", "ctas", "description", "name"}
_LITERAL_LINK = re.compile(r"^(https://|http://|mailto:)\S+$")


class TemplateError(Exception):
    """A template that is missing, malformed or fails to render. The message names the file and line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        where = f"{self.path}:{line}: " if self.path and line else f"{self.path}: " if self.path else ""
        super().__init__(where + message)


@dataclass(frozen=True)
class CallToAction:
    """A button: `label` is a Jinja template string; `link` names an entry of `links` or is a URL."""

    label: str
    link: str
    line: int


@dataclass(frozen=True)
class Compiled:
    body: Template
    subjects: tuple[Template, ...]
    preheader: Template | None
    labels: tuple[Template, ...]


@dataclass(frozen=True)
class LoadedTemplate:
    name: str
    language: str  # the language of the file: differs from requested_language after a fallback
    requested_language: str
    path: Path
    version: str  # sha256 of the file's bytes, first 12 hex digits
    stage: str
    family: str
    variant: str
    subjects: tuple[str, ...]
    preheader: str
    ctas: tuple[CallToAction, ...]
    body: str
    builtin: bool
    source: str = field(repr=False)  # the whole file, decoded
    compiled: Compiled = field(repr=False, compare=False)
    # Where each part starts in the file (1-based), so that findings on the source point into it.
    subject_lines: tuple[int, ...] = ()
    subject_columns: tuple[int, ...] = ()  # column of each subject's first character
    preheader_line: int = 0  # 0 when there is no preheader
    body_line: int = 1

    @property
    def is_fallback(self) -> bool:
        return self.language != self.requested_language


def template_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def load_template(name: str, language: str, folders: Sequence[Path] = ()) -> LoadedTemplate:
    """Find `<name>.<language>.md` in `folders` (in order), then among the built-ins.

    Only when no folder has the file in `language` is the other language tried (fr <-> en; any other
    language falls back to en, then fr), in the same order; the result's `language` says which was used.
    """
    if not _NAME.match(name):
        raise TemplateError(f"invalid template name {name!r}: use lowercase letters, digits, '-' and '_'")
    if not _LANGUAGE.match(language):
        raise TemplateError(f"invalid language {language!r}: use a two-letter code such as 'fr' or 'en'")
    places = [Path(folder) for folder in folders] + [BUILTIN_DIR]
    for candidate in (language, *FALLBACK_LANGUAGES.get(language, _DEFAULT_FALLBACK)):
        for place in places:
            path = place / f"{name}.{candidate}.md"
            if path.is_file():
                builtin = place == BUILTIN_DIR
                return parse_template(path.read_bytes(), name, candidate, path, language, builtin=builtin)
    searched = ", ".join(str(place) for place in places)
    raise TemplateError(f"no template file {name}.{language}.md (nor a fallback language) in: {searched}")


def check_template_name(name: str, language: str) -> None:
    """The rules a template's name and language follow (those of `<name>.<language>.md` file names)."""
    if not _NAME.match(name):
        raise TemplateError(f"invalid template name {name!r}: use lowercase letters, digits, '-' and '_'")
    if not _LANGUAGE.match(language):
        raise TemplateError(f"invalid language {language!r}: use a two-letter code such as 'fr' or 'en'")


def read_front_matter(source: bytes | str, path: Path) -> dict[str, Any]:
    """Only the front matter of a template, as data (to learn its name or language before parsing it)."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"not UTF-8 text (byte {exc.start})", path) from exc
    front, _, _ = _split(text, path)
    return _front_matter(front, path)[0]


def parse_template(
    source: bytes | str,
    name: str,
    language: str,
    path: Path,
    requested_language: str | None = None,
    builtin: bool = False,
) -> LoadedTemplate:
    """Parse and compile a template from its bytes; `path` is only used to name it in errors.

    Usable for a live preview of an unsaved edit: pass the edited text and a descriptive path.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    return _parse_cached(data, name, language, path, requested_language, builtin)


@lru_cache(maxsize=256)
def _parse_cached(
    data: bytes, name: str, language: str, path: Path, requested_language: str | None, builtin: bool
) -> LoadedTemplate:
    # A daily run renders the same few templates thousands of times: parse and compile each version once.
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"not UTF-8 text (byte {exc.start})", path) from exc
    front, body, body_line = _split(text, path)
    meta, lines = _front_matter(front, path)
    _check_keys(meta, lines, language, path, name)
    subjects = _strings(meta.get("subjects"), "subjects", lines, path)
    subject_columns = tuple(lines.get("subjects[]@col", ()))
    if not subjects:
        raise TemplateError("'subjects' must list at least one subject", path, lines.get("subjects", 1))
    preheader = meta.get("preheader") or ""
    if not isinstance(preheader, str):
        raise TemplateError("'preheader' must be a string", path, lines.get("preheader"))
    ctas = _ctas(meta.get("ctas") or [], lines, path)
    filename = str(path)
    compiled = Compiled(
        body=_compile(language, "\n" * (body_line - 1) + body, filename),
        subjects=tuple(_compile(language, _pad(s, line), filename) for s, line in subjects),
        preheader=_compile(language, _pad(preheader, lines["preheader"]), filename) if preheader else None,
        labels=tuple(_compile(language, _pad(cta.label, cta.line), filename) for cta in ctas),
    )
    return LoadedTemplate(
        name=name,
        language=language,
        requested_language=requested_language or language,
        path=path,
        version=template_version(data),
        stage=str(meta["stage"]),
        family=str(meta.get("family") or "b2b"),
        variant=str(meta.get("variant") or "standard"),
        subjects=tuple(s for s, _ in subjects),
        preheader=preheader,
        ctas=ctas,
        body=body,
        builtin=builtin,
        source=text,
        compiled=compiled,
        subject_lines=tuple(line for _, line in subjects),
        subject_columns=subject_columns if len(subject_columns) == len(subjects) else (1,) * len(subjects),
        preheader_line=int(lines.get("preheader") or 0) if preheader else 0,
        body_line=body_line,
    )


def _split(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, file line where the body starts)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise TemplateError("a template starts with a '---' line opening its YAML front matter", path, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise TemplateError("the front matter opened on line 1 is never closed by a '---' line", path, 1)


def _front_matter(front: str, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The front matter as data, and the file line of each key (lists of lines for list values)."""
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(front)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 2 if exc.problem_mark else 1
        raise TemplateError(f"front matter is not valid YAML: {exc.problem}", path, line) from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"front matter is not valid YAML: {exc}", path, 1) from exc
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        raise TemplateError("the front matter must be a mapping of keys (stage, subjects, ...)", path, 2)
    lines: dict[str, Any] = {}
    for key, value in node.value:
        lines[key.value] = key.start_mark.line + 2
        if isinstance(value, yaml.SequenceNode):
            lines[f"{key.value}[]"] = [_item_line(item) for item in value.value]
            lines[f"{key.value}[]@col"] = [_item_column(item) for item in value.value]
        elif isinstance(value, yaml.ScalarNode):
            lines[key.value] = value.start_mark.line + 2
    return meta, lines


def _item_line(item: yaml.Node) -> int:
    if isinstance(item, yaml.MappingNode):  # a call to action: point at its label
        for key, value in item.value:
            if key.value == "label":
                return int(value.start_mark.line) + 2
    return int(item.start_mark.line) + 2


def _item_column(item: yaml.Node) -> int:
    """The 1-based column of a scalar's first character (after its opening quote, if any)."""
    quoted = isinstance(item, yaml.ScalarNode) and item.style in ('"', "'")
    return int(item.start_mark.column) + 1 + (1 if quoted else 0)


def _check_keys(meta: dict[str, Any], lines: dict[str, Any], language: str, path: Path, name: str) -> None:
    for key in meta:
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise TemplateError(f"unknown front matter key {key!r} (known: {known})", path, lines.get(key))
    if not meta.get("stage"):
        raise TemplateError("the front matter needs a 'stage' (pre_due, first, ...)", path, 2)
    declared_name = meta.get("name")
    if declared_name is not None and declared_name != name:
        message = f"'name: {declared_name}' does not match the template's name {name!r}"
        raise TemplateError(message, path, lines.get("name"))
    declared = meta.get("language")
    if declared is not None and declared != language:
        message = f"'language: {declared}' does not match the file name's language {language!r}"
        raise TemplateError(message, path, lines.get("language"))


def _strings(value: object, key: str, lines: dict[str, Any], path: Path) -> list[tuple[str, int]]:
    """A list of strings from the front matter, with the file line of each."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TemplateError(f"{key!r} must be a list of strings", path, lines.get(key))
    return list(zip(value, lines[f"{key}[]"], strict=True))


def _ctas(value: object, lines: dict[str, Any], path: Path) -> tuple[CallToAction, ...]:
    if not isinstance(value, list):
        raise TemplateError("'ctas' must be a list of {label, link}", path, lines.get("ctas"))
    ctas = []
    for item, line in zip(value, lines.get("ctas[]", []), strict=True):
        if not isinstance(item, dict) or set(item) != {"label", "link"}:
            raise TemplateError("each entry of 'ctas' has exactly a 'label' and a 'link'", path, line)
        label, link = item["label"], item["link"]
        if not isinstance(label, str) or not isinstance(link, str):
            raise TemplateError("a call to action's label and link are strings", path, line)
        if link not in LINK_NAMES and not _LITERAL_LINK.match(link):
            names = ", ".join(LINK_NAMES)
            raise TemplateError(f"link {link!r} is neither one of {names} nor an https:// URL", path, line)
        ctas.append(CallToAction(label=label, link=link, line=line))
    return tuple(ctas)


def _pad(source: str, line: int) -> str:
    return "\n" * (line - 1) + source


def _compile(language: str, source: str, filename: str) -> Template:
    try:
        return compile_source(language, source, filename)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", filename, exc.lineno) from exc
