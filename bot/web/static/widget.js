// Embeds the chat on any page: <script src="https://BOT/widget.js" data-title="…" data-color="#…"></script>
// A button in the corner opens the chat (served by the bot, in an iframe): a panel on a
// desktop, the whole screen on a phone. × in the panel or Esc closes it and gives the focus
// back to the button; an officer's reply that arrives while it is closed shows a badge.
"use strict";
(function () {
  const script = document.currentScript;
  if (!script || document.getElementById("hoidap-launcher")) return;
  const origin = new URL(script.src, location.href).origin;
  // The words: the server fills them in from bot/strings/web.py when it serves this file.
  const W = {"launcher": "", "unread": ""};
  const given = (script.dataset.title || "").slice(0, 60); // else the chat names its documents
  const title = given || W.launcher;
  const colour = /^#[0-9a-fA-F]{6}$/.test(script.dataset.color || "") ? script.dataset.color : "#a50e0e";
  const phone = window.matchMedia("(max-width: 600px)");
  // White or near-black on the button, whichever reads better on the portal's colour.
  const lum = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
  const ink = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2] > 0.18 ? "#111" : "#fff";
  const Z = "2147483000";

  const button = document.createElement("button");
  button.id = "hoidap-launcher";
  button.type = "button";
  button.textContent = "💬 " + title;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "hoidap-frame");
  Object.assign(button.style, {
    position: "fixed", right: "16px", bottom: "16px", zIndex: Z, padding: "12px 16px", minHeight: "48px",
    border: "0", borderRadius: "24px", background: colour, color: ink, font: "15px system-ui, sans-serif",
    boxShadow: "0 2px 8px rgba(0,0,0,.3)", cursor: "pointer",
  });
  const badge = document.createElement("span");
  badge.id = "hoidap-badge";
  badge.hidden = true;
  Object.assign(badge.style, {
    position: "absolute", top: "-6px", right: "-4px", minWidth: "22px", height: "22px", borderRadius: "11px",
    background: "#fff", color: "#b00020", font: "bold 13px/22px system-ui, sans-serif", textAlign: "center",
    boxShadow: "0 0 0 2px " + colour, padding: "0 5px",
  });
  button.appendChild(badge);
  let unread = 0;

  let frame = null;
  const isOpen = () => !!frame && !frame.hidden;

  function place() {
    if (!frame) return;
    const full = phone.matches;
    Object.assign(frame.style, full
      ? { right: "0", bottom: "0", width: "100vw", height: "100%", borderRadius: "0" }
      : { right: "16px", bottom: "80px", width: "min(400px, calc(100vw - 32px))", height: "min(640px, calc(100vh - 104px))", borderRadius: "12px" });
    button.style.display = full && isOpen() ? "none" : "";
  }

  function setUnread(count) {
    unread = count;
    badge.hidden = !count;
    badge.textContent = count > 9 ? "9+" : String(count);
    button.setAttribute("aria-label", title + (count ? " (" + count + " " + W.unread + ")" : ""));
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "hoidap-frame";
      frame.title = title;
      frame.src = origin + "/?embed=1&color=" + encodeURIComponent(colour.slice(1)) + (given ? "&title=" + encodeURIComponent(given) : "");
      Object.assign(frame.style, { position: "fixed", border: "0", boxShadow: "0 4px 16px rgba(0,0,0,.3)", zIndex: Z, background: "#fff" });
      document.body.appendChild(frame);
    }
    frame.hidden = false;
    setUnread(0);
    button.setAttribute("aria-expanded", "true");
    place();
    frame.focus();
  }

  function close() {
    if (!isOpen()) return;
    frame.hidden = true;
    button.setAttribute("aria-expanded", "false");
    place();
    button.focus();
  }

  button.addEventListener("click", () => (isOpen() ? close() : open()));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  phone.addEventListener("change", place);
  // Only the chat's own frame may close the panel or raise the badge.
  window.addEventListener("message", (e) => {
    if (!frame || e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
    if (e.data.type === "hoidap:close") close();
    if (e.data.type === "hoidap:unread" && !isOpen()) setUnread(unread + 1);
  });
  setUnread(0);
  document.body.appendChild(button);
})();
