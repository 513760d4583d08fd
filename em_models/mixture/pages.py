"""The Gaussian mixture's lesson pages under "Learn" (their files are in ``app_pages/``)."""

from em_models.registry import Page

PAGES = (
    Page("app_pages/home.py", "Start here", ":material/home:", default=True),
    Page("app_pages/worked_example.py", "Worked example", ":material/school:"),
    Page("app_pages/kmeans_start.py", "The K-means start", ":material/scatter_plot:"),
    Page("app_pages/collapse.py", "Collapse and the ridge", ":material/compress:", "collapse"),
    Page("app_pages/choose_k.py", "Choosing K", ":material/query_stats:"),
    Page("app_pages/restarts.py", "Restarts and local optima", ":material/restart_alt:"),
    Page("app_pages/why_em_climbs.py", "Why EM climbs", ":material/trending_up:"),
)
