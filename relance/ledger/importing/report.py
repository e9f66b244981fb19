"""What an import found and did: counts, every bad row, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    """One refused value. `line` is the row number a spreadsheet shows (the header is line 1)."""

    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "value": self.value, "reason": self.reason}

    def describe(self, source: str) -> str:
        where = f"{source} line {self.line}"
        if self.column:
            where += f", column {self.column}"
        value = f" {self.value!r}" if self.value else ""
        return f"{where}:{value} {self.reason}"


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        """True when the rows were saved: no error and not a dry run."""
        return self.ok and not self.dry_run

    def problem_count(self) -> str:
        """`3 errors on 2 lines`."""
        errors, lines = len(self.errors), len({error.line for error in self.errors})
        return f"{errors} error{'s' * (errors != 1)} on {lines} line{'s' * (lines != 1)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
            "warnings": list(self.warnings),
        }

    def summary_lines(self) -> list[str]:
        """The human report: warnings, every error, then one line of counts."""
        lines = [f"warning: {warning}" for warning in self.warnings]
        lines += [error.describe(self.file) for error in self.errors]
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.errors:
            lines.append(f"{self.file}: {self.problem_count()}: nothing imported (the valid rows: {counts})")
        elif self.dry_run:
            lines.append(f"{self.file}: dry run, nothing written: {self.kind} would be {counts}")
        else:
            lines.append(f"{self.file}: {self.kind} {counts}")
        return lines
