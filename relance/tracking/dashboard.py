"""Read-only aggregates for the web pages: the KPIs of relance.tracking.reports, computed in SQL.

`relance.tracking.reports.build_report` (what `relance report` prints) loads every invoice into Python and
applies the pure formulas of relance.engine.kpi to them. The web pages must answer in a few hundred
milliseconds on a ledger of 100,000 invoices, so the same definitions are computed here as SQL aggregates,
in a bounded number of queries whatever the size of the ledger; only small grouped results (a few rows per
stage, per bucket, per due or issue date) reach Python, where the kpi formulas finish the job (rates,
countback DSO). `report()` returns the same dictionary as `build_report` (the tests compare the two on
hand-built ledgers).

Definitions (see relance.engine.kpi):
- the messages of a period are the sent messages whose run date is in [start, end]; a message is bounced,
  opened, clicked, replied (a "replied" event or a reply that is not an auto-reply) or converted (credited
  with an Attribution) when such a row exists for it;
- an invoice (not void) is open on day d when it was issued on or before d and its outstanding amount on d
  (amount - payments dated on or before d) is above the workspace tolerance; it is overdue on d when, in
  addition, its due date is before d. The day it stops being open is its paid-off date, stored on the
  invoice (Invoice.paid_off_on, kept by relance.ledger.paid_off), as is the date of its first payment: an
  invoice paid off on or before d is not open on d, and one whose first payment is after d owes its whole
  amount on d. Only the few invoices paid in part on d need their payments summed.

How they stay fast (measured on the benchmark's 100,000 invoices, ~90,000 messages, SQLite):
- every query reads indexes only where it can: the ledger's from `invoice_paid_off` (the invoices still
  owed on a day are a range of it), the messages' from `message_kpis`, which starts with the message id so
  that the rows of events, replies, attributions and items find their message in it. SQLite would rather
  read the table itself by rowid, whose rows carry the text and HTML bodies: INDEXED BY tells it otherwise
  (PostgreSQL keeps the bodies out of line and plans well without help);
- a period's messages are the ids between the first and the last message run in it (the run date index
  gives both), and the events, replies, attributions and items are read for those ids only.

Amounts are summed as they are: a workspace invoicing in several currencies gets mixed sums (as the report).
SQLite sums decimals as floating point numbers: comparisons with the tolerance keep half a cent of slack,
which is exact since amounts are whole cents (the daily run's snapshot does the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from relance.accounts.models import Workspace
from relance.engine import kpi
from relance.engine.policy import KNOWN_STAGES
from relance.ledger.models import Customer, Invoice, Payment
from relance.mail.models import Message, MessageItem
from relance.tracking.models import Attribution, Event, Reply
from relance.tracking.reports import OPENS_NOTE, default_period, message_json, money

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")


def _decimal(value: Any) -> Decimal:
    """A sum from the database (Decimal, or float / int from SQLite) as whole cents."""
    if value is None:
        return kpi.ZERO
    return Decimal(str(value)).quantize(CENT)


# --- SQL pieces -----------------------------------------------------------------------------------------

INVOICE, PAYMENT = Invoice._meta.db_table, Payment._meta.db_table
MESSAGE, ITEM, CUSTOMER = Message._meta.db_table, MessageItem._meta.db_table, Customer._meta.db_table
EVENT, REPLY, ATTRIBUTION = Event._meta.db_table, Reply._meta.db_table, Attribution._meta.db_table
# The covering indexes the queries are written for (see the models' Meta).
INVOICE_INDEX, MESSAGE_INDEX = "invoice_paid_off", "message_kpis"
ISSUED_INDEX, EVENT_INDEX = "invoice_issued", "event_outcome"  # the latter partial: the kinds KPIs count


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _indexed(index: str) -> str:
    """SQLite's INDEXED BY clause: read that covering index, not the table (nothing on PostgreSQL)."""
    return f"INDEXED BY {index}" if connection.vendor == "sqlite" else ""


def _greatest(*expressions: str) -> str:
    """The largest of non-null values: GREATEST on PostgreSQL, the scalar MAX on SQLite."""
    name = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return f"{name}({', '.join(expressions)})"


def _tolerance(workspace: Workspace) -> float:
    # Amounts are whole cents: "owed above the tolerance" is "owed above the tolerance + half a cent",
    # which absorbs SQLite's floating-point sums. A float on both backends (see dunning.snapshot).
    return float(workspace.tolerance + HALF_CENT)


