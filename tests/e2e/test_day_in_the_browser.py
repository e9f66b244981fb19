"""A collector's day in a real browser: log in, import the ledger, run, approve, edit a template while the
linter answers, look at the dashboard, switch to French. Screenshots of every main page go to screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from relance.ledger.models import Customer, Invoice
from relance.ledger.queries import workspace_today
from relance.mail.models import Message
from tests import factories as f
from tests.e2e.conftest import shoot
from tests.web.conftest import PASSWORD, make_user

# axe-core, the accessibility checker (tests/e2e/vendor/README.md), injected into each page.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_RUN = """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations
    .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""

pytestmark = pytest.mark.django_db(transaction=True)

MAIN_PAGES = (
    "/",
    "/customers/",
    "/invoices/",
    "/messages/",
    "/approvals/",
    "/tasks/",
    "/templates/",
    "/policies/",
    "/experiments/",
    "/reports/",
    "/imports/",
    "/runs/",
    "/settings/",
)


def log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def import_file(page, base: str, kind_label: str, path: Path, expected_rows: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/imports/")
    page.get_by_label(re.compile(kind_label, re.I)).check()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_test_id("upload").click()
    assert page.get_by_test_id("errors").inner_text().strip() == "0"
    assert page.get_by_test_id("created").inner_text().strip() == str(expected_rows)
    page.get_by_test_id("confirm").click()
    page.wait_for_load_state()


def test_a_collectors_day(live_server, page, workspace, smtp_server, tmp_path):  # type: ignore[no-untyped-def]
    f.policy(
        workspace,
        steps=[
            {"stage": "first", "offset_days": 3, "requires_approval": True},
            {"stage": "final", "offset_days": 30},
        ],
    )
    make_user("marie@acme.example", workspace, "collector")
    base = live_server.url
    today = workspace_today(workspace, timezone.now())
    (tmp_path / "customers.csv").write_text(
        "customer_id,name,email,contact_name,language\n"
        "K1,Boulangerie Martin,compta@martin.example,Camille Martin,en\n"
        "K2,Garage Dupuis,ap@dupuis.example,Luc Dupuis,fr\n"
    )
    due = (today - timedelta(days=10)).isoformat()
    issued = (today - timedelta(days=40)).isoformat()
    (tmp_path / "invoices.csv").write_text(
        "number,customer_id,issue_date,due_date,amount,currency\n"
        f"F-101,K1,{issued},{due},1250.00,EUR\n"
        f"F-102,K2,{issued},{due},480.50,EUR\n"
    )

    with override_settings(EMAIL_URL=smtp_server.url):
        log_in(page, base, "marie@acme.example")

        import_file(page, base, "customers", tmp_path / "customers.csv", 2)
        import_file(page, base, "invoices", tmp_path / "invoices.csv", 2)
        assert Customer.objects.filter(workspace=workspace).count() == 2
        assert Invoice.objects.filter(workspace=workspace).count() == 2

        page.goto(base + "/runs/")
        page.get_by_test_id("run-now").click()
        page.wait_for_load_state()
        assert "2 messages planned" in page.content()
        assert Message.objects.filter(status=Message.AWAITING_APPROVAL).count() == 2

        page.goto(base + "/approvals/")
        shoot(page, "approvals-before")
        first = Message.objects.filter(customer__external_id="K1").get()
        page.get_by_test_id(f"approve-{first.pk}").click()
        page.wait_for_function("id => !document.querySelector(`[data-testid=approve-${id}]`)", arg=first.pk)
        first.refresh_from_db()
        assert first.approved_at is not None
        assert first.status in (Message.SENT, Message.QUEUED)

        # The template editor: a threat in a first reminder is an error, found while typing.
        page.goto(base + "/templates/first/en/edit/")
        count = page.locator(".lint-count")
        count.wait_for()
        errors_before = int(count.get_attribute("data-errors") or 0)
        body = page.locator("#id_body")
        body.click()
        body.press("End")
        body.type("\nPay now or we will take legal action and send the bailiff.\n")
        page.wait_for_function(
            "n => Number(document.querySelector('.lint-count').dataset.errors) > n", arg=errors_before
        )
        shoot(page, "template-editor-with-findings")

        page.goto(base + "/")
        shoot(page, "dashboard")

        # French, from the language menu; the choice stays for the next pages.
        with page.expect_navigation():
            page.select_option("[data-testid=language-switch]", "fr")
        assert "Tableau de bord" in page.content()
        page.goto(base + "/customers/")
        assert "Clients" in page.locator("h1").inner_text()
        shoot(page, "customers-fr")
        with page.expect_navigation():
            page.select_option("[data-testid=language-switch]", "en")
        assert "Customers" in page.locator("h1").inner_text()


def test_screenshots_of_every_main_page(live_server, page, workspace):  # type: ignore[no-untyped-def]
    """Every main page renders for an admin, on a desktop and on a phone, without console errors and without
    WCAG 2 A/AA violations that axe-core can detect (labels, contrast, names, structure)."""
    f.policy(workspace)
    today = workspace_today(workspace, timezone.now())
    for n in range(12):
        customer = f.customer(workspace, f"C{n}", name=f"Client {n} SARL", language="fr" if n % 2 else "en")
        f.invoice(customer, f"F-{n}", today - timedelta(days=5 * n), amount=f"{100 + 37 * n}.00")
    make_user("boss@acme.example", workspace, "admin")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server.url, "boss@acme.example")
    customer = workspace.customers.get(external_id="C3")
    extra = (f"/customers/{customer.pk}/", "/templates/first/fr/edit/")
    violations: dict[str, list[str]] = {}
    for path in MAIN_PAGES + extra:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        name = path.strip("/").replace("/", "-") or "dashboard"
        shoot(page, name)
        page.add_script_tag(content=AXE)
        found = page.evaluate(AXE_RUN)
        if found:
            violations[path] = found
    assert violations == {}
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/customers/", "/approvals/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        shoot(page, "phone-" + (path.strip("/") or "dashboard"))
        # Nothing wider than the screen but the tables' own scrolling boxes.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)
    assert errors == []
