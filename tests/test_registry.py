"""A model is one folder, registered in one place (em_models/registry.py).

Shared code (the router, the engine's driver, the command line, the trace reader, the shared
UI and figures) names no model but through the registry (but for the few words of the mixture
listed in :data:`KNOWN_MIXTURE_WORDS`, each with its reason); every registered part imports and
offers what
the shared code asks of it; the command line offers exactly the models with a ``cli``; the
router's "Learn" pages are the registry's, with the titles, icons and addresses links use.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np
import pytest
from test_architecture import ROOT

import em_models.mixture.engine
from em_core.cli import build_parser
from em_core.trace_json import TraceFileError, dumps, read_trace
from em_models import registry
from em_models.hmm import engine as hmm_engine
from em_models.ppca import engine as ppca_engine

SHARED = sorted(
    [
        ROOT / "app.py",
        ROOT / "app_pages" / "prepared_run.py",
        *(ROOT / "em_core").glob("*.py"),
        *(ROOT / "em_ui").glob("*.py"),
        *(ROOT / "em_viz").glob("*.py"),
    ]
)
MODEL_WORDS = ("ppca", "hmm", "mixture", "kmeans", "k-means")
# What shared code still says of the mixture, and why: the app's name; the data source that
# draws a synthetic mixture (any model's data), with the true parameters it drew; the colour
# of the mixture's density (the ℓ panel's curve).
KNOWN_MIXTURE_WORDS = {
    "app.py": {"EM for Gaussian mixtures"},
    "em_ui/data_sources.py": {"Generate a mixture", "em_models.mixture.gaussian", "make_mixture"},
    "em_viz/colors.py": {"MIXTURE_COLOR"},
    "em_viz/loglik.py": {"MIXTURE_COLOR"},
}
# What each part must offer the shared code.
PART_NAMES = {
    "pages": ("PAGES",),
    "cli": ("OPTIONS", "add_options", "run"),
    "trace": ("write",),
    "exports": ("CAPTION", "files"),
    "prepared": ("read", "limit", "cost", "replay", "describe", "show"),
}
# The "Learn" menu as it was before the registry: links and tests use these titles and
# addresses (None: Streamlit's address from the file's name).
LEARN = [
    ("em_models/mixture/lessons/home.py", "Start here", ":material/home:", None),
    ("em_models/mixture/lessons/worked_example.py", "Worked example", ":material/school:", None),
    (
        "em_models/mixture/lessons/kmeans_start.py",
        "The K-means start",
        ":material/scatter_plot:",
        None,
    ),
    (
        "em_models/mixture/lessons/collapse.py",
        "Collapse and the ridge",
        ":material/compress:",
        "collapse",
    ),
    ("em_models/mixture/lessons/choose_k.py", "Choosing K", ":material/query_stats:", None),
    (
        "em_models/mixture/lessons/restarts.py",
        "Restarts and local optima",
        ":material/restart_alt:",
        None,
    ),
    ("em_models/mixture/lessons/why_em_climbs.py", "Why EM climbs", ":material/trending_up:", None),
    ("em_models/ppca/page.py", "Probabilistic PCA", ":material/linear_scale:", "ppca"),
    (
        "em_models/hmm/page.py",
        "Hidden Markov models",
        ":material/timeline:",
        "hmm",
    ),
    ("em_models/fa/page.py", "Factor analysis", ":material/hub:", "fa"),
    ("em_models/topics/page.py", "EM for topics: pLSA and LDA", ":material/topic:", "topics"),
]


def code_words(source: str) -> list[str]:
    """The names and the strings of ``source``'s code: docstrings and comments left out."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                words.append(node.value)
        elif isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            words.append(node.name)
        elif isinstance(node, ast.alias):
            words += [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom) and node.module:
            words.append(node.module)
    return words


def model_words(source: str) -> list[str]:
    return [w for w in code_words(source) if any(m in w.lower() for m in MODEL_WORDS)]


def test_the_scan_sees_a_model_named_in_code_but_not_in_docstrings_or_comments() -> None:
    source = (
        '"""Probabilistic PCA (ppca) is a model."""\n'
        "# the hmm page\n"
        "from em_models.ppca.exports import files\n"
        "import em_models.hmm as h\n"
        "def f():\n"
        '    """ppca."""\n'
        '    return page("ppca") + fit_hmm\n'
    )
    assert sorted(model_words(source)) == sorted(
        ["em_models.ppca.exports", "em_models.hmm", "ppca", "fit_hmm"]
    )


