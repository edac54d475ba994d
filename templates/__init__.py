"""The shared Jinja templates of generated packages, shipped as msgen.templates' package data."""
