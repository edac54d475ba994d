"""A pytest plugin for the generated tests of the outside documents: hypothesis draws 20 examples
per test instead of the package's 200. Those runs prove that each document builds and that every
kind of test generated with it passes; the full depth runs on the default spec's package."""

from __future__ import annotations

import pytest
from hypothesis import settings


def pytest_sessionstart(session: pytest.Session) -> None:
    # After the package's conftest has loaded its own profile: derive from it, fewer examples.
    settings.register_profile("fewer-examples", settings(), max_examples=20)
    settings.load_profile("fewer-examples")
