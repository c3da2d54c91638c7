"""What other features may use of leads: put a lead into the managers' pool.

    from hub.marketing.leads import public as leads
    leads.create_lead("event", company="ООО «Ромашка»", contact_name="Иван", contact_email="i@x.ru",
                      source_key=f"event-followup:{attendee.id}")   # the caller commits

Or emit `signals.lead_received` and let the pool's listener do it (preferred across features)."""
from .models import SOURCES  # noqa: F401
from .services import LeadError, create_lead  # noqa: F401
