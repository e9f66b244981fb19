"""Read-only aggregates for the web pages: the KPIs of relance.tracking.reports, computed in SQL.

`relance.tracking.reports.build_report` (what `relance report` prints) loads every invoice into Python and
applies the pure formulas of relance.engine.kpi to them. The web pages must answer in a few hundred
milliseconds on a ledger of 100,000 invoices, so the same definitions are computed here as SQL aggregates,
in a bounded number of queries whatever the size of the ledger; only small grouped results (a few rows per
stage, per bucket, per issue date) reach Python, where the kpi formulas finish the job (rates, countback DSO).
`report()` returns the same dictionary as `build_report` (the tests compare the two on hand-built ledgers).

Definitions (see relance.engine.kpi):
- the messages of a period are the sent messages whose run date is in [start, end]; a message is bounced,
  opened, clicked, replied (a "replied" event or a reply that is not an auto-reply) or converted (credited
  with an Attribution) when such a row exists for it;
- an invoice (not void) is open on day d when it was issued on or before d and its outstanding amount on d
  (amount - payments dated on or before d) is above the workspace tolerance; it is overdue on d when, in
  addition, its due date is before d. The day it stops being open is its "settled" date: the first payment
  date on which the payments so far leave at most the tolerance owed.

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
from django.db.models import Sum

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


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


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


def _scope(
    workspace: Workspace, start: date, end: date, by: str | None, split: date | None
) -> tuple[str, str, list[Any], str, list[Any]]:
    """(group expression, joins, its parameters, WHERE clause on `m`, its parameters) for the sent
    messages run in [start, end].

    "Sent" is spelled "not among the other statuses": on SQLite a message's status is stored after its
    bodies, so reading it costs the whole row, while the ids of the (few) messages in another status come
    from the (workspace, status, not_before) index, and the run dates from the (workspace, run_date) one."""
    group_params: list[Any] = []
    if split is not None:
        group = f"CASE WHEN m.run_date >= %s THEN '{CURRENT}' ELSE '{PREVIOUS}' END"
        group_params.append(split)
    elif by:
        group = GROUP_SQL[by]
    else:
        group = f"'{ALL}'"
    join = f"JOIN {CUSTOMER} c ON c.id = m.customer_id" if by == "segment" else ""
    others = ", ".join(["%s"] * len(NOT_SENT))
    where = (
        "m.workspace_id = %s AND m.run_date >= %s AND m.run_date <= %s AND m.id NOT IN "
        f"(SELECT o.id FROM {MESSAGE} o WHERE o.workspace_id = %s AND o.status IN ({others}))"
    )
    return group, join, group_params, where, [workspace.pk, start, end, workspace.pk, *NOT_SENT]


# What is observed about a message, one bit each (a "replied" event or a reply from a person: the same bit).
BOUNCED, OPENED, CLICKED, REPLIED, CONVERTED = 1, 2, 4, 8, 16
NOT_SENT = [s for s, _ in Message.STATUSES if s != Message.SENT]


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

    Five queries (four without `reminded`, which only feeds amount reminded and the recovery rate). The
    events, replies, attributions and items are read from the first message id of the period on (through
    their message id indexes), not over the workspace's whole history."""
    group, join, group_params, where, params = _scope(workspace, start, end, by, split)
    # The first message id of the period, read once: the events, replies, attributions and items are read
    # from it on. ("o.id + 0" makes SQLite take it from the run date index instead of walking the ids from
    # the oldest message until one falls in the period.)
    first = _rows(
        f"SELECT MIN(o.id + 0) FROM {MESSAGE} o WHERE o.workspace_id = %s AND o.run_date >= %s "
        "AND o.run_date <= %s",
        [workspace.pk, start, end],
    )[0][0]
    if first is None:
        return {}
    since, since_params = "%s", [first]
    totals = _rows(
        f"SELECT {group}, COUNT(*) FROM {MESSAGE} m {join} WHERE {where} GROUP BY 1", [*group_params, *params]
    )
    kinds = {Event.BOUNCED: BOUNCED, Event.OPENED: OPENED, Event.CLICKED: CLICKED, Event.REPLIED: REPLIED}
    bit = " ".join(f"WHEN '{kind}' THEN {value}" for kind, value in kinds.items())
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    flagged = _rows(
        f"WITH x AS (SELECT e.message_id AS id, CASE e.kind {bit} END AS bit FROM {EVENT} e "
        f"WHERE e.message_id >= {since} AND e.kind IN ({listed}) "
        f"UNION SELECT r.message_id, {REPLIED} FROM {REPLY} r WHERE r.message_id >= {since} "
        "AND r.auto_reply = %s "
        f"UNION SELECT a.message_id, {CONVERTED} FROM {ATTRIBUTION} a WHERE a.message_id >= {since}), "
        "y AS (SELECT id, SUM(bit) AS bits FROM x GROUP BY id) "
        f"SELECT {group}, y.bits, COUNT(*) FROM y JOIN {MESSAGE} m ON m.id = y.id {join} "
        f"WHERE {where} GROUP BY 1, 2",
        [*since_params, *since_params, False, *since_params, *group_params, *params],
    )
    counts: dict[Any, dict[str, int]] = {}
    for key, sent in totals:
        counts[key] = dict.fromkeys(("opened", "clicked", "replied", "converted"), 0)
        counts[key].update(sent=sent, delivered=sent)
    for key, bits, count in flagged:
        row = counts[key]
        bounced = bool(bits & BOUNCED)
        row["delivered"] -= count if bounced else 0
        row["opened"] += count if bits & OPENED and not bounced else 0
        row["clicked"] += count if bits & CLICKED else 0
        row["replied"] += count if bits & REPLIED else 0
        row["converted"] += count if bits & CONVERTED else 0
    # Per group: recovered, mean days after, fully paid invoices among those credited.
    credited = {
        row[0]: row[1:]
        for row in _rows(
            f"SELECT {group}, SUM(p.amount), AVG(x.days_after), COUNT(DISTINCT CASE WHEN "
            f"(SELECT SUM(q.amount) FROM {PAYMENT} q WHERE q.invoice_id = p.invoice_id) > i.amount - %s "
            f"THEN p.invoice_id END) FROM {ATTRIBUTION} x JOIN {MESSAGE} m ON m.id = x.message_id {join} "
            f"JOIN {PAYMENT} p ON p.id = x.payment_id JOIN {INVOICE} i ON i.id = p.invoice_id "
            f"WHERE x.message_id >= {since} AND {where} GROUP BY 1",
            [*group_params, _tolerance(workspace), *since_params, *params],
        )
    }
    amounts: dict[str, Decimal] = {}
    if reminded:
        # For each invoice the group's messages carried, its largest outstanding among them, summed.
        for key, total in _rows(
            f"SELECT g, SUM(largest) FROM (SELECT {group} AS g, mi.invoice_id AS invoice_id, "
            f"MAX(mi.outstanding) AS largest FROM {ITEM} mi JOIN {MESSAGE} m ON m.id = mi.message_id {join} "
            f"WHERE mi.message_id >= {since} AND {where} GROUP BY 1, 2) per_invoice GROUP BY g",
            [*group_params, *since_params, *params],
        ):
            amounts[key] = _decimal(total)
    found: dict[str, kpi.MessageKpis] = {}
    for group, row in counts.items():
        sent, delivered, opened, clicked = row["sent"], row["delivered"], row["opened"], row["clicked"]
        replied, converted = row["replied"], row["converted"]
        recovered_sum, avg_days, paid_invoices = credited.get(group, (None, None, 0))
        recovered = _decimal(recovered_sum)
        amount_reminded = amounts.get(group, kpi.ZERO)
        found["" if group is None else str(group)] = kpi.MessageKpis(
            sent=sent,
            delivered=delivered,
            opened=opened,
            clicked=clicked,
            replied=replied,
            converted=converted,
            open_rate=kpi.ratio(opened, delivered),
            click_rate=kpi.ratio(clicked, sent),
            response_rate=kpi.ratio(replied, sent),
            conversion_rate=kpi.ratio(converted, sent),
            avg_days_to_payment=None if avg_days is None else float(avg_days),
            invoices_paid_after_reminder=paid_invoices or 0,
            amount_recovered=recovered,
            amount_reminded=amount_reminded,
            recovery_rate=kpi.ratio(recovered, amount_reminded),
        )
    return found


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


