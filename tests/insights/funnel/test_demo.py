"""`flask --app hub demo` gives a realistic funnel: every stage has partners, some are stalled, each
relationship has its own figures."""
from hub.insights.funnel import services


def test_the_demo_funnel_has_every_stage(demo):
    group = services.entries()
    parts = {p.segment: p for p in services.by_segment(group)}
    assert set(parts) == {"referral", "sales", "strategic", services.NO_SEGMENT}
    reached = {s.stage: sum(p.stats[i].reached for p in parts.values()) for i, s in enumerate(parts["sales"].stats)}
    assert all(reached[stage] > 0 for stage in services.STAGES), reached
    assert services.stalled(group)
    assert all(e.times[i] <= e.times[i + 1] for e in group for i in range(5)
               if e.times[i] is not None and e.times[i + 1] is not None)
