"""The bounce classifier on hand-made messages of each family (the real corpus: tests/tracking)."""

from __future__ import annotations

import json

import pytest

from relance.engine.bounces import classify

ORIGINAL = (
    "Message-ID: <relance.abc123@acme.example>\n"
    "From: Marie Dupont <marie@acme.example>\n"
    "To: bob@client.example\n"
    "Subject: Facture F-1 en retard\n"
)


def dsn(status: str, diagnostic: str, action: str = "failed") -> bytes:
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: bounces+42.0123456789ab@bounces.acme.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce.1@mx.acme.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; bob@client.example
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: text/rfc822-headers

{ORIGINAL}
--B--
""".encode()


def test_a_dsn_for_an_unknown_user_is_hard_and_names_our_message() -> None:
    verdict = classify(
        dsn("5.1.1", "550 5.1.1 <bob@client.example>: Recipient address rejected: User unknown")
    )
    assert verdict.kind == "hard"
    assert verdict.recipient == "bob@client.example"
    assert verdict.status == "5.1.1"
    assert "User unknown" in verdict.reason
    assert verdict.original_message_id == "<relance.abc123@acme.example>"
    assert verdict.message_id == "<bounce.1@mx.acme.example>"
    assert "bounces+42.0123456789ab@bounces.acme.example" in verdict.addressed_to


@pytest.mark.parametrize(
    ("status", "diagnostic", "kind"),
    [
        ("5.2.2", "552 5.2.2 Mailbox full", "soft"),  # a person can empty it
        ("5.7.1", "554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", "soft"),
        ("5.7.1", "550 5.7.1 Message rejected as spam", "soft"),
        ("4.2.2", "452 4.2.2 Over quota", "soft"),
        ("4.4.1", "Connection timed out", "soft"),
        ("5.1.2", "Host or domain name not found. Name service error for name=client.example", "hard"),
        ("5.0.0", "550 No such user here", "hard"),
        ("4.1.1", "450 4.1.1 User unknown in virtual alias table", "soft"),  # temporary: 4xx wins
        ("5.1.8", "553 5.1.8 Domain of sender address does not exist", "soft"),  # our address, not theirs
        ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled", "soft"),
    ],
)
def test_hard_only_when_the_address_itself_is_bad(status: str, diagnostic: str, kind: str) -> None:
    assert classify(dsn(status, diagnostic)).kind == kind


def test_a_delayed_dsn_is_soft() -> None:
    assert classify(dsn("4.4.7", "Delivery delayed", action="delayed")).kind == "soft"


def test_a_delivered_dsn_is_not_a_bounce() -> None:
    assert classify(dsn("2.0.0", "250 OK", action="delivered")).kind == "not_bounce"


def test_a_qmail_bounce_in_plain_text() -> None:
    raw = (
        "From: MAILER-DAEMON@mx4.client.example\nTo: marie@acme.example\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx4.client.example.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<bob@client.example>:\nremote host said: 550 Unknown user bob@client.example\n\n"
        "--- Below this line is a copy of the message.\n\n" + ORIGINAL + "\nBonjour\n"
    ).encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.recipient) == ("hard", "bob@client.example")
    assert verdict.original_message_id == "<relance.abc123@acme.example>"


def test_an_exim_bounce_for_a_full_mailbox_is_soft() -> None:
    raw = (
        "From: Mail Delivery System <Mailer-Daemon@mx.client.example>\nTo: marie@acme.example\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "X-Failed-Recipients: bob@client.example\n"
        "Auto-Submitted: auto-replied\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "  bob@client.example\n    SMTP error from remote mail server after RCPT TO:<bob@client.example>:\n"
        "    552 5.2.2 Mailbox quota exceeded\n\n"
        "------ This is a copy of the message, including all the headers. ------\n" + ORIGINAL
    ).encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.recipient, verdict.status) == ("soft", "bob@client.example", "5.2.2")


def test_user_unknown_answered_to_data_is_a_content_filter_not_a_missing_mailbox() -> None:
    raw = (
        b"From: MAILER-DAEMON@acme.example\nTo: marie@acme.example\nSubject: Returned mail\n\n"
        b"<bob@client.example>: host mx.client.example said: 550 User unknown\n"
        b"    (in reply to end of DATA command)\n"
    )
    assert classify(raw).kind == "soft"


def test_an_arf_report_is_a_complaint() -> None:
    raw = f"""\
