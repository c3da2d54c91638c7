"""Settings from the environment, with safe defaults.

Every setting is an environment variable (listed in README.md). Nothing secret is hard-coded:
when HUB_SECRET_KEY is not given, a key is generated once and kept in the data directory.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    path = Path(os.environ.get("HUB_DATA_DIR", ROOT / "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    given = os.environ.get("HUB_SECRET_KEY")
    if given:
        return given
    key_file = directory / "secret_key"
    if not key_file.exists():
        # O_EXCL: two workers starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url(directory: Path) -> str:
    url = os.environ.get("HUB_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{directory / 'hub.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment() -> dict:
    directory = data_dir()
    return {
        "DATA_DIR": str(directory),
        "SECRET_KEY": secret_key(directory),
        "SQLALCHEMY_DATABASE_URI": database_url(directory),
        "CONTENT_DIR": os.environ.get("HUB_CONTENT_DIR", str(ROOT / "content")),
        "BABEL_DEFAULT_LOCALE": os.environ.get("HUB_DEFAULT_LOCALE", "ru"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("HUB_TIMEZONE", "Europe/Moscow"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "HUB_BASE_URL": os.environ.get("HUB_BASE_URL", "http://127.0.0.1:5000"),
        "HUB_PROXY_HOPS": int(os.environ.get("HUB_PROXY_HOPS", "0")),
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("HUB_HTTPS")),
        "REMEMBER_COOKIE_SECURE": _bool(os.environ.get("HUB_HTTPS")),
        "MAIL_SENDER": os.environ.get("HUB_MAIL_SENDER", "Partner Hub <hub@localhost>"),
        "SMTP_HOST": os.environ.get("HUB_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("HUB_SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("HUB_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("HUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(os.environ.get("HUB_SMTP_STARTTLS")),
        "RATELIMIT_STORAGE_URI": os.environ.get("HUB_RATELIMIT_STORAGE", "memory://"),
        "LOGIN_MAX_FAILURES": int(os.environ.get("HUB_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("HUB_LOGIN_LOCK_MINUTES", "15")),
        "LOGIN_RATE_PER_ADDRESS": os.environ.get("HUB_LOGIN_RATE", "30 per 15 minutes"),
        "INVITATION_DAYS": int(os.environ.get("HUB_INVITATION_DAYS", "7")),
        "SEARCH_BACKEND": os.environ.get("HUB_SEARCH_BACKEND", "whoosh"),
    }


class Defaults:
    """Settings that are the same everywhere (not read from the environment)."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Text fields: each multipart text part, and a whole urlencoded form (hub/inputs.py), at most this.
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_QUERY_STRING_LENGTH = 8 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    PAGE_SIZE = 25
