"""PLACEHOLDER while the pages are built; removed before the work lands."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relance.web.access import require_role


@require_role("viewer")
def placeholder(request: HttpRequest) -> HttpResponse:
    return render(request, "web/placeholder.html")