def _as_date(value: Any) -> date:
    """A date from a raw row: SQLite gives text for computed columns."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- message KPIs ---------------------------------------------------------------------------------------

# A message's group, as SQL over `m` (the message) and `c` (its customer).
GROUP_SQL = {
    "stage": "m.stage",
    "template": "m.template_name",
    "variant": "m.variant",
    "segment": "c.segment",
    "month": "SUBSTR(CAST(m.run_date AS TEXT), 1, 7)",
}
GROUPINGS = tuple(GROUP_SQL)
ALL = ""  # the key of the only group when there is no grouping
CURRENT, PREVIOUS = "current", "previous"

# What is observed about a message, one bit each (a "replied" event or a reply from a person: the same bit).
BOUNCED, OPENED, CLICKED, REPLIED, CONVERTED = 1, 2, 4, 8, 16
OUTCOME_BITS = {Event.BOUNCED: BOUNCED, Event.OPENED: OPENED, Event.CLICKED: CLICKED, Event.REPLIED: REPLIED}


Rows = list[tuple[Any, ...]]


def message_bounds(workspace: Workspace, start: date, end: date) -> tuple[int, int] | None:
    """The ids of the first and last messages (any status) run in [start, end]; None when there is none.
    From the (workspace, run_date) index ("o.id + 0" makes SQLite read them from it rather than walk the
    table by id)."""
    first, last = _rows(
        f"SELECT MIN(o.id + 0), MAX(o.id + 0) FROM {MESSAGE} o WHERE o.workspace_id = %s "
        "AND o.run_date >= %s AND o.run_date <= %s",
        [workspace.pk, start, end],
    )[0]
    return None if first is None else (first, last)


@dataclass(frozen=True)
class MessageScope:
    """The sent messages run in [start, end], as SQL over `m`, and how they are grouped."""

    group: str  # the group expression
    join: str  # the join it needs (the customer, for segments)
    group_params: list[Any]
    where: str
    params: list[Any]
    ids: list[int]  # the first and last ids of the period's messages
    by: str | None


def message_scope(
    workspace: Workspace,
    start: date,
    end: date,
    bounds: tuple[int, int],
    by: str | None = None,
    split: date | None = None,
) -> MessageScope:
    group_params: list[Any] = []
    if split is not None:
        group = f"CASE WHEN m.run_date >= %s THEN '{CURRENT}' ELSE '{PREVIOUS}' END"
        group_params.append(split)
    elif by:
        group = GROUP_SQL[by]
    else:
        group = f"'{ALL}'"
    join = f"JOIN {CUSTOMER} c ON c.id = m.customer_id" if by == "segment" else ""
    where = (
        "m.id >= %s AND m.id <= %s AND m.workspace_id = %s AND m.status = %s "
        "AND m.run_date >= %s AND m.run_date <= %s"
    )
    params = [*bounds, workspace.pk, Message.SENT, start, end]
    return MessageScope(group, join, group_params, where, params, list(bounds), by if split is None else None)


def _message_table() -> str:
    return f"{MESSAGE} m {_indexed(MESSAGE_INDEX)}"


def totals_rows(scope: MessageScope) -> Rows:
    """(group, sent) per group."""
    return _rows(
        f"SELECT {scope.group}, COUNT(*) FROM {_message_table()} {scope.join} WHERE {scope.where} GROUP BY 1",
        [*scope.group_params, *scope.params],
    )


def flagged_rows(scope: MessageScope) -> Rows:
    """(group, bits, messages): how many messages of each group have each combination of bits."""
    ids = scope.ids
    bit = " ".join(f"WHEN '{kind}' THEN {value}" for kind, value in OUTCOME_BITS.items())
    # The very list of the event_outcome index's condition (SQLite only uses a partial index when the query
    # says so in the same words).
    listed = ", ".join(f"'{kind}'" for kind in OUTCOME_BITS)
    return _rows(
        f"WITH x AS (SELECT e.message_id AS id, CASE e.kind {bit} END AS bit FROM {EVENT} e "
        f"{_indexed(EVENT_INDEX)} "
        f"WHERE e.message_id >= %s AND e.message_id <= %s AND e.kind IN ({listed}) "
        f"UNION SELECT r.message_id, {REPLIED} FROM {REPLY} r WHERE r.message_id >= %s "
        "AND r.message_id <= %s AND r.auto_reply = %s "
        f"UNION SELECT a.message_id, {CONVERTED} FROM {ATTRIBUTION} a WHERE a.message_id >= %s "
        "AND a.message_id <= %s), "
        "y AS (SELECT id, SUM(bit) AS bits FROM x GROUP BY id) "
        f"SELECT {scope.group}, y.bits, COUNT(*) FROM y JOIN {_message_table()} ON m.id = y.id {scope.join} "
        f"WHERE {scope.where} GROUP BY 1, 2",
        [*ids, *ids, False, *ids, *scope.group_params, *scope.params],
    )


def credited_rows(scope: MessageScope, overall: bool) -> Rows:
    """(level, group, recovered, days after summed, payments, fully paid invoices) per group (level 1), and
    with `overall` the fully paid invoices across the groups (level 0).

    The fully paid invoices among those credited are the invoices whose payments, all of them to date,
    leave at most the tolerance owed (relance.tracking.reports.fully_paid): the ones with a paid-off date.
    The credited payments are read once (a CTE read twice is computed once)."""
    credited = (
        f"WITH c AS (SELECT {scope.group} AS g, p.invoice_id AS invoice_id, p.amount AS amount, "
        "x.days_after AS days_after, CASE WHEN i.paid_off_on IS NULL THEN 0 ELSE 1 END AS paid "
        f"FROM {ATTRIBUTION} x JOIN {_message_table()} ON m.id = x.message_id {scope.join} "
        f"JOIN {PAYMENT} p ON p.id = x.payment_id JOIN {INVOICE} i ON i.id = p.invoice_id "
        f"WHERE x.message_id >= %s AND x.message_id <= %s AND {scope.where}) "
    )
    paid = "COUNT(DISTINCT CASE WHEN paid = 1 THEN invoice_id END)"
    sql = f"{credited}SELECT 1, g, SUM(amount), SUM(days_after), COUNT(*), {paid} FROM c GROUP BY g"
    if overall:
        sql += f" UNION ALL SELECT 0, NULL, NULL, NULL, NULL, {paid} FROM c"
    return _rows(sql, [*scope.group_params, *scope.ids, *scope.params])


def reminded_rows(scope: MessageScope, overall: bool) -> Rows:
    """(level, group, amount reminded) per group (level 1), and with `overall` across the groups (level 0).
    Amount reminded: for each invoice the messages carried, its largest outstanding among them, summed
    (kpi.message_kpis)."""
    group, join, where = scope.group, scope.join, scope.where
    items = (
        f"FROM {_message_table()} JOIN {ITEM} mi ON mi.message_id = m.id {join} "
        f"WHERE mi.message_id >= %s AND mi.message_id <= %s AND {where}"
    )
    params = [*scope.group_params, *scope.ids, *scope.params]

    def across(level: int, key: str) -> str:  # each invoice's largest over all the messages
        return (
            f"SELECT {level}, {key}, SUM(largest) FROM (SELECT MAX(mi.outstanding) AS largest "
            f"{items} GROUP BY mi.invoice_id) across_groups"
        )

    if scope.by == "stage":
        # An invoice reaches a stage once (MessageItem's invoice_stage_once): within a stage its largest
        # outstanding is its only one, and the sum needs no grouping per invoice.
        sql = f"SELECT 1, {group}, SUM(mi.outstanding) {items} GROUP BY 2"
        if overall:
            sql += f" UNION ALL {across(0, 'NULL')}"
            params += [*scope.ids, *scope.params]
    elif scope.by is None and not scope.group_params:  # one group: all the messages
        sql, params = across(1, f"'{ALL}'"), [*scope.ids, *scope.params]
    else:
        per_invoice = (
            f"per_invoice AS (SELECT {group} AS g, mi.invoice_id AS invoice_id, "
            f"MAX(mi.outstanding) AS largest {items} GROUP BY 1, 2)"
        )
        sql = f"WITH {per_invoice} SELECT 1, g, SUM(largest) FROM per_invoice GROUP BY g"
        if overall:
            # Each invoice's largest over its groups (the CTE is read twice, so it is computed once).
            sql += (
                " UNION ALL SELECT 0, NULL, SUM(largest) FROM "
                "(SELECT MAX(largest) AS largest FROM per_invoice GROUP BY invoice_id) across_groups"
            )
    return _rows(sql, params)


@dataclass
class _Counts:
    """The sums behind one group's MessageKpis (sums add up across groups; the distinct counts do not)."""

    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    converted: int = 0
    recovered: Decimal = kpi.ZERO
    days_after: int = 0  # summed over the attributed payments
    payments: int = 0
    paid_invoices: int = 0
    reminded: Decimal = kpi.ZERO

    def add(self, other: _Counts) -> None:
        for name in ("sent", "delivered", "opened", "clicked", "replied", "converted", "days_after"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.recovered += other.recovered
        self.payments += other.payments

    def kpis(self) -> kpi.MessageKpis:
        return kpi.MessageKpis(
            sent=self.sent,
            delivered=self.delivered,
            opened=self.opened,
            clicked=self.clicked,
            replied=self.replied,
            converted=self.converted,
            open_rate=kpi.ratio(self.opened, self.delivered),
            click_rate=kpi.ratio(self.clicked, self.sent),
            response_rate=kpi.ratio(self.replied, self.sent),
            conversion_rate=kpi.ratio(self.converted, self.sent),
            # kpi.mean: the sum of the days over their count
            avg_days_to_payment=self.days_after / self.payments if self.payments else None,
            invoices_paid_after_reminder=self.paid_invoices,
            amount_recovered=self.recovered,
            amount_reminded=self.reminded,
            recovery_rate=kpi.ratio(self.recovered, self.reminded),
        )


def combine_message_kpis(
    totals: Rows, flagged: Rows, credited: Rows, reminded: Rows | None, overall: bool
) -> tuple[dict[str, kpi.MessageKpis], kpi.MessageKpis | None]:
    """The KPIs of each group (and, with `overall`, of all the groups together) from the pieces' rows."""
    counts: dict[Any, _Counts] = {key: _Counts(sent=sent, delivered=sent) for key, sent in totals}
    for key, bits, count in flagged:
        row = counts[key]
        bounced = bool(bits & BOUNCED)
        row.delivered -= count if bounced else 0
        row.opened += count if bits & OPENED and not bounced else 0
        row.clicked += count if bits & CLICKED else 0
        row.replied += count if bits & REPLIED else 0
        row.converted += count if bits & CONVERTED else 0
    paid_overall = 0
    for level, key, recovered, days_after, payments, paid_invoices in credited:
        if not level:
            paid_overall = paid_invoices or 0
            continue
        row = counts[key]
        row.recovered, row.days_after = _decimal(recovered), int(days_after or 0)
        row.payments, row.paid_invoices = payments, paid_invoices or 0
    total: _Counts | None = None
    if overall:
        total = _Counts()
        for row in counts.values():
            total.add(row)
        total.paid_invoices = paid_overall
    for level, key, amount in reminded or ():
        if not level:
            if total is not None:
                total.reminded = _decimal(amount)
        elif key in counts:
            counts[key].reminded = _decimal(amount)
    groups = {"" if key is None else str(key): row.kpis() for key, row in counts.items()}
    return groups, None if total is None else total.kpis()


def message_kpis(
    workspace: Workspace,
    start: date,
    end: date,
    by: str | None = None,
    *,
    split: date | None = None,
    reminded: bool = True,
) -> dict[str, kpi.MessageKpis]:
    """The message KPIs (kpi.message_kpis) of the messages run in [start, end]: overall ({"": ...}), by
    one of GROUPINGS, or, with `split`, {"current": run on or after split, "previous": before}.

    Five queries (four without `reminded`, which only feeds amount reminded and the recovery rate)."""
    bounds = message_bounds(workspace, start, end)
    if bounds is None:
        return {}
    scope = message_scope(workspace, start, end, bounds, by, split)
    groups, _ = combine_message_kpis(
        totals_rows(scope),
        flagged_rows(scope),
        credited_rows(scope, overall=False),
        reminded_rows(scope, overall=False) if reminded else None,
        overall=False,
    )
    return groups


def grouped_message_kpis(
    workspace: Workspace, start: date, end: date, by: str
) -> tuple[kpi.MessageKpis, dict[str, kpi.MessageKpis]]:
    """The overall KPIs and those of each group of `by`, read together (five queries): the counts of the
    groups add up to the overall ones; the distinct counts (fully paid invoices, amount reminded) are
    taken across the groups in the same queries."""
    bounds = message_bounds(workspace, start, end)
    if bounds is None:
        return kpi.message_kpis([]), {}
    scope = message_scope(workspace, start, end, bounds, by)
    groups, overall = combine_message_kpis(
        totals_rows(scope),
        flagged_rows(scope),
        credited_rows(scope, overall=True),
        reminded_rows(scope, overall=True),
        overall=True,
    )
    assert overall is not None
    return overall, groups


# --- ledger KPIs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ageing:
    """The receivables on one day, by days past due, summed over currencies (and per currency)."""

    day: date
    buckets: dict[str, Decimal]
    by_currency: dict[str, dict[str, Decimal]]

    @property
    def receivables(self) -> Decimal:
        return sum(self.buckets.values(), kpi.ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.receivables - self.buckets["not_due"]

    @property
    def currencies(self) -> list[str]:
        return sorted(self.by_currency)


def _owed(
    workspace: Workspace,
    first: date,
    last: date,
    select: str,
    params: Sequence[Any],
    join: str = "",
    where: str = "",
    where_params: Sequence[Any] = (),
    group_by: str = "",
) -> tuple[str, list[Any]]:
    """`SELECT {select}` over the invoices `i` (not void) that may be owed on some day of [first, last]:
    issued by `last` and not paid off by `first`. Two ranges of the invoice_paid_off index (never paid off,
    paid off after `first`), each read alone: SQLite is slower with an OR of the two. `group_by`: columns
    of the index in its order (a prefix of INDEX_ORDER), so that the rows are grouped as they are read."""
    branches, found = [], []
    grouped = f" GROUP BY {group_by}" if group_by else ""
    for paid_off, paid_off_params in (("i.paid_off_on IS NULL", []), ("i.paid_off_on > %s", [first])):
        branches.append(
            f"SELECT {select} FROM {INVOICE} i {_indexed(INVOICE_INDEX)} {join} WHERE i.workspace_id = %s "
            f"AND {paid_off} AND i.status <> %s AND i.issue_date <= %s{where}{grouped}"
        )
        found += [*params, workspace.pk, *paid_off_params, Invoice.VOID, last, *where_params]
    return " UNION ALL ".join(branches), found


# The invoice_paid_off index's columns after the workspace, in its order (grouping by a prefix of them needs
# no sort).
INDEX_DATES = "i.paid_off_on, i.status, i.issue_date, i.due_date"
INDEX_ORDER = f"{INDEX_DATES}, i.first_payment_on, i.currency"


def ageing(workspace: Workspace, *days: date) -> dict[date, Ageing]:
    """kpi.ageing on each of `days`, in one query: the outstanding of the invoices open on the day, by days
    past due on that day, per currency. Python adds up the database's sums per (currency, due date) and
    buckets them.

    Owed on a day by an invoice issued and not paid off: its whole amount before its first payment; after
    it, the amount less the payments so far, when that is above the tolerance: only those few invoices have
    their payments summed. The sums are taken per group of the index, as it is read, without sorting."""
    tolerance = _tolerance(workspace)
    if connection.vendor == "postgresql":
        sql, sql_params = _ageing_postgresql(workspace, days, tolerance)
    else:
        sql, sql_params = _ageing_sqlite(workspace, days, tolerance)
    # Per (currency, due date), added up as the database sums (floating point on SQLite, made exact cents
    # once, at the end).
    totals: dict[tuple[str, Any], list[Any]] = {}
    for currency, due, *sums_of_days in _rows(sql, sql_params):
        total = totals.setdefault((currency, due), [None] * len(days))
        for k, value in enumerate(sums_of_days):
            if value is not None:
                total[k] = value if total[k] is None else total[k] + value
    found = {}
    for k, day in enumerate(days):
        by_currency: dict[str, dict[str, Decimal]] = {}
        for (currency, due), sums_of_day in totals.items():
            amount = _decimal(sums_of_day[k])
            if amount:
                buckets = by_currency.setdefault(currency, dict.fromkeys(kpi.BUCKETS, kpi.ZERO))
                buckets[kpi.bucket((day - _as_date(due)).days)] += amount
        buckets = {name: sum((b[name] for b in by_currency.values()), kpi.ZERO) for name in kpi.BUCKETS}
        found[day] = Ageing(day, buckets, by_currency)
    return found


def _ageing_sqlite(workspace: Workspace, days: Sequence[date], tolerance: float) -> tuple[str, list[Any]]:
    """The invoices paid in part on a day sum their payments in a subquery of their own (a few thousand
    lookups in the payments' covering index)."""
    sums, params = [], []
    for day in days:
        sums.append(
            "SUM(CASE WHEN i.issue_date <= %s AND (i.paid_off_on IS NULL OR i.paid_off_on > %s) THEN "
            "CASE WHEN i.first_payment_on <= %s THEN (SELECT CASE WHEN i.amount - SUM(p.amount) > %s "
            f"THEN i.amount - SUM(p.amount) END FROM {PAYMENT} p WHERE p.invoice_id = i.id AND p.date <= %s) "
            "ELSE i.amount END END)"
        )
        params += [day, day, day, tolerance, day]
    return _owed(
        workspace,
        min(days),
        max(days),
        f"i.currency, i.due_date, {', '.join(sums)}",
        params,
        # An invoice never above the tolerance is never open.
        where=" AND i.amount > %s",
        where_params=[tolerance],
        group_by=INDEX_ORDER,
    )


def _ageing_postgresql(workspace: Workspace, days: Sequence[date], tolerance: float) -> tuple[str, list[Any]]:
    """The same sums; the invoices paid in part are joined to their payments rather than each running a
    subquery, whose estimated cost would make PostgreSQL compile the query (JIT) for longer than it runs."""
    first, last = min(days), max(days)
    whole, whole_params = [], []
    for day in days:
        whole.append(
            "SUM(CASE WHEN i.issue_date <= %s AND (i.paid_off_on IS NULL OR i.paid_off_on > %s) "
            "AND (i.first_payment_on IS NULL OR i.first_payment_on > %s) THEN i.amount END)"
        )
        whole_params += [day, day, day]
    unpaid, unpaid_params = _owed(
        workspace,
        first,
        last,
        f"i.currency AS currency, i.due_date AS due_date, {', '.join(whole)}",
        whole_params,
        where=" AND i.amount > %s",
        where_params=[tolerance],
        group_by=INDEX_ORDER,
    )
    paid_columns = [
        f"SUM(CASE WHEN p.date <= %s THEN p.amount ELSE 0 END) AS paid_{k}" for k in range(len(days))
    ]
    paid, paid_params = _owed(
        workspace,
        first,
        last,
        "i.currency AS currency, i.due_date AS due_date, i.issue_date AS issue_date, i.paid_off_on AS "
        f"paid_off_on, i.first_payment_on AS first_payment_on, i.amount AS amount, {', '.join(paid_columns)}",
        list(days),
        join=f"JOIN {PAYMENT} p ON p.invoice_id = i.id",
        where=" AND i.amount > %s AND i.first_payment_on <= %s AND p.date <= %s",
        where_params=[tolerance, last, last],
        group_by="i.id",
    )
    owed, owed_params = [], []
    for k, day in enumerate(days):
        owed.append(
            "SUM(CASE WHEN issue_date <= %s AND (paid_off_on IS NULL OR paid_off_on > %s) "
            f"AND first_payment_on <= %s AND amount - paid_{k} > %s THEN amount - paid_{k} END)"
        )
        owed_params += [day, day, day, tolerance]
    sql = (
        f"{unpaid} UNION ALL SELECT currency, due_date, {', '.join(owed)} FROM ({paid}) partly "
        "GROUP BY currency, due_date"
    )
    return sql, [*unpaid_params, *owed_params, *paid_params]


def balance_series(workspace: Workspace, points: Sequence[date], overdue: bool = True) -> list[Decimal]:
    """The overdue balance (or, with overdue=False, the receivables) on each of `points`, in one query.

    An invoice counts on day d for amount - payments dated <= d, from the day it becomes overdue (due date
    passed and issued; for receivables: issued) until the day it is paid off. So the balance on d is a sum
    of changes dated on or before d: + the amount when it starts to count, - each payment from the later of
    its date and that day, both undone on the paid-off day. The query sums those changes by the first point
    they reach and the one they stop at; a running total over the points gives the series. Invoices paid off
    before the first point, and payments on or after the paid-off day (whose change starts when it stops),
    change nothing: only the invoices paid in part bring their payments.
    """
    days = sorted(set(points))
    if not days:
        return []
    n, first, last = len(days), days[0], days[-1]

    def reached(column: str, strictly_after: bool = False) -> tuple[str, list[date]]:
        """The index of the first point on or after (strictly after) the date in `column`; n if none.
        A binary search spelled as nested CASEs: five comparisons a row for 27 points, not 27."""
        operator = "<" if strictly_after else "<="
        params: list[date] = []

        def search(low: int, high: int) -> str:
            if low == high:
                return str(low)
            middle = (low + high) // 2
            params.append(days[middle])
            below, above = search(low, middle), search(middle + 1, high)
            return f"CASE WHEN {column} {operator} %s THEN {below} ELSE {above} END"

        return search(0, n), params

    def counted_from(row: str) -> tuple[str, list[date]]:
        """The first point on which the invoice (in `row`) counts."""
        issued, issued_params = reached(f"{row}.issue_date")
        if not overdue:
            return issued, issued_params
        due, due_params = reached(f"{row}.due_date", strictly_after=True)
        return _greatest(due, issued), due_params + issued_params

    # An invoice never above the tolerance is never open.
    scope = " AND i.amount > %s" + (" AND i.due_date < %s" if overdue else "")
    scope_params = [_tolerance(workspace)] + ([last] if overdue else [])
    # The amounts: summed per (paid off, issued, due) as the index is read, then placed on the points.
    grouped, grouped_params = _owed(
        workspace,
        first,
        last,
        "i.paid_off_on AS paid_off_on, i.issue_date AS issue_date, i.due_date AS due_date, "
        "SUM(i.amount) AS change",
        [],
        where=scope,
        where_params=scope_params,
        group_by=INDEX_DATES,
    )
    counts_from, counts_params = counted_from("g")
    stops, stops_params = reached("g.paid_off_on")
    amounts = f"SELECT {counts_from} AS start_at, {stops} AS stop_at, change FROM ({grouped}) g"
    amounts_params = [*counts_params, *stops_params, *grouped_params]
    # The payments of the invoices paid in part, one by one.
    counts_from, counts_params = counted_from("i")
    paid_from, paid_params = reached("p.date")
    stops, stops_params = reached("i.paid_off_on")
    payments, payments_params = _owed(
        workspace,
        first,
        last,
        f"{_greatest(counts_from, paid_from)}, {stops}, -p.amount",
        [*counts_params, *paid_params, *stops_params],
        join=f"JOIN {PAYMENT} p ON p.invoice_id = i.id",
        where=f"{scope} AND i.first_payment_on IS NOT NULL "
        "AND (i.paid_off_on IS NULL OR i.first_payment_on < i.paid_off_on) "
        "AND p.date <= %s AND (i.paid_off_on IS NULL OR p.date < i.paid_off_on)",
        where_params=[*scope_params, last],
    )
    rows = _rows(
        f"SELECT start_at, stop_at, SUM(change) FROM ({amounts} UNION ALL {payments}) changes "
        "GROUP BY start_at, stop_at",
        [*amounts_params, *payments_params],
    )
    changes = [kpi.ZERO] * (n + 1)
    for start, stop, total in rows:
        if start >= n or stop <= start:  # counted on no point
            continue
        changes[start] += _decimal(total)
        changes[stop] -= _decimal(total)
    series, running = [], kpi.ZERO
    for k in range(n):
        running += changes[k]
        series.append(running)
    by_day = dict(zip(days, series, strict=True))
    return [by_day[day] for day in points]


def sales_by_issue_date(workspace: Workspace, day: date) -> list[kpi.InvoiceFacts]:
    """The amounts invoiced on each issue date up to `day`, as InvoiceFacts for kpi.countback_periods
    (which only reads their issue date and amount)."""
    rows = _rows(
        f"SELECT i.issue_date, SUM(i.amount) FROM {INVOICE} i {_indexed(ISSUED_INDEX)} "
        "WHERE i.workspace_id = %s AND i.status <> %s AND i.issue_date <= %s GROUP BY i.issue_date",
        [workspace.pk, Invoice.VOID, day],
    )
    found = []
    for issued, total in rows:
        issued = _as_date(issued)
        found.append(kpi.InvoiceFacts(issued, issued, _decimal(total)))
    return found


def dso(receivables: Decimal, sales: Sequence[kpi.InvoiceFacts], day: date) -> float | None:
    """Days sales outstanding on `day` by the countback method (kpi.countback_dso)."""
    return kpi.countback_dso(receivables, kpi.countback_periods(sales, day))


def avg_days_late(workspace: Workspace, start: date, end: date) -> float | None:
    """Mean days late (paid-off date - due date, at least 0) of the invoices paid off in [start, end]: a
    range of the invoice_paid_off index, summed in the database."""
    if connection.vendor == "postgresql":
        late = "i.paid_off_on - i.due_date"
    else:
        late = "CAST(julianday(i.paid_off_on) - julianday(i.due_date) AS INTEGER)"
    days, count = _rows(
        f"SELECT SUM(CASE WHEN {late} > 0 THEN {late} ELSE 0 END), COUNT(*) "
        f"FROM {INVOICE} i {_indexed(INVOICE_INDEX)} WHERE i.workspace_id = %s AND i.paid_off_on >= %s "
        "AND i.paid_off_on <= %s AND i.status <> %s AND i.issue_date <= %s",
        [workspace.pk, start, end, Invoice.VOID, end],
    )[0]
    return int(days) / count if count else None


def currencies(workspace: Workspace) -> list[str]:
    """Every currency the workspace's invoices are in (void ones too, as the command's report)."""
    rows = _rows(
        f"SELECT DISTINCT i.currency FROM {INVOICE} i {_indexed(INVOICE_INDEX)} WHERE i.workspace_id = %s",
        [workspace.pk],
    )
    return sorted(currency for (currency,) in rows)


# --- the report -----------------------------------------------------------------------------------------


def report_messages(
    workspace: Workspace, start: date, end: date, by: str | None
) -> tuple[kpi.MessageKpis, dict[str, kpi.MessageKpis]]:
    """The report's message KPIs: overall, and by group when `by` is given."""
    if by:
        return grouped_message_kpis(workspace, start, end, by)
    return message_kpis(workspace, start, end).get(ALL) or kpi.message_kpis([]), {}


def report_ledger(workspace: Workspace, start: date, end: date) -> dict[str, Any]:
    """The report's ledger KPIs, as of `end` (JSON-ready, as build_report gives them)."""
    at_end = ageing(workspace, end)[end]
    months = kpi.month_ends(start, end)
    overdue = balance_series(workspace, months)
    return {
        "dso": _days(dso(at_end.receivables, sales_by_issue_date(workspace, end), end)),
        "avg_days_late": _days(avg_days_late(workspace, start, end)),
        "receivables": money(at_end.receivables),
        "ageing": {name: money(value) for name, value in at_end.buckets.items()},
        "overdue_by_month": [
            {"date": day.isoformat(), "overdue": money(value)}
            for day, value in zip(months, overdue, strict=True)
        ],
        "currencies": currencies(workspace),
    }


def assemble_report(
    workspace: Workspace,
    start: date,
    end: date,
    by: str | None,
    messages: tuple[kpi.MessageKpis, dict[str, kpi.MessageKpis]],
    ledger: dict[str, Any],
) -> dict[str, Any]:
    """build_report's dictionary from its two halves (report_messages, report_ledger)."""
    overall, groups = messages
    result: dict[str, Any] = {
        "workspace": workspace.slug,
        "from": start.isoformat(),
        "to": end.isoformat(),
        **message_json(overall),
        "amount_reminded": money(overall.amount_reminded),
        "dso": ledger["dso"],
        "avg_days_late": ledger["avg_days_late"],
        "receivables": ledger["receivables"],
        "ageing": ledger["ageing"],
        "overdue_by_month": ledger["overdue_by_month"],
        "targets": dict(kpi.TARGETS),
        "currencies": ledger["currencies"],
        "notes": [OPENS_NOTE],
    }
    if by:
        result["by"] = by
        result["groups"] = [{"group": key, **message_json(groups[key])} for key in sorted(groups)]
    return result


def report(
    workspace: Workspace, start: date | None = None, end: date | None = None, by: str | None = None
) -> dict[str, Any]:
    """The dictionary of relance.tracking.reports.build_report (same keys, same values), from SQL."""
    start, end = default_period(workspace, start, end)
    messages = report_messages(workspace, start, end, by)
    return assemble_report(workspace, start, end, by, messages, report_ledger(workspace, start, end))


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the dashboard --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A value beside the same value for the previous period. `higher_is_better` reads the direction."""

    current: float | Decimal | int | None
    previous: float | Decimal | int | None
    higher_is_better: bool = True

    @property
    def delta(self) -> float | Decimal | int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous  # type: ignore[operator]

    @property
    def direction(self) -> str:
        """ "up", "down", "flat", or "" when either value is missing."""
        delta = self.delta
        if delta is None:
            return ""
        return "up" if delta > 0 else "down" if delta < 0 else "flat"

    @property
    def better(self) -> bool | None:
        """True when the change is an improvement, False when it is worse, None when flat or unknown."""
        if self.direction in ("", "flat"):
            return None
        return (self.direction == "up") == self.higher_is_better

    @property
    def relative(self) -> float | None:
        """The change as a share of the previous value (None when it was 0 or unknown)."""
        delta = self.delta
        if delta is None or not self.previous:
            return None
        return float(Decimal(str(delta)) / abs(Decimal(str(self.previous))))


PERIOD_DAYS = 30
SERIES_WEEKS = 26


@dataclass(frozen=True)
class Periods:
    """The last 30 days (today included) and the 30 before them."""

    today: date

    @property
    def current_start(self) -> date:
        return self.today - timedelta(days=PERIOD_DAYS - 1)

    @property
    def previous_start(self) -> date:
        return self.current_start - timedelta(days=PERIOD_DAYS)

    @property
    def previous_end(self) -> date:
        return self.current_start - timedelta(days=1)


@dataclass(frozen=True)
class Trends:
    periods: Periods
    kpis: dict[str, Trend]
    ageing: Ageing  # today
    currency: str


@dataclass(frozen=True)
class LedgerTrend:
    """The ledger half of the KPI cards: ageing and DSO today and at the end of the previous period."""

    at_today: Ageing
    at_previous: Ageing
    dso_today: float | None
    dso_previous: float | None


def trend_messages(workspace: Workspace, today: date) -> dict[str, kpi.MessageKpis]:
    """The message half of the KPI cards: {"current": the last 30 days, "previous": the 30 before}."""
    periods = Periods(today)
    return message_kpis(workspace, periods.previous_start, today, split=periods.current_start, reminded=False)


def trend_ledger(workspace: Workspace, today: date) -> LedgerTrend:
    periods = Periods(today)
    both = ageing(workspace, periods.previous_end, today)
    at_today, at_previous = both[today], both[periods.previous_end]
    sales = sales_by_issue_date(workspace, today)
    return LedgerTrend(
        at_today,
        at_previous,
        _days(dso(at_today.receivables, sales, today)),
        _days(dso(at_previous.receivables, sales, periods.previous_end)),
    )


def assemble_trends(today: date, split: dict[str, kpi.MessageKpis], ledger: LedgerTrend) -> Trends:
    empty = kpi.message_kpis([])
    now, before = split.get(CURRENT, empty), split.get(PREVIOUS, empty)
    kpis = {
        "sent": Trend(now.sent, before.sent),
        "open_rate": Trend(now.open_rate, before.open_rate),
        "click_rate": Trend(now.click_rate, before.click_rate),
        "response_rate": Trend(now.response_rate, before.response_rate),
        "conversion_rate": Trend(now.conversion_rate, before.conversion_rate),
        "amount_recovered": Trend(now.amount_recovered, before.amount_recovered),
        "dso": Trend(ledger.dso_today, ledger.dso_previous, higher_is_better=False),
        "overdue": Trend(ledger.at_today.overdue, ledger.at_previous.overdue, higher_is_better=False),
    }
    return Trends(Periods(today), kpis, ledger.at_today, main_currency(ledger.at_today))


def trends(workspace: Workspace, today: date) -> Trends:
    """The dashboard's KPI cards: the last 30 days beside the 30 before; DSO and the overdue balance today
    beside 30 days ago. Six queries."""
    return assemble_trends(today, trend_messages(workspace, today), trend_ledger(workspace, today))


def weekly_overdue(
    workspace: Workspace, today: date, weeks: int = SERIES_WEEKS
) -> list[tuple[date, Decimal]]:
    """The overdue balance each week over the last `weeks` weeks, today last (one query)."""
    days = [today - timedelta(weeks=k) for k in range(weeks, -1, -1)]
    return list(zip(days, balance_series(workspace, days), strict=True))


def funnel(workspace: Workspace, today: date) -> list[tuple[str, kpi.MessageKpis]]:
    """Per stage, the messages of the last 30 days: sent, opened, clicked, paid after (four queries)."""
    found = message_kpis(workspace, Periods(today).current_start, today, by="stage", reminded=False)
    return sorted(found.items(), key=lambda item: stage_order(item[0]))


def stage_order(stage: str) -> tuple[int, str]:
    return (KNOWN_STAGES.index(stage) if stage in KNOWN_STAGES else len(KNOWN_STAGES), stage)


def main_currency(at: Ageing, default: str = "EUR") -> str:
    """The currency holding most of the receivables: the one amounts are shown in."""
    if not at.by_currency:
        return default
    return max(at.by_currency, key=lambda c: (sum(at.by_currency[c].values(), kpi.ZERO), c))
