"""Dependencies point one way: app_pages → em_ui → em_viz → em_core (STYLE.md).

The engine and the data/plotting layers stay usable without Streamlit, and the engine without
plotly or any UI code.
"""

import ast
import graphlib
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STREAMLIT_FREE_PACKAGES = ["em_core", "em_data", "em_viz"]
# What em_core may never pull in, directly or through another module.
NOT_FOR_THE_ENGINE = {"streamlit", "plotly", "em_viz", "em_ui", "app_pages", "app"}


def imported_top_level_modules(source: str) -> set[str]:
    """Top-level names of the absolute imports in ``source`` (``a`` for ``import a.b``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import streamlit as st", {"streamlit"}),
        ("import numpy, streamlit.components.v1", {"numpy", "streamlit"}),
        ("from streamlit import session_state", {"streamlit"}),
        ("from streamlit.testing.v1 import AppTest", {"streamlit"}),
        ("def f():\n    import plotly.graph_objects as go", {"plotly"}),
        ("import importlib\nimportlib.import_module('streamlit')", {"importlib", "streamlit"}),
        ("from . import em\nfrom .gaussian import to_full", set()),
    ],
)
def test_the_import_scanner_sees_every_form(source: str, expected: set[str]) -> None:
    assert imported_top_level_modules(source) == expected


def test_the_engine_has_source_to_scan() -> None:
    assert python_files("em_core"), "em_core/ has no Python files: the scans below prove nothing"


@pytest.mark.parametrize("package", STREAMLIT_FREE_PACKAGES)
def test_package_does_not_import_streamlit(package: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files(package)
        if "streamlit" in imported_top_level_modules(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"{package} must not import streamlit: {offenders}"


def test_engine_source_imports_no_ui_layer() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            imported_top_level_modules(path.read_text(encoding="utf-8")) & NOT_FOR_THE_ENGINE
        )
        for path in python_files("em_core")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def modules_loaded_by(imports: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after ``imports`` (one line of
    Python), so that nothing another test imported can hide or cause a failure."""
    probe = (
        f"import json, sys\n{imports}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_engine_loads_no_ui_or_plotting() -> None:
    loaded = modules_loaded_by("import em_core")
    assert "em_core" in loaded
    assert loaded & NOT_FOR_THE_ENGINE == set()


def imported_modules(source: str) -> set[str]:
    """Full names of the absolute imports in ``source`` (``a.b`` for ``from a.b import c``,
    and ``a.c`` too when ``c`` is a module of the package ``a``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if (ROOT / node.module.replace(".", "/") / f"{alias.name}.py").exists()
            )
    return names


# What the stepping view may use: the pieces every model's view shares. A model (the
# engine's mixture, its figures, tables, formulas and notes) comes only through a view.
MODEL_FREE = {
    "em_viz.style",
    "em_viz.view",
    "em_ui.controls",
    "em_ui.links",
    "em_ui.presenter",
    "em_ui.state",
    "em_ui.tables",
    "em_ui.text",
}


def test_imported_modules_sees_submodules_imported_from_a_package() -> None:
    assert imported_modules("from em_viz import loglik\nimport em_core") == {
        "em_viz",
        "em_viz.loglik",
        "em_core",
    }


def test_the_stepping_view_imports_nothing_model_specific() -> None:
    source = (ROOT / "em_ui" / "stepper.py").read_text(encoding="utf-8")
    ours = {
        m for m in imported_modules(source) if m.split(".")[0] in ("em_core", "em_viz", "em_ui")
    }
    assert ours, "em_ui/stepper.py imports none of the project's modules: the scan proves nothing"
    assert ours <= MODEL_FREE, f"model-specific imports in em_ui/stepper.py: {ours - MODEL_FREE}"
    view = imported_modules((ROOT / "em_viz" / "view.py").read_text(encoding="utf-8"))
    assert not {m for m in view if m.split(".")[0] in ("em_core", "em_viz", "em_ui")}


def test_em_half_steps_know_no_k_means() -> None:
    """EM's half-steps (em_viz/halfstep.py) are every model's: the K-means phase is the
    mixture's view's business (em_models/mixture/kmeans_phase.py). Its code (docstrings
    aside) names no K-means kind, centre or step, and it imports no other half-steps."""
    tree = ast.parse((ROOT / "em_viz" / "halfstep.py").read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    words = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]
    words += [node.id for node in ast.walk(tree) if isinstance(node, ast.Name)]
    words += [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    words += [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    pattern = re.compile(r"k-?means|cent(er|re)s|seeds|assign|update|hand-off", re.IGNORECASE)
    assert [w for w in words if pattern.search(w)] == []
    source = ast.unparse(tree)
    assert {m for m in imported_modules(source) if m.startswith("em_viz.")} == {"em_viz.view"}


def test_the_step_buttons_script_holds_no_step_rule() -> None:
    """controls.js looks each button's target up in the table the view sent
    (em_ui.controls.step_targets): no parity of h, no h ± n, no E-or-M decision of its own."""
    script = (ROOT / "em_ui" / "controls.js").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in script.splitlines())
    assert not re.search(r"\bh\s*[%+-]\s*\d", code), "arithmetic on h in controls.js"
    assert "% 2" not in code
    assert "targets" in code


def package_imports(source: str, package: str) -> set[str]:
    """The modules ``source``, a module of ``package``, imports, at any depth of its code (in
    functions too): ``a.b`` for ``import a.b`` and ``from a.b import c``, ``a.c`` alone for
    ``from a import c`` when ``c`` is a module of ``a``; relative imports resolved. Imports
    for type checkers alone (under ``if TYPE_CHECKING:``) run never, so they do not count."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            above = package.split(".")[: len(package.split(".")) + 1 - node.level]
            base = ".".join([*(above if node.level else []), *filter(None, [node.module])])
            for alias in node.names:
                name = f"{base}.{alias.name}" if base else alias.name
                path = ROOT / name.replace(".", "/")
                is_module = path.with_suffix(".py").exists() or (path / "__init__.py").exists()
                names.add(name if is_module else base)
    return names


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` (the package itself for its ``__init__``) and the modules of
    ``package`` it imports."""
    graph = {}
    for path in python_files(package):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        imported = package_imports(path.read_text(encoding="utf-8"), ".".join(parts[:-1]))
        graph[name] = {m for m in imported if m == package or m.startswith(f"{package}.")}
    return graph


def import_cycle(graph: Mapping[str, set[str]]) -> list[str]:
    """A cycle of ``graph`` (its modules in import order, the first repeated at the end), or
    [] when it has none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))
    return []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from em_viz import loglik, status", {"em_viz.loglik", "em_viz.status"}),
        ("from em_viz import HalfStep", {"em_viz"}),
        ("import em_viz.colors as c", {"em_viz.colors"}),
        ("def f():\n    from em_viz.loglik import likelihood_traces", {"em_viz.loglik"}),
        (
            "from . import status\nfrom .halfstep import HalfStep",
            {"em_viz.status", "em_viz.halfstep"},
        ),
        ("from .. import em_core", {"em_core"}),
        ("if TYPE_CHECKING:\n    from em_viz.loglik import x", set()),
    ],
)
def test_the_package_import_scanner_sees_every_form(source: str, expected: set[str]) -> None:
    assert package_imports(source, "em_viz") == expected


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    cycle = import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}


@pytest.mark.parametrize("package", ["em_core", "em_data", "em_viz", "em_ui", "em_models"])
def test_no_package_imports_itself_in_a_circle(package: str) -> None:
    assert import_cycle(import_graph(package)) == []


def test_the_circle_scan_sees_the_models_figures() -> None:
    graph = import_graph("em_models")
    assert "em_models.mixture.figures" in graph["em_models.mixture.figures_1d"]


def test_the_shared_animation_imports_no_model() -> None:
    """em_viz/figures_common.py (every model's animation) takes from the engine only the
    trace and the model protocol, and nothing of the mixture's figures."""
    source = (ROOT / "em_viz" / "figures_common.py").read_text(encoding="utf-8")
    ours = package_imports(source, "em_viz")
    assert {m for m in ours if m.split(".")[0] == "em_core"} <= {"em_core.em", "em_core.model"}
    assert {m for m in ours if m.startswith("em_models")} == set()
