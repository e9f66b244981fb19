"""Signed, tamper-proof tokens for the links a message carries: one salt per purpose.

Every token names a message by its Message-ID header (`Message.message_id`), which exists before the row is
saved, so compose() can build links too. A token is `django.core.signing` output (HMAC with SECRET_KEY): it
cannot be edited to name another message, another link or another purpose, and one made for opens is
refused as a click token. Tokens do not expire: a reminder read a year later still works.
"""

from __future__ import annotations

from django.core import signing

OPEN = "relance.tracking.open"
CLICK = "relance.tracking.click"
UNSUBSCRIBE = "relance.tracking.unsubscribe"
CONTACT = "relance.tracking.contact"


class BadToken(Exception):
    """Not a token we made for this purpose."""


def _short(message_id: str) -> str:
    # "<relance.<hex>@domain>" is what compose() makes; the brackets carry nothing.
    return message_id.strip().removeprefix("<").removesuffix(">")


def _full(short: str) -> str:
    return f"<{short}>"


def make(purpose: str, message_id: str, index: int | None = None) -> str:
    value: list[str | int] = [_short(message_id)]
    if index is not None:
        value.append(index)
    return signing.dumps(value, salt=purpose, compress=True)


def read(purpose: str, token: str) -> tuple[str, int | None]:
    """(Message-ID with angle brackets, link index or None). Raises BadToken."""
    try:
        value = signing.loads(token, salt=purpose)
    except signing.BadSignature as exc:  # includes a malformed payload
        raise BadToken(str(exc)) from exc
    except (ValueError, TypeError) as exc:  # defensive: undecodable data under a valid signature
        raise BadToken(str(exc)) from exc
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        raise BadToken("unexpected payload")
    if len(value) == 1:
        return _full(value[0]), None
    if len(value) == 2 and isinstance(value[1], int) and not isinstance(value[1], bool) and value[1] >= 0:
        return _full(value[0]), value[1]
    raise BadToken("unexpected payload")


def open_token(message_id: str) -> str:
    return make(OPEN, message_id)


def click_token(message_id: str, index: int) -> str:
    return make(CLICK, message_id, index)


def unsubscribe_token(message_id: str) -> str:
    return make(UNSUBSCRIBE, message_id)


def contact_token(message_id: str) -> str:
    return make(CONTACT, message_id)
