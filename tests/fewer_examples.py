"""A pytest plugin for generated tests run where another run already takes the same templates to
full depth: hypothesis draws 20 examples per test instead of the package's 200. Those runs prove
that every kind of test generated with the document passes; the full depth runs on the default
spec's package. (The corpus's documents run with ``fewest_examples``.)"""

from __future__ import annotations

import pytest
from hypothesis import settings


def pytest_sessionstart(session: pytest.Session) -> None:
    # After the package's conftest has loaded its own profile: derive from it, fewer examples.
    settings.register_profile("fewer-examples", settings(), max_examples=20)
    settings.load_profile("fewer-examples")
