"""What other features may use of deals (tests/import_contracts.py): registering a deal for a
partner and the live conflict check, exactly as the deal form runs them."""
from __future__ import annotations

from .models import ACTIVE, Deal  # noqa: F401
from .services import (CheckResult, DealError, DealInput, DuplicateRegistration, NotPermitted,  # noqa: F401
                       amount_problem, check_customer, expected_close_problem, expected_close_window,
                       program_today, register_deal)
