"""Unit tests of msgen.runtime (a package: generated/tests has modules of the same names)."""
