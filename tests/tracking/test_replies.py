"""Recognising, matching and acting on replies (no IMAP here: see test_imap.py)."""

from __future__ import annotations

import sys
import types
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import call_command

from relance.dunning.models import Task
from relance.mail.models import Message
from relance.tracking import replies
from relance.tracking.models import Event, Reply
from tests import factories as f

pytestmark = pytest.mark.django_db


def sent_message(customer: Any, message_id: str = "<r1.abc@acme.example>", **fields: Any) -> Message:
    return f.sent_message(customer, message_id, **fields)


def incoming(
    body: str = "Bonjour,\nLe virement part demain.\nCamille",
    *,
    subject: str = "Re: Facture F-1 en retard",
    sender: str = "c1@client.example",
    to: str = "compta@acme.example",
    message_id: str = "<answer-1@client.example>",
    headers: dict[str, str] | None = None,
) -> bytes:
    email = EmailMessage()
    email["From"] = f"Camille Martin <{sender}>"
    email["To"] = to
    email["Subject"] = subject
    email["Date"] = "Tue, 03 Mar 2026 10:15:00 +0100"
    email["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        email[name] = value
    email.set_content(body)
    return email.as_bytes()


@pytest.fixture
def no_bounces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs as if relance.tracking.bounces did not exist."""
    monkeypatch.setattr(replies, "_bounce_recorder", lambda: None)


# --- the new text ------------------------------------------------------------------------------------------


def test_strip_quoted_french_and_english_attributions() -> None:
    french = "Bonjour,\nC'est payé.\n\nLe lun. 2 mars 2026 à 09:00, M <m@a.example> a écrit :\n> Bonjour"
    assert replies.strip_quoted(french) == "Bonjour,\nC'est payé."
    english = (
        "Paid today.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Marie <marie@acme.example> wrote:\n> Hello\n> more"
    )
    assert replies.strip_quoted(english) == "Paid today."
    wrapped = "Ok.\nLe lun. 2 mars 2026 à 09:00, Marie Dupont <\nmarie@acme.example> a écrit :\n> x"
    assert replies.strip_quoted(wrapped) == "Ok."
    inline = "> quoted first\nmy answer\n> quoted again\nthanks"
    assert replies.strip_quoted(inline) == "my answer\nthanks"
    outlook = "Reçu.\n\nDe : Marie Dupont <marie@acme.example>\nEnvoyé : lundi 2 mars 2026 09:00\nÀ : moi"
    assert replies.strip_quoted(outlook) == "Reçu."


def test_reply_text_prefers_plain_and_falls_back_to_html() -> None:
    html = EmailMessage()
    html.set_content("<p>Payé hier.</p><blockquote>Bonjour, votre facture</blockquote>", subtype="html")
    assert replies.reply_text(html) == "Payé hier."
    plain = replies.parse(incoming("Payé.\n\nOn Mon, Mar 2, 2026 Marie wrote:\n> x"))
    assert replies.reply_text(plain) == "Payé."


# --- automatic replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: Facture"),
        ({"Auto-Submitted": "auto-generated"}, "Re: Facture"),
        ({"X-Autoreply": "yes"}, "Re: Facture"),
        ({"X-Autorespond": "Re: Facture"}, "Re: Facture"),
        ({"Precedence": "auto_reply"}, "Re: Facture"),
        ({"Precedence": "bulk"}, "Re: Facture"),
        ({"Precedence": "junk"}, "Re: Facture"),
        ({}, "Absence du bureau"),
        ({}, "Out of Office: Re: Invoice"),
        ({}, "Automatic reply: Invoice F-1"),
        ({}, "Réponse automatique : Facture F-1"),
    ],
)
def test_auto_replies_are_recognised(headers: dict[str, str], subject: str) -> None:
    assert replies.is_auto_reply(replies.parse(incoming(subject=subject, headers=headers)))


def test_a_person_is_not_an_auto_reply() -> None:
    msg = replies.parse(incoming(headers={"Auto-Submitted": "no"}))
    assert not replies.is_auto_reply(msg)


# --- reply addresses --------------------------------------------------------------------------------------


def test_reply_address_round_trip(workspace: Any) -> None:
    message = sent_message(f.customer(workspace))
    address = replies.reply_address(message, "Compta Acme <compta@acme.example>")
    assert address.startswith("Compta Acme <compta+") and address.endswith("@acme.example>")
    token = address.split("+", 1)[1].split("@", 1)[0]
    assert replies.message_pk_from_token(token) == message.pk
    assert replies.message_pk_from_token(token.lower()) == message.pk  # local parts lower-cased on the way
    assert replies.message_pk_from_token(f"{message.pk + 1}.{token.split('.', 1)[1]}") is None
    assert replies.message_pk_from_token("nonsense") is None
    assert replies.reply_address(message, "") == ""
    assert replies.reply_address(message, "compta@acme.example").startswith("compta+")


# --- matching and acting ----------------------------------------------------------------------------


def test_reply_by_in_reply_to_pauses_and_opens_task(workspace: Any, no_bounces: None) -> None:
    customer = f.customer(workspace)
    message = sent_message(customer)
    raw = incoming(
        "C'est parti ce matin.\n\nLe lun. 2 mars 2026, Marie a écrit :\n> Bonjour",
        headers={"In-Reply-To": "<r1.abc@acme.example>"},
    )
    outcome = replies.do_handle_incoming(workspace, raw)
    assert outcome.kind == replies.REPLY and outcome.matched_by == "in-reply-to"
    reply = Reply.objects.get()
    assert (reply.message, reply.customer, reply.auto_reply) == (message, customer, False)
    assert reply.text == "C'est parti ce matin."
    assert reply.header_message_id == "answer-1@client.example"
    event = Event.objects.get(kind=Event.REPLIED)
    assert (event.message, event.customer, event.source) == (message, customer, "imap")
    customer.refresh_from_db()
    assert customer.paused
    task = Task.objects.get(customer=customer)
    assert (task.kind, task.status) == (Task.REPLY, Task.OPEN)
    # Once only.
    assert replies.do_handle_incoming(workspace, raw).kind == replies.DUPLICATE
    assert (Reply.objects.count(), Event.objects.count(), Task.objects.count()) == (1, 1, 1)


def test_message_id_stored_without_brackets_and_references(workspace: Any, no_bounces: None) -> None:
    message = sent_message(f.customer(workspace), message_id="r2.def@acme.example")
    raw = incoming(headers={"References": "<other@x.example> <r2.def@acme.example>"})
    outcome = replies.do_handle_incoming(workspace, raw)
    assert outcome.kind == replies.REPLY and outcome.reply is not None
    assert outcome.reply.message == message


def test_reply_by_token_and_by_sender(workspace: Any, no_bounces: None) -> None:
    first = f.customer(workspace, "C1")
    second = f.customer(workspace, "C2")
    message = sent_message(first)
    to = replies.reply_address(message, "compta@acme.example")
    by_token = replies.do_handle_incoming(workspace, incoming(sender="someone@else.example", to=to))
    assert by_token.matched_by == "token" and by_token.reply is not None
    assert by_token.reply.customer == first
    by_sender = replies.do_handle_incoming(
        workspace, incoming(sender="C2@client.example", message_id="<answer-2@client.example>")
    )
    assert by_sender.matched_by == "sender" and by_sender.reply is not None
    assert by_sender.reply.customer == second and by_sender.reply.message is None
    assert set(type(first).objects.filter(paused=True)) == {first, second}


def test_unmatched_is_not_stored(workspace: Any, no_bounces: None) -> None:
    outcome = replies.do_handle_incoming(workspace, incoming(sender="stranger@nowhere.example"))
    assert outcome.kind == replies.UNMATCHED
    assert not Reply.objects.exists()


def test_auto_reply_is_stored_but_neither_counts_nor_pauses(workspace: Any, no_bounces: None) -> None:
    customer = f.customer(workspace)
    sent_message(customer)
    raw = incoming(
        "Je suis absente jusqu'au 10 mars.",
        subject="Réponse automatique : Facture F-1 en retard",
        headers={"In-Reply-To": "<r1.abc@acme.example>", "Auto-Submitted": "auto-replied"},
    )
    outcome = replies.do_handle_incoming(workspace, raw)
    assert outcome.kind == replies.AUTO_REPLY
    assert Reply.objects.get().auto_reply
    assert not Event.objects.exists() and not Task.objects.exists()
    customer.refresh_from_db()
    assert not customer.paused


def test_bounce_recorder_is_used_when_present(workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = f.customer(workspace)
    message = sent_message(customer)
    calls: list[tuple[bytes, datetime, str]] = []

    def do_record_bounce(raw: bytes, received_at: datetime, source: str) -> Event | None:
        calls.append((raw, received_at, source))
        if b"Undelivered" not in raw:
            return None
        return Event.objects.create(
            workspace=workspace, message=message, kind=Event.BOUNCED, occurred_at=received_at, source=source
        )

    module = types.ModuleType("relance.tracking.bounces")
    module.do_record_bounce = do_record_bounce  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "relance.tracking.bounces", module)
    bounce = incoming(
        subject="Undelivered Mail Returned to Sender", headers={"In-Reply-To": message.message_id}
    )
    assert replies.do_handle_incoming(workspace, bounce).kind == replies.BOUNCE
    assert calls[0][2] == "imap" and not Reply.objects.exists()
    reply = incoming(headers={"In-Reply-To": message.message_id}, message_id="<answer-9@client.example>")
    assert replies.do_handle_incoming(workspace, reply).kind == replies.REPLY


def test_resume_unpauses_and_closes_the_reply_task(workspace: Any, no_bounces: None, capsys: Any) -> None:
    customer = f.customer(workspace)
    sent_message(customer)
    replies.do_handle_incoming(workspace, incoming(headers={"In-Reply-To": "<r1.abc@acme.example>"}))
    call_command("resume", "C1", "--keep-task")
    customer.refresh_from_db()
    assert not customer.paused and Task.objects.get().status == Task.OPEN
    customer.paused = True
    customer.save()
    call_command("resume", "C1")
    customer.refresh_from_db()
    assert not customer.paused and Task.objects.get().status == Task.DONE
    assert "resumed" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        call_command("resume", "NOPE")
    assert exc.value.code == 2
