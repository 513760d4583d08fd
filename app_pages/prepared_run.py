"""Open a prepared run: a trace file from the command line or from the app's export, stepped
through in the same view as every other run."""

import streamlit as st

from em_models import registry
from em_ui import links
from em_ui.prepared import describe, open_prepared, show

KEY = "prepared"
LEFT_OUT = (
    "A prepared run's file cannot travel in a link: whoever opens it is asked for the file, "
    "and then sees this half-step."
)

link = links.start(KEY)
st.title("Open a prepared run")
st.write(
    "Prepare a run before class, then step through it here exactly as it ran: make it with "
    "`python -m em_core fit data.csv -k 3 --with-data > run.json` (any model's: "
    + ", ".join(f"`--model {model.name}`" for model in registry.with_part("prepared"))
    + "), or with *Export this run* under the chart of any page. The file carries the data, "
    "the settings and every iteration; the app runs EM again from the file's start and shows "
    "the run, in its model's own view, only if every iteration agrees."
)

opened = open_prepared(KEY)
st.caption(describe(opened))
show(opened, KEY)
link.finish(left_out=LEFT_OUT)
