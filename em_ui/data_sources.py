"""Where the data come from: a classic data set, an uploaded file, pasted numbers, or a
synthetic mixture. Every failure becomes a readable message, never a stack trace."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from em_data import (
    DATASETS,
    InputError,
    load_dataset,
    make_mixture,
    random_components,
)
from em_models.mixture.gaussian import Parameters
from em_ui.links import bind
from em_ui.reads import read_paste, read_upload
from em_ui.state import forget_file, keep, keep_file, kept_file
from em_ui.text import literal

SOURCES = {
    "dataset": "A classic data set",
    "upload": "Upload a file",
    "paste": "Paste numbers",
    "synthetic": "Generate a mixture",
}

# The default mixture: two of its three Gaussians lie close, so the default fit takes several
# iterations from the K-means start (most seeds' mixtures are fitted in one or two).
SYNTHETIC_SEED = 4


@dataclass(frozen=True, eq=False)
class LoadedData:
    """Numbers ready to fit, with what the page shows beside them.

    ``description`` is markdown, with any user text in it escaped (`em_ui.text.literal`);
    ``columns`` are the user's names as written: escape them before showing them as markdown.
    """

    values: np.ndarray  # (n_samples, n_features), finite float64
    columns: tuple[str, ...]
    description: str
    labels: tuple[str, ...] | None = None
    label_name: str | None = None
    true_params: Parameters | None = None
    suggested_k: int = 2


def _title(name: str) -> str:
    return DATASETS[name].title


def _dataset(key: str) -> LoadedData:
    names = [name for name in DATASETS if name != "worked_example"]
    name = st.selectbox(
        "Data set",
        names,
        format_func=_title,
        key=keep(f"{key}.dataset"),
        bind=bind(f"{key}.dataset", _title),
    )
    data = load_dataset(name)
    return LoadedData(
        np.asarray(data.values),
        tuple(data.columns),
        data.description,
        data.labels,
        data.label_name,
        None,
        data.suggested_k,
    )


def _size(n_bytes: int) -> str:
    """A file's size as a person reads it (kB and MB of 1,000 and 1,000,000 bytes)."""
    if n_bytes < 1_000:
        return f"{n_bytes} byte" + ("" if n_bytes == 1 else "s")
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1_000:.1f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def _forget_when_removed(uploader: str) -> None:
    """The uploader's ✕ was pressed: the student removed the file, so it is not kept either.
    (A page shown again draws a new, empty uploader without calling this.)"""
    if st.session_state.get(uploader) is None:
        forget_file(uploader)


def _upload(key: str) -> LoadedData | None:
    uploader = f"{key}.upload"
    file = st.file_uploader(
        "A CSV or text file of numbers",
        type=["csv", "txt", "tsv", "dat"],
        key=uploader,
        on_change=_forget_when_removed,
        args=(uploader,),
        help="One number per line, or a table with one column per feature separated by "
        "commas, semicolons, tabs or spaces. A header row is optional.",
    )
    if file is not None:
        kept = keep_file(uploader, file.file_id, file.name, file.getvalue())
    else:
        # Streamlit empties the uploader when another page was shown: use the kept file.
        kept = kept_file(uploader)
        if kept is None:
            st.info(
                "Choose a file to begin; it is kept while this tab is open, and nothing "
                "is stored after you leave."
            )
            return None
        about = f"{literal(kept.name)} ({_size(kept.size)})"
        text, button = st.columns([5, 1], vertical_alignment="center")
        button.button(
            "Remove this file", key=f"{key}.forget", on_click=forget_file, args=(uploader,)
        )
        if kept.raw is None:
            text.warning(
                f"The file you uploaded, {about}, had to be let go: the server keeps only so "
                "many files for all its users at once. Choose it again to go on."
            )
            return None
        text.info(f"Using the file you uploaded: {about}. Choose a file above to replace it.")
    with st.spinner("Reading the file…"):
        values, columns = read_upload(kept.raw)
    return LoadedData(values, columns, f"Uploaded file {literal(kept.name)}.")


def _paste(key: str) -> LoadedData | None:
    text = st.text_area(
        "Numbers",
        key=keep(f"{key}.paste"),
        height=150,
        max_chars=2_000_000,
        placeholder="1.2 3.4 2.2 …  or one value per line, or a table",
        help="Separate values by spaces, commas, semicolons or new lines. A single line is "
        "read as one sample of one feature.",
    )
    if not text.strip():
        st.info("Paste some numbers to begin.")
        return None
    values, columns = read_paste(text)
    return LoadedData(values, columns, "Pasted numbers.")


