"""Opens, clicks, one-click unsubscribe and the contact page: signed links bound to one message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings

from relance.dunning.actions import do_run
from relance.dunning.models import Task
from relance.mail.models import Message
from relance.mail.sending import build_email
from relance.tracking import tokens
from relance.tracking.models import Event, Reply
from relance.tracking.rewrite import links
from tests import factories as f

BASE = "https://relance.acme.example"
HTML = (
    "<html><body><p>Bonjour,</p>"
    '<p><a href="https://pay.acme.example/i/A-1?x=1&amp;y=2">Payer</a> '
    "<a href='mailto:compta@acme.example'>nous écrire</a> "
    '<a href="https://acme.example/invoices/A-1.pdf">Facture</a></p>'
    "</body></html>"
)
TEXT = "Bonjour,\nPayer : https://pay.acme.example/i/A-1?x=1&y=2\n"


def make_message(workspace, key: str = "C1", stage: str = "first", language: str = "fr", **fields) -> Message:  # type: ignore[no-untyped-def]
    customer = f.customer(workspace, key, language=language)
    values = {
        "workspace": workspace,
        "customer": customer,
        "run_date": date(2026, 3, 9),
        "stage": stage,
        "policy_name": "standard",
        "policy_version": 1,
        "template_name": stage,
        "template_version": "abc",
        "language": language,
        "from_email": workspace.sender,
        "reply_to": workspace.reply_to,
        "to": customer.email,
        "subject": "Facture A-1",
        "text_body": TEXT,
        "html_body": HTML,
        "currency": "EUR",
        "message_id": f"<relance.{key.lower()}0123456789@acme.example>",
    }
    values.update(fields)
    return Message.objects.create(**values)


def html_part(email) -> str:  # type: ignore[no-untyped-def]
    return email.get_body(preferencelist=("html",)).get_content()


def text_part(email) -> str:  # type: ignore[no-untyped-def]
    return email.get_body(preferencelist=("plain",)).get_content()


def tracked_path(url: str) -> str:
    assert url.startswith(BASE)
    return url.removeprefix(BASE)


# --- rewriting at send time --------------------------------------------------------------------------


@override_settings(RELANCE_BASE_URL=BASE)
def test_sent_html_goes_through_the_redirect_and_carries_the_pixel(workspace):
    message = make_message(workspace)
    html = html_part(build_email(message))
    assert "pay.acme.example" not in html
    assert "acme.example/invoices" not in html
    assert html.count(f'href="{BASE}/t/c/') == 2
    assert "mailto:compta@acme.example" in html  # not a web link: left alone
    assert f'<img src="{BASE}/t/o/' in html and 'alt="" width="1" height="1"' in html
    assert html.index("<img") < html.index("</body>")
    # The plain-text part keeps the real address, and the stored row keeps its real links.
    assert "https://pay.acme.example/i/A-1?x=1&y=2" in text_part(build_email(message))
    message.refresh_from_db()
    assert message.html_body == HTML


def test_no_rewriting_without_a_base_url(workspace, settings):
    settings.RELANCE_BASE_URL = ""
    email = build_email(make_message(workspace))
    assert "https://pay.acme.example/i/A-1?x=1&amp;y=2" in html_part(email)
    assert "/t/o/" not in html_part(email)
    assert email["List-Unsubscribe"] is None


@override_settings(RELANCE_BASE_URL=BASE)
def test_no_rewriting_when_the_workspace_does_not_track(workspace):
    workspace.tracking_enabled = False
    workspace.save()
    html = html_part(build_email(make_message(workspace)))
    assert "https://pay.acme.example/i/A-1" in html
    assert "/t/c/" not in html and "/t/o/" not in html


# --- opens and clicks --------------------------------------------------------------------------------


def test_pixel_records_an_open_and_returns_a_gif(workspace):
    message = make_message(workspace)
    client = Client()
    url = f"/t/o/{tokens.open_token(message.message_id)}.gif"
    for _ in range(2):
        response = client.get(url, HTTP_USER_AGENT="Thunderbird")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a")
        assert "no-store" in response["Cache-Control"]
    events = Event.objects.filter(kind=Event.OPENED)
    assert events.count() == 2  # every open kept; reports count unique messages
    event = events.first()
    assert event is not None
    assert (event.message_id, event.source, event.workspace_id) == (message.pk, "pixel", workspace.pk)
    assert event.customer_id == message.customer_id
    assert event.raw["user_agent"] == "Thunderbird"


@override_settings(RELANCE_BASE_URL=BASE)
def test_click_redirects_to_the_link_the_message_contained(workspace):
    message = make_message(workspace)
    html = html_part(build_email(message))
    hrefs = [href for href in links(html) if "/t/c/" in href]
    client = Client()
    targets = []
    for href in hrefs:
        response = client.get(tracked_path(href))
        assert response.status_code == 302
        targets.append(response["Location"])
    assert targets == ["https://pay.acme.example/i/A-1?x=1&y=2", "https://acme.example/invoices/A-1.pdf"]
    clicks = list(Event.objects.filter(kind=Event.CLICKED).order_by("pk").values_list("url", "source"))
    assert clicks == [(t, "redirect") for t in targets]
    # The pixel in the same e-mail works too.
    pixel = html.split('<img src="', 1)[1].split('"', 1)[0]
    assert client.get(tracked_path(pixel)).status_code == 200


def test_click_tokens_cannot_be_moved_to_another_link_or_message(workspace):
    message = make_message(workspace)
    other = make_message(workspace, "C2", html_body='<a href="https://evil.example/">x</a>')
    client = Client()
    good = tokens.click_token(message.message_id, 1)
    assert client.get(f"/t/c/{good}").status_code == 302
    payload, _, signature = good.rpartition(":")
    forged = [
        tokens.click_token(message.message_id, 5),  # a link the message does not have
        # Another message's id or another index under the first token's signature.
        f"{signing.dumps(['relance.c20123456789@acme.example', 0], salt=tokens.CLICK).rpartition(':')[0]}"
        f":{signature}",
        f"{payload}x:{signature}",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        tokens.open_token(message.message_id),  # an open token is not a click token
        signing.dumps(["relance.c10123456789@acme.example", 0], salt="something else"),
        "not-a-token",
    ]
    for token in forged:
        response = client.get(f"/t/c/{token}")
        assert response.status_code == 404, token
        assert "Location" not in response
    assert client.get(f"/t/o/{tokens.click_token(message.message_id, 0)}.gif").status_code == 404
    assert client.get("/t/o/garbage.gif").status_code == 404
    assert Event.objects.filter(kind=Event.CLICKED).count() == 1
    assert not Event.objects.filter(message=other).exists()


def test_a_link_is_only_ever_one_the_message_contained(workspace):
    # Even a valid token only leads to what the stored message holds: here a mailto and no web link.
    message = make_message(
        workspace, html_body='<a href="mailto:x@y.example">x</a><a href="javascript:1">y</a>'
    )
    assert Client().get(f"/t/c/{tokens.click_token(message.message_id, 0)}").status_code == 404


# --- one-click unsubscribe (courtesy reminders only) ---------------------------------------------------


@override_settings(RELANCE_BASE_URL=BASE)
def test_list_unsubscribe_headers_only_on_pre_due(workspace):
    courtesy = build_email(make_message(workspace, "C1", stage="pre_due"))
    assert courtesy["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(courtesy["List-Unsubscribe"])
    assert header.startswith(f"<{BASE}/t/u/")
    assert "<mailto:compta@acme.example?subject=unsubscribe>" in header
    for stage in ("first", "second", "final"):
        email = build_email(make_message(workspace, f"K{stage}", stage=stage))
        assert email["List-Unsubscribe"] is None
        assert email["List-Unsubscribe-Post"] is None


@override_settings(RELANCE_BASE_URL=BASE)
def test_one_click_post_unsubscribes_from_courtesy_reminders(workspace):
    message = make_message(workspace, stage="pre_due")
    header = str(build_email(message)["List-Unsubscribe"])
    path = tracked_path(header.split(">", 1)[0].removeprefix("<"))
    client = Client(enforce_csrf_checks=True)  # what a mail client sends: no cookie, no CSRF token
    page = client.get(path)
    assert page.status_code == 200
    assert "Ne plus recevoir ces rappels" in page.content.decode()
    message.customer.refresh_from_db()
    assert message.customer.pre_due_opt_out is False  # a GET (a link scanner) changes nothing
    for _ in range(2):
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    message.customer.refresh_from_db()
    assert message.customer.pre_due_opt_out is True
    assert not message.customer.excluded  # overdue reminders continue
    [event] = Event.objects.filter(kind=Event.UNSUBSCRIBED)
    assert (event.message_id, event.source, event.raw["one_click"]) == (message.pk, "unsubscribe", True)


def test_unsubscribe_is_refused_for_reminders_of_a_debt(workspace):
    message = make_message(workspace, stage="final")
    response = Client().post(f"/t/u/{tokens.unsubscribe_token(message.message_id)}")
    assert response.status_code == 404
    message.customer.refresh_from_db()
    assert message.customer.pre_due_opt_out is False
    assert not Event.objects.exists()


# --- contact page (overdue reminders) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "Contact facturation ou question"), ("en", "Billing contact or question")],
)
def test_contact_page_creates_a_reply_and_a_task(workspace, language, heading):
    message = make_message(workspace, stage="second", language=language)
    path = f"/t/r/{tokens.contact_token(message.message_id)}"
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert heading in body and f'lang="{language}"' in body and 'for="id_email"' in body
    csrf = client.cookies["csrftoken"].value
    # Nothing given: an error, nothing recorded.
    empty = client.post(path, {"email": "", "question": " ", "csrfmiddlewaretoken": csrf})
    assert empty.status_code == 200 and 'role="alert"' in empty.content.decode()
    assert not Reply.objects.exists()
    response = client.post(
        path,
        {
            "email": "ap@client.example",
            "question": "Invoice A-1 was paid by transfer.",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    [reply] = Reply.objects.all()
    assert (reply.message_id, reply.customer_id, reply.from_address) == (
        message.pk,
        message.customer_id,
        "ap@client.example",
    )
    assert "Invoice A-1 was paid by transfer." in reply.text
    [task] = Task.objects.filter(kind=Task.REPLY)
    assert task.customer_id == message.customer_id and "ap@client.example" in task.title
    message.customer.refresh_from_db()
    assert not (message.customer.excluded or message.customer.paused or message.customer.pre_due_opt_out)
    assert not Event.objects.exists()


def test_contact_page_refuses_a_bad_token(workspace):
    message = make_message(workspace)
    assert Client().get(f"/t/r/{tokens.unsubscribe_token(message.message_id)}").status_code == 404
    assert Client().post("/t/r/abc:def", {"question": "hi"}).status_code == 404


# --- compose: the footer link ------------------------------------------------------------------------


def test_composed_reminder_carries_the_contact_link_when_a_base_url_is_set(workspace, settings):
    settings.RELANCE_BASE_URL = BASE
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", date(2026, 3, 2))
    do_run(workspace, date(2026, 3, 7), datetime(2026, 3, 9, 10, 0, tzinfo=UTC), backfill=True)
    message = Message.objects.get()
    assert f"{BASE}/t/r/" in message.text_body
    assert f'href="{BASE}/t/r/' in message.html_body
    # The footer link is Relance's own: sending leaves it as it is, and it leads to the contact page.
    html = html_part(build_email(message))
    contact = html.split(f'href="{BASE}/t/r/', 1)[1].split('"', 1)[0]
    assert Client().get(f"/t/r/{contact}").status_code == 200


def test_composed_reminder_has_no_footer_link_without_a_base_url(workspace, settings):
    settings.RELANCE_BASE_URL = ""
    f.policy(workspace)
    alice = f.customer(workspace, "ALICE")
    f.invoice(alice, "A-1", date(2026, 3, 2))
    do_run(
        workspace, date(2026, 3, 2) + timedelta(days=5), datetime(2026, 3, 9, 10, tzinfo=UTC), backfill=True
    )
    message = Message.objects.get()
    assert "/t/r/" not in message.text_body and "/t/u/" not in message.html_body
