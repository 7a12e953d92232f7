// The chat page. Everything from users and documents is put in the page as text
// (textContent), never as HTML. Questions are retried with the same client id after a
// network failure, so a restart of the server loses nothing and answers nothing twice.
// The words shown come from the server (bot/strings/web.py) in the #words block.
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const W = JSON.parse($("#words").textContent);
  const list = $("#messages");
  const form = $("#ask-form");
  const input = $("#question");
  const status = $("#status");
  const announcer = $("#announce");
  const embedded = document.body.classList.contains("embed") && window.parent !== window;
  const shown = new Set();
  const clock = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit" });
  const day = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric" });
  const COLLAPSE_PX = 420; // taller replies fold, with "Xem thêm"
  let token = null; // the visitor's id as the server signed it (X-Visitor)
  let streamToken = null; // a short-lived token for the event stream
  let lastId = 0;
  let events = null;
  let typing = null;
  let waiting = 0;

  function api(path, body) {
    const init = { headers: { "X-Visitor": token || "" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(async (r) => {
      const data = await r.json().catch(() => ({}));
      if (!r.ok) { const e = new Error(data.error || "Lỗi " + r.status); e.status = r.status; throw e; }
      return data;
    });
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function stamp(iso) {
    const when = iso ? new Date(iso) : new Date();
    const t = el("time", "when", clock.format(when));
    t.dateTime = when.toISOString();
    if (day.format(when) !== day.format(new Date())) t.textContent = day.format(when) + " " + t.textContent;
    return t;
  }

  // An officer's reply starts "💬 Cán bộ <đơn vị> trả lời:": that line becomes its label.
  function officerParts(text) {
    const m = /^💬 (.{1,120}) trả lời:\n/.exec(text || "");
    return m ? [m[1], text.slice(m[0].length)] : [W.who.officer, text];
  }

  // options.fresh: just arrived (scrolled to and announced); history is neither.
  function render(m, options) {
    const fresh = !!(options && options.fresh);
    if (m.id && shown.has(m.id)) return null;
    if (m.id) { shown.add(m.id); lastId = Math.max(lastId, m.id); }
    const li = el("li", "msg msg-" + m.author);
    if (m.id) li.dataset.id = m.id;
    let text = m.text;
    let who = W.who[m.author] || "";
    if (m.author === "officer") [who, text] = officerParts(text);
    const meta = el("div", "meta");
    if (who) meta.appendChild(el("span", "who", who));
    meta.appendChild(stamp(m.created_at));
    li.appendChild(meta);
    const body = el("div", "body");
    li.appendChild(body);
    const pictured = typeof m.photo === "string" && m.photo.startsWith("/media/");
    if (pictured) body.appendChild(photo(m.photo));
    if (m.cards && m.cards.length) {
      body.appendChild(el("p", "lead", m.lead));
      for (const c of m.cards) body.appendChild(card(c));
    } else if (text || !pictured) {
      body.appendChild(el("div", "msg-text", text));
    }
    if (m.buttons && m.buttons.length) li.appendChild(actions(m));
    // The visitor's data was deleted: the page forgets what it still shows, too.
    const erased = m.kind === W.erased_kind;
    if (erased) for (const old of list.querySelectorAll(".msg:not(.msg-typing)")) old.remove();
    if (typing && typing.parentNode === list) list.insertBefore(li, typing); else list.appendChild(li);
    fold(li, body);
    if (fresh) { reveal(li); if (m.author !== "user") announce(who, text, m); }
    if (erased) input.focus(); // the pressed button is gone with the rest
    return li;
  }

  function fold(li, body) {
    if (body.scrollHeight <= COLLAPSE_PX * 1.3) return;
    body.classList.add("folded");
    const more = el("button", "more", W.more);
    more.type = "button";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", () => {
      const open = body.classList.toggle("folded") === false;
      more.textContent = open ? W.less : W.more;
      more.setAttribute("aria-expanded", String(open));
      if (!open) list.scrollTop = li.offsetTop - 8;
    });
    body.after(more);
  }

  // The whole section is read in full: a folded reply opens first.
  function unfold(li) {
    const more = li && li.querySelector("button.more");
    if (more && li.querySelector(".body.folded")) more.click();
  }

  // A new reply: its start in view (a long answer is read from its first line), or the
  // whole of it when it fits under the question.
  function reveal(li) {
    list.scrollTop = Math.min(li.offsetTop - 8, list.scrollHeight - list.clientHeight);
  }

  // Near the bottom (or nothing to read above): a pushed message may scroll the list.
  function following() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  }

  function announce(who, text, m) {
    const words = m.cards && m.cards.length ? [m.lead].concat(m.cards.map((c) => c.label + ": " + c.quotes[0].text)) : [text];
    announcer.textContent = "";
    const line = (who ? who + ": " : "") + words.join(" ").slice(0, 400);
    setTimeout(() => { announcer.textContent = line; }, 50);
  }

  function photo(src) {
    const img = el("img", "msg-photo");
    img.alt = W.photo_alt;
    img.loading = "lazy";
    img.decoding = "async";
    img.src = src;
    return img;
  }

  // One card per cited section: its label, each quote once, and the whole section on demand.
  function card(c) {
    const box = el("section", "card");
    const title = c.title && c.title.length <= 90 && c.label.indexOf(c.title) < 0 ? c.label + " — " + c.title : c.label;
    box.appendChild(el("h3", "card-label", title));
    for (const q of c.quotes) box.appendChild(el("blockquote", "quote-text", "“" + q.shown + "”"));
    const open = el("button", "open-passage", W.open);
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    const passage = el("div", "passage");
    passage.hidden = true;
    open.addEventListener("click", () => {
      const opening = passage.hidden;
      passage.hidden = !opening;
      open.textContent = opening ? W.close_passage : W.open;
      open.setAttribute("aria-expanded", String(opening));
      if (!opening) { box.scrollIntoView({ block: "nearest" }); return; }
      unfold(box.closest(".msg"));
      if (passage.dataset.loaded) { firstMark(passage); return; }
      passage.textContent = W.loading;
      const q = "doc=" + encodeURIComponent(c.doc) + "&section=" + encodeURIComponent(c.section);
      api("/api/passage?" + q).then((d) => {
        passage.textContent = "";
        for (const p of passageParagraphs(d.text, c.quotes.map((x) => x.text))) passage.appendChild(p);
        passage.dataset.loaded = "1";
        firstMark(passage);
      }).catch((e) => { passage.textContent = e.message; });
    });
    box.appendChild(open);
    box.appendChild(passage);
    return box;
  }

  // The section's paragraphs with the quoted sentences in <mark> (text nodes only, never
  // HTML). Quotes are found in the paragraphs joined by spaces: one may span several
  // (a list of recipients).
  function passageParagraphs(text, quotes) {
    const paragraphs = text.split("\n");
    const whole = paragraphs.join(" ");
    const ranges = [];
    for (const q of quotes) {
      for (let i = q ? whole.indexOf(q) : -1; i >= 0; i = whole.indexOf(q, i + q.length)) ranges.push([i, i + q.length]);
    }
    const out = [];
    let offset = 0;
    for (const para of paragraphs) {
      const p = el("p");
      const end = offset + para.length;
      let at = offset;
      for (const [a, b] of ranges.sort((x, y) => x[0] - y[0])) {
        const from = Math.max(a, at), to = Math.min(b, end);
        if (to <= from) continue;
        if (from > at) p.appendChild(document.createTextNode(whole.slice(at, from)));
        p.appendChild(el("mark", null, whole.slice(from, to)));
        at = to;
      }
      if (at < end) p.appendChild(document.createTextNode(whole.slice(at, end)));
      out.push(p);
      offset = end + 1;
    }
    return out;
  }

  function firstMark(passage) {
    const mark = passage.querySelector("mark") || passage;
    mark.scrollIntoView({ block: "center" });
  }

  function actions(m) {
    const suggestions = m.buttons.some((b) => b.action.startsWith("sg:"));
    const box = el("div", suggestions ? "actions choices" : "actions");
    if (suggestions) { box.setAttribute("role", "group"); box.setAttribute("aria-label", W.suggest); }
    for (const b of m.buttons) {
      const kind = b.action.startsWith("fb:up") ? "fb-up" : b.action.startsWith("fb:dn") ? "fb-down"
        : b.action === "handoff" ? "handoff" : b.action.startsWith("sg:") ? "choice" : "act";
      const button = el("button", kind, b.label);
      button.type = "button";
      if (kind === "fb-up") button.setAttribute("aria-label", W.fb_up);
      if (kind === "fb-down") button.setAttribute("aria-label", W.fb_down);
      button.addEventListener("click", () => {
        if (kind.startsWith("fb")) button.setAttribute("aria-pressed", "true");
        send({ action: b.action });
      });
      box.appendChild(button);
    }
    return box;
  }

  function showTyping(on) {
    waiting += on ? 1 : -1;
    if (waiting > 0 && !typing) {
      typing = el("li", "msg msg-typing");
      typing.setAttribute("aria-hidden", "true");
      typing.appendChild(el("span", "dots"));
      typing.appendChild(el("span", "typing-text", W.typing));
      list.appendChild(typing);
      list.scrollTop = list.scrollHeight;
    } else if (waiting <= 0 && typing) {
      typing.remove();
      typing = null;
    }
    waiting = Math.max(waiting, 0);
  }

  function uid() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^0-9A-Za-z-]/g, "");
  }

  // One request; on a network failure or a restart it is tried again with the same id.
  // The typing indicator goes on once per request and off once, when it is settled.
  function send(body, attempt) {
    body.client_id = body.client_id || uid();
    attempt = attempt || 0;
    if (!attempt) showTyping(true);
    return api(body.text !== undefined ? "/api/ask" : "/api/action", body).then((d) => {
      status.textContent = "";
      showTyping(false);
      let first = null;
      for (const m of d.messages) { const li = render(m); first = first || li; }
      if (first) { reveal(first); const m = d.messages[0]; announce(W.who[m.author] || "", m.text, m); }
    }, (e) => {
      if (e.status && e.status < 500) { showTyping(false); status.textContent = e.message; return; }
      status.textContent = e.status === 503 && e.message ? e.message : W.retry;
      setTimeout(() => send(body, attempt + 1), Math.min(1000 * 2 ** attempt, 15000));
    });
  }

  function ask(text) {
    text = text.trim();
    if (!text) { status.textContent = W.empty; return; }
    render({ author: "user", text: text }, { fresh: true });
    $("#starters").hidden = true;
    send({ text: text });
  }

  // Pushed messages (an officer's reply, an update) also tell the widget around the page.
  function pushed(m) {
    const follow = following(); // a reader scrolled up to read is not pulled down
    const li = render(m, { fresh: follow });
    if (!li || m.author === "user") return;
    if (!follow) announce(W.who[m.author] || "", m.text, m);
    if (embedded) window.parent.postMessage({ type: "hoidap:unread" }, "*");
  }

  function listen() {
    if (events) events.close();
    events = new EventSource("/api/events?t=" + encodeURIComponent(streamToken) + "&after=" + lastId);
    events.addEventListener("message", (e) => { try { pushed(JSON.parse(e.data)); } catch (_) {} });
    events.onerror = () => {
      status.textContent = W.reconnecting;
      // Refused (an expired stream token): the browser gives up; a fresh token reconnects.
      if (events.readyState === EventSource.CLOSED) setTimeout(refreshStream, 3000);
    };
    events.onopen = () => { if (status.textContent === W.reconnecting) status.textContent = ""; };
  }

  function keep(d) {
    token = d.token;
    streamToken = d.stream;
    try { localStorage.setItem("hoidap-visitor", token); } catch (_) {}
  }

  function refreshStream() {
    api("/api/session").then((d) => { keep(d); listen(); }).catch(() => setTimeout(refreshStream, 5000));
  }

  function start() {
    try { token = localStorage.getItem("hoidap-visitor"); } catch (_) {}
    api("/api/session").then((d) => {
      keep(d);
      if (!d.messages.length) {
        render({ author: "bot", text: d.greeting });
        const starters = $("#starters");
        for (const q of d.starters) {
          const b = el("button", "starter", q);
          b.type = "button";
          b.addEventListener("click", () => ask(q));
          starters.appendChild(b);
        }
      }
      for (const m of d.messages) render(m);
      list.scrollTop = list.scrollHeight;
      listen();
    }, () => {
      status.textContent = W.no_server;
      setTimeout(start, 3000);
    });
  }

  function close() { if (embedded) window.parent.postMessage({ type: "hoidap:close" }, "*"); }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    input.value = "";
    ask(text);
    input.focus();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  if (embedded) {
    const x = $("#close");
    x.hidden = false;
    x.addEventListener("click", close);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  }
  start();
})();
