"""The stakeholder link page's rate limit, raised for the benchmark process only."""

BENCH_LINK_LIMIT = 10**9


def raise_link_rate_limit() -> None:
    from django.conf import settings

    from stakeholders import views

    if hasattr(views, "LINK_REQUESTS_PER_MINUTE"):
        views.LINK_REQUESTS_PER_MINUTE = BENCH_LINK_LIMIT
    # Should the limit move to a setting, the same value applies.
    for name in ("STAKEHOLDER_LINK_REQUESTS_PER_MINUTE", "LINK_REQUESTS_PER_MINUTE"):
        if hasattr(settings, name):
            setattr(settings, name, BENCH_LINK_LIMIT)
