"""Benchmarks (not tests): `python -m bench.deals`."""
