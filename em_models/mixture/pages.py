"""The Gaussian mixture's pages: its lessons under "Learn" and "Your own data" under
"Explore" (their files are in ``lessons/``)."""

from em_models.registry import Page

LESSONS = "em_models/mixture/lessons"

PAGES = (
    Page(f"{LESSONS}/home.py", "Start here", ":material/home:", default=True),
    Page(f"{LESSONS}/worked_example.py", "Worked example", ":material/school:"),
    Page(f"{LESSONS}/kmeans_start.py", "The K-means start", ":material/scatter_plot:"),
    Page(f"{LESSONS}/collapse.py", "Collapse and the ridge", ":material/compress:", "collapse"),
    Page(f"{LESSONS}/choose_k.py", "Choosing K", ":material/query_stats:"),
    Page(f"{LESSONS}/restarts.py", "Restarts and local optima", ":material/restart_alt:"),
    Page(f"{LESSONS}/why_em_climbs.py", "Why EM climbs", ":material/trending_up:"),
    Page(f"{LESSONS}/your_data.py", "Your own data", ":material/upload_file:", section="Explore"),
)
