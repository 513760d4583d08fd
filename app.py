"""Entry point and router: `streamlit run app.py`."""

# pandas first, whole, in every run: plotly looks for it in sys.modules while it builds a
# figure, so a figure built in one session while another session's thread is still importing
# pandas would meet a half-made module (AttributeError: partially initialized module).
import pandas  # noqa: F401
import streamlit as st

from em_ui.budget import use_one_blas_thread
from em_ui.state import keep_widget_values

use_one_blas_thread()  # every fit on the shared server uses one core, as its budget assumes
st.set_page_config(page_title="EM for Gaussian mixtures", page_icon="🎯", layout="wide")

pages = {
    "Learn": [
        st.Page("app_pages/home.py", title="Start here", icon=":material/home:", default=True),
        st.Page("app_pages/worked_example.py", title="Worked example", icon=":material/school:"),
        st.Page(
            "app_pages/kmeans_start.py", title="The K-means start", icon=":material/scatter_plot:"
        ),
        st.Page(
            "app_pages/collapse.py",
            title="Collapse and the ridge",
            icon=":material/compress:",
            url_path="collapse",
        ),
        st.Page("app_pages/choose_k.py", title="Choosing K", icon=":material/query_stats:"),
        st.Page(
            "app_pages/restarts.py",
            title="Restarts and local optima",
            icon=":material/restart_alt:",
        ),
        st.Page("app_pages/why_em_climbs.py", title="Why EM climbs", icon=":material/trending_up:"),
        st.Page(
            "app_pages/ppca.py",
            title="Probabilistic PCA",
            icon=":material/linear_scale:",
            url_path="ppca",
        ),
        st.Page(
            "em_models/hmm/page.py",
            title="EM for sequences: hidden Markov models",
            icon=":material/timeline:",
            url_path="hmm",
        ),
    ],
    "Explore": [
        st.Page("app_pages/your_data.py", title="Your own data", icon=":material/upload_file:"),
        st.Page(
            "app_pages/prepared_run.py", title="Open a prepared run", icon=":material/file_open:"
        ),
    ],
}
navigation = st.navigation(pages)
keep_widget_values()  # before the page runs: a page not shown must not lose its settings
navigation.run()
