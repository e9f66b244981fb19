"""Reading configuration from the environment: strict parsing, clear errors, safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """An environment variable holds a value we refuse to guess about."""


def env(name: str, default: str = "") -> str:
    """Value of `name`, or of the file named by `name_FILE` (for secrets mounted as files)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def env_int(name: str, default: int) -> int:
    raw = env(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from exc


def data_dir() -> Path:
    """The git-ignored folder that holds the default SQLite database and the demo's mail sink."""
    path = Path(env("RELANCE_DATA_DIR", str(PROJECT_DIR / "data"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