@pytest.mark.parametrize("path", SHARED, ids=lambda path: str(path.relative_to(ROOT)))
def test_shared_code_names_no_model_but_through_the_registry(path) -> None:
    known = KNOWN_MIXTURE_WORDS.get(str(path.relative_to(ROOT)), set())
    assert set(model_words(path.read_text(encoding="utf-8"))) - known == set()


def test_every_model_is_registered_once_and_offered_somewhere() -> None:
    names = [model.name for model in registry.MODELS]
    assert names == ["mixture", "ppca", "hmm", "fa", "plsa", "lda"]
    assert registry.DEFAULT_MODEL == "mixture"
    for model in registry.MODELS:
        offered = registry.has_part(model, "pages") or registry.has_part(model, "cli")
        assert offered, f"{model.name} has neither a page nor a command line"
    # pLSA and LDA share one page, in pLSA's package; LDA adds none of its own.
    assert [m.name for m in registry.MODELS if not registry.has_part(m, "pages")] == ["lda"]
    with pytest.raises(ValueError, match="there is no model 'nmf'; the models are"):
        registry.entry("nmf")


@pytest.mark.parametrize(
    ("model", "part"),
    [(m, p) for m in registry.MODELS for p in registry.PARTS if registry.has_part(m, p)],
    ids=lambda value: getattr(value, "name", value),
)
def test_every_registered_part_imports_and_offers_what_the_shared_code_asks(model, part) -> None:
    module = registry.part(model, part)
    missing = [name for name in PART_NAMES[part] if not hasattr(module, name)]
    assert missing == [], f"{model.package}.{part} lacks {missing}"
    if part == "pages":
        for page in module.PAGES:
            assert isinstance(page, registry.Page)
            assert (ROOT / page.path).is_file(), page.path


def test_the_parts_each_model_offers_today() -> None:
    offered = {p: [m.name for m in registry.with_part(p)] for p in registry.PARTS}
    assert offered == {
        "pages": ["mixture", "ppca", "hmm", "fa", "plsa"],
        "cli": ["mixture", "ppca", "hmm", "fa", "plsa", "lda"],
        "trace": ["mixture", "ppca", "hmm", "fa", "plsa", "lda"],
        "exports": ["mixture", "ppca", "hmm", "fa", "plsa", "lda"],
        "prepared": ["mixture", "ppca", "hmm", "fa", "plsa", "lda"],
    }


def test_the_command_line_offers_exactly_the_models_with_a_cli() -> None:
    fit = next(
        action.choices["fit"]
        for action in build_parser()._actions
        if getattr(action, "choices", None) and "fit" in action.choices
    )
    model = next(action for action in fit._actions if action.dest == "model")
    assert list(model.choices) == [m.name for m in registry.with_part("cli")]
    assert model.default == registry.DEFAULT_MODEL


