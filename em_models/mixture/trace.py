"""A Gaussian mixture's trace file (the codec lives in :mod:`em_core.trace_json`): written by
the command line and the export, read and checked, and replayed by *Open a prepared run*."""

from em_core.trace_json import read_document as read
from em_core.trace_json import replay
from em_core.trace_json import trace_to_json as write

__all__ = ["read", "replay", "write"]
