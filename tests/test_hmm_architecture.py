"""The hidden Markov model's engine is pure NumPy, like em_core: no UI, no plotting, and no
SciPy (its densities and log-factorials are its own)."""

import pytest
from test_architecture import ROOT, imported_top_level_modules, modules_loaded_by

NOT_FOR_AN_ENGINE = {"streamlit", "plotly", "scipy", "em_viz", "em_ui", "app_pages", "app"}
# The model's folder also holds its view and figures, which draw with plotly and em_viz,
# its exports (the animation is a figure), its page, which draws with streamlit, and its
# prepared runs' part, whose reader and replay are pure and whose ``show`` draws (importing
# the view only then).
VIEW_FILES = {"view.py", "formulas.py", "text.py", "exports.py", "page.py", "prepared.py"}
ENGINE_FILES = sorted(
    path
    for path in (ROOT / "em_models" / "hmm").glob("*.py")
    if path.name not in VIEW_FILES and not path.name.startswith("figures")
)


def test_the_hmm_engine_has_source_to_scan() -> None:
    assert {path.name for path in ENGINE_FILES} >= {"engine.py", "forward_backward.py"}


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda path: path.name)
def test_hmm_engine_files_import_no_ui(path) -> None:
    imported = imported_top_level_modules(path.read_text(encoding="utf-8"))
    assert imported & NOT_FOR_AN_ENGINE == set()


def test_importing_the_hmm_engine_loads_no_ui_or_plotting() -> None:
    loaded = modules_loaded_by(
        "import em_models.hmm.engine, em_models.hmm.viterbi, em_models.hmm.datasets"
    )
    assert "em_models" in loaded
    assert loaded & NOT_FOR_AN_ENGINE == set()
