"""Entry point and router: `streamlit run app.py`."""

import streamlit as st

from em_ui.state import keep_widget_values

st.set_page_config(page_title="EM for Gaussian mixtures", page_icon="🎯", layout="wide")

pages = {
    "Learn": [
        st.Page("app_pages/home.py", title="Start here", icon=":material/home:", default=True),
        st.Page("app_pages/worked_example.py", title="Worked example", icon=":material/school:"),
    ],
    "Explore": [
        st.Page("app_pages/your_data.py", title="Your own data", icon=":material/upload_file:"),
    ],
}
navigation = st.navigation(pages)
keep_widget_values()  # before the page runs: a page not shown must not lose its settings
navigation.run()
