"""The server stays alive under a wave of heavy fits (the suite's small version of
``benchmarks/bench_wave.py``).

Sixteen sessions open "Your own data" by its address at once, each a fit of a few seconds
among the others (galaxies, K = 10, random starts, 500 iterations at tol 1e-10, each its own
seed and 1 to 12 restarts, so that they end one after another), on a server started as
deployed (``scripts/serve.py``, the project's configuration). Meanwhile ``/_stcore/health``
is asked every 0.25 s. Every check must be answered, and within 5 s: a liveness check, not
a speed claim (it answered within 0.5 s at a load average of 8). With Streamlit's file
watcher on (``STREAMLIT_SERVER_FILE_WATCHER_TYPE=auto`` in the environment), the event loop
walks every imported module after each session's first run while the other fits hold the
interpreter, and the server answered nothing for 8-10 s, every session's page arriving at
the same moment. The freeze grows with the sessions (each walk, and each fit it waits
for): eight sessions gave only 4-6 s, so the wave is sixteen light fits rather than eight
heavy ones, for the same work.
"""

from __future__ import annotations

import pytest
from app_harness import ARTIFACTS, SERVE, AppServerError, running_app
from st_wave import fit_visits, run_wave

LIVENESS_S = 5.0
RESTARTS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 12)


def test_health_answers_throughout_a_wave_of_heavy_fits() -> None:
    plans = [
        fit_visits(1, restarts=restarts, first_seed=i + 1)[0] for i, restarts in enumerate(RESTARTS)
    ]
    try:
        with running_app(ARTIFACTS / "wave-server.log", script=SERVE) as app:
            report = run_wave(app.url, app.process.pid, plans, timeout_s=120, settle_s=0)
    except AppServerError as error:
        pytest.fail(str(error), pytrace=False)
    assert [o.detail for o in report.errors] == []
    assert report.counts == {("fit", "shown"): len(plans)}
    assert len(report.health_s) >= 4
    slow = [round(s, 1) for s in report.health_s if s > LIVENESS_S]
    assert slow == [], f"the health check took {slow} s (of {len(report.health_s)} checks)"
