"""Loading, listing and showing policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from relance.accounts.models import Workspace
from relance.dunning.models import Policy as PolicyRow
from relance.dunning.snapshot import load_policies
from relance.engine.errors import InvalidInput
from relance.engine.policy import BUILTIN_DEFAULT, Policy, parse_policy, policy_to_dict


def read_policy_file(path: Path) -> tuple[Policy, str]:
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_policy_text(source, str(path)), source


def parse_policy_text(source: str, where: str) -> Policy:
    """A policy from YAML (or JSON) text; errors name `where`, the line and column, or the field."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInput(f"{where}:{at}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    return parse_policy(data, source=where)


def do_load_policy(workspace: Workspace, path: Path) -> tuple[PolicyRow, bool]:
    """Create or replace the policy of that name; sent messages keep the version they were made with."""
    policy, source = read_policy_file(path)
    return do_save_policy(workspace, policy, source)


@transaction.atomic
def do_save_policy(workspace: Workspace, policy: Policy, source: str) -> tuple[PolicyRow, bool]:
    """Create or replace the policy of that name (a new version when its definition changed)."""
    definition = policy_to_dict(policy)
    row = PolicyRow.objects.select_for_update().filter(workspace=workspace, name=policy.name).first()
    if row is None:
        return PolicyRow.objects.create(
            workspace=workspace, name=policy.name, definition=definition, source=source
        ), True
    if row.definition != definition:
        row.version += 1
    row.definition = definition
    row.source = source
    row.save()
    return row, False


def policy_summaries(workspace: Workspace) -> list[dict[str, Any]]:
    policies = load_policies(workspace)
    effective_default = next((p for p in reversed(policies) if p.is_default), BUILTIN_DEFAULT)
    rows = [_summary(p, p is effective_default, builtin=False) for p in policies]
    if effective_default is BUILTIN_DEFAULT:
        rows.insert(0, _summary(BUILTIN_DEFAULT, True, builtin=True))
    return rows


def _summary(policy: Policy, is_default: bool, builtin: bool) -> dict[str, Any]:
    data = policy_to_dict(policy)
    data.update({"version": policy.version, "default": is_default, "builtin": builtin})
    return data


def policy_detail(workspace: Workspace, name: str) -> dict[str, Any]:
    for summary in policy_summaries(workspace):
        if summary["name"] == name:
            return summary
    raise InvalidInput(f"no policy named {name!r}; `relance policy list` shows them")
