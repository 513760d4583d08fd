"""A Gaussian mixture's trace file (the codec lives in :mod:`em_core.trace_json`): written by
the command line and the export; read back by its ``prepared`` part."""

from em_core.trace_json import trace_to_json as write

__all__ = ["write"]
