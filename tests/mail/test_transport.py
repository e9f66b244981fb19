"""SMTPTransport against real SMTP servers on loopback; SMTPConfig.from_url; MemoryTransport."""

from __future__ import annotations

import copy
import logging
import pickle
from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage, Message
from email.utils import make_msgid

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from relance.mail.transport import (
    MemoryTransport,
    PermanentError,
    SMTPConfig,
    SMTPTransport,
    TransientError,
    Transport,
    TransportError,
    envelope,
)
from tests.fixtures_smtp import SMTPTestServer, TLSFiles

TEXT = "Bonjour,\nla facture F-001 reste due.\n"
HTML = "<p>Bonjour,</p><p>la facture <b>F-001</b> reste due.</p>"


def reminder(
    to: str = "Bob Martin <bob@client.example>",
    subject: str = "Facture F-001 en retard",
    text: str = TEXT,
    html: str | None = HTML,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Marie Dupont <marie@acme.example>"
    msg["To"] = to
    msg["Reply-To"] = "compta@acme.example"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="acme.example")
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def transport_for(server: SMTPTestServer, **overrides: object) -> SMTPTransport:
    return SMTPTransport(replace(SMTPConfig.from_url(server.url), **overrides))  # type: ignore[arg-type]


# -- delivery ----------------------------------------------------------------------------------------------


def test_it_delivers_the_message_with_its_headers_and_both_parts(smtp_server: SMTPTestServer) -> None:
    msg = reminder()
    with transport_for(smtp_server) as transport:
        transport.send(msg)

    [received] = smtp_server.received
    assert received.mail_from == "marie@acme.example"
    assert received.rcpt_tos == ["bob@client.example"]
    got = received.message
    for name in ("From", "To", "Reply-To", "Subject", "Message-ID"):
        assert got[name] == msg[name]
    assert got.get_content_type() == "multipart/alternative"
    text, html = got.iter_parts()
    assert text.get_content() == TEXT
    assert html.get_content_type() == "text/html"
    assert "<b>F-001</b>" in html.get_content()


def test_it_sends_to_cc_and_bcc_without_revealing_bcc(smtp_server: SMTPTestServer) -> None:
    msg = reminder()
    msg["Cc"] = "Compta Client <ap@client.example>, bob@client.example"
    msg["Bcc"] = "archive@acme.example"
    with transport_for(smtp_server) as transport:
        transport.send(msg)

    [received] = smtp_server.received
    assert received.rcpt_tos == ["bob@client.example", "ap@client.example", "archive@acme.example"]
    assert b"archive@acme.example" not in received.data
    assert msg["Bcc"] == "archive@acme.example", "the caller's message is left as it was"


def test_return_path_becomes_the_envelope_sender_and_is_not_sent(smtp_server: SMTPTestServer) -> None:
    msg = reminder()
    msg["Return-Path"] = "<bounce+42@acme.example>"
    with transport_for(smtp_server) as transport:
        transport.send(msg)

    [received] = smtp_server.received
    assert received.mail_from == "bounce+42@acme.example"
    assert b"Return-Path" not in received.data
    assert received.message["From"] == "Marie Dupont <marie@acme.example>"


def test_a_unicode_message_arrives_intact_as_8bitmime(smtp_server: SMTPTestServer) -> None:
    text = "Nous n'avons pas reçu le règlement de 1 250,00 €. Merci d'avance ✓\n"
    msg = reminder(subject="Rappel : facture échue — 1 250,00 €", text=text, html=None)
    with transport_for(smtp_server) as transport:
        transport.send(msg)

    [received] = smtp_server.received
    assert "BODY=8BITMIME" in received.mail_options
    assert received.message["Subject"] == "Rappel : facture échue — 1 250,00 €"
    assert received.message.get_content() == text


def test_8bit_text_is_reencoded_for_a_server_without_8bitmime(
    smtp_server_factory: Callable[..., SMTPTestServer],
) -> None:
    server = smtp_server_factory(decode_data=True)  # aiosmtpd then leaves 8BITMIME out of EHLO
    msg = reminder(text="Montant dû : 1 250,00 €\n", html=None)
    with transport_for(server) as transport:
        transport.send(msg)

    [received] = server.received
    assert received.data.isascii()
    assert received.message.get_content() == "Montant dû : 1 250,00 €\n"


