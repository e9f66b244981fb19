"""The template editor's input: a template file shown as two boxes, its header and its body.

A template is one file (relance.mail.rendering.templates): a YAML front matter between two `---` lines
(stage, subjects, preheader, buttons), then the Markdown body from which both the text and the HTML parts
are rendered.
The editor shows the front matter ("header") and the body in two boxes and joins them back into the file the
store saves, so that a template saved unchanged is byte for byte the same file (and makes no new version).
Line numbers from the parser and the linter are the file's; `locate` turns them into a box and a line in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from relance.mail.rendering.templates import TemplateError, check_template_name

HEADER, BODY = "header", "body"
_FENCE = "---"


@dataclass(frozen=True)
class Place:
    """Where a file line is in the editor: the box ("header" or "body") and the line in that box."""

    part: str
    line: int


def split_source(source: str) -> tuple[str, str]:
    """(header, body) of a template file; a file without a front matter is all body."""
    lines = source.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != _FENCE:
        return "", source
    for index in range(1, len(lines)):
        if lines[index].strip() in (_FENCE, "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    return "\n".join(lines[1:]), ""


def join_source(header: str, body: str) -> str:
    """The template file of the two boxes (browsers send CRLF line ends: the store normalises them)."""
    header = header.replace("\r\n", "\n")
    body = body.replace("\r\n", "\n")
    return f"{_FENCE}\n{header}\n{_FENCE}\n{body}"


def locate(header: str, line: int | None) -> Place | None:
    """The box and line of file line `line` for a file joined from `header` (None when unknown)."""
    if not line:
        return None
    header_lines = header.replace("\r\n", "\n").count("\n") + 1
    body_line = header_lines + 3  # opening fence, the header, closing fence
    if line >= body_line:
        return Place(BODY, line - body_line + 1)
    return Place(HEADER, min(max(line - 1, 1), header_lines))


_KEY_LINE = {key: re.compile(rf"(?m)^{key}:[ \t]*\S.*$") for key in ("name", "language")}


def retarget(source: str, name: str, language: str) -> str:
    """`source` with the `name:` and `language:` of its front matter (when it has them) set to the new ones,
    so that a copy of another template, or of its other language, can be saved under this key."""
    header, body = split_source(source)
    if not header and not source.startswith(_FENCE):
        return source
    header = _KEY_LINE["name"].sub(f"name: {name}", header, count=1)
    header = _KEY_LINE["language"].sub(f"language: {language}", header, count=1)
    return join_source(header, body)


class TemplateSourceForm(forms.Form):
    """The two boxes of the editor (the preview's customer is read by the view: empty means sample data)."""

    header = forms.CharField(
        label=_("Header (YAML: stage, subjects, preheader, buttons)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
    )
    body = forms.CharField(
        label=_("Body (Markdown with {{ variables }})"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "code"}),
    )

    def source(self) -> str:
        return join_source(self.cleaned_data.get("header") or "", self.cleaned_data.get("body") or "")


class NewTemplateForm(forms.Form):
    """A template of the workspace's own: a new name (and language), starting as a copy of another one."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Lowercase letters, digits, '-' and '_', e.g. first-gentle."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))])
    base = forms.CharField(label=_("Start from"), max_length=100)

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        try:
            check_template_name(name, "fr")
        except TemplateError:  # its message is for the command line: say it in the reader's language
            raise forms.ValidationError(
                _("Use lowercase letters, digits, '-' and '_', starting with a letter or a digit.")
            ) from None
        return name
