"""A sample module that skips as a whole, for test_ci_never_skips.py (never collected by the suite)."""

import pytest

pytest.skip("Needs REDIS_URL and a PostgreSQL DATABASE_URL: the integration stack.", allow_module_level=True)


def test_never_collected():
    raise AssertionError("never runs")
