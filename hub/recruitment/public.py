"""What other features may use of recruitment: its events and the read-only facts about applications."""
from .events import application_decided, application_submitted, referral_bonus_earned  # noqa: F401
from .targets import cost_totals  # noqa: F401,E402  ([(quarter, kopecks)]: the numerator of CACp, for insights)
