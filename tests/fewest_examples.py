"""A pytest plugin for the generated tests of the corpus (tests/corpus): hypothesis draws 5 examples
per test instead of the package's 200. Forty-odd documents run in CI on every change, so each runs
at the least depth that still makes every kind of generated test draw, build and check messages:
a document that stops building, or a kind of test that breaks for it, fails there."""

from __future__ import annotations

import pytest
from hypothesis import settings


def pytest_sessionstart(session: pytest.Session) -> None:
    # After the package's conftest has loaded its own profile: derive from it, fewest examples.
    settings.register_profile("fewest-examples", settings(), max_examples=5)
    settings.load_profile("fewest-examples")
