"""`make bench`: import, plan, run and send on a synthetic ledger; compares each to its floor; prints JSON.

    python bench/run.py [--invoices 100000] [--customers N] [--send 2000] [--out bench/results/latest.json]

Floors, measured in the same run: the one SQL query that fetches the open overdue invoices with their
customers (planning cannot be faster than reading its input), and raw smtplib sending of the same number of
pre-built messages over one connection to the same sink (sending cannot be faster than the wire).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TODAY = date(2026, 6, 15)
ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=None, help="default: invoices / 5")
    parser.add_argument("--send", type=int, default=2000, help="messages sent for the throughput measure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--skip-web", action="store_true", help="do not time the web pages")
    return parser.parse_args()


def generate(folder: Path, invoices: int, customers: int) -> tuple[Path, Path, Path]:
    """CSV files as a user would export them; streamed, so a million rows cost no memory."""
    rng = random.Random(42)
    customers_path, invoices_path, payments_path = (folder / n for n in ("c.csv", "i.csv", "p.csv"))
    with customers_path.open("w", encoding="utf-8") as out:
        out.write("customer_id,name,email,contact_name,language,segment\n")
        for n in range(customers):
            lang = "fr" if n % 3 else "en"
            out.write(
                f"K{n:07d},Client {n},ap{n}@client{n}.example,Alex Martin,{lang},"
                f"{'smb' if n % 4 else 'key'}\n"
            )
    with invoices_path.open("w", encoding="utf-8") as out, payments_path.open("w", encoding="utf-8") as pay:
        out.write("number,customer_id,issue_date,due_date,amount,currency\n")
        pay.write("invoice_number,date,amount,reference\n")
        for n in range(invoices):
            due = TODAY + timedelta(days=rng.randint(-150, 40))
            issue = due - timedelta(days=30)
            cents = rng.randint(5_000, 2_000_000)
            out.write(
                f"B{n:08d},K{rng.randrange(customers):07d},{issue},{due},"
                f"{cents // 100}.{cents % 100:02d},EUR\n"
            )
            roll = rng.random()
            if roll < 0.45 and issue < TODAY:
                paid_on = min(TODAY, due + timedelta(days=rng.randint(-10, 20)))
                paid_on = max(paid_on, issue)
                share = cents if roll < 0.35 else cents // 2
                pay.write(f"B{n:08d},{paid_on},{share // 100}.{share % 100:02d},R{n}\n")
    return customers_path, invoices_path, payments_path


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def start_sink(folder: Path) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "relance.mail.sink", "--folder", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, int(line.strip().rsplit(":", 1)[1])


def main() -> int:
    args = parse_args()
    customers = args.customers or max(1, args.invoices // 5)
    work = Path(os.environ.get("RELANCE_BENCH_DIR") or tempfile.mkdtemp(prefix="relance-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "relance.settings"
    os.environ.setdefault("RELANCE_SENDER", "Marie Dupont <marie@acme.example>")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from relance.accounts.queries import get_workspace
    from relance.dunning.actions import do_run, plan_day
    from relance.ledger.actions import do_import
    from relance.mail.models import Message
    from relance.mail.sending import build_email, dispatch
    from relance.mail.transport import SMTPConfig, SMTPTransport

    sys.path.insert(0, str(ROOT))
    from bench.web_pages import measure_pages

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    workspace = get_workspace(None)
    paths, generate_seconds = timed(generate, work, args.invoices, customers)
    imports = {}
    for kind, path in zip(("customers", "invoices", "payments"), paths, strict=True):
        report, seconds = timed(do_import, workspace, kind, path)
        if report.errors:
            raise SystemExit(f"bench import of {kind} failed: {report.errors[:3]}")
        imports[kind] = round(seconds, 3)

    def floor_query() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.id, i.number, i.due_date, i.amount, i.currency, c.external_id, c.email "
                "FROM ledger_invoice i JOIN ledger_customer c ON c.id = i.customer_id "
                "WHERE i.workspace_id = %s AND i.status = 'open' AND i.due_date <= %s",
                [workspace.pk, TODAY],
            )
            return len(cursor.fetchall())

    def plan() -> int:
        return len(plan_day(workspace, TODAY))

    floor_query()  # warm the page cache for both measures alike
    floor_rows, plan_floor_seconds = min((timed(floor_query) for _ in range(3)), key=lambda r: r[1])
    planned, plan_seconds = min((timed(plan) for _ in range(3)), key=lambda r: r[1])
    now = datetime.now(UTC)
    result, run_seconds = timed(do_run, workspace, TODAY, now, backfill=True)
    web = {} if args.skip_web else measure_pages(workspace)

    sink, port = start_sink(work / "mail")
    try:
        config = SMTPConfig.from_url(f"smtp://127.0.0.1:{port}")
        send_ids = list(Message.objects.order_by("pk").values_list("pk", flat=True)[: args.send])
        Message.objects.exclude(pk__in=send_ids).update(status=Message.CANCELLED)
        emails = [build_email(m) for m in Message.objects.filter(pk__in=send_ids)]

        def raw_send() -> None:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
                for email in emails:
                    smtp.send_message(email)

        _, floor_send_seconds = timed(raw_send)
        report, send_seconds = timed(dispatch, datetime.now(UTC), lambda: SMTPTransport(config))
    finally:
        sink.terminate()
        sink.wait()
    sent = report.sent
    results = {
        "invoices": args.invoices,
        "customers": customers,
        "database": connection.vendor,
        "generate_seconds": round(generate_seconds, 3),
        "import_seconds": round(sum(imports.values()), 3),
        "import_seconds_by_kind": imports,
        "import_rows_per_second": round((args.invoices + customers) / max(sum(imports.values()), 1e-9)),
        "overdue_open_invoices": floor_rows,
        "planned_messages": planned,
        "plan_seconds": round(plan_seconds, 4),
        "plan_floor_seconds": round(plan_floor_seconds, 4),
        "plan_ratio": round(plan_seconds / plan_floor_seconds, 2),
        "run_seconds": round(run_seconds, 3),
        "run_messages": len(result.messages),
        "sent": sent,
        "send_rate": round(sent / send_seconds, 1),
        "send_floor_rate": round(len(emails) / floor_send_seconds, 1),
        "send_ratio": round((sent / send_seconds) / (len(emails) / floor_send_seconds), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **web,
        "targets": {
            "plan_ratio_max": 5,
            "send_ratio_min": 0.4,
            "peak_rss_mb_max_at_1m": 1024,
            "page_server_ms_max_at_100k": 300,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