def _due_ranges(day: date) -> list[tuple[str, str, list[date]]]:
    """(bucket, SQL condition on i.due_date, its parameters): days past due on `day` (kpi.bucket)."""
    back = [day - timedelta(days=n) for n in (30, 60, 90)]
    return [
        ("not_due", "i.due_date >= %s", [day]),
        ("1_30", "i.due_date < %s AND i.due_date >= %s", [day, back[0]]),
        ("31_60", "i.due_date < %s AND i.due_date >= %s", [back[0], back[1]]),
        ("61_90", "i.due_date < %s AND i.due_date >= %s", [back[1], back[2]]),
        ("over_90", "i.due_date < %s", [back[2]]),
    ]


def ageing(workspace: Workspace, *days: date) -> dict[date, Ageing]:
    """kpi.ageing on each of `days`, in one query: the outstanding of the invoices open on the day, by days
    past due on that day, per currency."""
    last = max(days)
    paid_columns = ", ".join(
        f"SUM(CASE WHEN p.date <= %s THEN p.amount ELSE 0 END) AS paid_{k}" for k in range(len(days))
    )
    columns: list[str] = []
    params: list[Any] = []
    tolerance = _tolerance(workspace)
    for k, day in enumerate(days):
        owed = f"(i.amount - COALESCE(pp.paid_{k}, 0))"
        for _, condition, values in _due_ranges(day):
            columns.append(
                f"SUM(CASE WHEN i.issue_date <= %s AND {owed} > %s AND {condition} THEN {owed} END)"
            )
            params += [day, tolerance, *values]
    rows = _rows(
        f"SELECT i.currency, {', '.join(columns)} FROM {INVOICE} i LEFT JOIN "
        f"(SELECT p.invoice_id AS invoice_id, {paid_columns} FROM {PAYMENT} p "
        "WHERE p.workspace_id = %s AND p.date <= %s GROUP BY p.invoice_id) pp ON pp.invoice_id = i.id "
        "WHERE i.workspace_id = %s AND i.status <> %s AND i.issue_date <= %s GROUP BY i.currency",
        [*params, *days, workspace.pk, last, workspace.pk, Invoice.VOID, last],
    )
    found = {}
    width = len(kpi.BUCKETS)
    for k, day in enumerate(days):
        by_currency = {}
        for row in rows:
            amounts = [_decimal(v) for v in row[1 + k * width : 1 + (k + 1) * width]]
            if any(amounts):
                by_currency[row[0]] = dict(zip(kpi.BUCKETS, amounts, strict=True))
        buckets = {name: sum((b[name] for b in by_currency.values()), kpi.ZERO) for name in kpi.BUCKETS}
        found[day] = Ageing(day, buckets, by_currency)
    return found


