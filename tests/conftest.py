"""A fixed 'today' for every test, so the `current` regime does not rot."""

from __future__ import annotations

import pytest

from helpers import TODAY


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTCALC_TODAY", TODAY)
