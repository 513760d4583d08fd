"""The topic models from the command line: ``fit FILE --model plsa|lda`` on a count matrix,
``topics FILE`` on a plain text file of documents, their trace files read back and replayed,
the prepared-run parts, and the exports."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from em_core.cli import main
from em_core.trace_json import TraceFileError, dumps, read_trace
from em_models import registry
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def bars_npy(tmp_path):
    path = tmp_path / "bars.npy"
    np.save(path, make_bars(40, words_per_document=50, seed=1).corpus.dense())
    return path


@pytest.fixture
def rivers_txt(tmp_path):
    path = tmp_path / "rivers.txt"
    path.write_text("\n".join(RIVERS_AND_MONEY) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("model", "value"), [("plsa", "log_likelihood"), ("lda", "bound")])
def test_a_fit_of_a_count_matrix_opens_again_and_replays(capsys, bars_npy, model, value) -> None:
    status, out, err = run_cli(
        capsys, "fit", str(bars_npy), "--model", model, "--n-topics", "4", "--max-iter", "8"
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["model"] == model
    assert set(document["iterations"][0]) == {
        "iteration",
        *(("doc_topic", "topic_word") if model == "plsa" else ("gamma", "lambda")),
        value,
    }
    assert ("log_likelihood" in out) is (model == "plsa")
    run = read_trace(out.encode())
    assert run.model_name == model
    trace = registry.part(model, "prepared").replay(run)
    assert trace.n_iter == document["n_iter"]
    assert registry.part(model, "prepared").limit(run) is None


def test_a_csv_of_counts_names_its_words_in_its_header(capsys, tmp_path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("river,bank,money\n3,1,0\n0,2,4\n2,1,1\n", encoding="utf-8")
    status, out, _ = run_cli(capsys, "fit", str(path), "--model", "plsa", "--n-topics", "2")
    assert status == 0
    assert json.loads(out)["vocabulary"] == ["river", "bank", "money"]


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_the_topics_command_reads_a_text_file_of_documents(capsys, rivers_txt, model) -> None:
    status, out, err = run_cli(
        capsys, "topics", str(rivers_txt), "--model", model, "--n-topics", "2", "--seed", "3"
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    assert document["vocabulary"] == list(corpus.vocabulary)
    assert document["n_documents"] == 12
    assert document["init"] == {"method": "random", "seed": 3}
    registry.part(model, "prepared").replay(read_trace(out.encode()))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "error: The text is empty: write or paste documents, one per line."),
        ("just one river bank\n", "error: The text is a single document; a topic model"),
        ("river bank\nthe and of\n", "error: Document 2 has no words once numbers"),
    ],
)
def test_text_that_makes_no_corpus_is_one_line_on_stderr(capsys, tmp_path, text, message) -> None:
    path = tmp_path / "documents.txt"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_cli(capsys, "topics", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(message)
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--model", "plsa", "--alpha", "1"), "error: --alpha is an option of the lda model"),
        (("--model", "lda", "--n-topics", "0"), "error: The number of topics must be from 1 to 50"),
        (("--model", "lda", "--eta", "-1"), "error: eta must be a number > 0"),
    ],
)
def test_bad_options_are_one_line_on_stderr(capsys, bars_npy, argv, message) -> None:
    status, out, err = run_cli(capsys, "fit", str(bars_npy), *argv)
    assert (status, out) == (2, "")
    assert err.startswith(message)


def test_a_count_matrix_with_an_empty_document_is_refused(capsys, tmp_path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("a,b\n1,2\n0,0\n", encoding="utf-8")
    status, _, err = run_cli(capsys, "fit", str(path), "--model", "lda")
    assert status == 2
    assert err == "error: Document 2 (row 2) has no words; leave out empty documents.\n"


def lda_document(capsys, bars_npy) -> dict:
    _, out, _ = run_cli(capsys, "fit", str(bars_npy), "--model", "lda", "--n-topics", "3")
    return json.loads(out)


def test_an_edited_iteration_is_refused_on_replay(capsys, bars_npy) -> None:
    document = lda_document(capsys, bars_npy)
    document["iterations"][1]["lambda"][0][0] *= 1.001
    run = read_trace(dumps(document).encode())
    with pytest.raises(TraceFileError, match=r"iterations\[1\]\.lambda"):
        registry.part("lda", "prepared").replay(run)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(n_topics=0), "n_topics must be ≥ 1"),
        (lambda d: d["settings"].pop("alpha"), r"settings lacks the field\(s\) alpha"),
        (lambda d: d["data"].update(indptr=[0] * len(d["data"]["indptr"])), "data.indptr must"),
        (lambda d: d["data"]["word_ids"].__setitem__(0, 99), "data.word_ids must be from 0"),
        (lambda d: d["iterations"][0].update(log_likelihood=1.0), "fields a trace does not"),
        (lambda d: d.pop("data"), None),
    ],
)
def test_a_damaged_trace_is_refused_with_its_reason(capsys, bars_npy, edit, message) -> None:
    document = lda_document(capsys, bars_npy)
    edit(document)
    if message is None:  # without its data the file opens but cannot be replayed
        run = read_trace(dumps(document).encode())
        with pytest.raises(TraceFileError, match="The file has no data"):
            registry.part("lda", "prepared").replay(run)
        return
    with pytest.raises(TraceFileError, match=message):
        read_trace(dumps(document).encode())


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_the_exports_are_the_trace_the_topics_and_the_documents(model) -> None:
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    trace = (plsa.fit if model == "plsa" else lda.fit)(corpus, 2, max_iter=5)
    made = registry.part(model, "exports").files(corpus, trace)
    assert [f.file_name for f in made] == [
        f"em-{model}-run.json",
        f"em-{model}-topics.csv",
        f"em-{model}-documents.csv",
    ]
    assert read_trace(made[0].make().encode()).model_name == model
    topics = list(csv.reader(io.StringIO(made[1].make())))
    assert topics[0][:2] == ["topic", "probability of account"]
    assert len(topics) == 3
    assert sum(float(v) for v in topics[1][1:]) == pytest.approx(1, abs=1e-5)
    documents = list(csv.reader(io.StringIO(made[2].make())))
    assert documents[0] == ["document", "share of topic 1", "share of topic 2"]
    assert len(documents) == 13


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_a_start_given_in_the_traces_own_keys_is_where_the_run_begins(
    capsys, bars_npy, tmp_path, model
) -> None:
    _, out, _ = run_cli(capsys, "fit", str(bars_npy), "--model", model, "--n-topics", "3")
    last = json.loads(out)["iterations"][-1]
    keys = ("doc_topic", "topic_word") if model == "plsa" else ("gamma", "lambda")
    start = tmp_path / "start.json"
    start.write_text(json.dumps({key: last[key] for key in keys}), encoding="utf-8")
    status, out, err = run_cli(
        capsys,
        "fit",
        str(bars_npy),
        "--model",
        model,
        "--init-params",
        str(start),
        "--max-iter",
        "2",
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["init"]["method"] == "given"
    assert document["n_topics"] == 3
    for key in keys:
        np.testing.assert_allclose(document["iterations"][0][key], last[key], rtol=1e-12)


@pytest.mark.parametrize(
    ("given", "argv", "message"),
    [
        ({"gamma": [[1]]}, (), "must be a JSON object with the keys 'gamma' (documents × topics)"),
        ({"gamma": [[1.0]], "lambda": [[1.0]]}, (), "γ"),
        (
            {"gamma": [[1.0, 1.0]], "lambda": [[1.0], [1.0]]},
            ("--n-topics", "3"),
            "--n-topics 3 but",
        ),
    ],
)
def test_a_start_that_does_not_fit_is_one_line_naming_the_problem(
    capsys, bars_npy, tmp_path, given, argv, message
) -> None:
    start = tmp_path / "start.json"
    start.write_text(json.dumps(given), encoding="utf-8")
    status, out, err = run_cli(
        capsys, "fit", str(bars_npy), "--model", "lda", "--init-params", str(start), *argv
    )
    assert (status, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("model", ["mixture", "hmm", "ppca", "fa"])
def test_the_number_of_topics_is_refused_with_the_other_models(capsys, bars_npy, model) -> None:
    status, out, err = run_cli(capsys, "fit", str(bars_npy), "--model", model, "--n-topics", "3")
    assert (status, out) == (2, "")
    assert err == (
        "error: --n-topics is an option of the plsa or lda models (--model plsa or lda); "
        f"leave it out with --model {model}.\n"
    )
