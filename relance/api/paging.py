"""Limit/offset pages: {"count", "limit", "offset", "items"}.

Three queries per page whatever the table's size: COUNT over the filters, the ids of the page (sorted on
plain indexed columns), then the page's rows with what they need (joins, sums) for those ids only, so that
nothing costly is computed for rows outside the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from relance.api.schemas import Paging

M = TypeVar("M", bound=Model)


def page(
    queryset: QuerySet[Any], paging: Paging, load: Callable[[list[int]], Sequence[Any]]
) -> dict[str, Any]:
    """The page of `queryset` (filtered and ordered, without annotations) that `paging` asks for; `load`
    turns the page's ids into its items, in that order."""
    count = queryset.count()
    ids: list[int] = []
    if paging.offset < count:
        ids = list(queryset.values_list("pk", flat=True)[paging.offset : paging.offset + paging.limit])
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": list(load(ids))}


def in_order(ids: list[int], rows: Iterable[M]) -> list[M]:
    """`rows` (fetched with pk__in=ids) in the order of `ids`."""
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
