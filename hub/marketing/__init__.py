"""Co-marketing (SPEC M1, M2, D6, D10): the MDF ledger with requests and claims, co-branded
material, and leads both ways (vendor to partner, referrals from partner to vendor). Each
sub-package is a feature of its own (its blueprint, models, registrations), named in
hub/features.py as "marketing.<name>"; this package only groups them."""
