"""Lighthouse-style checks of the page the browser shows, run inside it (no pytest here).

``audit(driver)`` returns what fails, by rule: a horizontal scroll (of the page or the
message list), tap targets under 44 px,
text under 4.5:1 contrast against what is really behind it (backgrounds composited up the
tree), and controls without an accessible name. Empty lists (and ``None``) mean it passes.
"""

from __future__ import annotations

from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

TAP_TARGET = 44  # px, WCAG 2.5.5 / Lighthouse
CONTRAST = 4.5  # WCAG AA, body text

_AUDIT = """
const TAP = arguments[0], CONTRAST = arguments[1];
const out = {hscroll: null, small: [], contrast: [], unnamed: []};
const root = document.scrollingElement;
for (const box of [root, document.getElementById("messages")]) {
  if (box && box.scrollWidth > box.clientWidth + 1) out.hscroll = (box.id || "page") + " " + box.scrollWidth + " > " + box.clientWidth;
}
const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
  (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
  " '" + (el.textContent || "").trim().slice(0, 30) + "'";
const shown = (el) => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
};
for (const c of document.querySelectorAll("button, a[href], textarea, input, select, summary, [role=button]")) {
  if (!shown(c)) continue;
  const r = c.getBoundingClientRect();
  if (r.width < TAP - 0.5 || r.height < TAP - 0.5) out.small.push(describe(c) + " " + Math.round(r.width) + "x" + Math.round(r.height));
  const labelled = c.labels ? Array.from(c.labels).map((l) => l.textContent).join(" ").trim() : "";
  const name = (c.getAttribute("aria-label") || "").trim() || labelled || c.textContent.trim() || (c.title || "").trim();
  if (!name) out.unnamed.push(describe(c));
}
const rgba = (v) => { const m = (v.match(/[\\d.]+/g) || ["0", "0", "0", "0"]).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const lum = (c) => { const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const behind = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255];
  for (const c of layers.reverse()) bg = bg.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  return bg;
};
for (const el of document.querySelectorAll("body *")) {
  if (!shown(el)) continue;
  if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
  let alpha = rgba(getComputedStyle(el).color)[3];
  for (let e = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
  const bg = behind(el), fg = rgba(getComputedStyle(el).color).slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
  const a = lum(fg), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < CONTRAST) out.contrast.push(describe(el) + " " + ratio.toFixed(2));
}
return out;
"""


def audit(driver: WebDriver) -> dict[str, Any]:
    return driver.execute_script(_AUDIT, TAP_TARGET, CONTRAST)


def failures(result: dict[str, Any]) -> list[str]:
    """One line per failed check, for an assertion message."""
    lines = [f"horizontal scroll: {result['hscroll']}"] if result["hscroll"] else []
    for rule in ("small", "contrast", "unnamed"):
        lines += [f"{rule}: {item}" for item in result[rule]]
    return lines


def console_errors(driver: WebDriver) -> list[str]:
    """Console errors since the last call (the log is emptied as it is read)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
