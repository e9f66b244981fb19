"""Providers' webhooks (django-anymail) become normalised Event rows, matched to our messages, once each.

SendGrid payloads are posted over HTTP to anymail's real view. Amazon SES's view needs boto3 (the
django-anymail[amazon-ses] extra), which is not installed: the real SES notifications are parsed by anymail's
own SES code and the events sent through the same signal the view sends.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from anymail.signals import tracking
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from django.test import Client
from django.urls import include, path

from relance.mail.models import Message
from relance.tracking.models import Event
from relance.urls import urlpatterns as project_urlpatterns
from tests import factories as f

# The project mounts the webhooks only when a secret is set (at import); these tests mount them always.
urlpatterns = [*project_urlpatterns, path("webhooks/anymail/", include("anymail.urls"))]

SECRET = "relance:s3cret"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
SENDGRID = "/webhooks/anymail/sendgrid/tracking/"

pytestmark = [
    pytest.mark.urls(__name__),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]


@pytest.fixture(autouse=True)
def webhook_secret(settings):  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}


def jsonfile(testdata: Path, name: str) -> Any:
    return json.loads((testdata / "bounces" / "sisimai-set-of-emails-json" / name).read_text())


def sent_message(workspace, email: str, message_id: str, sent_at: datetime, key: str = "C1") -> Message:  # type: ignore[no-untyped-def]
    customer = f.customer(workspace, key, email=email)
    return Message.objects.create(
        workspace=workspace,
        customer=customer,
        run_date=sent_at.date(),
        stage="first",
        policy_name="standard",
        policy_version=1,
        template_name="first",
        template_version="abc",
        language="fr",
        from_email=workspace.sender,
        to=email,
        subject="Facture",
        text_body="t",
        html_body="<p>h</p>",
        currency="EUR",
        message_id=message_id,
        status=Message.SENT,
        sent_at=sent_at,
    )


def post_sendgrid(payload: Any, **extra: str):  # type: ignore[no-untyped-def]
    return Client().post(SENDGRID, data=json.dumps(payload), content_type="application/json", **extra)


# --- SendGrid, over HTTP ---------------------------------------------------------------------------------


def test_sendgrid_bounce_matched_by_message_id_header_recorded_once(workspace, testdata):
    payload = jsonfile(testdata, "json-sendgrid-12.json")  # a "blocked" bounce: mailbox full, 5.2.2
    message = sent_message(
        workspace, "mailboxfull@example.jp", payload[0]["smtp-id"], datetime(2017, 9, 4, 19, 0, tzinfo=UTC)
    )
    for _ in range(2):
        assert post_sendgrid(payload, **AUTH).status_code == 200
    [event] = Event.objects.all()
    assert (event.kind, event.source, event.message_id) == ("bounced", "webhook:sendgrid", message.pk)
    assert (event.bounce_kind, event.status_code) == ("soft", "5.2.2")
    assert event.external_id == "S4wr46YHS0qr3BKhawTQjQ"
    assert "Mailbox Full" in event.reason
    assert event.occurred_at == datetime.fromtimestamp(1504555832, tz=UTC)
    message.customer.refresh_from_db()
    assert not message.customer.undeliverable  # a soft bounce says nothing definite about the address


def test_sendgrid_delivered_and_spam_report(workspace, testdata):
    delivered = jsonfile(testdata, "json-sendgrid-13.json")
    message = sent_message(
        workspace, "kijitora@example.com", delivered[0]["smtp-id"], datetime(2017, 9, 4, 18, 0, tzinfo=UTC)
    )
    assert post_sendgrid(delivered, **AUTH).status_code == 200
    # The spam report carries no Message-ID: matched by recipient and time (latest message within 30 days).
    complaint = jsonfile(testdata, "json-sendgrid-15.json")
    assert post_sendgrid(complaint, **AUTH).status_code == 200
    kinds = list(Event.objects.order_by("occurred_at").values_list("kind", "message_id", "status_code"))
    assert kinds == [("delivered", message.pk, ""), ("complained", message.pk, "")]
    message.customer.refresh_from_db()
    assert message.customer.complained


def test_sendgrid_batch_of_events_for_unknown_messages_is_accepted_and_ignored(workspace, testdata):
    payload = jsonfile(testdata, "json-sendgrid-14.json") + jsonfile(testdata, "json-sendgrid-17.json")
    assert post_sendgrid(payload, **AUTH).status_code == 200
    assert not Event.objects.exists()


def test_webhook_refuses_posts_without_the_secret(workspace, testdata):
    payload = jsonfile(testdata, "json-sendgrid-12.json")
    sent_message(workspace, "mailboxfull@example.jp", payload[0]["smtp-id"], datetime(2017, 9, 4, tzinfo=UTC))
    assert post_sendgrid(payload).status_code == 400
    bad = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"relance:wrong").decode()}
    assert post_sendgrid(payload, **bad).status_code == 400
    assert not Event.objects.exists()


def test_sendgrid_open_click_unsubscribe_deferred(workspace):
    # SendGrid's documented event-webhook format (no captured sample of these kinds in the test data).
    smtp_id = "<relance.0a1b2c@acme.example>"
    message = sent_message(workspace, "ap@client.example", smtp_id, datetime(2026, 3, 9, 10, tzinfo=UTC))
    common = {"email": "ap@client.example", "smtp-id": smtp_id, "sg_message_id": "x.filter0001.0"}
    events = [
        {**common, "event": "processed", "timestamp": 1773050400, "sg_event_id": "e-processed"},
        {**common, "event": "deferred", "timestamp": 1773050460, "sg_event_id": "e-deferred",
         "response": "451 4.7.1 try later", "attempt": "1"},
        {**common, "event": "open", "timestamp": 1773050520, "sg_event_id": "e-open", "useragent": "Mozilla"},
        {**common, "event": "click", "timestamp": 1773050580, "sg_event_id": "e-click",
         "url": "https://pay.acme.example/i/A-1"},
        {**common, "event": "unsubscribe", "timestamp": 1773050640, "sg_event_id": "e-unsub"},
    ]  # fmt: skip
    assert post_sendgrid(events, **AUTH).status_code == 200
    rows = list(Event.objects.order_by("occurred_at").values_list("kind", "url"))
    assert rows == [
        ("sent", ""),
        ("deferred", ""),
        ("opened", ""),
        ("clicked", "https://pay.acme.example/i/A-1"),
        ("unsubscribed", ""),
    ]
    assert set(Event.objects.values_list("message_id", flat=True)) == {message.pk}
    message.customer.refresh_from_db()
    assert message.customer.pre_due_opt_out and not message.customer.excluded


# --- Amazon SES: anymail's parser, the same signal -----------------------------------------------------


def ses_events(notification: dict[str, Any], sns_id: str, timestamp: str) -> list[Any]:
    """What AmazonSESTrackingWebhookView sends for an SNS notification (whose envelope SES always uses)."""
    sns = {
        "Type": "Notification",
        "MessageId": sns_id,
        "Timestamp": timestamp,
        "Message": json.dumps(notification),
    }
    # esp_to_anymail_events uses nothing of the view instance (which would need boto3 to be built).
    return AmazonSESTrackingWebhookView.esp_to_anymail_events(None, notification, sns)  # type: ignore[arg-type]


def send_ses(events: list[Any]) -> None:
    for event in events:
        tracking.send(sender=AmazonSESTrackingWebhookView, event=event, esp_name="Amazon SES")


def test_ses_hard_bounce_by_message_id_header(workspace, testdata):
    notification = jsonfile(testdata, "json-amazonses-06.json")  # echoes Message-ID: <xxx.xx@xx..x>
    message = sent_message(
        workspace,
        "bounce@simulator.amazonses.com",
        "<xxx.xx@xx..x>",
        datetime(2017, 10, 19, 9, 19, tzinfo=UTC),
    )
    events = ses_events(notification, "sns-1", "2017-10-19T09:19:05.119Z")
    send_ses(events)
    send_ses(events)  # SNS retries: still one row
    [event] = Event.objects.all()
    assert (event.kind, event.bounce_kind, event.status_code) == ("bounced", "hard", "5.1.1")
    assert (event.message_id, event.source, event.external_id) == (message.pk, "webhook:amazon_ses", "sns-1")
    assert "user unknown" in event.reason
    message.customer.refresh_from_db()
    assert message.customer.undeliverable


def test_ses_sns_envelope_complaint_and_delivery_by_recipient_and_time(workspace, testdata):
    envelope = jsonfile(testdata, "json-amazonses-02.json")  # a real SNS envelope around a bounce
    bounce = sent_message(
        workspace,
        "bounce@simulator.amazonses.com",
        "<a@acme.example>",
        datetime(2016, 10, 21, 6, 58, tzinfo=UTC),
    )
    send_ses(ses_events(json.loads(envelope["Message"]), envelope["MessageId"], envelope["Timestamp"]))
    complaint_to = sent_message(
        workspace,
        "complaint@simulator.amazonses.com",
        "<b@acme.example>",
        datetime(2016, 11, 25, 1, 48, tzinfo=UTC),
        key="C2",
    )
    send_ses(ses_events(jsonfile(testdata, "json-amazonses-05.json"), "sns-5", "2016-11-25T01:49:01.300Z"))
    send_ses(ses_events(jsonfile(testdata, "json-amazonses-03.json"), "sns-3", "2016-11-25T01:49:02.900Z"))
    # Years later, the same address: no message sent within the window, but the customer is known.
    send_ses(ses_events(jsonfile(testdata, "json-amazonses-01.json"), "sns-1b", "2026-10-21T00:06:40.600Z"))
    rows = list(Event.objects.order_by("occurred_at").values_list("kind", "message_id", "customer_id"))
    assert rows == [
        ("bounced", bounce.pk, bounce.customer_id),
        ("delivered", complaint_to.pk, complaint_to.customer_id),
        ("complained", complaint_to.pk, complaint_to.customer_id),
        ("bounced", None, bounce.customer_id),
    ]
    assert Event.objects.get(external_id="02f86d9b-eecf-573d-b47d-3d1850750c30").bounce_kind == "hard"


def test_event_for_nobody_we_know_is_ignored(workspace, testdata):
    send_ses(ses_events(jsonfile(testdata, "json-amazonses-04.json"), "sns-4", "2016-11-23T12:01:03.600Z"))
    assert not Event.objects.exists()
