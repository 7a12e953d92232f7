// The console's broadcasts: while composing, the number of recipients of the audience
// chosen and the time field only when "Hẹn giờ" is chosen; every form posts once (a
// double click sends one request); a broadcast's progress without reloading the page.
// The page works without this script: the server shows the same counts.
(function () {
  "use strict";
  var FINAL = ["done", "cancelled"];
  var EVERY_MS = 2000;

  // ---- one submission per form --------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
  // Back to a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      form.removeAttribute("data-sent");
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
        button.removeAttribute("aria-disabled");
      });
    });
  });

  function getJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return null; } // signed out
      if (response.status >= 500) throw new Error("busy"); // asked again a little later
      return response.ok ? response.json() : null;
    });
  }

  // ---- composing ----------------------------------------------------------------------
  var compose = document.querySelector("form.bc-compose");
  if (compose) {
    var out = document.getElementById("bc-count");
    var area = compose.querySelector(".bc-area");
    var at = compose.querySelector(".bc-at");
    var asked = 0;
    var timer = 0;
    var chosen = function (name) {
      var input = compose.querySelector("input[name='" + name + "']:checked");
      return input ? input.value : "";
    };
    var count = function () {
      var mine = ++asked;
      var query = new URLSearchParams({ "gui-toi": chosen("gui-toi"), xa: compose.elements.xa.value });
      getJson(compose.getAttribute("data-count") + "?" + query.toString()).then(function (body) {
        if (body && mine === asked) out.textContent = body.text;
      }).catch(function () { /* offline for a moment: the preview counts again */ });
    };
    var shape = function () {
      area.hidden = chosen("gui-toi") !== "area";
      at.hidden = chosen("khi") !== "later";
    };
    compose.addEventListener("change", function (event) {
      shape();
      if (event.target.name === "gui-toi") count();
    });
    compose.elements.xa.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(count, 400);
    });
    shape();
  }

  // ---- a broadcast's progress ---------------------------------------------------------
  var panel = document.querySelector("[data-progress]");
  if (!panel) return;
  var show = function (body) {
    panel.setAttribute("data-state", body.state);
    Array.prototype.forEach.call(panel.querySelectorAll("[data-count]"), function (cell) {
      cell.textContent = String(body.counts[cell.getAttribute("data-count")] || 0);
    });
    var name = panel.querySelector("[data-state-name]");
    if (name.textContent !== body.state_name) name.textContent = body.state_name;
    panel.querySelector("[data-line]").textContent = body.line;
    var bar = panel.querySelector("progress");
    bar.max = Math.max(body.counts.total, 1);
    bar.value = body.counts.total - body.counts.waiting;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-when]"), function (form) {
      form.hidden = form.getAttribute("data-when").split(" ").indexOf(body.state) < 0;
    });
  };
  var poll = function () {
    if (document.hidden) { setTimeout(poll, EVERY_MS); return; } // a tab nobody looks at
    getJson(panel.getAttribute("data-progress")).then(function (body) {
      if (!body) return;
      show(body);
      // A scheduled one only needs to be seen starting; one being sent, every count.
      if (!body.final) setTimeout(poll, body.state === "scheduled" ? EVERY_MS * 5 : EVERY_MS);
    }).catch(function () { setTimeout(poll, EVERY_MS * 3); });
  };
  if (FINAL.indexOf(panel.getAttribute("data-state")) < 0) setTimeout(poll, EVERY_MS / 2);
})();
