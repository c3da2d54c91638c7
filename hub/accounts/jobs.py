"""Periodic jobs of accounts (run by `flask --app hub tick`)."""
from ..core.cli import tick_job
from . import services, sessions


@tick_job("accounts")
def forget_ended_logins(echo) -> None:
    ended = sessions.purge()
    forgotten = services.purge_login_failures()
    echo(f"ended logins removed: {ended}, login counters forgotten: {forgotten}")
