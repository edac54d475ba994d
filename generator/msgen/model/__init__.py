"""Stage 2, the model: raw channels to the frozen intermediate model (``ir``). ``normalize`` drives
it; ``schema`` turns JSON Schema into type nodes, ``discriminate`` finds how frames are told apart,
``connection`` reads servers, addresses and bindings, ``names`` makes identifiers."""
