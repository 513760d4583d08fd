"""The hidden Markov model's page under "Learn"."""

from em_models.registry import Page

PAGES = (
    Page(
        "em_models/hmm/page.py",
        "Hidden Markov models",
        ":material/timeline:",
        "hmm",
    ),
)
