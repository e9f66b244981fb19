from __future__ import annotations

from django.core.management.base import CommandError
from django.db.utils import OperationalError, ProgrammingError

from relance.accounts.models import Workspace

DEFAULT_SLUG = "default"


def get_workspace(slug: str | None) -> Workspace:
    """The workspace named by `slug`, or the default one. A clear error when `relance init` was not run."""
    try:
        if slug:
            return Workspace.objects.get(slug=slug)
        found = (
            Workspace.objects.filter(slug=DEFAULT_SLUG).first() or Workspace.objects.order_by("pk").first()
        )
    except Workspace.DoesNotExist as exc:
        raise CommandError(f"no workspace {slug!r}: create it with `relance workspace add`") from exc
    except (OperationalError, ProgrammingError) as exc:
        raise CommandError("the database is not initialised: run `relance init` first") from exc
    if found is None:
        raise CommandError("no workspace yet: run `relance init` first")
    return found
