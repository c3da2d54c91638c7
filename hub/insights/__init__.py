"""Insights (SPEC I1–I4): the program measured like a marketing channel.

Sub-features, each its own entry in hub/features.py: `insights.kpis` (the seed KPIs per period and
relationship type, the key-partner view and the partner's own dashboard) and `insights.funnel` (every
organisation's stage from application to expansion, conversions, time in stage, the weekly report).
Both read only their own read models, kept current by durable-event listeners (hub/signals.py) and
rebuilt from history with `flask --app hub worker --replay <listener>`; `charts` draws their figures.
"""
