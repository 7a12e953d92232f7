// The chat page. Everything from users and documents is put in the page as text
// (textContent), never as HTML. Questions are retried with the same client id after a
// network failure, so a restart of the server loses nothing and answers nothing twice.
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const list = $("#messages");
  const form = $("#ask-form");
  const input = $("#question");
  const status = $("#status");
  const shown = new Set();
  let token = null; // the visitor's id as the server signed it (X-Visitor)
  let streamToken = null; // a short-lived token for the event stream
  let lastId = 0;
  let events = null;

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
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Officer replies carry their own "💬 Cán bộ trả lời:" line.
  const WHO = { bot: "Trợ lý", officer: "", notice: "", broadcast: "Thông báo", user: "Bạn" };

  function render(m) {
    if (m.id && shown.has(m.id)) return;
    if (m.id) { shown.add(m.id); lastId = Math.max(lastId, m.id); }
    const li = el("li", "msg msg-" + m.author);
    if (m.id) li.dataset.id = m.id;
    if (WHO[m.author]) li.appendChild(el("span", "who", WHO[m.author]));
    const pictured = typeof m.photo === "string" && m.photo.startsWith("/media/");
    if (pictured) li.appendChild(photo(m.photo, li));
    if (m.text || !pictured) li.appendChild(el("div", "msg-text", m.text));
    if (m.citations && m.citations.length) {
      const sources = el("div", "sources");
      for (const c of m.citations) sources.appendChild(quote(c));
      li.appendChild(sources);
    }
    if (m.buttons && m.buttons.length) li.appendChild(actions(m));
    list.appendChild(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  // A broadcast's photo, above its text; only our own /media/ URLs are shown.
  function photo(src, li) {
    const img = el("img", "msg-photo");
    img.alt = "Ảnh kèm thông báo";
    img.loading = "lazy";
    img.decoding = "async";
    img.addEventListener("load", () => {
      if (li === list.lastElementChild) li.scrollIntoView({ block: "end" });
    });
    img.src = src;
    return img;
  }

  function quote(c) {
    const details = el("details", "quote");
    const summary = el("summary");
    summary.appendChild(el("span", "quote-label", c.label));
    summary.appendChild(el("q", "quote-text", c.quote));
    details.appendChild(summary);
    const passage = el("div", "passage");
    details.appendChild(passage);
    details.addEventListener("toggle", () => {
      if (!details.open || passage.dataset.loaded) return;
      passage.textContent = "Đang tải nguyên văn…";
      const q = "doc=" + encodeURIComponent(c.doc) + "&section=" + encodeURIComponent(c.section);
      api("/api/passage?" + q).then((d) => {
        passage.textContent = d.text;
        passage.dataset.loaded = "1";
      }).catch((e) => { passage.textContent = e.message; });
    });
    return details;
  }

  function actions(m) {
    const box = el("div", "actions");
    for (const b of m.buttons) {
      const kind = b.action.startsWith("fb:up") ? "fb-up" : b.action.startsWith("fb:dn") ? "fb-down"
        : b.action === "handoff" ? "handoff" : "act";
      const button = el("button", kind, b.label);
      button.type = "button";
      if (kind === "fb-up") button.setAttribute("aria-label", "Câu trả lời hữu ích");
      if (kind === "fb-down") button.setAttribute("aria-label", "Câu trả lời chưa đúng ý");
      button.addEventListener("click", () => {
        if (kind.startsWith("fb")) button.setAttribute("aria-pressed", "true");
        send({ action: b.action });
      });
      box.appendChild(button);
    }
    return box;
  }

  function uid() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^0-9A-Za-z-]/g, "");
  }

  // One request; on a network failure or a restart it is tried again with the same id.
  function send(body, attempt) {
    body.client_id = body.client_id || uid();
    attempt = attempt || 0;
    return api(body.text !== undefined ? "/api/ask" : "/api/action", body).then((d) => {
      status.textContent = "";
      for (const m of d.messages) render(m);
    }).catch((e) => {
      if (e.status && e.status < 500) { status.textContent = e.message; return; }
      status.textContent = e.status === 503 && e.message ? e.message : "Mất kết nối, đang thử lại…";
      setTimeout(() => send(body, attempt + 1), Math.min(1000 * 2 ** attempt, 15000));
    });
  }

  function ask(text) {
    text = text.trim();
    if (!text) { status.textContent = "Bạn hãy nhập câu hỏi."; return; }
    render({ author: "user", text: text });
    $("#starters").hidden = true;
    send({ text: text });
  }

  function listen() {
    if (events) events.close();
    events = new EventSource("/api/events?t=" + encodeURIComponent(streamToken) + "&after=" + lastId);
    events.addEventListener("message", (e) => { try { render(JSON.parse(e.data)); } catch (_) {} });
    events.onerror = () => {
      status.textContent = "Đang kết nối lại…";
      // Refused (an expired stream token): the browser gives up; a fresh token reconnects.
      if (events.readyState === EventSource.CLOSED) setTimeout(refreshStream, 3000);
    };
    events.onopen = () => { if (status.textContent === "Đang kết nối lại…") status.textContent = ""; };
  }

  function keep(d) {
    token = d.token;
    streamToken = d.stream;
    localStorage.setItem("hoidap-visitor", token);
  }

  function refreshStream() {
    api("/api/session").then((d) => { keep(d); listen(); }).catch(() => setTimeout(refreshStream, 5000));
  }

  function start() {
    const saved = localStorage.getItem("hoidap-visitor");
    if (saved) token = saved;
    api("/api/session").then((d) => {
      keep(d);
      for (const m of d.messages) render(m);
      const starters = $("#starters");
      if (!d.messages.length) {
        for (const q of d.starters) {
          const b = el("button", "starter", q);
          b.type = "button";
          b.addEventListener("click", () => ask(q));
          starters.appendChild(b);
        }
      }
      listen();
    }).catch(() => {
      status.textContent = "Không kết nối được máy chủ, đang thử lại…";
      setTimeout(start, 3000);
    });
  }

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
  start();
})();
