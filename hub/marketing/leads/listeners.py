"""What leads hears (hub/signals.py): enquiries become pool leads; a won referral writes its fee.

Both are idempotent by a unique key (the lead's `source_key`, the fee's `referral_id`): a replayed
delivery adds nothing."""
from __future__ import annotations

from ... import signals
from ...accounts.models import Organisation
from ...extensions import db
from . import referrals, services


@signals.lead_received.listener("leads.pool")
def on_lead_received(event: signals.Event) -> None:
    source = event.source if event.source in services.SOURCES else "other"
    notes = event.message or ""
    if event.organisation_id is not None:
        # The partner the customer chose (the public locator): named for the manager who offers the lead.
        org = db.session.get(Organisation, event.organisation_id)
        named = f"{org.name} (#{org.id})" if org is not None else f"#{event.organisation_id}"
        notes = f"Partner chosen by the customer ({event.source}): {named}\n{notes}".strip()
    if event.consent is False:
        notes = (notes + "\n(no consent to be contacted given)").strip()
    try:
        services.create_lead(source, company=event.company, contact_name=event.contact_name,
                             contact_email=event.contact_email or None, contact_phone=event.contact_phone,
                             region=event.region, notes=notes[:services.LIMITS["notes"]],
                             source_key=f"event:{event.id}")
    except services.LeadError:
        # A value the pool cannot take (an unknown region code, a malformed phone): keep the enquiry
        # with the codes and malformed contact details dropped. If even that is refused, the delivery
        # fails and waits at /admin/event-deliveries rather than losing the enquiry.
        email = event.contact_email if services.EMAIL.match(event.contact_email or "") else None
        phone = event.contact_phone if services.PHONE.match(event.contact_phone or "") else None
        services.create_lead(source, company=event.company, contact_name=event.contact_name,
                             contact_email=email, contact_phone=phone,
                             notes=(notes + f"\n{event.contact_email or ''} {event.contact_phone or ''}").strip()
                             [:services.LIMITS["notes"]], source_key=f"event:{event.id}")


@signals.referral_won.listener("leads.referral_fee")
def on_referral_won(event: signals.Event) -> None:
    referrals.record_fee(event.referral_id, event.organisation_id, event.amount_kopecks, event.occurred_at,
                         fee=event.payload.get("fee_kopecks"), basis=event.payload.get("fee_basis"))


@signals.commission_line_paid.listener("leads.referral_fee_paid")
def on_commission_line_paid(event: signals.Event) -> None:
    """A referral fee is paid where every payout is: on the partner's commission statement (its line's
    source key is referral:<id>). The referral's own fee record follows it, so the leads pages, the
    referral report and the statement never disagree on what was paid. Idempotent: only an owed fee
    changes."""
    if event.source_key.startswith("referral:"):
        referrals.fee_paid_on_statement(int(event.source_key.split(":", 1)[1]), event.paid_at)