def _synthetic(key: str) -> LoadedData:
    c1, c2, c3, c4 = st.columns(4)
    k = int(
        c1.number_input(
            "True components", 1, 8, 3, key=keep(f"{key}.syn_k"), bind=bind(f"{key}.syn_k")
        )
    )
    d = int(
        c2.selectbox(
            "Features", [1, 2], index=1, key=keep(f"{key}.syn_d"), bind=bind(f"{key}.syn_d")
        )
    )
    n = int(
        c3.select_slider(
            "Samples",
            [100, 300, 1_000, 3_000, 10_000, 100_000, 1_000_000],
            value=300,
            key=keep(f"{key}.syn_n"),
            bind=bind(f"{key}.syn_n"),
        )
    )
    seed = int(
        c4.number_input(
            "Seed",
            0,
            2**31 - 2,
            SYNTHETIC_SEED,
            key=keep(f"{key}.syn_seed"),
            bind=bind(f"{key}.syn_seed"),
        )
    )
    rng = np.random.default_rng(seed)
    weights, means, covariances = random_components(k, d, rng)
    sample = make_mixture(n, weights=weights, means=means, covariances=covariances, rng=rng)
    columns = ("x",) if d == 1 else ("x1", "x2")
    truth = Parameters(weights, means, covariances, "full")
    return LoadedData(
        np.asarray(sample.values),
        columns,
        f"{n:,} points drawn from {k} random Gaussians (dashed: the true components).",
        true_params=truth,
        suggested_k=k,
    )


def left_out_of_link(key: str) -> str | None:
    """What the page's link cannot carry of the data chosen under ``key``: numbers uploaded
    or pasted (a classic data set and a synthetic mixture travel by name and settings)."""
    if st.session_state.get(f"{key}.source", "dataset") in ("dataset", "synthetic"):
        return None
    return (
        "Numbers uploaded or pasted cannot travel in a link: whoever opens it gets these "
        "settings and is asked for the data."
    )


def choose_data(key: str) -> LoadedData:
    """Widgets to pick the data, and a caption saying what they are; stops the page (after
    saying why) when there are none yet."""
    source = st.radio(
        "Data",
        list(SOURCES),
        format_func=SOURCES.get,
        horizontal=True,
        key=keep(f"{key}.source"),
        bind=bind(f"{key}.source", SOURCES.get),
    )
    readers = {"dataset": _dataset, "upload": _upload, "paste": _paste, "synthetic": _synthetic}
    try:
        loaded = readers[source](key)
    except InputError as error:
        st.error(f"We could not read these numbers. {literal(str(error))}")
        st.stop()
    if loaded is None:
        st.stop()
    st.caption(loaded.description)
    return loaded


def columns_key(key: str, columns) -> str:
    """The prefix of the widgets that name the data's columns (the columns to fit, the
    view's axes). It names the columns themselves, so new data get new widgets and a choice
    made for other data never lingers (a keyed widget keeps its old value when its options
    change)."""
    return f"{key}.{'|'.join(columns)}"


def choose_columns(key: str, loaded: LoadedData) -> tuple[list[str], np.ndarray]:
    """A "Columns to fit" choice when the data have several; returns the chosen names and
    those columns of the data. Stops the page, saying why, when none is chosen."""
    columns = list(loaded.columns)
    chosen = columns
    if len(columns) > 1:
        chosen = st.multiselect(
            "Columns to fit",
            columns,
            default=columns,
            key=keep(f"{columns_key(key, columns)}.columns"),
            bind=bind(f"{columns_key(key, columns)}.columns"),
            help="EM fits all the chosen columns together.",
        )
        if not chosen:
            st.warning("Choose at least one column to fit.")
            st.stop()
    return chosen, np.ascontiguousarray(loaded.values[:, [columns.index(c) for c in chosen]])


def choose_view_axes(key: str, loaded: LoadedData, fitted: list[str]) -> tuple[int, int]:
    """With more than two fitted columns, the two the 2-D view shows (positions in
    ``fitted``); (0, 1) otherwise. Stops the page, saying why, when both are the same."""
    if len(fitted) <= 2:
        return (0, 1)
    prefix = columns_key(key, loaded.columns)
    left, right = st.columns(2)
    x_col = left.selectbox(
        "Horizontal axis", fitted, index=0, key=keep(f"{prefix}.x"), bind=bind(f"{prefix}.x")
    )
    y_col = right.selectbox(
        "Vertical axis", fitted, index=1, key=keep(f"{prefix}.y"), bind=bind(f"{prefix}.y")
    )
    if x_col == y_col:
        st.warning("Choose two different columns for the view.")
        st.stop()
    st.caption("EM uses every fitted column; the ellipses are the Gaussians seen from these two.")
    return fitted.index(x_col), fitted.index(y_col)
