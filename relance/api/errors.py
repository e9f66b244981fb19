"""Every error of the API in one JSON shape:
{"detail": "...", "errors": [{"row", "field", "value", "message"}]}.

400 bad input (an import's refused rows, a refused value), 401 no or bad token, 403 the token's role is too
low, 404 unknown here (another workspace's objects included), 409 the object is not in a state that allows
the action, 413 body too large, 422 a request that does not match the schema (ninja's validation)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from relance.engine.errors import InvalidInput
from relance.ledger.importing.report import ImportReport, RowError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("relance.api")

FIRST_ROW_LINE = 2  # do_import_rows numbers the first row as line 2, as a spreadsheet under its header
_ON_LINE = re.compile(r"\bon line (\d+)")


class ErrorItem(Schema):
    """One refused value. `row`: the index (from 0) of the item in a bulk request's `rows`, else null."""

    row: int | None = None
    field: str = ""
    value: str = ""
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class ApiError(Exception):
    status = 400

    def __init__(self, detail: str, errors: Sequence[ErrorItem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)


class BadRequest(ApiError):
    status = 400


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


def field_error(field: str, message: str, value: Any = "") -> BadRequest:
    """A 400 about one field of a request."""
    return BadRequest(f"{field}: {message}", [ErrorItem(field=field, value=_text(value), message=message)])


def import_failed(report: ImportReport, bulk: bool) -> BadRequest:
    """The refused rows of an import (nothing was written), each named by row and field."""
    items = [_row_item(error, bulk) for error in report.errors]
    rows = len({item.row for item in items})
    count = f"{len(items)} error{'s' * (len(items) != 1)}"
    if bulk:
        detail = f"nothing was imported: {count} on {rows} row{'s' * (rows != 1)}"
    else:
        first = items[0]
        detail = f"not saved: {first.field + ': ' if first.field else ''}{first.message}"
        if len(items) > 1:
            detail += f" (and {len(items) - 1} more)"
    return BadRequest(detail, items)


def _row_item(error: RowError, bulk: bool) -> ErrorItem:
    row = error.line - FIRST_ROW_LINE if error.line >= FIRST_ROW_LINE else None
    # The importer counts lines as a spreadsheet does; the API counts rows from 0.
    message = _ON_LINE.sub(lambda m: f"in row {int(m.group(1)) - FIRST_ROW_LINE}", error.reason)
    return ErrorItem(row=row if bulk else None, field=error.column, value=error.value, message=message)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _validation_items(errors: list[dict[str, Any]]) -> list[ErrorItem]:
    """ninja's errors ({"loc": ["body", "body", "rows", 3, "due_date"], "msg": ...}) as ErrorItems."""
    items = []
    for error in errors:
        loc = list(error.get("loc", ()))
        source, parts = (loc[0], loc[1:]) if loc else ("", [])
        if source == "body" and parts and parts[0] == "body":
            parts = parts[1:]  # the name of the view's body argument
        row = None
        if len(parts) >= 2 and parts[0] == "rows" and isinstance(parts[1], int):
            row, parts = parts[1], parts[2:]
        message = str(error.get("msg", "is not valid"))
        message = message.removeprefix("Value error, ")
        field = ".".join(str(part) for part in parts) or str(source)
        if field == "body" and error.get("type") == "missing":
            message = "a JSON body is required"
        elif field == "body" and error.get("type") in ("model_attributes_type", "dict_type"):
            message = "the JSON body must be an object"
        items.append(ErrorItem(row=row, field=field, message=message))
    return items


def install(api: NinjaAPI) -> None:
    """JSON for every error; never an HTML page."""

    def respond(
        request: HttpRequest, status: int, detail: str, errors: Sequence[ErrorItem] = ()
    ) -> HttpResponse:
        body = ErrorOut(detail=detail, errors=list(errors)).model_dump()
        return api.create_response(request, body, status=status)

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    def on_invalid_input(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 400, str(exc), [ErrorItem(message=str(exc))])

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        items = _validation_items(exc.errors)
        detail = "the request is not valid"
        if items:
            first = items[0]
            detail = f"{first.field}: {first.message}" if first.field else first.message
            if first.row is not None:
                detail = f"row {first.row}, {detail}"
            if len(items) > 1:
                detail += f" (and {len(items) - 1} more)"
        return respond(request, 422, detail, items)

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        response = respond(request, 401, str(exc))
        response["WWW-Authenticate"] = 'Bearer realm="relance"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc)
        if detail.startswith("Cannot parse request body"):
            detail = "the request body is not valid JSON"
        return respond(request, exc.status_code, detail)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, "not found")

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, "the request body is too large: send fewer rows per request")

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, "internal error: the request could not be completed")

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(InvalidInput, on_invalid_input)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Exception, on_unexpected)


# Documented on every operation: what any request may get back besides its success.
COMMON_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


def responses(ok: dict[int, Any], *extra: int) -> dict[int, Any]:
    """The response map of an operation: its successes, the common errors, and e.g. 409."""
    return {**ok, **COMMON_ERRORS, **dict.fromkeys(extra, ErrorOut)}