def test_a_non_ascii_address_goes_out_with_smtputf8(smtp_server: SMTPTestServer) -> None:
    with transport_for(smtp_server) as transport:
        transport.send(reminder(to="José <josé@client.example>"))

    [received] = smtp_server.received
    assert received.rcpt_tos == ["josé@client.example"]
    assert "SMTPUTF8" in received.mail_options
    assert "To: José <josé@client.example>".encode() in received.data  # raw UTF-8 (RFC 6532)


def test_a_non_ascii_address_is_permanent_for_a_server_without_smtputf8(
    smtp_server_factory: Callable[..., SMTPTestServer],
) -> None:
    server = smtp_server_factory(enable_SMTPUTF8=False)
    with transport_for(server) as transport, pytest.raises(PermanentError, match="SMTPUTF8"):
        transport.send(reminder(to="josé@client.example"))
    assert server.received == []


def test_many_messages_share_one_connection(smtp_server: SMTPTestServer) -> None:
    with transport_for(smtp_server) as transport:
        for number in range(200):
            transport.send(reminder(subject=f"Rappel {number}"))

    received = smtp_server.received
    assert [r.message["Subject"] for r in received] == [f"Rappel {n}" for n in range(200)]
    assert len({r.peer for r in received}) == 1


def test_a_connection_the_server_closed_between_messages_is_reopened(smtp_server: SMTPTestServer) -> None:
    smtp_server.reply("DATA", None, times=1, close=True)  # as an idle timeout would
    with transport_for(smtp_server) as transport:
        transport.send(reminder(subject="first"))
        transport.send(reminder(subject="second"))

    received = smtp_server.received
    assert [r.message["Subject"] for r in received] == ["first", "second"]
    assert received[0].peer != received[1].peer


def test_the_message_needs_a_sender_and_a_recipient(smtp_server: SMTPTestServer) -> None:
    no_recipient = reminder()
    del no_recipient["To"]
    no_sender = reminder()
    del no_sender["From"]
    with transport_for(smtp_server) as transport:
        with pytest.raises(PermanentError, match="no recipient"):
            transport.send(no_recipient)
        with pytest.raises(PermanentError, match="no From"):
            transport.send(no_sender)
    assert smtp_server.received == []


def test_a_legacy_compat32_message_is_sent_too(smtp_server: SMTPTestServer) -> None:
    msg = Message()  # what django.core.mail builds
    msg["From"] = "marie@acme.example"
    msg["To"] = "bob@client.example"
    msg["Subject"] = "Relance"
    msg.set_payload("Montant dû : 1 250,00 €", "utf-8")
    with transport_for(smtp_server) as transport:
        transport.send(msg)
    assert smtp_server.messages[0].get_content() == "Montant dû : 1 250,00 €"


def test_a_message_that_cannot_be_serialised_is_permanent(smtp_server: SMTPTestServer) -> None:
    msg = Message()
    msg["From"] = "marie@acme.example"
    msg["To"] = "bob@client.example"
    msg["Subject"] = "Relance\nBcc: someone@else.example"  # compat32 accepts it, generating refuses
    with transport_for(smtp_server) as transport, pytest.raises(PermanentError, match="serialised"):
        transport.send(msg)
    with pytest.raises(PermanentError, match="serialised"):
        MemoryTransport().send(msg)
    assert smtp_server.received == []


# -- failures -----------------------------------------------------------------------------------------------


def test_421_is_transient_and_a_later_send_on_the_same_transport_succeeds(smtp_flaky: SMTPTestServer) -> None:
    with transport_for(smtp_flaky) as transport:
        with pytest.raises(TransportError) as caught:
            transport.send(reminder(subject="first try"))
        transport.send(reminder(subject="second try"))

    error = caught.value
    assert isinstance(error, TransientError)
    assert (error.permanent, error.code, error.stage) == (False, 421, "RCPT")
    assert "Service not available" in str(error)
    assert [m["Subject"] for m in smtp_flaky.messages] == ["second try"]


