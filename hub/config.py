"""Settings from the environment, with safe defaults.

Every setting is an environment variable (listed in README.md). Nothing secret is hard-coded:
when HUB_SECRET_KEY is not given, a key is generated once and kept in the data directory.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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


def trusted_hosts(value: str | None, base_url: str) -> list[str] | None:
    """HUB_TRUSTED_HOSTS as Flask's TRUSTED_HOSTS: None (any host) when unset; otherwise the names
    given (".example.com" also accepts its subdomains) plus the host of HUB_BASE_URL."""
    names = [name.strip().lower() for name in (value or "").split(",") if name.strip()]
    if not names:
        return None
    base_host = urlsplit(base_url).hostname
    if base_host and base_host not in names:
        names.append(base_host)
    return names


def from_environment() -> dict:
    directory = data_dir()
    base_url = os.environ.get("HUB_BASE_URL", "http://127.0.0.1:5000")
    return {
        "DATA_DIR": str(directory),
        "SECRET_KEY": secret_key(directory),
        "SQLALCHEMY_DATABASE_URI": database_url(directory),
        "CONTENT_DIR": os.environ.get("HUB_CONTENT_DIR", str(ROOT / "content")),
        "BABEL_DEFAULT_LOCALE": os.environ.get("HUB_DEFAULT_LOCALE", "ru"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("HUB_TIMEZONE", "Europe/Moscow"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "HUB_BASE_URL": base_url,
        "TRUSTED_HOSTS": trusted_hosts(os.environ.get("HUB_TRUSTED_HOSTS"), base_url),
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
        "SEARCH_BACKEND": os.environ.get("HUB_SEARCH_BACKEND", "fts5"),
        # Domain-event deliveries (hub/domain_events): attempts before "failed", first retry pause.
        "EVENTS_MAX_ATTEMPTS": max(1, int(os.environ.get("HUB_EVENTS_MAX_ATTEMPTS", "10"))),
        "EVENTS_RETRY_SECONDS": max(0, int(os.environ.get("HUB_EVENTS_RETRY_SECONDS", "60"))),
    }


class Defaults:
    """Settings that are the same everywhere (not read from the environment)."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # How long a login lasts on the server (hub.accounts.sessions): with "keep me logged in" the
    # remember cookie's life, without it Flask's PERMANENT_SESSION_LIFETIME (31 days).
    REMEMBER_COOKIE_DURATION = timedelta(days=365)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    # The largest upload (a 20 MB library attachment) plus its form; each use has its own lower limit.
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024
    # Text fields: each multipart text part, and a whole urlencoded form (hub/inputs.py), at most this.
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_QUERY_STRING_LENGTH = 8 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    PAGE_SIZE = 25
