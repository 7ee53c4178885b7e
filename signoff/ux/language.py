"""Language: expected texts (e.g. Chinese customer names) are on the page, not cut off, not "tofu".

:func:`check_text_rendering` finds each text in the DOM, checks that no ancestor clips it, and that
every character is drawn with a real glyph rather than the missing-glyph box.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from playwright.sync_api import Page

from signoff.ux._pagejs import js

# Glyph check, method: draw each distinct character on a canvas in the element's computed font and
# compare the pixels with a character no font has (U+10FFFD, private use plane 16). When no font in
# the fallback chain has a glyph, Chromium draws the primary font's .notdef box for both, so equal
# pixels mean "tofu". A character that draws no ink at all (an empty .notdef) is missing too.
# Rejected: document.fonts.check() answers whether *web* fonts are loaded and says true for
# system fonts without looking at glyph coverage; comparing measureText widths alone confuses
# full-width CJK glyphs with .notdef boxes of similar advance.
_TEXT_SCRIPT = js(r"""(text) => {
  /*HELPERS*/
  const result = {found: false, visible: false, truncated: false, clippedBy: null, missing: [], font: '', selector: ''};
  let element = null, range = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node, fallback = null;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const r = document.createRange();
    r.setStart(node, at);
    r.setEnd(node, at + text.length);
    if (!fallback) fallback = {el: node.parentElement, r};
    if (__visible(node.parentElement)) { element = node.parentElement; range = r; break; }
  }
  if (!element && fallback) { element = fallback.el; range = fallback.r; }
  if (!element) {
    // Split over several nodes (<b>张</b>伟) or in a field's value: the smallest element holding it.
    const holders = Array.from(document.body.querySelectorAll('*')).filter((el) =>
      ((el.value !== undefined && typeof el.value === 'string' && el.value.includes(text)) ||
       (el.textContent || '').includes(text)) && el.tagName !== 'SCRIPT' && el.tagName !== 'STYLE');
    holders.sort((a, b) => (a.textContent || '').length - (b.textContent || '').length);
    const inValue = (el) => typeof el.value === 'string' && el.value.includes(text);
    element = holders.find(inValue) || holders[0] || null;
    if (element && !inValue(element)) {
      // Text split over child elements: the holder's whole content box stands for the text's box.
      range = document.createRange();
      range.selectNodeContents(element);
    }
  }
  if (!element) return result;
  result.found = true;
  result.selector = __path(element);
  result.visible = __visible(element);
  const style = getComputedStyle(element);
  result.font = style.fontFamily;
  // Clipping: the text's own box against every ancestor that hides its overflow.
  const box = range ? range.getBoundingClientRect() : null;
  const isField = !range && typeof element.value === 'string' && element.value.includes(text);
  if (isField && element.scrollWidth > element.clientWidth + 1) {
    result.truncated = true;
    result.clippedBy = __describe(element);
  }
  for (let a = element; !result.truncated && box && a && a !== document.documentElement; a = a.parentElement) {
    const s = getComputedStyle(a);
    const clipsX = s.overflowX === 'hidden' || s.overflowX === 'clip';
    const clipsY = s.overflowY === 'hidden' || s.overflowY === 'clip';
    const ellipsis = s.textOverflow === 'ellipsis' && a.scrollWidth > a.clientWidth + 1;
    const clamped = s.webkitLineClamp && s.webkitLineClamp !== 'none' && a.scrollHeight > a.clientHeight + 1;
    if (!clipsX && !clipsY && !ellipsis && !clamped) continue;
    const r = a.getBoundingClientRect();
    const left = r.left + a.clientLeft, top = r.top + a.clientTop;
    const right = left + a.clientWidth, bottom = top + a.clientHeight;
    const outX = clipsX && (box.right > right + 1 || box.left < left - 1);
    const outY = clipsY && (box.bottom > bottom + 1 || box.top < top - 1);
    if (outX || outY || ellipsis || clamped) { result.truncated = true; result.clippedBy = __describe(a); }
  }
  const size = Math.max(8, Math.min(96, parseFloat(style.fontSize) || 16));
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(size * 2.5) + 8;
  canvas.height = Math.ceil(size * 2) + 8;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const font = [style.fontStyle, style.fontWeight, size + 'px', style.fontFamily].join(' ');
  const draw = (ch) => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = font;
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let bits = '', ink = 0;
    for (let i = 3; i < data.length; i += 4) { const on = data[i] > 96; bits += on ? '1' : '0'; if (on) ink++; }
    return {bits, ink};
  };
  const tofu = draw('\u{10FFFD}');
  for (const ch of new Set(Array.from(text))) {
    if (/[\p{Z}\p{Cc}\p{Cf}\p{Mn}\p{Me}]/u.test(ch)) continue;
    const g = draw(ch);
    if (g.ink === 0 || g.bits === tofu.bits) result.missing.push(ch);
  }
  return result;
}""")


@dataclasses.dataclass
class TextRenderResult:
    """Whether one expected text shows properly."""

    text: str
    found: bool
    visible: bool
    truncated: bool
    #: The element that clips the text, when truncated.
    clipped_by: str | None
    #: Characters drawn as a missing-glyph box ("tofu") or not at all.
    missing_glyphs: list[str]
    font_family: str
    selector: str
    passed: bool


def check_text_rendering(page: Page, texts: Iterable[str]) -> list[TextRenderResult]:
    """For each text: present in the DOM (text nodes, or a field's value), visible, not clipped, real glyphs.

    Clipped means the text's own box (a DOM Range) reaches outside an ancestor with
    ``overflow: hidden/clip``, or an ancestor shows an ellipsis (``text-overflow: ellipsis`` with
    ``scrollWidth > clientWidth``) or clamps lines. For a field value: ``scrollWidth > clientWidth``.
    Glyphs: see the comment on the method above ``_TEXT_SCRIPT``.
    """
    results: list[TextRenderResult] = []
    for text in texts:
        data: dict[str, Any] = page.evaluate(_TEXT_SCRIPT, text)
        results.append(
            TextRenderResult(
                text=text,
                found=bool(data["found"]),
                visible=bool(data["visible"]),
                truncated=bool(data["truncated"]),
                clipped_by=data["clippedBy"],
                missing_glyphs=list(data["missing"]),
                font_family=str(data["font"]),
                selector=str(data["selector"]),
                passed=bool(data["found"] and data["visible"] and not data["truncated"] and not data["missing"]),
            )
        )
    return results


_SCRIPT_TEXTS = js(r"""([pattern, limit]) => {
  /*HELPERS*/
  const re = new RegExp(pattern, 'u');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && out.length < limit) {
    const text = node.data.replace(/\s+/g, ' ').trim();
    const parent = node.parentElement;
    if (!text || !re.test(text) || !parent || parent.closest('script, style, noscript, template')) continue;
    if (!__visible(parent) || out.includes(text)) continue;
    out.push(text);
  }
  return out;
}""")

#: Unicode script of Chinese characters (and the other Han-based scripts), for :func:`texts_in_script`.
HAN = r"\p{Script=Han}"


def texts_in_script(page: Page, pattern: str = HAN, *, limit: int = 50) -> list[str]:
    """Visible texts of the page (one per text node, spaces collapsed) containing a ``pattern`` match.

    ``pattern`` is a JavaScript Unicode regular expression; the default finds Chinese characters.
    Use it to check "the Chinese names on this screen" without knowing the names beforehand.
    """
    found: list[str] = page.evaluate(_SCRIPT_TEXTS, [pattern, limit])
    return found
