"""A fixed 'today' for every test, so the `current` regime does not rot."""

from __future__ import annotations

import pytest

from helpers import TODAY


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTCALC_TODAY", TODAY)


# Hypothesis: derandomised in CI (reproducible); `SENTCALC_LONG=1` runs the long profile by hand.
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=1_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile("long" if os.environ.get("SENTCALC_LONG") else "ci")
