// Embeds the chat on any page: <script src="https://BOT/widget.js" data-title="…" data-color="#…"></script>
// A button in the corner opens the chat (served by the bot, in an iframe) in a panel.
"use strict";
(function () {
  const script = document.currentScript;
  if (!script || document.getElementById("hoidap-launcher")) return;
  const origin = new URL(script.src, location.href).origin;
  const title = (script.dataset.title || "Hỏi đáp Nghị quyết 02").slice(0, 60);
  const colour = /^#[0-9a-fA-F]{6}$/.test(script.dataset.color || "") ? script.dataset.color : "#a50e0e";

  const button = document.createElement("button");
  button.id = "hoidap-launcher";
  button.type = "button";
  button.textContent = "💬 " + title;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "hoidap-frame");
  Object.assign(button.style, {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", padding: "12px 16px",
    border: "0", borderRadius: "24px", background: colour, color: "#fff", font: "15px system-ui, sans-serif",
    boxShadow: "0 2px 8px rgba(0,0,0,.3)", cursor: "pointer",
  });

  let frame = null;
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "hoidap-frame";
      frame.title = title;
      frame.src = origin + "/?embed=1&title=" + encodeURIComponent(title) + "&color=" + encodeURIComponent(colour.slice(1));
      Object.assign(frame.style, {
        position: "fixed", right: "16px", bottom: "72px", width: "min(400px, calc(100vw - 32px))",
        height: "min(600px, calc(100vh - 96px))", border: "0", borderRadius: "12px",
        boxShadow: "0 4px 16px rgba(0,0,0,.3)", zIndex: "2147483000", background: "#fff",
      });
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(button);
})();
