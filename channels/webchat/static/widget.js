/* Website chat widget: <script src="https://HUB/widget.js" async></script> on any page. */
(function () {
  "use strict";
  if (window.__hubChat) return;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var base = new URL(script.src, location.href);
  var wsBase = (base.protocol === "https:" ? "wss://" : "ws://") + base.host;
  var TOKEN_KEY = "hubchat.token";
  var state = { ws: null, open: false, backoff: 500, pending: {}, seen: {}, welcomed: false };

  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = base.origin + "/widget.css";
  document.head.appendChild(link);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var root = el("div", "hubchat");
  var bubble = el("button", "hubchat-bubble", "Chat");
  bubble.type = "button";
  bubble.setAttribute("aria-label", "Open chat");
  var panel = el("section", "hubchat-panel");
  panel.hidden = true;
  panel.setAttribute("aria-label", "Chat with us");
  var header = el("header", "hubchat-header", "Chat with us");
  var status = el("div", "hubchat-status", "");
  status.setAttribute("role", "status");
  var log = el("ol", "hubchat-log");
  log.setAttribute("aria-live", "polite");
  var who = el("form", "hubchat-who");
  var nameInput = el("input");
  nameInput.name = "name"; nameInput.placeholder = "Your name"; nameInput.dir = "auto"; nameInput.maxLength = 200;
  var emailInput = el("input");
  emailInput.name = "email"; emailInput.type = "email"; emailInput.placeholder = "Email (optional)"; emailInput.dir = "auto";
  var whoButton = el("button", null, "Save");
  whoButton.type = "submit";
  who.append(nameInput, emailInput, whoButton);
  var form = el("form", "hubchat-form");
  var input = el("textarea");
  input.name = "text"; input.rows = 2; input.dir = "auto"; input.placeholder = "Type a message…";
  input.setAttribute("aria-label", "Message");
  var send = el("button", null, "Send");
  send.type = "submit";
  form.append(input, send);
  panel.append(header, status, log, who, form);
  root.append(panel, bubble);

  function mount() { document.body.appendChild(root); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  function addMessage(m) {
    if (m.id && state.seen[m.id]) return;
    if (m.id) state.seen[m.id] = true;
    var item = el("li", "hubchat-msg hubchat-" + (m.direction === "in" ? "me" : "agent"));
    if (m.client_id) item.dataset.clientId = m.client_id;
    var body = el("div", "hubchat-text", m.text);
    body.dir = "auto";
    item.appendChild(body);
    (m.attachments || []).forEach(function (file) {
      var link = el("a", "hubchat-file", "📎 " + file.filename);
      link.href = file.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.dir = "auto";
      item.appendChild(link);
    });
    if (m.direction === "out" && m.author) item.appendChild(el("div", "hubchat-author", m.author));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function connect() {
    var token = localStorage.getItem(TOKEN_KEY);
    var url = wsBase + "/webchat/ws" + (token ? "?token=" + encodeURIComponent(token) : "");
    var ws = new WebSocket(url);
    var welcomed = false;
    state.ws = ws;
    ws.onmessage = function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f.type === "welcome") {
        welcomed = true;
        state.backoff = 500;
        localStorage.setItem(TOKEN_KEY, f.token);
        status.textContent = "";
        root.dataset.visitor = f.visitor_id;
        (f.history || []).forEach(addMessage);
        Object.keys(state.pending).forEach(function (cid) { ws.send(JSON.stringify(state.pending[cid])); });
        root.dataset.ready = "1";
      } else if (f.type === "message") {
        addMessage(f.message);
      } else if (f.type === "ack") {
        delete state.pending[f.client_id];
        if (f.id) state.seen[f.id] = true;
        var li = log.querySelector('[data-client-id="' + f.client_id + '"]');
        if (li) li.classList.add("hubchat-acked");
      } else if (f.type === "error") {
        status.textContent = f.error;
        if (f.client_id) delete state.pending[f.client_id];
      } else if (f.type === "identified") {
        who.hidden = true;
      }
    };
    ws.onclose = function () {
      state.ws = null;
      root.dataset.ready = "";
      if (!welcomed && token) {
        // A token the hub refused (expired or from another hub): start afresh.
        localStorage.removeItem(TOKEN_KEY);
      }
      status.textContent = "Reconnecting…";
      setTimeout(connect, state.backoff);
      state.backoff = Math.min(state.backoff * 2, 15000);
    };
  }

  function submit(e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var frame = { type: "message", text: text, client_id: uuid() };
    state.pending[frame.client_id] = frame;
    addMessage({ direction: "in", text: text, client_id: frame.client_id });
    input.value = "";
    if (state.ws && state.ws.readyState === 1) state.ws.send(JSON.stringify(frame));
  }
  form.addEventListener("submit", submit);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) submit(e);
  });
  who.addEventListener("submit", function (e) {
    e.preventDefault();
    if (state.ws && state.ws.readyState === 1) {
      state.ws.send(JSON.stringify({ type: "identify", name: nameInput.value, email: emailInput.value || null }));
    }
  });
  bubble.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) input.focus();
  });

  window.__hubChat = { open: function () { panel.hidden = false; } };
  connect();
})();
