"""Benchmarks (not tests): `python -m bench.deals`, `bench.library`, `bench.rewards`, `bench.events`, `bench.qa`, `bench.pages`."""
import statistics


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method, as every bench prints it)."""
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
