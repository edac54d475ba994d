"""Stage 1, reading: files to located nodes (``loader``), the AsyncAPI document of any version to
version-free raw channels and messages (``document``, with its key tables in ``fields`` and
``keys``), and the problems found on the way, as values with a level and a location."""
