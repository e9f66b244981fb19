"""Fetching replies from an IMAP mailbox (imapclient), for `relance fetch-replies`.

RELANCE_IMAP_URL names the mailbox::

    imap://USER:PASSWORD@HOST[:PORT]/FOLDER      plain IMAP (port 143), or STARTTLS with ?starttls=true
    imaps://USER:PASSWORD@HOST[:PORT]/FOLDER     IMAP over TLS (port 993)

USER and PASSWORD are percent-encoded (``compta%40acme.example``); FOLDER defaults to INBOX. Query options:
``timeout`` (seconds, default 30), ``starttls`` (true/false, imap:// only). RELANCE_IMAP_URL_FILE may name a
file that holds the URL (a mounted secret).

What is fetched: the UNSEEN messages of the folder, read with BODY.PEEK (reading does not mark them). What
is marked: only the messages Relance recorded (replies, automatic replies it matched, bounces, and
duplicates of those) get the \\Seen flag, and are moved to the folder ``Relance/Processed`` when it exists
(with the server's hierarchy delimiter, e.g. ``Relance.Processed``). Messages that match nothing are left
untouched, unseen, for the people who share the mailbox.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from relance.accounts.models import Workspace
from relance.conf import env
from relance.tracking import replies

ENV_NAME = "RELANCE_IMAP_URL"
PROCESSED_FOLDER = ("Relance", "Processed")
BATCH = 50


class ImapConfigError(ValueError):
    """RELANCE_IMAP_URL is missing or malformed (exit code 2)."""


class ImapConnectError(Exception):
    """The server cannot be reached, or refuses the login (exit code 1)."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    tls: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @property
    def safe_url(self) -> str:
        """The URL without the password, for messages."""
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{quote(self.username, safe='')}@{self.host}:{self.port}/{quote(self.folder)}"


def _flag(name: str, values: list[str]) -> bool:
    raw = values[-1].strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImapConfigError(f"{ENV_NAME}: {name}={values[-1]!r}: expected true or false")


def parse_imap_url(url: str) -> ImapSettings:
    """Settings from an imap:// or imaps:// URL; ImapConfigError names what is wrong (never the password)."""
    if not url.strip():
        raise ImapConfigError(
            f"{ENV_NAME} is not set: set it to imap://user:password@host:port/INBOX (or imaps://...)"
        )
    try:
        parts = urlsplit(url.strip())
        port_value = parts.port
    except ValueError as exc:
        raise ImapConfigError(f"{ENV_NAME} is not a valid URL: {exc}") from None
    if parts.scheme not in {"imap", "imaps"}:
        raise ImapConfigError(
            f"{ENV_NAME} must start with imap:// or imaps://, not {parts.scheme or '(none)'}"
        )
    if not parts.hostname:
        raise ImapConfigError(f"{ENV_NAME} names no host")
    if not parts.username or parts.password is None:
        raise ImapConfigError(f"{ENV_NAME} needs a user and a password: imap://user:password@host/INBOX")
    tls = parts.scheme == "imaps"
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(options) - {"timeout", "starttls"}
    if unknown:
        raise ImapConfigError(f"{ENV_NAME}: unknown option(s) {', '.join(sorted(unknown))}")
    timeout = 30.0
    if "timeout" in options:
        try:
            timeout = float(options["timeout"][-1])
        except ValueError:
            raise ImapConfigError(f"{ENV_NAME}: timeout must be a number of seconds") from None
        if timeout <= 0:
            raise ImapConfigError(f"{ENV_NAME}: timeout must be positive")
    starttls = _flag("starttls", options["starttls"]) if "starttls" in options else False
    if starttls and tls:
        raise ImapConfigError(f"{ENV_NAME}: starttls is for imap:// (imaps:// is TLS already)")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapSettings(
        host=parts.hostname,
        port=port_value or (993 if tls else 143),
        username=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
        tls=tls,
        starttls=starttls,
        timeout=timeout,
    )


def settings_from_env() -> ImapSettings:
    return parse_imap_url(env(ENV_NAME))


@contextmanager
def connect(settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> Iterator[IMAPClient]:
    """A logged-in client with the folder selected; ImapConnectError when that fails."""
    where = f"{settings.safe_url} ({ENV_NAME})"
    try:
        client = IMAPClient(
            settings.host,
            port=settings.port,
            ssl=settings.tls,
            ssl_context=ssl_context,
            timeout=settings.timeout,
        )
    except (OSError, IMAPClientError) as exc:
        raise ImapConnectError(f"cannot reach the IMAP server at {where}: {exc}") from None
    client.normalise_times = False  # INTERNALDATE with its zone
    try:
        try:
            if settings.starttls:
                client.starttls(ssl_context)
            client.login(settings.username, settings.password)
        except LoginError:
            raise ImapConnectError(
                f"the IMAP server at {where} refused the login (user or password)"
            ) from None
        except (OSError, IMAPClientError) as exc:
            raise ImapConnectError(f"cannot log in to the IMAP server at {where}: {exc}") from None
        try:
            client.select_folder(settings.folder)
        except IMAPClientError as exc:
            raise ImapConnectError(f"cannot open the folder {settings.folder!r} at {where}: {exc}") from None
        yield client
    finally:
        try:
            client.logout()
        except (OSError, IMAPClientError):
            with suppress(OSError):
                client.shutdown()


def _processed_folder(client: IMAPClient) -> str | None:
    """The name of Relance/Processed in the server's own hierarchy delimiter, if the folder exists."""
    for _flags, delimiter, name in client.list_folders():
        text = name if isinstance(name, str) else name.decode()
        sep = delimiter.decode() if isinstance(delimiter, bytes) else (delimiter or "/")
        if tuple(text.split(sep)) == PROCESSED_FOLDER or text == "/".join(PROCESSED_FOLDER):
            return text
    return None


@dataclass
class FetchReport:
    fetched: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    moved_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"fetched": self.fetched, **self.counts, "moved_to": self.moved_to, "items": self.items}


def fetch_replies(
    workspace: Workspace, settings: ImapSettings, ssl_context: ssl.SSLContext | None = None
) -> FetchReport:
    """Fetch the folder's unseen messages and record each (replies.do_handle_incoming)."""
    report = FetchReport(counts={k: 0 for k in replies.KINDS})
    with connect(settings, ssl_context) as client:
        processed = _processed_folder(client)
        report.moved_to = processed
        uids = sorted(client.search(["UNSEEN"]))
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            done: list[int] = []
            for uid, data in client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"]).items():
                raw = data.get(b"BODY[]")
                if raw is None:
                    continue
                arrived = data.get(b"INTERNALDATE")
                outcome = replies.do_handle_incoming(
                    workspace, bytes(raw), arrived if isinstance(arrived, datetime) else None
                )
                report.fetched += 1
                report.counts[outcome.kind] += 1
                report.items.append(outcome.as_dict())
                if outcome.kind != replies.UNMATCHED:
                    done.append(uid)
            _mark(client, done, processed)
    return report


def _mark(client: IMAPClient, uids: list[int], processed: str | None) -> None:
    if not uids:
        return
    client.add_flags(uids, [b"\\Seen"], silent=True)
    if processed is None:
        return
    if client.has_capability("MOVE"):
        client.move(uids, processed)
        return
    client.copy(uids, processed)
    client.delete_messages(uids, silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


__all__ = [
    "ENV_NAME",
    "FetchReport",
    "ImapConfigError",
    "ImapConnectError",
    "ImapSettings",
    "connect",
    "fetch_replies",
    "parse_imap_url",
    "settings_from_env",
]
