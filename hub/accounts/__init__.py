from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import demo, jobs, labels, nav, notifications, routes  # noqa: E402,F401


@bp.record_once
def _install_labels(state) -> None:
    labels.install(state.app)
