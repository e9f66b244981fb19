"""How the demo's customers react to a reminder: open it, click its link, answer it, or bounce.

They go through the product's own code paths: events through tracking actions, replies as raw e-mails
through the same handler as `relance fetch-replies`, bounces as real DSN messages through the same handler
as `relance smtpd`. Rates are plausible for B2B reminders (seed 002's targets: opens above 20 %, clicks
above 3 %), and depend on each customer's habit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from relance.accounts.models import Workspace
from relance.mail.models import Message

# habit: (open, click once opened, reply)
RATES = {
    "prompt": (0.75, 0.45, 0.02),
    "reminded": (0.6, 0.4, 0.03),
    "slow": (0.4, 0.25, 0.05),
    "partial": (0.55, 0.35, 0.06),
    "never": (0.2, 0.05, 0.1),
}
ANSWERS = {
    "fr": "Bonjour,\n\nLe règlement part en fin de semaine, nous attendions la validation du bon de "
    "commande.\n\nBien à vous,",
    "en": "Hello,\n\nThe payment goes out at the end of the week: we were waiting for the purchase order.\n\n"
    "Kind regards,",
}


@dataclass
class Engagement:
    rng: random.Random
    habits: dict[str, str]
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    resume_on: dict[date, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"opened": 0, "clicked": 0, "replied": 0})

    def react(self, workspace: Workspace, message: Message, day: date) -> bool:
        """Open, click, reply; True when the customer clicked through to pay."""
        from relance.tracking.actions import do_record_event
        from relance.tracking.replies import do_handle_incoming

        habit = self.habits[message.customer.external_id]
        opens, clicks, replies = RATES[habit]
        moment = datetime.combine(day, time(10, 0), self.zone) + timedelta(minutes=self.rng.randint(0, 420))
        clicked = False
        if self.rng.random() < opens:
            do_record_event("opened", "demo", message=message, occurred_at=moment)
            self.counts["opened"] += 1
            if self.rng.random() < clicks:
                first = message.items.select_related("invoice").first()
                url = f"https://pay.acme.example/{first.invoice.number if first else ''}"
                do_record_event("clicked", "demo", message=message, occurred_at=moment, url=url)
                self.counts["clicked"] += 1
                clicked = True
        if self.rng.random() < replies:
            do_handle_incoming(workspace, self._reply(message, moment), moment, source="demo")
            self.counts["replied"] += 1
            # A person reads the answer and resumes the automation two days later.
            self.resume_on.setdefault(day + timedelta(days=2), []).append(message.customer.external_id)
        return clicked

    def _reply(self, message: Message, moment: datetime) -> bytes:
        reply = EmailMessage()
        reply["From"] = message.to
        reply["To"] = message.reply_to or message.from_email
        reply["Subject"] = f"RE: {message.subject}"
        reply["Date"] = format_datetime(moment)
        reply["Message-ID"] = make_msgid(domain=message.to.rpartition("@")[2])
        reply["In-Reply-To"] = message.message_id
        reply["References"] = message.message_id
        reply.set_content(ANSWERS.get(message.language, ANSWERS["en"]))
        return reply.as_bytes()

    def resume(self, workspace: Workspace, day: date) -> None:
        from relance.tracking.replies import do_resume

        for customer_id in self.resume_on.pop(day, []):
            do_resume(workspace, customer_id)


def dead_address_bounce(message: Message, moment: datetime) -> bytes:
    """The delivery status notification (RFC 3464) a receiving server sends back for an address that does
    not exist, as Postfix writes it."""
    boundary = f"dsn-{message.pk}"
    lines = [
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>",
        f"To: {message.from_email}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {format_datetime(moment)}",
        f"Message-ID: {make_msgid(domain='mx.example')}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        f"Your message could not be delivered to <{message.to}>: the mailbox does not exist.",
        "",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example",
        "",
        f"Final-Recipient: rfc822; {message.to}",
        "Action: failed",
        "Status: 5.1.1",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{message.to}>: Recipient address rejected: User unknown",
        "",
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
        f"From: {message.from_email}",
        f"To: {message.to}",
        f"Subject: {message.subject}",
        f"Message-ID: {message.message_id}",
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")