def test_a_4xx_after_data_is_transient_and_the_connection_is_replaced(smtp_server: SMTPTestServer) -> None:
    smtp_server.reply("DATA", "451 4.3.0 local error in processing", times=1)
    with transport_for(smtp_server) as transport:
        with pytest.raises(TransientError) as caught:
            transport.send(reminder(subject="first try"))
        transport.send(reminder(subject="second try"))

    assert (caught.value.code, caught.value.stage) == (451, "DATA")
    assert [m["Subject"] for m in smtp_server.messages] == ["second try"]


def test_550_on_rcpt_is_permanent_with_its_code(smtp_rejecting: SMTPTestServer) -> None:
    with transport_for(smtp_rejecting) as transport, pytest.raises(TransportError) as caught:
        transport.send(reminder())

    error = caught.value
    assert isinstance(error, PermanentError)
    assert (error.permanent, error.code, error.stage) == (True, 550, "RCPT")
    assert error.refused == {"bob@client.example": (550, "5.1.1 mailbox unavailable")}
    assert "550 5.1.1 mailbox unavailable" in str(error)
    assert smtp_rejecting.received == []


def test_a_permanent_refusal_keeps_the_connection_for_the_next_message(smtp_server: SMTPTestServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 no such user", address="gone@client.example")
    with transport_for(smtp_server) as transport:
        with pytest.raises(PermanentError):
            transport.send(reminder(to="gone@client.example"))
        transport.send(reminder(to="bob@client.example"))
        transport.send(reminder(to="alice@client.example"))

    received = smtp_server.received
    assert [r.rcpt_tos for r in received] == [["bob@client.example"], ["alice@client.example"]]
    assert len({r.peer for r in received}) == 1


def test_a_refusal_of_one_recipient_among_several_delivers_to_the_others(
    smtp_server: SMTPTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 no such user", address="gone@client.example")
    msg = reminder()
    msg["Cc"] = "gone@client.example"
    with caplog.at_level(logging.WARNING), transport_for(smtp_server) as transport:
        transport.send(msg)

    [received] = smtp_server.received
    assert received.rcpt_tos == ["bob@client.example"]
    assert "gone@client.example" in caplog.text


def test_a_4xx_among_refused_recipients_makes_the_failure_transient(smtp_server: SMTPTestServer) -> None:
    smtp_server.reply("RCPT", "550 5.1.1 no such user", address="gone@client.example")
    smtp_server.reply("RCPT", "450 4.2.1 mailbox busy", address="busy@client.example")
    with transport_for(smtp_server) as transport, pytest.raises(TransientError) as caught:
        transport.send(reminder(to="gone@client.example, busy@client.example"))
    assert caught.value.code == 450
    assert set(caught.value.refused) == {"gone@client.example", "busy@client.example"}


def test_a_5xx_to_mail_from_is_permanent(smtp_server: SMTPTestServer) -> None:
    smtp_server.reply("MAIL", "553 5.7.1 sender not allowed")
    with transport_for(smtp_server) as transport, pytest.raises(PermanentError) as caught:
        transport.send(reminder())
    assert (caught.value.code, caught.value.stage) == (553, "MAIL")


def test_a_refused_connection_is_transient(closed_port: int) -> None:
    config = SMTPConfig(host="127.0.0.1", port=closed_port, timeout=5)
    with SMTPTransport(config) as transport, pytest.raises(TransportError) as caught:
        transport.send(reminder())

    error = caught.value
    assert isinstance(error, TransientError)
    assert (error.permanent, error.code, error.stage) == (False, None, "connect")
    assert "connection refused" in str(error)


def test_a_server_that_never_greets_times_out_as_transient(silent_port: int) -> None:
    config = SMTPConfig(host="127.0.0.1", port=silent_port, timeout=0.3)
    with SMTPTransport(config) as transport, pytest.raises(TransientError) as caught:
        transport.send(reminder())
    assert caught.value.stage == "connect"
    assert "timed out" in str(caught.value)


def test_a_server_slow_to_answer_data_times_out_as_transient_then_a_new_connection_works(
    smtp_server: SMTPTestServer,
) -> None:
    smtp_server.delay("DATA", 30.0, times=1)  # cut short by the teardown
    with transport_for(smtp_server, timeout=1.0) as transport:
        with pytest.raises(TransientError) as caught:
            transport.send(reminder(subject="slow"))
        transport.send(reminder(subject="fast"))

    assert caught.value.stage == "DATA"
    assert [m["Subject"] for m in smtp_server.messages] == ["fast"]


def test_errors_survive_copy_and_pickle() -> None:
    error = PermanentError("550 gone", 550, stage="RCPT", refused={"a@b.example": (550, "gone")})
    for clone in (copy.copy(error), pickle.loads(pickle.dumps(error))):
        assert type(clone) is PermanentError
        assert (str(clone), clone.permanent, clone.code, clone.stage, clone.refused) == (
            "550 gone",
            True,
            550,
            "RCPT",
            {"a@b.example": (550, "gone")},
        )


# -- TLS and AUTH --------------------------------------------------------------------------------------------


def test_starttls_with_login_sends_the_decoded_credentials(
    smtp_server_factory: Callable[..., SMTPTestServer], tls_files: TLSFiles
) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=True)

    server = smtp_server_factory(tls_context=tls_files.server_context(), authenticator=authenticator)
    config = SMTPConfig.from_url(f"smtp+starttls://relance%40acme:p%40ss%2Fw0rd@127.0.0.1:{server.port}")
    with SMTPTransport(config, ssl_context=tls_files.client_context()) as transport:
        transport.send(reminder())

    assert logins == [(b"relance@acme", b"p@ss/w0rd")]
    assert len(server.received) == 1


def test_implicit_tls_with_ssl_verify_off_accepts_a_self_signed_certificate(
    smtp_server_factory: Callable[..., SMTPTestServer], tls_files: TLSFiles
) -> None:
    server = smtp_server_factory(ssl_context=tls_files.server_context())
    with SMTPTransport(SMTPConfig.from_url(f"{server.url}&ssl_verify=false")) as transport:
        transport.send(reminder())
    assert len(server.received) == 1


def test_an_untrusted_certificate_fails_to_connect(
    smtp_server_factory: Callable[..., SMTPTestServer], tls_files: TLSFiles
) -> None:
    server = smtp_server_factory(ssl_context=tls_files.server_context())
    with SMTPTransport(SMTPConfig.from_url(server.url)) as transport, pytest.raises(TransientError) as caught:
        transport.send(reminder())
    assert caught.value.stage == "connect"
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


# -- SMTPConfig.from_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://localhost", SMTPConfig(host="localhost", port=25)),
        ("smtp://mail.example:2525", SMTPConfig(host="mail.example", port=2525)),
        ("smtps://mail.example", SMTPConfig(host="mail.example", port=465, security="tls")),
        ("smtp+starttls://mail.example", SMTPConfig(host="mail.example", port=587, security="starttls")),
        ("smtp://mail.example?starttls=true", SMTPConfig(host="mail.example", port=587, security="starttls")),
        (
            "SMTP://mail.example:25?starttls=true",
            SMTPConfig(host="mail.example", port=25, security="starttls"),
        ),
        ("smtp://mail.example?starttls=false", SMTPConfig(host="mail.example", port=25)),
        (
            "smtp+starttls://u%40x:p%3Aa%25ss@mail.example:587/",
            SMTPConfig("mail.example", 587, "u@x", "p:a%ss", "starttls"),
        ),
        ("smtp://user:@mail.example", SMTPConfig(host="mail.example", username="user", password="")),
        ("smtp://[::1]:2525", SMTPConfig(host="::1", port=2525)),
        (
            "smtps://mail.example?timeout=2.5&local_hostname=relance.acme.example&ssl_verify=false",
            SMTPConfig(
                "mail.example",
                465,
                security="tls",
                timeout=2.5,
                local_hostname="relance.acme.example",
                ssl_verify=False,
            ),
        ),
        ("  smtp://localhost:1025\n", SMTPConfig(host="localhost", port=1025)),
    ],
)
def test_from_url_parses(url: str, expected: SMTPConfig) -> None:
    assert SMTPConfig.from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "empty"),
        ("mail.example:25", "must start with smtp://"),
        ("http://mail.example", "got 'http'"),
        ("smtp://", "no host"),
        ("smtp://:25", "no host"),
        ("smtp://mail.example:99999", "port"),
        ("smtp://mail.example:0", "port"),
        ("smtp://mail.example:abc", "port"),
        ("smtp://mail.example/inbox", "nothing after the host"),
        ("smtp://user@mail.example", "no password"),
        ("smtp://:secret@mail.example", "no user name"),
        ("smtp://mail.example?tls=true", "unknown option 'tls'"),
        ("smtp://mail.example?timeout=1&timeout=2", "twice"),
        ("smtp://mail.example?timeout=soon", "timeout"),
        ("smtp://mail.example?timeout=-1", "timeout"),
        ("smtp://mail.example?timeout=inf", "timeout"),
        ("smtp://mail.example?starttls=yes", "true or false"),
        ("smtp://mail.example?starttls", "true or false"),
        ("smtps://mail.example?starttls=true", "smtps://"),
        ("smtp+starttls://mail.example?starttls=false", "contradicts"),
        ("smtp://mail.example?ssl_verify=false", "ssl_verify applies only"),
        ("smtp://mail.example?local_hostname=a%20b", "local_hostname"),
    ],
)
def test_from_url_refuses_with_a_clear_message(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match="EMAIL_URL is invalid") as caught:
        SMTPConfig.from_url(url)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "smtp://user:s3cr/et@mail.example:587",
        "smtp://user:s3cr?et@mail.example",
        "smtp://user:s3cr#et@mail.example",
        "smtp://user:s3cret@mail.example:port",
        "smtp://user:s3cret@mail.example/path",
        "smtp://user:s3cret@mail.example?timeout=x",
        "smtps://user:s3cret@mail.example?starttls=true",
    ],
)
def test_from_url_never_shows_the_password(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        SMTPConfig.from_url(url)
    message = str(caught.value)
    assert "EMAIL_URL" in message
    assert "s3cr" not in message and "et@" not in message


def test_a_config_shows_no_password() -> None:
    config = SMTPConfig.from_url("smtp+starttls://relance:s3cret@mail.example")
    assert "s3cret" not in repr(config)
    assert str(config) == "smtp+starttls://relance@mail.example:587"


# -- envelope and MemoryTransport ------------------------------------------------------------------------


def test_envelope_prefers_return_path_then_sender_then_from() -> None:
    msg = reminder(to="a@x.example, A <A@x.example>")
    assert envelope(msg) == ("marie@acme.example", ["a@x.example"])
    msg["Sender"] = "robot@acme.example"
    assert envelope(msg)[0] == "robot@acme.example"
    msg["Return-Path"] = "<bounce@acme.example>"
    assert envelope(msg)[0] == "bounce@acme.example"


def test_memory_transport_keeps_messages_and_fails_as_told() -> None:
    transport = MemoryTransport()
    assert isinstance(transport, Transport)
    transport.fail(PermanentError("550 gone", 550, stage="RCPT"), recipients=["Gone@client.example"])
    transport.fail(TransientError("421 later", 421), times=1)

    with transport:
        with pytest.raises(PermanentError):
            transport.send(reminder(to="gone@client.example"))
        with pytest.raises(TransientError):
            transport.send(reminder(subject="first"))
        transport.send(reminder(subject="second"))

    assert [m["Subject"] for m in transport.sent] == ["second"]
    assert [(m["To"], e.code) for m, e in transport.failed] == [
        ("gone@client.example", 550),
        (
            "Bob Martin <bob@client.example>",
            421,
        ),
    ]


def test_memory_transport_checks_the_envelope_as_smtp_does() -> None:
    msg = reminder()
    del msg["To"]
    with pytest.raises(PermanentError, match="no recipient"):
        MemoryTransport().send(msg)
