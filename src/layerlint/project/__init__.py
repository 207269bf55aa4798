"""The project model: discovery, parsing, per-module facts, the index and the import graph."""
