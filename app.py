"""Entry point and router: `streamlit run app.py`."""

# pandas first, whole, in every run: plotly looks for it in sys.modules while it builds a
# figure, so a figure built in one session while another session's thread is still importing
# pandas would meet a half-made module (AttributeError: partially initialized module).
import pandas  # noqa: F401
import streamlit as st

from em_models.registry import Page, pages_in
from em_ui import accessibility
from em_ui.budget import use_one_blas_thread
from em_ui.state import keep_widget_values

use_one_blas_thread()  # every fit on the shared server uses one core, as its budget assumes
st.set_page_config(page_title="EM for Gaussian mixtures", page_icon="🎯", layout="wide")


def menu_entry(page: Page) -> st.Page:
    """The router's entry for a model's page."""
    return st.Page(
        page.path, title=page.title, icon=page.icon, url_path=page.url_path, default=page.default
    )


pages = {
    "Learn": [menu_entry(page) for page in pages_in("Learn")],
    "Explore": [
        *(menu_entry(page) for page in pages_in("Explore")),
        st.Page(
            "app_pages/prepared_run.py", title="Open a prepared run", icon=":material/file_open:"
        ),
    ],
}
# Every page stays listed: Streamlit folds a long menu behind "View more" unless told not to.
navigation = st.navigation(pages, expanded=True)
accessibility.apply()
keep_widget_values()  # before the page runs: a page not shown must not lose its settings
navigation.run()
