"""Factor analysis's page under "Learn"."""

from em_models.registry import Page

PAGES = (Page("em_models/fa/page.py", "Factor analysis", ":material/hub:", "fa"),)
