"""Home: what EM does for a mixture, and where to begin."""

import streamlit as st

st.title("EM for Gaussian mixtures")
st.markdown(
    """
A Gaussian mixture says each data point came from one of K bell curves, but it does not
tell you which. **Expectation–Maximisation (EM)** untangles this by alternating two easy
questions:

- **E-step** — *given the curves*, how responsible is each curve for each point?
  (a soft assignment, a number between 0 and 1 for every point and curve)
- **M-step** — *given those responsibilities*, where should each curve sit, how wide should
  it be, and how much weight should it carry? (weighted averages, in closed form)

Each round can only raise the likelihood of the data (or leave it where it is), so the
curves settle. Here you can watch every half of every round, with the numbers behind it.
"""
)
st.header("Try this first")
st.markdown(
    """
1. Open **Worked example**: six points, two Gaussians. Press **E-step** and watch the points
   change colour; press **M-step** and watch the curves move. Open *Formulas with these
   numbers* to see exactly where each value comes from.
2. Press ▶ on the chart to play the whole run, or drag the half-step slider under it. When
   the animation stops, the page shows the half-step the chart stopped at. On a keyboard,
   **E** and **M** press the two half-steps, **→** and **←** go forward and back.
3. Then bring your own numbers, or a classic data set such as Old Faithful, on
   **Your own data**.
"""
)
st.page_link(
    "em_models/mixture/lessons/worked_example.py",
    label="Go to the worked example",
    icon=":material/school:",
)
st.page_link(
    "em_models/mixture/lessons/your_data.py",
    label="Fit your own data",
    icon=":material/upload_file:",
)
