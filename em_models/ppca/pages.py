"""Probabilistic PCA's page under "Learn"."""

from em_models.registry import Page

PAGES = (Page("em_models/ppca/page.py", "Probabilistic PCA", ":material/linear_scale:", "ppca"),)
