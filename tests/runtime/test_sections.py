"""The pieces a template includes from a runtime module (``msgen.runtime.included``)."""

from __future__ import annotations

import pytest

from msgen import runtime


def test_the_codec_pieces_are_the_module_below_its_marker() -> None:
    below = runtime.source("codec").partition(runtime.MARKER + "\n")[2]
    core, wav = runtime.included("codec"), runtime.included("codec", "wav")
    assert below == core + "\n\n" + runtime.SECTION + "wav\n" + wav
    assert core.startswith("MIN_RATE: Final") and core.endswith('.decode("ascii")\n')
    assert wav.startswith("# --- WAV") and not wav.endswith("\n\n")


def test_unknown_sections_and_modules_without_a_marker_are_errors() -> None:
    with pytest.raises(LookupError, match="no section 'nope'"):
        runtime.included("codec", "nope")
    with pytest.raises(LookupError, match="has no line"):
        runtime.included("serving")
