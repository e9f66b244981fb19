"""`relance fetch-replies` against a real IMAP server on loopback (Dovecot: tests/fixtures_imap.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from relance.cli import main
from relance.dunning.models import Task
from relance.ledger.models import Customer
from relance.tracking import replies
from relance.tracking.imap import ImapConfigError, parse_imap_url
from relance.tracking.models import Event, Reply
from tests import factories as f
from tests.fixtures_imap import DovecotServer
from tests.tracking.test_replies import incoming, sent_message


def fetch(capsys: Any, monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("RELANCE_IMAP_URL", url)
    try:
        call_command("fetch_replies", *args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_bounces(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bounce parser (relance.tracking.bounces) is tested on its own; these tests are about replies.
    monkeypatch.setattr(replies, "_bounce_recorder", lambda: None)


@pytest.mark.django_db
def test_replies_matched_three_ways_pause_and_open_tasks(
    workspace: Any, imap_server: DovecotServer, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c1, c2, c3 = (f.customer(workspace, key) for key in ("C1", "C2", "C3"))
    m1 = sent_message(c1, "<m1@acme.example>")
    m2 = sent_message(c2, "<m2@acme.example>")
    imap_server.append(incoming(headers={"In-Reply-To": "<m1@acme.example>"}, message_id="<a1@x.example>"))
    to = replies.reply_address(m2, "Compta <compta@acme.example>")
    imap_server.append(incoming(sender="assistant@c2.example", to=to, message_id="<a2@x.example>"))
    imap_server.append(incoming(sender="c3@client.example", message_id="<a3@x.example>"))
    imap_server.append(incoming(sender="stranger@nowhere.example", message_id="<a4@x.example>"))

    code, out, err = fetch(capsys, monkeypatch, imap_server.url(), "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["fetched"], report["reply"], report["unmatched"]) == (4, 3, 1)
    by = {item["customer_id"]: item["matched_by"] for item in report["items"] if item["kind"] == "reply"}
    assert by == {"C1": "in-reply-to", "C2": "token", "C3": "sender"}
    assert {r.message for r in Reply.objects.all()} == {m1, m2, None}
    assert set(Customer.objects.filter(paused=True)) == {c1, c2, c3}
    assert Task.objects.filter(kind=Task.REPLY, status=Task.OPEN).count() == 3
    assert Event.objects.filter(kind=Event.REPLIED, source="imap").count() == 3
    # Recorded messages are marked read; the stranger's is left unread for the people.
    assert [b"\\Seen" in flags for flags in imap_server.flags()] == [True, True, True, False]


@pytest.mark.django_db
def test_out_of_office_neither_counts_nor_pauses(
    workspace: Any, imap_server: DovecotServer, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = f.customer(workspace)
    sent_message(customer, "<m1@acme.example>")
    imap_server.append(
        incoming(
            "Je suis absente du bureau jusqu'au 10 mars.",
            subject="Absence du bureau",
            headers={"In-Reply-To": "<m1@acme.example>"},
        )
    )
    imap_server.append(
        incoming(
            "I am out of office.",
            subject="Automatic reply: Facture",
            message_id="<oof-2@client.example>",
            headers={"In-Reply-To": "<m1@acme.example>", "Auto-Submitted": "auto-replied"},
        )
    )
    code, out, _ = fetch(capsys, monkeypatch, imap_server.url())
    assert code == 0 and "2 automatic replies" in out
    assert list(Reply.objects.values_list("auto_reply", flat=True)) == [True, True]
    assert not Event.objects.filter(kind=Event.REPLIED).exists() and not Task.objects.exists()
    customer.refresh_from_db()
    assert not customer.paused


@pytest.mark.django_db
def test_refetching_is_idempotent(
    workspace: Any, imap_server: DovecotServer, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_message(f.customer(workspace), "<m1@acme.example>")
    raw = incoming(headers={"In-Reply-To": "<m1@acme.example>"})
    imap_server.append(raw)
    assert fetch(capsys, monkeypatch, imap_server.url())[0] == 0
    # Nothing unseen left: a second fetch finds nothing.
    code, out, _ = fetch(capsys, monkeypatch, imap_server.url())
    assert code == 0 and out.startswith("0 fetched")
    # The same reply delivered again (or marked unread by someone) is recorded once.
    imap_server.append(raw)
    client = imap_server.client()
    client.select_folder("INBOX")
    client.remove_flags(client.search(["ALL"]), [b"\\Seen"])
    client.logout()
    code, out, _ = fetch(capsys, monkeypatch, imap_server.url())
    assert code == 0 and "2 already recorded" in out
    assert (Reply.objects.count(), Event.objects.count(), Task.objects.count()) == (1, 1, 1)


@pytest.mark.django_db
def test_recorded_messages_move_to_relance_processed(
    workspace: Any, imap_server: DovecotServer, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_message(f.customer(workspace), "<m1@acme.example>")
    processed = imap_server.create_folder("Relance", "Processed")
    imap_server.append(incoming(headers={"In-Reply-To": "<m1@acme.example>"}))
    imap_server.append(incoming(sender="stranger@nowhere.example", message_id="<other@x.example>"))
    assert fetch(capsys, monkeypatch, imap_server.url(), "--json")[0] == 0
    assert len(imap_server.flags()) == 1  # the stranger's stays in INBOX
    assert [b"\\Seen" in flags for flags in imap_server.flags(processed)] == [True]


@pytest.mark.django_db
def test_bad_credentials_exit_1_without_the_password(
    workspace: Any, imap_server: DovecotServer, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = fetch(capsys, monkeypatch, imap_server.url(password="wrong-s3cret"))
    assert code == 1
    assert "RELANCE_IMAP_URL" in err and "refused the login" in err and "wrong-s3cret" not in err


@pytest.mark.django_db
def test_unreachable_server_exit_1(
    workspace: Any, closed_port: int, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = fetch(capsys, monkeypatch, f"imap://compta:s3cret@127.0.0.1:{closed_port}/INBOX?timeout=2")
    assert code == 1
    assert "cannot reach" in err and "RELANCE_IMAP_URL" in err and "s3cret" not in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://u:p@host/INBOX",
        "imap://host/INBOX",
        "imap://u:p@host:notaport/",
        "imap://u:p@h/?timeout=x",
    ],
)
def test_invalid_url_exit_2(workspace: Any, url: str, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = fetch(capsys, monkeypatch, url)
    assert code == 2 and "RELANCE_IMAP_URL" in err


def test_parse_imap_url() -> None:
    settings = parse_imap_url("imaps://compta%40acme.example:p%40ss@mail.acme.example/Replies")
    assert (settings.host, settings.port, settings.tls) == ("mail.acme.example", 993, True)
    assert (settings.username, settings.password, settings.folder) == (
        "compta@acme.example",
        "p@ss",
        "Replies",
    )
    assert "p@ss" not in settings.safe_url and "p%40ss" not in settings.safe_url
    assert parse_imap_url("imap://u:p@h").port == 143 and parse_imap_url("imap://u:p@h").folder == "INBOX"
    with pytest.raises(ImapConfigError):
        parse_imap_url("imaps://u:p@h/?starttls=true")


def test_cli_maps_the_dashed_name(capsys: Any) -> None:
    assert main(["fetch-replies", "--help"]) == 0
    assert "RELANCE_IMAP_URL" in capsys.readouterr().out
