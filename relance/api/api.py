"""The REST API: /api/openapi.json, interactive docs at /api/docs. Every operation needs a bearer token
(`relance token add NAME --role collector`), which opens one workspace only."""

from __future__ import annotations

from ninja import NinjaAPI

from relance.api import customers, errors, holds, invoices, messages, payments, reports
from relance.api.auth import READ

api = NinjaAPI(
    title="Relance API",
    version="1",
    description=(
        "Dunning ledger, outbox and KPIs of one workspace. Authenticate with `Authorization: Bearer rl_...`. "
        'Money is a decimal string with two decimals ("1200.00"), dates are YYYY-MM-DD. Errors are '
        '`{"detail": "...", "errors": [{"row", "field", "value", "message"}]}`.'
    ),
    docs_url="/docs",
    urls_namespace="api",
    auth=READ,
)
errors.install(api)

# Order matters: /invoices/{number}/holds must come before /invoices/{number}, whose number may hold "/".
api.add_router("", holds.router)
api.add_router("", customers.router)
api.add_router("", invoices.router)
api.add_router("", payments.router)
api.add_router("", messages.router)
api.add_router("", reports.router)
