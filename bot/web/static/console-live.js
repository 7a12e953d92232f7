// The console's live regions: an element with data-live="URL" is refreshed from that URL
// (an HTML fragment rendered by the server) every few seconds while the tab is visible,
// so a new ticket or a citizen's new message appears without reloading the page.
(function () {
  "use strict";
  var EVERY_MS = 4000;
  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live]"));
  if (!regions.length) return;
  var busy = false;
  var last = new Map(); // the fragment each region shows now

  function refresh(region) {
    return fetch(region.getAttribute("data-live"), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      cache: "no-store",
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return; } // signed out
      if (!response.ok) return;
      return response.text().then(function (html) {
        if (html !== last.get(region)) { last.set(region, html); region.innerHTML = html; }
        var count = Number(region.getAttribute("data-refreshed") || 0) + 1;
        region.setAttribute("data-refreshed", String(count)); // tests wait on this
      });
    }).catch(function () { /* offline for a moment: the next round tries again */ });
  }

  function round() {
    if (busy || document.hidden) return;
    busy = true;
    Promise.all(regions.map(refresh)).then(function () { busy = false; });
  }

  round();
  setInterval(round, EVERY_MS);
  document.addEventListener("visibilitychange", round);
})();
