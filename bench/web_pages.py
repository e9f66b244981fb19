"""Server time of every page of the web application on the benchmark's ledger.

Every GET route of the "web" namespace without parameters, plus each `<area>_detail` page (and a policy's
impact) on a real row, is requested through Django's full stack (middleware, sessions, templates) as a
logged-in admin. Server time = the time to produce the response in process; the median of ROUNDS requests
after one warm-up.

The pages memoize their figures until the data they read changes (relance.tracking.versions), so each page
is timed twice: as a request after nothing changed (`pages_ms`), and with the cache emptied before each
request, as the first request after a change pays (`pages_uncached_ms`). The target is checked on the
latter.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

ROUNDS = 5
TARGET_MS = 300
# Routes that are not pages: actions (POST only) answer 405 to a GET and are skipped by status.
SKIP_NAMES = {"logout", "password_reset_done", "password_reset_complete"}


def _routes() -> list[tuple[str, str, list[str]]]:
    """(name, route, converter names) of the web namespace."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                found.append((p.name, route, list(p.pattern.converters)))

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and getattr(p, "namespace", None) == "web":
            walk(p.url_patterns, str(p.pattern))
    return found


def _detail_ids(workspace: Any) -> dict[str, int]:
    """The busiest row of each kind: the worst case for a detail page."""
    from django.db.models import Count

    from relance.dunning.models import Policy
    from relance.ledger.models import Customer, Invoice
    from relance.mail.models import Message
    from relance.tracking.models import Experiment

    ids: dict[str, int] = {}
    busiest = (
        Customer.objects.filter(workspace=workspace).annotate(n=Count("invoices")).order_by("-n").first()
    )
    if busiest:
        ids["customer"] = busiest.pk
    for key, model in (
        ("invoice", Invoice),
        ("message", Message),
        ("policy", Policy),
        ("experiment", Experiment),
    ):
        row = model.objects.filter(workspace=workspace).order_by("pk").first()
        if row:
            ids[key] = row.pk
    return ids


def measure_pages(workspace: Any) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from relance.accounts.models import Membership

    user, _ = User.objects.get_or_create(
        username="bench@relance.example", defaults={"email": "bench@relance.example"}
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": "admin"})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    ids = _detail_ids(workspace)
    pages: dict[str, float] = {}
    uncached: dict[str, float] = {}
    for name, _route, converters in _routes():
        if name in SKIP_NAMES:
            continue
        if not converters:
            url = reverse(f"web:{name}")
        elif converters == ["pk"] and name.endswith(("_detail", "_impact")) and name.split("_")[0] in ids:
            url = reverse(f"web:{name}", kwargs={"pk": ids[name.split("_")[0]]})
        else:
            continue
        first = client.get(url)
        if first.status_code != 200:
            continue  # POST-only actions, redirects
        for found, empty_cache in ((pages, False), (uncached, True)):
            times = []
            for _ in range(ROUNDS):
                if empty_cache:
                    cache.clear()
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            found[url] = round(statistics.median(times), 1)
    slowest = max(uncached.items(), key=lambda item: item[1]) if uncached else ("", 0.0)
    return {
        "pages_ms": pages,
        "pages_uncached_ms": uncached,
        "pages_measured": len(pages),
        "slowest_page": slowest[0],
        "slowest_page_ms": slowest[1],
        "pages_over_target": sorted(url for url, ms in uncached.items() if ms > TARGET_MS),
        "page_target_ms": TARGET_MS,
    }
