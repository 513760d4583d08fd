"""Focus visible (WCAG 2.4.7): every tab stop of a page, reached with Tab alone, shows a ring
of at least 3:1 against what is behind it (an outline or a box shadow, from the computed
style), on the part of the widget that is drawn.

React Aria's widgets (Streamlit's switches, check boxes, a slider's thumb) focus an input
hidden in a 1 px clipped box and draw the widget beside it: the ring is looked for on the
focused element and on its nearest ancestors, wherever one of them is on screen.
"""

from __future__ import annotations

import contextlib

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

MAX_TABS = 200
ANCESTORS = 4
FADE_MS = 1_000

# What has the focus, and whether a ring is drawn around it or around an ancestor of it that
# is on screen (at least 4×4 px left after its ancestors' clipping, opacity at least 0.5).
RING_JS = """
() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const rgba = (text) => {
        const m = /rgba?\\(([^)]*)\\)/.exec(text || '');
        if (!m) return null;
        const [r, g, b, a = 1] = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [r, g, b, a];
    };
    const lum = (c) => {
        const f = (v) => {
            v /= 255;
            return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const contrast = (a, b) => {
        const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    };
    const behind = (el) => {
        for (let n = el.parentElement; n; n = n.parentElement) {
            const c = rgba(getComputedStyle(n).backgroundColor);
            if (c && c[3] === 1) return c;
        }
        return [255, 255, 255, 1];
    };
    const over = (c, bg) => c.slice(0, 3).map((v, i) => v * c[3] + bg[i] * (1 - c[3]));
    const onScreen = (el) => {
        let r = el.getBoundingClientRect();
        let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
        let opacity = 1;
        for (let n = el; n; n = n.parentElement) {
            const s = getComputedStyle(n);
            opacity *= Number(s.opacity);
            if (s.visibility === 'hidden' || s.display === 'none') return false;
            const clips = s.clip !== 'auto' || s.clipPath !== 'none'
                || (n !== el && s.overflow !== 'visible');
            if (clips) {
                const q = n.getBoundingClientRect();
                left = Math.max(left, q.left); top = Math.max(top, q.top);
                right = Math.min(right, q.right); bottom = Math.min(bottom, q.bottom);
                if (s.clipPath.startsWith('inset(50%')) return false;
            }
        }
        return right - left >= 4 && bottom - top >= 4 && opacity >= 0.5;
    };
    const ring = (el) => {
        const s = getComputedStyle(el);
        const bg = behind(el);
        const width = parseFloat(s.outlineWidth);
        if (s.outlineStyle === 'auto') return 'auto outline';
        if (!['none', 'hidden'].includes(s.outlineStyle) && width >= 1) {
            const c = rgba(s.outlineColor);
            const ratio = contrast(over(c, bg), bg);
            if (ratio >= 3) return `outline ${width}px ${ratio.toFixed(1)}:1`;
        }
        if (s.boxShadow !== 'none') {
            for (const shadow of s.boxShadow.split(/,(?![^(]*\\))/)) {
                const c = rgba(shadow);
                const sizes = shadow.replace(/rgba?\\([^)]*\\)/, '').match(/-?[\\d.]+px/g) || [];
                const [, , blur = '0', spread = '0'] = sizes;
                const ratio = c ? contrast(over(c, bg), bg) : 0;
                if (ratio >= 3 && (parseFloat(spread) >= 1 || parseFloat(blur) >= 2)) {
                    return `shadow ${ratio.toFixed(1)}:1`;
                }
            }
        }
        return null;
    };
    let found = null;
    let n = e;
    for (let i = 0; i <= ANCESTORS && n && !found; i += 1, n = n.parentElement) {
        if (onScreen(n)) found = ring(n);
    }
    const name = (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 60);
    const kind = e.dataset.testid || e.getAttribute('role') || '';
    return {element: `${e.tagName.toLowerCase()}[${kind}] ${name}`, ring: found};
}
""".replace("ANCESTORS", str(ANCESTORS))


def tab_stops(page: Page) -> list[dict]:
    """Every element Tab reaches from the top of the page, once each, with its ring."""
    stops: list[dict] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = page.evaluate(RING_JS)
        if now is None:
            continue
        if now["ring"] is None:  # a ring may fade in (plotly's tool bar: 0.3 s)
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_function(f"() => ({RING_JS})()?.ring", timeout=FADE_MS)
            now = page.evaluate(RING_JS)
        if stops and now["element"] == stops[0]["element"]:
            return stops  # round the page once
        stops.append(now)
    raise AssertionError(f"Tab did not come back to {stops[0]} in {MAX_TABS} presses")


def test_every_tab_stop_shows_a_ring(page: Page, app_server, wait_for_app) -> None:
    missing = []
    for address in ("worked_example", "hmm"):
        page.goto(f"{app_server}/{address}")
        wait_for_app(page, settle_ms=500)
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        stops = tab_stops(page)
        assert any("[stMain]" in stop["element"] for stop in stops), "the main area is a tab stop"
        missing += [f"{address}: {stop['element']}" for stop in stops if stop["ring"] is None]
    assert missing == [], "no visible focus ring on:\n" + "\n".join(missing)