def _settled_cte(workspace: Workspace, last: date) -> tuple[str, list[Any]]:
    """`settled`: per invoice, the first payment date (up to `last`) on which the payments so far leave
    at most the tolerance owed (a running sum over the payments, in one pass)."""
    return (
        "settled AS (SELECT c.invoice_id AS invoice_id, MIN(c.date) AS day FROM "
        "(SELECT p.invoice_id AS invoice_id, p.date AS date, "
        "SUM(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.date) AS so_far "
        f"FROM {PAYMENT} p WHERE p.workspace_id = %s AND p.date <= %s) c "
        f"JOIN {INVOICE} i ON i.id = c.invoice_id WHERE c.so_far > i.amount - %s GROUP BY c.invoice_id)",
        [workspace.pk, last, _tolerance(workspace)],
    )


def balance_series(workspace: Workspace, points: Sequence[date], overdue: bool = True) -> list[Decimal]:
    """The overdue balance (or, with overdue=False, the receivables) on each of `points`, in one query.

    An invoice counts on day d for amount - payments dated <= d, from the day it becomes overdue (due date
    passed and issued; for receivables: issued) until the day it is settled. So the balance on d is a sum
    of changes dated on or before d: + the amount when it starts to count, - each payment from the later of
    its date and that day, both undone on the settled day. The query sums those changes by the first point
    they reach and the one they stop at; a running total over the points gives the series.
    """
    days = sorted(set(points))
    if not days:
        return []
    n, last = len(days), days[-1]

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

    issued, issued_params = reached("i.issue_date")
    if overdue:
        due, due_params = reached("i.due_date", strictly_after=True)
        counts_from, counts_params = _greatest(due, issued), due_params + issued_params
    else:
        counts_from, counts_params = issued, issued_params
    paid_from, paid_params = reached("p.date")
    stops, stops_params = reached("s.day")
    settled, settled_params = _settled_cte(workspace, last)
    scope = "i.workspace_id = %s AND i.status <> %s AND i.issue_date <= %s" + (
        " AND i.due_date < %s" if overdue else ""
    )
    scope_params: list[Any] = [workspace.pk, Invoice.VOID, last] + ([last] if overdue else [])
    rows = _rows(
        f"WITH {settled} SELECT start_at, stop_at, SUM(change) FROM ("
        f"SELECT {counts_from} AS start_at, {stops} AS stop_at, i.amount AS change "
        f"FROM {INVOICE} i LEFT JOIN settled s ON s.invoice_id = i.id WHERE {scope} "
        "UNION ALL "
        f"SELECT {_greatest(counts_from, paid_from)}, {stops}, -p.amount "
        f"FROM {PAYMENT} p JOIN {INVOICE} i ON i.id = p.invoice_id "
        f"LEFT JOIN settled s ON s.invoice_id = i.id WHERE p.date <= %s AND {scope}"
        ") changes GROUP BY start_at, stop_at",
        [
            *settled_params,
            *counts_params,
            *stops_params,
            *scope_params,
            *counts_params,
            *paid_params,
            *stops_params,
            last,
            *scope_params,
        ],
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
    rows = (
        Invoice.objects.filter(workspace=workspace, issue_date__lte=day)
        .exclude(status=Invoice.VOID)
        .values_list("issue_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return [kpi.InvoiceFacts(issued, issued, _decimal(total)) for issued, total in rows]


def dso(receivables: Decimal, sales: Sequence[kpi.InvoiceFacts], day: date) -> float | None:
    """Days sales outstanding on `day` by the countback method (kpi.countback_dso)."""
    return kpi.countback_dso(receivables, kpi.countback_periods(sales, day))


def avg_days_late(workspace: Workspace, start: date, end: date) -> float | None:
    """Mean days late (settled date - due date, at least 0) of the invoices settled in [start, end]."""
    settled, params = _settled_cte(workspace, end)
    rows = _rows(
        f"WITH {settled} SELECT s.day, i.due_date, COUNT(*) FROM settled s "
        f"JOIN {INVOICE} i ON i.id = s.invoice_id WHERE i.status <> %s AND s.day >= %s "
        "GROUP BY s.day, i.due_date",
        [*params, Invoice.VOID, start],
    )
    late = total = 0
    for day, due, count in rows:  # one row per (settled, due) pair, not per invoice
        late += max(0, (_as_date(day) - _as_date(due)).days) * count
        total += count
    return late / total if total else None


# --- the report -----------------------------------------------------------------------------------------


def report(
    workspace: Workspace, start: date | None = None, end: date | None = None, by: str | None = None
) -> dict[str, Any]:
    """The dictionary of relance.tracking.reports.build_report (same keys, same values), from SQL."""
    start, end = default_period(workspace, start, end)
    overall = message_kpis(workspace, start, end).get(ALL) or kpi.message_kpis([])
    at_end = ageing(workspace, end)[end]
    months = kpi.month_ends(start, end)
    overdue = balance_series(workspace, months)
    result: dict[str, Any] = {
        "workspace": workspace.slug,
        "from": start.isoformat(),
        "to": end.isoformat(),
        **message_json(overall),
        "amount_reminded": money(overall.amount_reminded),
        "dso": _days(dso(at_end.receivables, sales_by_issue_date(workspace, end), end)),
        "avg_days_late": _days(avg_days_late(workspace, start, end)),
        "receivables": money(at_end.receivables),
        "ageing": {name: money(value) for name, value in at_end.buckets.items()},
        "overdue_by_month": [
            {"date": day.isoformat(), "overdue": money(value)}
            for day, value in zip(months, overdue, strict=True)
        ],
        "targets": dict(kpi.TARGETS),
        "currencies": sorted(
            set(Invoice.objects.filter(workspace=workspace).values_list("currency", flat=True).distinct())
        ),
        "notes": [OPENS_NOTE],
    }
    if by:
        groups = message_kpis(workspace, start, end, by)
        result["by"] = by
        result["groups"] = [{"group": key, **message_json(groups[key])} for key in sorted(groups)]
    return result


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


def trends(workspace: Workspace, today: date) -> Trends:
    """The dashboard's KPI cards: the last 30 days beside the 30 before; DSO and the overdue balance today
    beside 30 days ago. Six queries."""
    periods = Periods(today)
    split = message_kpis(
        workspace, periods.previous_start, today, split=periods.current_start, reminded=False
    )
    empty = kpi.message_kpis([])
    now, before = split.get(CURRENT, empty), split.get(PREVIOUS, empty)
    both = ageing(workspace, periods.previous_end, today)
    at_today, at_previous = both[today], both[periods.previous_end]
    sales = sales_by_issue_date(workspace, today)
    kpis = {
        "sent": Trend(now.sent, before.sent),
        "open_rate": Trend(now.open_rate, before.open_rate),
        "click_rate": Trend(now.click_rate, before.click_rate),
        "response_rate": Trend(now.response_rate, before.response_rate),
        "conversion_rate": Trend(now.conversion_rate, before.conversion_rate),
        "amount_recovered": Trend(now.amount_recovered, before.amount_recovered),
        "dso": Trend(
            _days(dso(at_today.receivables, sales, today)),
            _days(dso(at_previous.receivables, sales, periods.previous_end)),
            higher_is_better=False,
        ),
        "overdue": Trend(at_today.overdue, at_previous.overdue, higher_is_better=False),
    }
    return Trends(periods, kpis, at_today, main_currency(at_today))


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
