"""The SMTP configuration, parsed from an EMAIL_URL with strict, password-safe errors."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

Security = Literal["none", "starttls", "tls"]
_SCHEMES: dict[str, Security] = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
_DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "tls": 465}
_OPTIONS = ("starttls", "timeout", "local_hostname", "ssl_verify")


# -- configuration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SMTPConfig:
    """Where and how to connect. The password stays out of repr() and str(), so logging a config is safe."""

    host: str
    port: int = 25
    username: str = ""  # empty: no AUTH
    password: str = field(default="", repr=False)
    security: Security = "none"
    timeout: float = 30.0  # seconds, for each network operation
    local_hostname: str = "localhost"  # sent in EHLO; a fixed name spares a slow socket.getfqdn()
    ssl_verify: bool = True

    @classmethod
    def from_url(cls, url: str) -> SMTPConfig:
        """Parse an EMAIL_URL.

        Forms: ``smtp://[user:password@]host[:port]`` (plain, port 25), ``smtp+starttls://...`` or
        ``smtp://...?starttls=true`` (STARTTLS, port 587), ``smtps://...`` (TLS from the start, port 465).
        The user name and password are percent-decoded: write ``/ ? # @ : %`` in them as ``%2F %3F %23
        %40 %3A %25``. Query options: ``timeout`` (seconds, default 30), ``local_hostname`` (the EHLO name,
        default ``localhost``), ``starttls=true|false``, ``ssl_verify=false`` to accept any certificate
        (for a relay with a self-signed certificate on a private network only: it gives up the protection
        TLS is there for). A bad URL raises ValueError naming EMAIL_URL and the problem, never the password.
        """
        return _parse_url(url)

    def __str__(self) -> str:
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.security]
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


def _invalid(reason: str) -> ValueError:
    return ValueError(f"EMAIL_URL is invalid: {reason}")


def _parse_url(url: str) -> SMTPConfig:
    # Error messages quote nothing that could be part of the password: a password with an unencoded
    # '/', '?' or '#' ends the host part early and spills into the path, the port or the query.
    url = url.strip()
    if not url:
        raise _invalid("it is empty")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        shown = f" (got {scheme!r})" if re.fullmatch(r"[a-z0-9+.-]{1,20}", scheme) else ""
        raise _invalid(f"it must start with smtp://, smtp+starttls:// or smtps://{shown}")
    parts = urlsplit(url)
    if "@" in url[len(scheme) + 3 + len(parts.netloc) :]:
        raise _invalid("an '@' comes after the host: percent-encode '/', '?', '#' and '@' in the password")
    if not parts.hostname:
        raise _invalid("it names no host")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise _invalid("the port must be a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.fragment:
        raise _invalid("it must have nothing after the host and port but ?options")
    username = unquote(parts.username or "")
    if parts.password is not None and not username:
        raise _invalid("it has a password but no user name")
    if username and parts.password is None:
        raise _invalid("it has a user name but no password (write user:password@host)")
    options = _parse_options(parts.query)
    security = _security(_SCHEMES[scheme], options)
    ssl_verify = _parse_bool("ssl_verify", options.get("ssl_verify", "true"))
    if not ssl_verify and security == "none":
        raise _invalid("ssl_verify applies only to smtps:// or STARTTLS")
    return SMTPConfig(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        username=username,
        password=unquote(parts.password or ""),
        security=security,
        timeout=_parse_timeout(options.get("timeout", "30")),
        local_hostname=_parse_hostname(options.get("local_hostname", "localhost")),
        ssl_verify=ssl_verify,
    )


def _parse_options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _OPTIONS:
            raise _invalid(f"unknown option {key!r} (known: {', '.join(_OPTIONS)})")
        if key in options:
            raise _invalid(f"option {key!r} is given twice")
        options[key] = value
    return options


def _security(from_scheme: Security, options: Mapping[str, str]) -> Security:
    if "starttls" not in options:
        return from_scheme
    wanted = _parse_bool("starttls", options["starttls"])
    if from_scheme == "tls":
        raise _invalid("the starttls option does not apply to smtps://, which is TLS from the start")
    if from_scheme == "starttls" and not wanted:
        raise _invalid("smtp+starttls:// contradicts starttls=false")
    return "starttls" if wanted else "none"


def _parse_bool(name: str, value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise _invalid(f"option {name!r} must be true or false, not {value!r}")
    return value.lower() == "true"


def _parse_timeout(value: str) -> float:
    try:
        timeout = float(value)
    except ValueError:
        timeout = math.nan
    if not (math.isfinite(timeout) and timeout > 0):
        raise _invalid(f"option 'timeout' must be a positive number of seconds, not {value!r}")
    return timeout


def _parse_hostname(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", value):
        raise _invalid(f"option 'local_hostname' must be a host name, not {value!r}")
    return value


# -- errors ----------------------------------------------------------------------------------------------
