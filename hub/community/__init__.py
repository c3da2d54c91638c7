"""Community (SPEC C1–C7): events, the partner directory and locator, discussions, key-partner care
and partner NPS. Each sub-package is a feature of its own (its blueprint, models, registrations),
named in hub/features.py as "community.<name>"; this package only groups them."""
