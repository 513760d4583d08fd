"""The deployment settings that protect users stay as chosen (TESTING.md C.5)."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def streamlit_config() -> dict:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as file:
        return tomllib.load(file)


def test_xsrf_protection_is_on(streamlit_config: dict) -> None:
    assert streamlit_config["server"]["enableXsrfProtection"] is True


def test_the_upload_limit_is_the_readers_in_the_same_unit(streamlit_config: dict) -> None:
    # The browser's uploader counts maxUploadSize in MB of 1,000,000 bytes; the readers' limit
    # is the same number of bytes, so the uploader's caption, the readers' messages and the
    # README all say 16 MB.
    import inspect

    from em_core.trace_json import MAX_TRACE_BYTES
    from em_data import read_table
    from em_ui.prepared import MAX_UPLOAD_MB

    max_upload_mb = streamlit_config["server"]["maxUploadSize"]
    assert isinstance(max_upload_mb, int)
    reader_limit = inspect.signature(read_table).parameters["max_bytes"].default
    assert reader_limit == max_upload_mb * 10**6
    assert reader_limit == MAX_TRACE_BYTES
    assert max_upload_mb == MAX_UPLOAD_MB


def test_usage_statistics_are_off(streamlit_config: dict) -> None:
    assert streamlit_config["browser"]["gatherUsageStats"] is False


def test_error_details_hide_tracebacks(streamlit_config: dict) -> None:
    # Streamlit's default is "full", so the key must be present; True is the legacy "full".
    details = streamlit_config["client"]["showErrorDetails"]
    assert details not in ("full", "stacktrace", True, "true")
    assert details in ("type", "none", False, "false")


def _requirements(name: str) -> list[Requirement]:
    """The requirement lines of a requirements file, without comments and `-r` includes."""
    requirements = []
    for raw_line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirements.append(Requirement(line))
    return requirements


REQUIREMENT_FILES = ["requirements.txt", "requirements-dev.txt"]


@pytest.mark.parametrize("name", REQUIREMENT_FILES)
def test_every_requirement_has_a_compatible_range(name: str) -> None:
    requirements = _requirements(name)
    assert requirements, f"{name} lists no requirements"
    for requirement in requirements:
        operators = sorted(spec.operator for spec in requirement.specifier)
        assert operators == ["<", ">="], f"{name}: {requirement} needs a '>=X,<Y' range"
        lower = next(s for s in requirement.specifier if s.operator == ">=")
        upper = next(s for s in requirement.specifier if s.operator == "<")
        assert Version(lower.version) < Version(upper.version), f"{name}: {requirement} is empty"


def test_streamlit_is_recent_and_capped() -> None:
    (streamlit,) = [r for r in _requirements("requirements.txt") if r.name == "streamlit"]
    lower = {s.version for s in streamlit.specifier if s.operator == ">="}
    upper = {s.version for s in streamlit.specifier if s.operator == "<"}
    assert len(lower) == 1
    assert Version(lower.pop()) >= Version("1.54")
    assert len(upper) == 1


def test_no_message_is_sent_as_a_reference_to_the_browsers_cache(streamlit_config: dict) -> None:
    # A reference can name a message the browser has just let go of (two quick runs in a row:
    # an upload's), which kills the page with "Cached ForwardMsg MISS"; so nothing is cached.
    # tests/test_browser_repetition.py is the walk that met it.
    assert streamlit_config["global"]["minCachedMessageSize"] >= 2**50


def test_a_deployed_app_watches_no_files(streamlit_config: dict) -> None:
    # Streamlit's file watcher runs on the server's event loop at every session's run; under
    # thirty heavy sessions it held the loop for over a minute. The tests' servers read this
    # file too (tests/app_harness.py passes no watcher option of its own).
    assert streamlit_config["server"]["fileWatcherType"] == "none"
    assert streamlit_config["server"]["runOnSave"] is False
