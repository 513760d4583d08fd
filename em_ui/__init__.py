"""Streamlit pieces every page reuses: the stepping view, settings widgets, data sources and
the cached engine calls. Pages wire these together; the maths lives in em_core."""
