"""Presentation mode read from the back of a room: a 1,920 x 1,080 screen, Explore and Compare.

Every visible text, the plotly charts' SVG text included, is measured as the browser draws it:
its computed size at least 20 px, and its colour against the background behind it at least
4.5:1 (WCAG 2.x AA contrast). Explore keeps its three spend sliders, so a what-if asked in the
room is answered without leaving presentation mode. Screenshots of both pages go to
``test-artifacts/browser-present-*.png``.
"""

from __future__ import annotations

import pytest

from ui.controls import SPENDS
from test_browser import charts, open_app, screenshot, url

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
SMALLEST_PX = 20.0
LEAST_CONTRAST = 4.5

# Every text node the reader can see, with its element's computed size and the contrast of its colour
# (alpha and the opacities above it blended in) against the first opaque background behind it.
_TEXTS = """() => {
  const rgba = s => { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const over = (top, below, a) => [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a));
  // What lies behind a point, top layer first: the elements there (a text's own parents may not be
  // behind it: a slider's value floats above its blue handle), their backgrounds or SVG fills.
  const background = (x, y, el) => {
    const layers = [];
    for (const e of document.elementsFromPoint(x, y)) {
      if (e === el || el.contains(e)) continue;
      const cs = getComputedStyle(e);
      let c = rgba(cs.backgroundColor);
      if (e instanceof SVGGeometryElement && !(e instanceof SVGTextContentElement) && cs.fill !== 'none') {
        const f = rgba(cs.fill); if (f) c = [f[0], f[1], f[2], f[3] * parseFloat(cs.fillOpacity)];
      }
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = over(c, bg, c[3]);
    return bg;
  };
  // Visually hidden (a "skip to content" link, clipped to nothing until it has the focus).
  const hidden = el => { for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (/rect\\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\\)/.test(cs.clip)) return true;
      if (cs.overflow === 'hidden' && e.getBoundingClientRect().width <= 1) return true; }
    return false; };
  const opacity = el => { let o = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e); o *= parseFloat(cs.opacity);
      if (e instanceof SVGElement && cs.fillOpacity) o *= parseFloat(cs.fillOpacity); }
    return o; };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || ['STYLE', 'SCRIPT', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    const cs = getComputedStyle(el);
    if (/Material Symbols/.test(cs.fontFamily)) continue;  // an icon drawn as a ligature, not words
    const range = document.createRange(); range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || box.right < 0 || box.bottom < 0 || hidden(el)
        || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const colour = rgba(el instanceof SVGElement ? cs.fill : cs.color) || [0, 0, 0, 1];
    const bg = background(box.left + box.width / 2, box.top + box.height / 2, el);
    const fg = over(colour, bg, colour[3] * opacity(el));
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({text: text.slice(0, 60), size: parseFloat(cs.fontSize), contrast: (hi + 0.05) / (lo + 0.05),
              where: (el.closest('[data-testid]') || el).getAttribute('data-testid') || el.tagName,
              chart: el.closest('.js-plotly-plot') !== null,
              cls: (el.getAttribute('class') || '').slice(0, 40)});
  }
  return out;
}"""


@pytest.fixture()
def screen(browser, request):
    """A page the size of a 1,920 x 1,080 meeting-room screen."""
    context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


def unreadable(page) -> list[dict]:
    """The visible texts smaller than 20 px or under 4.5:1 against their background.

    The window is made as tall as the page for the measure (as for a screenshot), so what lies
    behind every text is on screen to be found; the width, which sets the layout, stays."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": SCREEN["width"], "height": max(SCREEN["height"], int(height) + 20)})
    settle(page)
    texts = page.evaluate(_TEXTS)
    page.set_viewport_size(SCREEN)
    assert len(texts) > 50 and sum(t["chart"] for t in texts) > 30, f"the page's texts, the charts' too: {texts}"
    return [t for t in texts if t["size"] < SMALLEST_PX - 0.01 or t["contrast"] < LEAST_CONTRAST]


def settle(page) -> None:
    """Two animation frames, so the charts have drawn at the page's width."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_explore_presented_is_readable_from_the_back_with_its_spend_sliders(screen, app_url, artifacts):
    open_app(screen, url(app_url, "/", preset="ad-boost", present="1"))
    drawn = charts(screen, 7)
    assert len(drawn) == 7
    screen.get_by_text("Weighing the next dollar").wait_for(state="detached", timeout=60_000)
    settle(screen)
    for name in SPENDS:
        slider = screen.locator(f".st-key-w-lever-{name} [data-testid='stSlider']")
        assert slider.locator("input[type='range']").count() == 1, f"{name}'s slider is on the page"
        box = slider.bounding_box() or {}
        assert box.get("width", 0) >= 400, f"{name}'s slider is large on a 1,920-pixel screen: {box}"
        # Its value reads on one line above the handle, not a character a line down the page.
        lines = slider.locator("[data-testid='stSliderThumbValue']").evaluate(
            "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 0)"
            " || e.getBoundingClientRect().height / (1.6 * parseFloat(getComputedStyle(e).fontSize))")
        assert lines < 1.5, f"{name}'s value wraps onto {lines:.1f} lines"
    screenshot(screen, artifacts / "browser-present-explore.png")
    bad = unreadable(screen)
    assert not bad, "\n".join(map(str, bad))


def test_compare_presented_is_readable_from_the_back(screen, app_url, artifacts):
    open_app(screen, url(app_url, "/compare", compare="service-boost,ad-boost", present="1"))
    drawn = charts(screen, 3)
    assert len(drawn) == 3
    assert "<br>" not in drawn[2]["title"], "the bridge's title, the pair's names, holds one line across the page"
    settle(screen)
    # The headline's lines are balanced: no word or two alone on a last line under a screen-wide one.
    widths = screen.locator(".st-key-headline p").evaluate("""p => {
        const range = document.createRange(); range.selectNodeContents(p);
        const rows = {};
        for (const r of range.getClientRects()) rows[Math.round(r.top)] = (rows[Math.round(r.top)] || 0) + r.width;
        return Object.keys(rows).map(Number).sort((a, b) => a - b).map(k => rows[k]); }""")
    assert len(widths) >= 1 and widths[-1] >= 0.5 * max(widths), widths
    screenshot(screen, artifacts / "browser-present-compare.png")
    bad = unreadable(screen)
    assert not bad, "\n".join(map(str, bad))
