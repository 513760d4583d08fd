"""Entry point: `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="EM for Gaussian mixtures", page_icon="🎯", layout="wide")
st.title("EM for Gaussian mixtures")
st.write("Watch the Expectation–Maximisation algorithm fit a mixture of Gaussians, step by step.")
