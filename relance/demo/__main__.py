"""`make demo`: 90 days of real daily runs on a demo ledger, messages caught by a local SMTP sink."""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import date

from relance.conf import data_dir

# A local demo account, printed by the demo: the demo database is throw-away and only on this machine.
DEMO_USER = "demo@relance.example"
DEMO_PASSWORD = "relance-demo-2026"


def _demo_user() -> None:
    from relance.accounts.people import do_add_user
    from relance.accounts.queries import get_workspace

    do_add_user(DEMO_USER, "admin", get_workspace(None), DEMO_PASSWORD)


def main() -> int:
    started = time.monotonic()
    folder = data_dir() / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    # The demo always runs on its own fresh SQLite file, whatever DATABASE_URL says.
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    os.environ.setdefault("RELANCE_SENDER", "Marie Dupont <marie.dupont@acme.example>")
    os.environ.setdefault("RELANCE_REPLY_TO", "compta@acme.example")
    os.environ["DJANGO_SETTINGS_MODULE"] = "relance.settings"
    import django

    django.setup()
    from relance.demo.scenario import run_demo

    summary = run_demo(folder, start=date(2026, 9, 1), days=90)
    _demo_user()
    print(summary.render(time.monotonic() - started))
    print(
        f"  web application: make serve-demo, then http://127.0.0.1:8000/ "
        f"(log in as {DEMO_USER} / {DEMO_PASSWORD})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
