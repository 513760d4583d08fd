"""Ordinary actions done again and in turn never kill the page (TESTING.md C.8).

One long walk in a real Chromium, as a class would go: uploads good and bad in turn, the same
file twice, data sets in turn, K up and down, pages in turn, Play and Pause, presenter mode on
and off. It fails on Streamlit's "Connection error" dialog, on a console message naming
Streamlit's message cache (``Cached ForwardMsg MISS``, the message behind that dialog when the
browser is sent a reference to a message it has already let go), on an exception shown on
the page, and on a page that does not settle.

Before the fix in ``.streamlit/config.toml`` (``global.minCachedMessageSize``) the uploads
alone ended in that dialog within ten files, in every run tried: an upload asks for two runs back
to back, and the first one's end made the browser drop the chart the second run referred to.
"""

from __future__ import annotations

import re

from app_harness import APP_TIMEOUT_MS, IDLE_FOR_JS
from browser_helpers import choose_option
from playwright.sync_api import Page, expect

GOOD_CSV = "x,y\n" + "\n".join(
    f"{(i % 2) * 6 + (i * 7 % 10) / 10},{(i % 2) * 5 + (i * 3 % 10) / 10}" for i in range(40)
)
WORDS_CSV = "a,b\ntrue,false\nfalse,true\n"
OTHER_CSV = "v\n" + "\n".join(str(1.5 + (i % 3) + 7 * (i % 2)) for i in range(30))

# The dialog's title, and what the browser logs when its message cache misses.
DEAD = re.compile(r"Connection error|ForwardMsg|cache miss", re.IGNORECASE)

SETTLED_JS = f"""
(settleMs) => {{
    const dialog = [...document.querySelectorAll('[role="dialog"]')]
        .some(d => /Connection error/i.test(d.textContent));
    return dialog || ({IDLE_FOR_JS})(settleMs);
}}
"""


class Walk:
    """The page, with a check after every action."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.console: list[str] = []
        self.done: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))
        page.on("pageerror", lambda error: self.console.append(str(error)))

    def settle(self, what: str) -> None:
        self.done.append(what)
        page = self.page
        page.evaluate("() => { window.__emIdleSince = undefined; }")
        page.wait_for_function(SETTLED_JS, arg=300, timeout=APP_TIMEOUT_MS, polling=50)
        dialogs = page.get_by_role("dialog").filter(has_text=re.compile("Connection error"))
        dead = [text for text in self.console if DEAD.search(text)]
        history = " → ".join(self.done[-6:])
        assert dialogs.count() == 0, f"'Connection error' after: {history}"
        assert not dead, f"{dead[0]!r} after: {history}"
        expect(page.get_by_test_id("stException")).to_have_count(0)

    def open(self, path: str) -> None:
        link = self.page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]')
        if link.count() and link.first.is_visible():
            link.first.click()
        else:  # presenter mode hides the sidebar
            self.page.goto(f"{self.url}/{path}")
        self.settle(f"open /{path}")

    def upload(self, name: str, text: str) -> None:
        self.page.get_by_text("Upload a file", exact=True).click()
        self.page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
        )
        self.page.wait_for_timeout(150)  # the upload's own request and reruns
        self.settle(f"upload {name}")

    def data_set(self, title: str) -> None:
        self.page.get_by_text("A classic data set", exact=True).click()
        self.settle("classic data set")
        choose_option(self.page, "Data set", title)
        self.settle(f"data set {title}")

    def k(self, value: int) -> None:
        k = self.page.get_by_role("spinbutton", name="Number of components K")
        k.fill(str(value))
        k.press("Enter")
        self.settle(f"K = {value}")

    def step(self, name: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.get_by_role("button", name=name, exact=True).click()
        self.settle(f"{name} × {times}")

    def half_step(self) -> None:
        """The one of E-step and M-step that is next (Play may have stopped at either)."""
        for name in ("E-step", "M-step"):
            button = self.page.get_by_role("button", name=name, exact=True)
            if button.is_enabled():
                button.click()
                self.settle(name)
                return
        raise AssertionError("neither E-step nor M-step can be pressed")

    def play_then_pause(self) -> None:
        buttons = self.page.locator(".js-plotly-plot .updatemenu-button")
        buttons.filter(has_text="Play").first.click()
        self.page.wait_for_timeout(400)
        buttons.filter(has_text="Pause").first.click()
        self.settle("Play, Pause")

    def presenter(self) -> None:
        self.page.locator(".st-key-present label").first.click()
        self.settle("presenter mode switched")


def test_a_long_walk_of_ordinary_actions_never_loses_the_connection(
    page: Page, app_server: str
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    walk = Walk(page, app_server)
    page.goto(f"{app_server}/your_data")
    walk.settle("open your_data")
    for _ in range(2):  # good and bad files in turn, and the same file twice
        walk.upload("two.csv", GOOD_CSV)
        walk.step("Next iteration")
        walk.upload("words.csv", WORDS_CSV)
        walk.upload("two.csv", GOOD_CSV)
        walk.upload("two.csv", GOOD_CSV)
        walk.upload("one.csv", OTHER_CSV)
    for title in ["Galaxy", "Old Faithful eruptions", "iris", "Old Faithful eruptions"]:
        walk.data_set(title)
        walk.step("Next iteration", 2)
    for k in [3, 4, 2, 3]:
        walk.k(k)
    walk.play_then_pause()
    walk.presenter()
    walk.half_step()
    walk.presenter()
    for path in ["worked_example", "", "your_data", "worked_example", "choose_k"]:
        walk.open(path)
    walk.open("worked_example")
    for _ in range(2):
        walk.play_then_pause()
        walk.step("Next iteration")
        walk.step("Back")
        walk.presenter()
        walk.step("Next iteration")
        walk.presenter()
    walk.open("your_data")
    walk.upload("words.csv", WORDS_CSV)
    walk.upload("two.csv", GOOD_CSV)
    walk.step("Next iteration", 3)
