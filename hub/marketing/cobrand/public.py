"""What other features may use of co-branded material (the import contracts allow only this module).

    from hub.marketing.cobrand.public import downloads_of
    downloads_of(org_id, start, end)  # {template slug: downloads} in [start, end), UTC

The same is offered as the fact "cobrand_downloads" (`facts.get("cobrand_downloads", org_id, start,
end, default=None)` -> {"total": n, "by_template": {...}}), for MDF's proof of performance.
"""
from .services import downloads_of  # noqa: F401

__all__ = ["downloads_of"]
