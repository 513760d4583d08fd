"""The chart tied to its text (WCAG 1.1.1, 4.1.2): in every stepping view, the chart a screen
reader meets is a figure whose accessible description, as Chromium computes it, is the
view's text of the half-step on screen (the polite live region, em_ui/controls.js), before
and after a step; the text's id is the view's own.
"""

from __future__ import annotations

from playwright.sync_api import CDPSession, Page, expect

# A page of every model with a stepping view, and the view's key (each page's KEY): the
# mixture's worked example, its own data and two lessons (the K-means start's buttons have
# names of their own; Choosing K and Restarts draw the same mixture's view after a search,
# which only takes longer).
VIEWS = {
    "worked_example": "worked",
    "kmeans_start": "kstart",
    "collapse": "collapse",
    "your_data": "data",
    "ppca": "ppca",
    "hmm": "hmm",
    "fa": "fa",
    "topics": "topics",
}
CHART_TIMEOUT_MS = 60_000


def accessible(cdp: CDPSession, selector: str) -> dict[str, str | None]:
    """The role, name and description Chromium gives the element at ``selector``."""
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    (ax, *_) = cdp.send(
        "Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False}
    )["nodes"]
    value = lambda field: (ax.get(field) or {}).get("value")  # noqa: E731
    return {"role": value("role"), "name": value("name"), "description": value("description")}


def test_every_stepping_chart_is_described_by_its_text(page: Page, app_server, wait_for_app):
    cdp = page.context.new_cdp_session(page)
    for address, key in VIEWS.items():
        page.goto(f"{app_server}/{address}")
        chart = f".st-key-{key}-chart .js-plotly-plot"
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
        wait_for_app(page)
        text = page.locator(f"#{key}-chart-text")
        expect(text).to_have_count(1)
        expect(text).not_to_be_empty()
        expect(page.locator(chart)).to_have_attribute("aria-describedby", f"{key}-chart-text")
        said = text.text_content()
        assert accessible(cdp, chart) == {
            "role": "figure",
            "name": "Chart of the run",
            "description": said,
        }, address
        page.keyboard.press("e")  # the first E-step (K-means's first Assign)
        expect(text).not_to_have_text(said or "")
        assert accessible(cdp, chart)["description"] == text.text_content(), address
