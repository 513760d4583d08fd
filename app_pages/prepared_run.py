"""Open a prepared run: a trace file from the command line or from the app's export, stepped
through in the same view as every other run."""

import streamlit as st

from em_ui import links
from em_ui.data_sources import LoadedData, choose_view_axes
from em_ui.mixture_stepper import stepping_view
from em_ui.prepared import describe, open_prepared

KEY = "prepared"
LEFT_OUT = (
    "A prepared run's file cannot travel in a link: whoever opens it is asked for the file, "
    "and then sees this half-step."
)

link = links.start(KEY)
st.title("Open a prepared run")
st.write(
    "Prepare a run before class, then step through it here exactly as it ran: make it with "
    "`python -m em_core fit data.csv -k 3 --with-data > run.json`, or with *Export this run* "
    "under the chart of any page. The file carries the data, the settings and every "
    "iteration; the app runs EM again from the file's start and shows the run only if every "
    "iteration agrees."
)

opened = open_prepared(KEY)
st.caption(describe(opened))
columns = list(opened.columns)
dims = choose_view_axes(KEY, LoadedData(opened.X, opened.columns, ""), columns)
stepping_view(opened.X, opened.trace, key=KEY, column_names=opened.columns, dims=dims)
link.finish(left_out=LEFT_OUT)
