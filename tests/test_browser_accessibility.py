"""Accessibility (TESTING.md C.10): axe-core audits every page of the menu, as the registry
lists them, with *Open a prepared run*, at a laptop's size (1280×720) and a phone's
(390×844); two stepping views in presenter mode on a 1080p screen; and the worked example and
the hidden Markov model with every section opened (the lesson's expanders and "Export this
run").

No violation may be "serious" or "critical", and a "moderate" or "minor" one only when it is
listed in :data:`KNOWN` with its reason (the README's "Accessibility" section lists the same).
axe checks the rules of WCAG 2.0 and 2.1, levels A and AA, and its best practices.

axe-core comes with ``axe-playwright-python`` (test-only), which injects it into the page.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import new_context
from browser_helpers import PRESENTER_SCREEN
from playwright.sync_api import Browser, Page

from em_models.registry import Page as MenuPage
from em_models.registry import pages_in

README = Path(__file__).resolve().parent.parent / "README.md"

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = ("critical", "serious")
# Moderate and minor findings left as they are: rule id → why (the README's "Accessibility"
# says the same). A serious or critical one is never left.
KNOWN: dict[str, str] = {
    "presentation-role-conflict": (
        "minor, Open a prepared run: Streamlit's file uploader gives its drop zone "
        'role="presentation" with an aria-label; its Browse button is the control, reached by '
        "Tab and named. Only Streamlit can change its markup."
    ),
}

SCREENS = {
    "laptop 1280x720": {"viewport": {"width": 1280, "height": 720}},
    "phone 390x844": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3},
}
# Stepping views shown in presenter mode, and pages whose sections are all opened.
PRESENTED = ("worked_example", "hmm")
OPENED = ("worked_example", "hmm")

# True once every Plotly chart of the page has drawn its SVG and em_ui/accessibility.js has
# caught up with the page's last change.
SETTLED_JS = """
() => [...document.querySelectorAll('.js-plotly-plot')].every((gd) => gd.querySelector('.main-svg'))
    && window.__emAccessibilityPending === false
"""


def address(page: MenuPage) -> str:
    """Where the router serves ``page``: "" for the default page, else its ``url_path`` or,
    as Streamlit names it, its file's name."""
    if page.default:
        return ""
    return page.url_path or Path(page.path).stem


MENU = [address(page) for section in ("Learn", "Explore") for page in pages_in(section)]
MENU.append("prepared_run")


def unexpected(violations: list[dict]) -> list[dict]:
    """The violations this suite fails on: serious or critical, or not known."""
    return [v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] not in KNOWN]


def described(where: str, violations: list[dict]) -> list[str]:
    """One line per violation: where, the rule, its impact, and the first elements found."""
    lines = []
    for v in violations:
        nodes = "; ".join(
            f"{node['target'][-1][-60:]}: {node['html'][:90]}" for node in v["nodes"][:3]
        )
        lines.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])}×) {nodes}")
    return lines


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def audit(axe, page: Page, where: str) -> list[str]:
    """axe's findings that fail, on ``page`` as it is now, described."""
    page.wait_for_function(SETTLED_JS, timeout=30_000)
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return described(where, unexpected(violations))


@contextlib.contextmanager
def opened(browser: Browser, **options) -> Iterator[Page]:
    """A tab in a new browser context (``options`` as for ``browser.new_context``)."""
    context = new_context(browser, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_page_has_a_serious_violation(
    browser: Browser, app_server: str, wait_for_app, axe, screen: str
) -> None:
    found: list[str] = []
    with opened(browser, **SCREENS[screen]) as page:
        for path in MENU:
            page.goto(f"{app_server}/{path}")
            wait_for_app(page)
            found += audit(axe, page, f"/{path} at {screen}")
    assert found == [], "\n".join(found)


def test_presenter_mode_has_no_serious_violation(
    browser: Browser, app_server: str, wait_for_app, axe
) -> None:
    found: list[str] = []
    with opened(browser, viewport=PRESENTER_SCREEN) as page:
        for path in PRESENTED:
            page.goto(f"{app_server}/{path}?present=true")
            wait_for_app(page)
            found += audit(axe, page, f"/{path} in presenter mode")
    assert found == [], "\n".join(found)


def test_opened_sections_have_no_serious_violation(
    browser: Browser, app_server: str, wait_for_app, axe
) -> None:
    found: list[str] = []
    with opened(browser, **SCREENS["laptop 1280x720"]) as page:
        for path in OPENED:
            page.goto(f"{app_server}/{path}")
            wait_for_app(page)
            sections = page.locator('[data-testid="stExpander"] summary')
            assert sections.count() >= 2, f"/{path}: no sections to open"
            names = sections.all_inner_texts()
            assert any("Export this run" in name for name in names), names
            for i in range(len(names)):
                sections.nth(i).click()  # "Export this run" asks for a rerun
                wait_for_app(page, settle_ms=400)
            found += audit(axe, page, f"/{path} with its sections opened ({len(names)})")
    assert found == [], "\n".join(found)


def test_only_serious_and_unknown_moderate_findings_fail() -> None:
    def finding(rule: str, impact: str) -> dict:
        return {"id": rule, "impact": impact, "nodes": []}

    findings = [
        finding("color-contrast", "serious"),
        finding("aria-required-children", "critical"),
        finding("a-moderate-rule-nobody-listed", "moderate"),
        finding("a-minor-rule-nobody-listed", "minor"),
        *(finding(rule, "moderate") for rule in KNOWN),
        finding(next(iter(KNOWN)), "serious"),  # a known rule that turns serious
    ]
    failing = [(v["id"], v["impact"]) for v in unexpected(findings)]
    assert failing == [
        ("color-contrast", "serious"),
        ("aria-required-children", "critical"),
        ("a-moderate-rule-nobody-listed", "moderate"),
        ("a-minor-rule-nobody-listed", "minor"),
        (next(iter(KNOWN)), "serious"),
    ]


def test_the_readme_lists_every_known_finding() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Accessibility\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert section is not None, "the README has no Accessibility section"
    for rule in KNOWN:
        assert f"`{rule}`" in section.group(1), rule
