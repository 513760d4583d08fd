"""The topic models' one page under "Learn" (pLSA and LDA share it: the page offers both)."""

from em_models.registry import Page

PAGES = (
    Page("em_models/topics/page.py", "EM for topics: pLSA and LDA", ":material/topic:", "topics"),
)
