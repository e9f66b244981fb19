"""Login rate limiting: after too many failures for one account or from one address, wait."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from relance.accounts.models import LoginFailure


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(username: str, address: str, now: datetime) -> bool:
    recent = LoginFailure.objects.filter(at__gte=_window_start(now))
    limit = settings.LOGIN_MAX_FAILURES
    return (
        recent.filter(username=username.strip().lower()).count() >= limit
        or recent.filter(address=address).count() >= limit * 4  # an office behind one address
    )


@transaction.atomic
def record_failure(username: str, address: str, now: datetime) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:254], address=address[:64], at=now)
    # Old rows are useless: keep the table small.
    LoginFailure.objects.filter(at__lt=_window_start(now) - timedelta(days=1)).delete()


@transaction.atomic
def clear_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(Q(username=username.strip().lower()) | Q(address=address)).delete()


def client_address(meta: dict[str, str]) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever calls, so it cannot be trusted here.
    return meta.get("REMOTE_ADDR", "") or "unknown"
