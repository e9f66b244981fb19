"""API tokens: `rl_` + a random secret; the database holds only its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "rl_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_display_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 6]
