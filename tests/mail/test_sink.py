"""MailSink: the demo's local SMTP server that files every message it receives as .eml."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest

from relance.mail.sink import MailSink
from relance.mail.transport import SMTPConfig, SMTPTransport


def note(subject: str, body: str, to: str = "bob@client.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "marie@acme.example"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def parse(path: Path) -> EmailMessage:
    return cast(EmailMessage, email.message_from_bytes(path.read_bytes(), policy=email.policy.default))


def send(sink: MailSink, *messages: EmailMessage) -> None:
    with SMTPTransport(SMTPConfig.from_url(f"{sink.url}?timeout=5")) as transport:
        for msg in messages:
            transport.send(msg)


def test_each_message_becomes_an_eml_file_that_parses_back(tmp_path: Path) -> None:
    with MailSink(tmp_path / "outbox") as sink:
        send(sink, note("Rappel 1", "Première relance."), note("Rappel 2", "Deuxième relance."))
        assert sink.count == 2

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert files == sink.paths
    assert all(re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-\d{6}\.eml", f.name) for f in files)
    assert [parse(f)["Subject"] for f in files] == ["Rappel 1", "Rappel 2"]
    assert [parse(f).get_content() for f in files] == ["Première relance.\r\n", "Deuxième relance.\r\n"]


def test_the_file_keeps_the_bytes_as_received_after_the_envelope_headers(tmp_path: Path) -> None:
    msg = note("Rappel", "Montant dû : 1 250,00 € ✓", to="José <josé@client.example>")
    msg["Bcc"] = "archive@acme.example"
    with MailSink(tmp_path) as sink:
        send(sink, msg)

    data = sink.paths[0].read_bytes()
    head = (
        "X-Relance-Envelope-From: <marie@acme.example>\r\n"
        "X-Relance-Envelope-To: <josé@client.example>, <archive@acme.example>\r\n"
    ).encode()
    assert data.startswith(head)
    message = data[len(head) :]
    assert message.startswith(b"From: marie@acme.example\r\n")
    assert "Montant dû : 1 250,00 € ✓".encode() in message  # 8BITMIME: raw UTF-8, not re-encoded
    assert b"archive@acme.example" not in message
    assert parse(sink.paths[0]).get_content() == "Montant dû : 1 250,00 € ✓\r\n"


def test_port_zero_gets_a_free_port_and_two_sinks_never_share_one(tmp_path: Path) -> None:
    with MailSink(tmp_path / "a") as first, MailSink(tmp_path / "b") as second:
        assert first.port > 0 and second.port > 0 and first.port != second.port
        send(first, note("to a", "a"))
        send(second, note("to b", "b"))
        assert (first.count, second.count) == (1, 1)
    assert [parse(p)["Subject"] for p in first.paths] == ["to a"]


def test_a_port_in_use_fails_at_start(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        sink = MailSink(tmp_path, port=taken.getsockname()[1])
        with pytest.raises(OSError):
            sink.start()
        sink.stop()  # harmless after a failed start


def test_counts_and_names_stay_exact_with_concurrent_senders(tmp_path: Path) -> None:
    with MailSink(tmp_path) as sink:
        threads = [
            threading.Thread(target=send, args=(sink, *(note(f"t{t}-{n}", "x") for n in range(10))))
            for t in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sink.count == 40

    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 40
    assert sorted(f.name[-10:-4] for f in files) == [f"{n:06d}" for n in range(1, 41)]
    assert {parse(f)["Subject"] for f in files} == {f"t{t}-{n}" for t in range(4) for n in range(10)}
    assert not list(tmp_path.glob(".*.part"))


def test_stop_is_idempotent_and_frees_the_port(tmp_path: Path) -> None:
    sink = MailSink(tmp_path)
    sink.start()
    port = sink.port
    sink.stop()
    sink.stop()
    with socket.create_server(("127.0.0.1", port)):
        pass
