"""The models the app and the command line offer: one line each, in the order of the menu.

A model is a package (``package``) that offers some of these parts, each a module of a fixed
name (a model without a part is simply not offered there):

- ``pages``: ``PAGES``, the :class:`Page` entries it adds to the menu (file, title, icon,
  address, section: "Learn" unless it says "Explore"); pure data, so listing them imports
  nothing of Streamlit;
- ``cli``: its ``fit --model NAME`` options, ``add_options(parser)``, the options it owns
  and their unset values, ``OPTIONS``, and ``run(args, X, columns, number)`` giving the JSON
  document to print (pure: the command line never imports streamlit);
- ``trace``: its trace file's writer (pure): ``write(trace, X, columns)`` the document;
- ``prepared``: what *Open a prepared run* needs to step its runs: ``read(document)`` the
  checked run (pure, with ``model_name``, ``X``, ``columns`` and ``require_data()``; the
  trace reader, :mod:`em_core.trace_json`, calls it), ``limit(run)`` why the app cannot
  draw it or None, ``cost(run)`` the estimated seconds of running it again and the size in
  words, ``replay(run)`` the engine's run checked against every iteration of the file,
  ``describe(opened)`` one line of markdown, and ``show(opened, key)`` the stepping view
  (its own :class:`em_viz.view.StepView`); only ``show`` and ``describe`` may import UI;
- ``exports``: the files of its "Export this run" section (:class:`em_viz.exports.ExportFile`:
  name, MIME type, a function making the text) and the section's caption.

Parts are imported when asked for (:func:`part`), never when the registry is.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType

PARTS = ("pages", "cli", "trace", "exports", "prepared")


@dataclass(frozen=True)
class ModelEntry:
    """One model: its name (``--model NAME``, a trace file's ``"model"``), its title in
    running text (with its article: "a Gaussian mixture", "probabilistic PCA"), and its
    package."""

    name: str
    title: str
    package: str


@dataclass(frozen=True)
class Page:
    """A page a model adds under "Learn": ``st.Page``'s arguments."""

    path: str
    title: str
    icon: str
    url_path: str | None = None
    default: bool = False
    section: str = "Learn"


MODELS = (
    ModelEntry("mixture", "a Gaussian mixture", "em_models.mixture"),
    ModelEntry("ppca", "probabilistic PCA", "em_models.ppca"),
    ModelEntry("hmm", "a hidden Markov model", "em_models.hmm"),
    ModelEntry("fa", "factor analysis", "em_models.fa"),
    ModelEntry("plsa", "probabilistic latent semantic analysis", "em_models.topics.plsa"),
    ModelEntry("lda", "latent Dirichlet allocation", "em_models.topics.lda"),
)
# A trace file without a "model" field is a mixture's, as every trace was before the others.
DEFAULT_MODEL = MODELS[0].name


def entry(name: str) -> ModelEntry:
    """The model called ``name``; ``ValueError`` naming the models there are otherwise."""
    for model in MODELS:
        if model.name == name:
            return model
    names = ", ".join(repr(model.name) for model in MODELS)
    raise ValueError(f"there is no model {str(name)[:40]!r}; the models are {names}.")


def has_part(model: ModelEntry, name: str) -> bool:
    """Whether ``model`` offers the part ``name`` (without importing it)."""
    if name not in PARTS:
        raise ValueError(f"{name!r} is not a part of a model; the parts are {', '.join(PARTS)}.")
    return importlib.util.find_spec(f"{model.package}.{name}") is not None


def part(model: ModelEntry | str, name: str) -> ModuleType | None:
    """The module of ``model``'s part ``name``, imported now, or None when it has none."""
    model = entry(model) if isinstance(model, str) else model
    return importlib.import_module(f"{model.package}.{name}") if has_part(model, name) else None


def with_part(name: str) -> tuple[ModelEntry, ...]:
    """The models that offer the part ``name``, in the registry's order."""
    return tuple(model for model in MODELS if has_part(model, name))


def pages_in(section: str) -> tuple[Page, ...]:
    """Every model's pages in the menu's ``section`` ("Learn", "Explore"), model by model in
    the registry's order."""
    return tuple(
        page
        for model in with_part("pages")
        for page in part(model, "pages").PAGES
        if page.section == section
    )


def pages_of(model: ModelEntry) -> str:
    """Where ``model``'s pages are, for a message: "Learn → Title" (or "" without pages)."""
    module = part(model, "pages")
    titles = [] if module is None else [page.title for page in module.PAGES]
    return " or ".join(f"Learn → {title}" for title in titles)
