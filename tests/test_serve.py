"""scripts/serve.py: the app's page asks for Streamlit's Plotly chunk as soon as it opens.

This leans on Streamlit's build (the chunk's name, its static files' handler): the tests
below fail when a Streamlit upgrade changes either, instead of the speed-up silently going.
"""

from __future__ import annotations

import importlib.util
import re
import urllib.request
from pathlib import Path

import pytest
from streamlit import file_util

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def serve():
    spec = importlib.util.spec_from_file_location("serve", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_streamlit_has_one_plotly_chunk(serve) -> None:
    chunk = serve.plotly_chunk(Path(file_util.get_static_dir()))
    assert chunk is not None
    assert re.fullmatch(r"PlotlyChart\.[\w-]+\.js", chunk)


def test_the_page_loads_the_chunk_in_its_head(serve) -> None:
    page = serve.with_plotly_loaded_first("<html><head><title>t</title></head></html>", "P.js")
    head = page.split("</head>")[0]
    assert '<script type="module" crossorigin src="./static/js/P.js"></script>' in head


@pytest.mark.parametrize("path", ["", "/worked_example", "/your_data"])
def test_the_served_page_asks_for_plotly_first(app_server: str, serve, path: str) -> None:
    chunk = serve.plotly_chunk(Path(file_util.get_static_dir()))
    with urllib.request.urlopen(f"{app_server}{path}", timeout=10) as response:
        page = response.read().decode()
        assert response.headers["Cache-Control"] == "no-cache"
    assert f'src="./static/js/{chunk}"' in page.split("</head>")[0]
    assert "./static/js/index." in page  # Streamlit's own page, with its own code