@pytest.mark.parametrize("model", ["mixture", "ppca", "hmm"])
def test_the_command_line_imports_no_streamlit_or_plotting(tmp_path, model) -> None:
    data = tmp_path / "data.csv"
    data.write_text("x,y\n1,2\n2,3.5\n3,3\n4,5.5\n5,5\n6,7.5\n", encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from em_core.cli import main\n"
        f"status = main(['fit', {str(data)!r}, '--model', {model!r}, '--max-iter', '3'])\n"
        "print(json.dumps([status, sorted({n.split('.')[0] for n in sys.modules})]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    document, probe_line = result.stdout.strip().splitlines()
    status, loaded = json.loads(probe_line)
    assert status == 0, result.stderr
    assert json.loads(document).get("model", "mixture") == model
    assert {"streamlit", "plotly", "em_ui", "em_viz"} & set(loaded) == set()


def test_the_routers_learn_pages_are_the_registrys_as_they_were() -> None:
    """app.py run with st.Page and st.navigation recorded (in a fresh interpreter)."""
    probe = (
        "import json, runpy\n"
        "import streamlit as st\n"
        "made = []\n"
        "class Stop(Exception): pass\n"
        "def page(path, *, title, icon, url_path=None, default=False):\n"
        "    made.append([str(path), title, icon, url_path, default])\n"
        "    return len(made) - 1\n"
        "def navigation(pages, **options):\n"
        "    menu = {name: [made[i] for i in ids] for name, ids in pages.items()}\n"
        "    print(json.dumps({'menu': menu, 'options': options}))\n"
        "    raise Stop\n"
        "st.Page, st.navigation = page, navigation\n"
        "try:\n"
        "    runpy.run_path('app.py')\n"
        "except Stop:\n"
        "    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    recorded = json.loads(result.stdout.strip().splitlines()[-1])
    menu = recorded["menu"]
    assert recorded["options"].get("expanded") is True, "a long menu would hide pages"
    registered = [
        [p.path, p.title, p.icon, p.url_path, p.default] for p in registry.pages_in("Learn")
    ]
    assert menu["Learn"] == registered
    assert [tuple(page[:4]) for page in registered] == LEARN
    assert [page[4] for page in registered] == [True] + [False] * (len(LEARN) - 1)
    assert [page[0] for page in menu["Explore"]] == [
        "em_models/mixture/lessons/your_data.py",
        "app_pages/prepared_run.py",
    ]


def small_trace_document(model: str) -> dict:
    """A run of ``model`` (through its own trace codec) on six points in two columns."""
    X = np.array([[1, 2], [2, 3.5], [3, 3], [4, 5.5], [5, 5], [6, 7.5]], dtype=np.float64)
    if model == "mixture":
        trace = em_models.mixture.engine.fit(X, 2, rng=0, max_iter=3)
    elif model == "hmm":
        trace = hmm_engine.fit(X, 2, rng=0, max_iter=3)
    else:
        trace = ppca_engine.fit(X, 1, rng=0, max_iter=3)
    return registry.part(model, "trace").write(trace, X, ("a", "b"))


def test_a_trace_opens_by_its_model_field_absent_meaning_a_mixture() -> None:
    document = small_trace_document("mixture")
    assert "model" not in document
    plain = read_trace(dumps(document).encode())
    named = read_trace(dumps({"model": "mixture", **document}).encode())
    assert named.recorded[-1].log_likelihood == plain.recorded[-1].log_likelihood


@pytest.mark.parametrize("model", ["mixture", "ppca", "hmm"])
def test_every_models_trace_is_read_by_its_prepared_part(model) -> None:
    run = read_trace(dumps(small_trace_document(model)).encode())
    assert run.model_name == model
    assert run.columns == ("a", "b")


def without_prepared(monkeypatch, *names: str) -> None:
    """The registry as if the models ``names`` had no ``prepared`` part."""
    has_part = registry.has_part
    monkeypatch.setattr(
        registry,
        "has_part",
        lambda model, name: (
            False if name == "prepared" and model.name in names else has_part(model, name)
        ),
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            lambda: small_trace_document("ppca"),
            "This is a run of probabilistic PCA (python -m em_core fit --model ppca); only "
            "runs of a Gaussian mixture open here. Step through it on its own page, "
            "Learn → Probabilistic PCA.",
        ),
        (
            lambda: small_trace_document("hmm"),
            "This is a run of a hidden Markov model (python -m em_core fit --model hmm); only "
            "runs of a Gaussian mixture open here. Step through it on its own page, "
            "Learn → Hidden Markov models.",
        ),
        (
            lambda: {"model": "nmf"},
            "The file is not a run this app knows: there is no model 'nmf'; the models are "
            "'mixture', 'ppca', 'hmm', 'fa', 'plsa', 'lda'.",
        ),
        (lambda: {"model": None}, "model must be the name of a model; it is null."),
    ],
    ids=["ppca", "hmm", "unknown", "null"],
)
def test_a_run_that_does_not_open_here_names_the_page_that_steps_it(
    monkeypatch, document, message
) -> None:
    without_prepared(monkeypatch, "ppca", "hmm", "fa", "plsa", "lda")
    with pytest.raises(TraceFileError) as error:
        read_trace(dumps(document()).encode())
    assert str(error.value) == message


def test_a_model_without_a_command_line_names_no_command(monkeypatch) -> None:
    has_part = registry.has_part
    monkeypatch.setattr(
        registry,
        "has_part",
        lambda model, name: (
            name not in ("cli", "prepared") and has_part(model, name)
            if model.name == "hmm"
            else has_part(model, name)
        ),
    )
    with pytest.raises(TraceFileError) as error:
        read_trace(dumps({"model": "hmm"}).encode())
    assert str(error.value) == (
        "This is a run of a hidden Markov model; only runs of a Gaussian mixture or "
        "probabilistic PCA or factor analysis or probabilistic latent semantic analysis or "
        "latent Dirichlet allocation open here. "
        "Step through it on its own page, Learn → Hidden Markov models."
    )
