"""Start the app with its libraries already loaded.

    python scripts/serve.py [options of streamlit run]

``streamlit run app.py`` imports pandas, plotly's validators and the project's modules only
when the first student opens a page, who then waits about half a second longer than anyone
after them (see the README's Speed section). This imports them, and builds the worked
example's figure once, before the server starts listening; then it is ``streamlit run
app.py`` with the options given. ``scripts/start.sh`` starts the app this way.

Modules are imported and pure functions run here; nothing is drawn (that needs a running
server), and no module with a cached function is imported (its cache needs the server's
store). Streamlit supports a component registered before its server starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every fit on the shared server uses one core: the sessions of a class keep the cores busy
# side by side, and the work budget (em_ui/budget.py) is calibrated with one BLAS thread.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def use_one_blas_thread() -> None:
    """Ask every BLAS library for one thread; effective when set before NumPy is imported
    (``app.py`` limits it again at run time, for ``streamlit run app.py``)."""
    os.environ.update(dict.fromkeys(ONE_THREAD, "1"))


def preload() -> None:
    """Import what the pages import, and draw the worked example's figure once."""
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import pandas
    import pyarrow  # noqa: F401  (Streamlit sends every table as Arrow)
    from streamlit import dataframe_util

    import em_models.mixture.engine
    import em_models.mixture.figures_1d
    import em_models.mixture.gaussian
    import em_models.mixture.settings
    import em_models.mixture.tables
    import em_ui.stepper  # noqa: F401  (its step buttons register their component)
    from em_data import load_dataset

    X = np.asarray(load_dataset("worked_example").values)
    start = em_models.mixture.gaussian.Parameters(
        [0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full"
    )
    trace = em_models.mixture.engine.fit(X, 2, init="given", params=start, reg_covar=0.0)
    em_models.mixture.figures_1d.density_figure(X, trace, 0).to_json()
    dataframe_util.convert_anything_to_arrow_bytes(
        em_models.mixture.tables.parameter_table(trace, 1, X=X)
    )
    pandas.DataFrame({"x": [1.0]}).style.format("{:.1f}").to_html()  # a plain table's styling


def plotly_chunk(static_dir: Path) -> str | None:
    """The file name of Streamlit's own Plotly chunk (``PlotlyChart.<hash>.js``), if there
    is exactly one."""
    found = sorted((static_dir / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def with_plotly_loaded_first(index_html: str, chunk: str) -> str:
    """Streamlit's ``index.html`` asking the browser to load and run its Plotly chunk as
    soon as the page opens, beside the app's own code, instead of when the first chart
    arrives (every page of this app draws one); the page then finds it ready."""
    tag = f'<script type="module" crossorigin src="./static/js/{chunk}"></script>'
    return index_html.replace("</head>", f"    {tag}\n  </head>", 1)


def load_plotly_first() -> None:
    """Serve Streamlit's ``index.html`` as :func:`with_plotly_loaded_first` writes it (the
    static files' handler is Streamlit's; only the page it serves for the app changes)."""
    from starlette.responses import FileResponse, HTMLResponse
    from streamlit import file_util
    from streamlit.web.server.starlette import starlette_static_routes as routes

    static_dir = Path(file_util.get_static_dir())
    chunk = plotly_chunk(static_dir)
    if chunk is None:
        return  # another Streamlit build: its pages load Plotly as they always did
    page = with_plotly_loaded_first((static_dir / "index.html").read_text("utf-8"), chunk)
    create = routes.create_streamlit_static_handler

    def create_loading_plotly_first(directory, base_url):
        handler = create(directory, base_url)

        class LoadingPlotlyFirst(type(handler)):
            async def get_response(self, path, scope):
                response = await super().get_response(path, scope)
                if isinstance(response, FileResponse) and response.path == self._index_path:
                    cache = response.headers.get("Cache-Control", "no-cache")
                    return HTMLResponse(page, headers={"Cache-Control": cache})
                return response

        handler.__class__ = LoadingPlotlyFirst
        return handler

    routes.create_streamlit_static_handler = create_loading_plotly_first


def main() -> int:
    use_one_blas_thread()
    preload()
    load_plotly_first()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
