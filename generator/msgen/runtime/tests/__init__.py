"""The static parts of the tests every generated package carries.

Each module here holds the test code that renders the same for every document, cut into named
sections that a template under ``tests/`` includes (``{{ runtime("tests.codec", "NAME") }}``)
between what it renders: imports from the package by its name, per-document parametrizations,
docstrings naming messages. Above the first section, each module imports what its tests use so
that it stands alone for ruff and mypy: the static runtime from ``msgen.runtime`` where the
tested code is static, and the contract ``rendered.pyi`` for names a document decides (frame
classes, the codec's bindings to them), as the Twilio Media Streams document renders them.
"""
