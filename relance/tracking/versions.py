"""Data versions, and the figures memoized under them.

The web pages' figures (KPIs, the next run's preview, a policy's impact) cost from tens of milliseconds to
seconds on a large ledger. They are kept in the cache under the *versions* of the data they read, so that a
page asked again after nothing changed answers at once, and one asked after any write that could change it
computes it afresh: a stale figure is never served.

A version is a random token per (workspace, kind of data), a row of tracking_dataversion, replaced by triggers
in the database in the same transaction as the write: whatever writes (the ORM, bulk imports, raw SQL, the
admin, another process), the token changes when the data does, and becomes visible with it at commit. Kinds:

    ledger      invoices, payments, the workspace itself (tolerance, country, time zone)
    outbox      messages written, cancelled or moved, their items; customers; holds; policies
    sent        which messages are sent, and what a sent message is grouped by (stage, template, variant,
                run date, customer)
    engagement  events, replies, attributions

The kinds are separate rows so that writers of different kinds do not wait for each other on PostgreSQL
(the daily run writes the outbox while events arrive and messages are sent). Triggers: one row trigger per
table and event on SQLite; on PostgreSQL one statement trigger (transition tables), so a bulk write bumps a
version once per statement, not once per row. They are (re)installed after every `migrate` (post_migrate),
since SQLite drops a table's triggers when a migration rebuilds the table.

The cache is Django's default cache (per process unless configured otherwise); a key holds the tokens it
was computed under, read *before* computing: a write committed meanwhile changes the token, so the next
request recomputes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

from relance.accounts.models import Workspace
from relance.tracking.models import DataVersion

T = TypeVar("T")

LEDGER, OUTBOX, SENT, ENGAGEMENT = (
    DataVersion.LEDGER,
    DataVersion.OUTBOX,
    DataVersion.SENT,
    DataVersion.ENGAGEMENT,
)
# What each family of figures reads.
LEDGER_FIGURES = (LEDGER,)  # ageing, overdue over time, DSO, days late
PLANNING = (LEDGER, OUTBOX)  # the daily run's plans: next run, impact
# Bumped when the formulas change, so that a shared cache never serves figures of an older release.
FIGURES_RELEASE = 1
CACHE_SECONDS = 24 * 3600

# --- the triggers -----------------------------------------------------------------------------------------

VERSIONS_TABLE = DataVersion._meta.db_table
CHANGED_SENT = (
    "({o}.status = 'sent' OR {r}.status = 'sent') AND ({o}.status {ne} {r}.status "
    "OR {o}.run_date {ne} {r}.run_date OR {o}.stage {ne} {r}.stage "
    "OR {o}.template_name {ne} {r}.template_name OR {o}.variant {ne} {r}.variant "
    "OR {o}.customer_id {ne} {r}.customer_id)"
)
CHANGED_OUTBOX = (
    "({o}.status = 'cancelled') {ne} ({r}.status = 'cancelled') OR {o}.run_date {ne} {r}.run_date "
    "OR {o}.customer_id {ne} {r}.customer_id"
)
EVENTS = ("INSERT", "UPDATE", "DELETE")
# (table, events, kind, how a row finds its workspace, condition per event on the row `{r}` (and `{o}`, the
# row before an update)). "message": through the row's message.
WATCHED: list[tuple[str, tuple[str, ...], str, str, dict[str, str]]] = [
    ("accounts_workspace", ("INSERT", "UPDATE"), LEDGER, "id", {}),
    ("ledger_invoice", EVENTS, LEDGER, "workspace_id", {}),
    ("ledger_payment", EVENTS, LEDGER, "workspace_id", {}),
    ("ledger_customer", EVENTS, OUTBOX, "workspace_id", {}),
    ("ledger_hold", EVENTS, OUTBOX, "workspace_id", {}),
    ("dunning_policy", EVENTS, OUTBOX, "workspace_id", {}),
    ("mail_message", EVENTS, OUTBOX, "workspace_id", {"UPDATE": CHANGED_OUTBOX}),
    (
        "mail_message",
        EVENTS,
        SENT,
        "workspace_id",
        {"INSERT": "{r}.status = 'sent'", "DELETE": "{r}.status = 'sent'", "UPDATE": CHANGED_SENT},
    ),
    ("mail_messageitem", EVENTS, OUTBOX, "message", {}),
    ("tracking_event", EVENTS, ENGAGEMENT, "workspace_id", {}),
    ("tracking_reply", EVENTS, ENGAGEMENT, "workspace_id", {}),
    ("tracking_attribution", EVENTS, ENGAGEMENT, "message", {}),
]


def _watches(table: str, event: str) -> list[tuple[str, str, str | None]]:
    return [
        (kind, via, when.get(event))
        for name, events, kind, via, when in WATCHED
        if name == table and event in events
    ]


def watched_tables() -> list[str]:
    return list(dict.fromkeys(name for name, *_ in WATCHED))


def trigger_name(table: str, event: str) -> str:
    return f"relance_version_{table}_{event.lower()}"


def _upsert(source: str) -> str:
    return (
        f"INSERT INTO {VERSIONS_TABLE} (workspace_id, domain, token) {source} "
        "ON CONFLICT (workspace_id, domain) DO UPDATE SET token = excluded.token;"
    )


def sqlite_triggers() -> dict[str, str]:
    """Name -> CREATE TRIGGER statement: one row trigger per table and event, one upsert per kind."""
    found = {}
    for table in watched_tables():
        for event in EVENTS:
            row = "OLD" if event == "DELETE" else "NEW"
            body = []
            for kind, via, when in _watches(table, event):
                condition = when.format(r=row, o="OLD", ne="IS NOT") if when else "1"
                if via == "message":
                    # The message's workspace from the message_kpis index (its row holds the bodies).
                    source = (
                        f"SELECT m.workspace_id, '{kind}', random() "
                        f"FROM mail_message m INDEXED BY message_kpis "
                        f"WHERE m.id = {row}.message_id AND ({condition})"
                    )
                else:
                    source = (
                        f"SELECT {row}.{via}, '{kind}', random() "
                        f"WHERE {row}.{via} IS NOT NULL AND ({condition})"
                    )
                body.append(_upsert(source))
            if body:
                name = trigger_name(table, event)
                found[name] = (
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {' '.join(body)} END"
                )
    return found


def postgresql_triggers() -> dict[str, tuple[str, str, str]]:
    """Name -> (table, CREATE OR REPLACE FUNCTION, CREATE TRIGGER): statement triggers reading the rows
    written from transition tables, one upsert per kind and workspace touched by the statement."""
    rows = {
        "INSERT": "new_rows r",
        "DELETE": "old_rows r",
        "UPDATE": "new_rows r JOIN old_rows o ON o.id = r.id",
    }
    transitions = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    found = {}
    for table in watched_tables():
        for event in EVENTS:
            body = []
            for kind, via, when in _watches(table, event):
                condition = when.format(r="r", o="o", ne="IS DISTINCT FROM") if when else "TRUE"
                if via == "message":
                    touched = (
                        f"SELECT DISTINCT m.workspace_id AS w FROM {rows[event]} "
                        f"JOIN mail_message m ON m.id = r.message_id WHERE {condition}"
                    )
                else:
                    touched = f"SELECT DISTINCT r.{via} AS w FROM {rows[event]} WHERE {condition}"
                # A token per workspace (random() per row of a DISTINCT would defeat it).
                body.append(
                    _upsert(
                        f"SELECT w, '{kind}', (random() * 9.2e18)::bigint FROM ({touched}) touched "
                        "WHERE w IS NOT NULL"
                    )
                )
            if body:
                name = trigger_name(table, event)
                function = (
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {' '.join(body)} RETURN NULL; END $$"
                )
                trigger = (
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} {transitions[event]} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
                found[name] = (table, function, trigger)
    return found


def install_triggers(connection: BaseDatabaseWrapper | None = None) -> bool:
    """Create the triggers that are missing or differ; idempotent, cheap when all are in place. False (and
    nothing done) while a watched table is missing (a partial migrate)."""
    connection = connection or default_connection
    tables = set(connection.introspection.table_names())
    if not {VERSIONS_TABLE, *watched_tables()} <= tables:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'relance_version_%%'")
            existing = {name for (name,) in cursor.fetchall()}
            for name, (_table, function, trigger) in postgresql_triggers().items():
                cursor.execute(function)  # CREATE OR REPLACE: the current body
                if name not in existing:
                    cursor.execute(trigger)
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            definitions = dict(cursor.fetchall())
            for name, sql in sqlite_triggers().items():
                if definitions.get(name) != sql:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
        else:
            raise RuntimeError(f"data versions need SQLite or PostgreSQL triggers, not {connection.vendor}")
    return True


def missing_triggers(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """The triggers that should exist and do not (for checks and tests)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'relance_version_%%'")
            expected = set(postgresql_triggers())
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(sqlite_triggers())
        existing = {name for (name,) in cursor.fetchall()}
    return sorted(expected - existing)


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    install_triggers(connections[using])


# --- reading versions, memoizing --------------------------------------------------------------------------


def tokens(workspace: Workspace) -> dict[str, int]:
    """The workspace's current tokens by kind (0 for a kind never written since the versions exist)."""
    found = dict.fromkeys((LEDGER, OUTBOX, SENT, ENGAGEMENT), 0)
    found.update(DataVersion.objects.filter(workspace_id=workspace.pk).values_list("domain", "token"))
    return found


_MISSING = object()


def memoize(
    workspace: Workspace, name: str, kinds: Sequence[str], parts: tuple[Any, ...], compute: Callable[[], T]
) -> T:
    """compute(), or what it returned under the same tokens of `kinds` and the same `parts` (which must
    name every other input: dates, options)."""
    current = tokens(workspace)
    raw = repr((FIGURES_RELEASE, workspace.pk, name, [current[kind] for kind in kinds], parts))
    key = f"relance:figures:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    found: T = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found
