"""Transport failures: transient (retry later) or permanent (never works), with where they happened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

# Where a send failed: "connect" covers TCP, TLS, EHLO and AUTH (nothing about this message: the next one
# will fail the same way, so a caller may stop its batch); "message" means our own checks refused it.
Stage = Literal["connect", "MAIL", "RCPT", "DATA", "message"]


class TransportError(Exception):
    """Sending failed. `permanent`: the same message can never go through (SMTP 5xx); otherwise try later.

    `code` is the SMTP reply code when there was one, `stage` where it failed (see `Stage`), `refused` the
    refused recipients with their (code, reply) when the failure was theirs.
    """

    def __init__(
        self,
        message: str,
        permanent: bool,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.stage: Stage = stage
        self.refused = dict(refused or {})

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than self.args: rebuild through the base initialiser, so that
        # copy.copy() and pickle work for all of them.
        state = (self.message, self.permanent, self.code, self.stage, self.refused)
        return (_rebuild_error, (type(self), *state))


class TransientError(TransportError):
    """A failure that may go away: SMTP 4xx, timeout, refused or broken connection, failed login."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message, False, code, stage=stage, refused=refused)


class PermanentError(TransportError):
    """A failure that sending again will repeat: SMTP 5xx, or a message we cannot send at all."""

    def __init__(
        self,
        message: str,
        code: int | None = None,
        *,
        stage: Stage = "message",
        refused: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message, True, code, stage=stage, refused=refused)


def _rebuild_error(
    cls: type[TransportError],
    message: str,
    permanent: bool,
    code: int | None,
    stage: Stage,
    refused: dict[str, tuple[int, str]],
) -> TransportError:
    error = Exception.__new__(cls)
    TransportError.__init__(error, message, permanent, code, stage=stage, refused=refused)
    return error


def _reply_error(
    code: int, text: str, stage: Stage, refused: Mapping[str, tuple[int, str]] | None = None
) -> TransportError:
    error_type = PermanentError if 500 <= code <= 599 else TransientError
    return error_type(text, code, stage=stage, refused=refused)


# -- the seam ---------------------------------------------------------------------------------------------
