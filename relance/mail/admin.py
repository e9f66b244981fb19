from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from relance.engine.errors import InvalidInput
from relance.engine.lint.model import LintReport
from relance.mail.models import Message, MessageItem, TemplateVersion
from relance.mail.template_lint import summary
from relance.mail.template_store import do_save_template


class MessageItemInline(admin.TabularInline):
    model = MessageItem
    extra = 0
    readonly_fields = ("invoice", "stage", "step_index", "outstanding")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "run_date", "status", "stage", "to", "subject", "total_due", "currency", "sent_at")
    list_filter = ("status", "stage", "language")
    search_fields = ("to", "subject", "customer__name", "customer__external_id", "message_id")
    date_hierarchy = "run_date"
    inlines = [MessageItemInline]
    readonly_fields = [f.name for f in Message._meta.fields]


def _where(finding: Any) -> str:
    suggestion = f" (suggestion: {finding.suggestion})" if finding.suggestion else ""
    return f"line {finding.line}, column {finding.column}: {finding.rule}: {finding.message}{suggestion}"


class TemplateVersionAddForm(forms.ModelForm):
    """A new version: linted and saved by do_save_template while the form is cleaned, so that lint errors
    are form errors and nothing is written; the admin then only shows what was saved."""

    new_name = forms.CharField(
        label="Name", required=False, help_text="first, final, ... (default: `name:` in the front matter)"
    )
    new_language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[("", "from the front matter"), ("fr", "fr"), ("en", "en")],
    )
    new_source = forms.CharField(
        label="Source",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "style": "font-family: monospace"}),
        help_text="The whole template: YAML front matter between two --- lines, then the Markdown body.",
    )

    user: Any = None  # set by the admin for each request
    report: LintReport | None = None

    class Meta:
        model = TemplateVersion
        fields = ["workspace"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        workspace, source = cleaned.get("workspace"), cleaned.get("new_source")
        if workspace is None or not source:
            return cleaned
        try:
            row, report = do_save_template(
                workspace,
                source,
                name=cleaned.get("new_name") or None,
                language=cleaned.get("new_language") or None,
                user=self.user,
            )
        except InvalidInput as exc:
            raise ValidationError(str(exc)) from exc
        self.report = report
        if row is None:
            errors = [ValidationError(f"Not saved: lint errors ({summary(report)}).")]
            errors += [ValidationError(_where(finding)) for finding in report.errors]
            raise ValidationError(errors)
        self.instance = row
        return cleaned


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    """Saved templates. A version is never edited: adding one lints it and makes it the live version."""

    list_display = ("name", "language", "version", "stage", "workspace", "sha", "lint_score", "created_at")
    list_filter = ("language", "stage", "workspace")
    search_fields = ("name", "sha")
    fields = (
        "workspace",
        "name",
        "language",
        "version",
        "stage",
        "sha",
        "lint_score",
        "created_at",
        "created_by",
        "source",
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("workspace", "new_name", "new_language", "new_source")
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TemplateVersionAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Already saved (or found identical to the live version) by the form's clean().
        if not obj.was_created:
            messages.info(request, f"{obj} already has this source: no new version.")
        report = getattr(form, "report", None)
        for finding in report.warnings if report else ():
            messages.warning(request, f"Warning: {_where(finding)}")