From: feedback@mail.example
To: abuse@acme.example
Subject: Complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeISP/1.0
Version: 1
Original-Rcpt-To: bob@client.example

--F
Content-Type: message/rfc822

{ORIGINAL}
Bonjour
--F--
""".encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.recipient, verdict.reason) == ("complaint", "bob@client.example", "abuse")
    assert verdict.original_message_id == "<relance.abc123@acme.example>"


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\nSubject: Re: Facture F-1",
        "X-Autoreply: yes\nSubject: Re: Facture F-1",
        "Precedence: auto_reply\nSubject: Re: Facture F-1",
        "Subject: Absence du bureau",
        "Subject: Out of Office: Facture F-1",
        "Subject: Abwesenheitsnotiz",
        "Subject: Réponse automatique : Facture F-1",
    ],
)
def test_auto_replies_are_recognised(headers: str) -> None:
    raw = f"From: Bob <bob@client.example>\nTo: marie@acme.example\n{headers}\n\nJe suis absent.\n".encode()
    assert classify(raw).kind == "auto_reply"


def test_a_human_reply_is_not_a_bounce() -> None:
    raw = b"From: Bob <bob@client.example>\nTo: marie@acme.example\nSubject: Re: Facture F-1\n\nPaid today.\n"
    assert classify(raw).kind == "not_bounce"


def test_garbage_is_not_a_bounce_and_does_not_raise() -> None:
    assert classify(b"\x00\xff not an e-mail at all").kind == "not_bounce"
    assert classify(b"").kind == "not_bounce"


# --- "user unknown" against the SMTP command and the status (sisimai's Filtered vs UserUnknown) -------


def plain(body: str, subject: str = "Mail delivery failed") -> bytes:
    head = "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\nTo: marie@acme.example\n"
    copy = "------ This is a copy of the message, including all the headers. ------\n"
    return f"{head}Subject: {subject}\n\n{body}\n{copy}{ORIGINAL}".encode()


@pytest.mark.parametrize(
    ("status", "diagnostic", "kind"),
    [
        ("5.2.1", "550 5.2.1 <bob@client.example>... User Unknown", "soft"),  # X.2: the mailbox exists
        ("5.7.1", "550 5.7.1 550 User Unknown: bob@client.example", "soft"),  # X.7: a policy refusal
        ("5.2.1", "550 5.2.1 <bob@client.example>... User Unknown (in reply to RCPT TO command)", "hard"),
        ("5.0.0", "550 : User unknown", "soft"),  # au (KDDI): the recipient's own filter, address left out
        ("5.0.0", "550 <bob@client.example>: User unknown", "hard"),
    ],
)
def test_user_unknown_against_the_status_and_the_command(status: str, diagnostic: str, kind: str) -> None:
    assert classify(dsn(status, diagnostic)).kind == kind


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("SMTP error from remote server after RCPT command:", "5.2.1 <bob@client.example>... User Unknown"),
        ("mx.client.example did not like our RCPT TO:", "550 5.2.1 <bob@client.example>: User unknown"),
        ("[RCPT_TO]", "550 5.2.1 <bob@client.example>... User Unknown"),
    ],
)
def test_the_rcpt_to_stage_is_read_in_each_mtas_words(stage: str, reply: str) -> None:
    # Exim (and GMX), DragonFly's dma and qmail, Yahoo
    assert classify(plain(f"<bob@client.example>:\n{stage}\n{reply}\n")).kind == "hard"
    assert classify(plain(f"<bob@client.example>:\n{reply}\n")).kind == "soft"  # X.2.1 without RCPT TO


@pytest.mark.parametrize(
    "reply",
    [
        "554 delivery error: dd This user doesn't have a client.example account (bob@client.example) [0]",
        "550 5.5.0 Adresse destinataire invalide. Invalid recipient. LPN007_416",
    ],
)
def test_a_providers_own_word_that_the_account_does_not_exist_stands_after_data(reply: str) -> None:
    raw = plain(f"... while talking to mx.client.example.:\n>>> DATA\n<<< {reply}\n", "Returned mail")
    assert classify(raw).kind == "hard"


def test_a_refusal_of_mail_from_is_about_our_sender() -> None:
    raw = plain(
        "  bob@client.example\n    host mx.client.example [192.0.2.22]\n"
        "    SMTP error from remote mail server after MAIL FROM:<marie@acme.example> SIZE=1022:\n"
        "    553 5.1.0 acme.example does not exist\n"
    )
    verdict = classify(raw)
    assert (verdict.kind, verdict.category) == ("soft", "rejected")


def test_a_refusal_of_our_helo_name_is_about_our_host() -> None:
    raw = plain(
        "Hi. This is the qmail-send program at mx.acme.example.\n<bob@client.example>:\n"
        "Connected to 192.0.2.112 but my name was rejected.\n"
        "Remote host said: 501 5.0.0 Invalid domain name\n",
        "failure notice",
    )
    verdict = classify(raw)
    assert (verdict.kind, verdict.category) == ("soft", "blocked")


# --- the domain cannot take mail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The mail server could not deliver mail to bob@client.example.  The account or domain may not "
         "exist, they may be blacklisted, or missing the proper dns entries.", "hostunknown"),  # Exim
        ("SMTP error from remote mail server after end of data:\n553 client.example does not exist",
         "hostunknown"),  # a domain name, not an address
        ("an MX or SRV record indicated no SMTP service", "notaccept"),  # Exim, on a null MX
    ],
)  # fmt: skip
def test_a_domain_that_takes_no_mail_is_hard(text: str, category: str) -> None:
    verdict = classify(plain("  bob@client.example\n    " + text + "\n"))
    assert (verdict.kind, verdict.category) == ("hard", category)


@pytest.mark.parametrize("diagnostic", ["", "Illegal host/domain name found"])
def test_a_permanent_unable_to_route_status_is_hard(diagnostic: str) -> None:
    verdict = classify(dsn("5.4.4", diagnostic))
    assert (verdict.kind, verdict.category) == ("hard", "hostunknown")


# --- reading the message ------------------------------------------------------------------------------


def test_the_status_is_not_read_in_the_message_returned_by_lotus_notes() -> None:
    raw = (
        "From: POSTMASTER@gw.client.example\nTo: marie@acme.example\nSubject: Undeliverable message\n\n"
        "------- Failure Reasons  --------\n\n"
        "User  not listed in public Name & Address Book\nbob@client.example\n\n"
        "------- Returned Message --------\nReceived: from mx.acme.example by gw.client.example\n"
        "    (Lotus SMTP MTA v4.6.1 (569.2 2-6-1999)) with SMTP id 00000000\n" + ORIGINAL
    ).encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.status) == ("hard", "")


def test_a_message_returned_by_the_null_sender_is_a_bounce() -> None:
    raw = (
        "Return-Path: <>\nFrom: no-reply@mail.client.example\nTo: marie@acme.example\nSubject: Mail\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="M"\n\n--M\nContent-Type: text/plain\n\n'
        "Could not be delivered to: <bob@client.example>\nAs their mailbox is full.\n\n"
        "--M\nContent-Type: message/rfc822\n\n" + ORIGINAL + "\nBonjour\n--M--\n"
    ).encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.category) == ("soft", "mailboxfull")
    assert verdict.recipient == "bob@client.example"


def test_a_read_receipt_from_the_null_sender_is_not_a_bounce() -> None:
    raw = (
        "Return-Path: <>\nFrom: bob@client.example\nTo: marie@acme.example\nSubject: Read: Facture F-1\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="R"\n\n'
        "--R\nContent-Type: text/plain\n\nYour message was displayed.\n\n"
        "--R\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; bob@client.example\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n\n"
        "--R\nContent-Type: text/rfc822-headers\n\n" + ORIGINAL + "\n--R--\n"
    ).encode()
    assert classify(raw).kind == "not_bounce"


def test_an_ses_bounce_inside_an_sns_envelope() -> None:
    message = (
        '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",'
        '"bouncedRecipients":[{"emailAddress":"bob@client.example","action":"failed","status":"5.1.1",'
        '"diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},"mail":{"headers":[]}}'
    )
    envelope = '{\n  "Type" : "Notification",\n  "Message" : ' + json.dumps(message) + "\n}\n"
    raw = (
        "From: SES <no-reply@sns.amazonaws.com>\nTo: marie@acme.example\n"
        "Subject: AWS Notification Message\n\n" + envelope
    ).encode()
    verdict = classify(raw)
    assert (verdict.kind, verdict.recipient, verdict.status) == ("hard", "bob@client.example", "5.1.1")


def test_a_postfix_address_verification_report_is_not_a_bounce() -> None:
    assert classify(dsn("2.1.5", "250 2.1.5 Ok", action="deliverable")).kind == "not_bounce"
