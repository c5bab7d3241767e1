"""Shared test set-up: every test must leave grad mode as it found it."""
import pytest

import minigrad


@pytest.fixture(autouse=True)
def _grad_mode_is_restored():
    assert minigrad.is_grad_enabled(), "a previous test left grad mode disabled"
    yield
    assert minigrad.is_grad_enabled(), "this test left grad mode disabled"


from hypothesis import settings  # noqa: E402

# Deterministic property tests: the same examples on every run and machine, no example database.
settings.register_profile("minigrad", derandomize=True, database=None, deadline=None,
                          print_blob=True)
settings.load_profile("minigrad")
