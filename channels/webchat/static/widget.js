/* Website chat widget: <script src="https://HUB/widget.js" async></script> on any page; it renders as
   <hub-chat> with a shadow root, so host CSS and widget CSS never meet.
   A signed-in visitor: window.hubChat = {identifier, identifierHash, name} before the script (or
   data-identifier / data-identifier-hash / data-name on it); the hash is hex HMAC-SHA256 made by the
   site's server with the secret from Admin → Website chat. */
(function () {
  "use strict";
  if (window.__hubChat) return;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var base = new URL(script.src, location.href);
  var wsBase = (base.protocol === "https:" ? "wss://" : "ws://") + base.host;
  var TOKEN_KEY = "hubchat.token";
  var state = { ws: null, open: false, backoff: 500, pending: {}, seen: {}, welcomed: false, unread: 0, live: false };
  var given = window.hubChat || {};
  var signed = {
    identifier: given.identifier || script.getAttribute("data-identifier") || "",
    hash: given.identifierHash || script.getAttribute("data-identifier-hash") || "",
    name: given.name || script.getAttribute("data-name") || ""
  };

  // The widget's own words in the hub's five languages: data-lang on the script, else the page's lang,
  // else the browser's; Persian and Arabic lay out right to left.
  var WORDS = {
    en: ["Chat", "Open chat", "Chat with us", "Your name", "Email (optional)", "Save", "6-digit code", "Code",
         "Verify", "Send a new code", "Type a message…", "Message", "Send", "Not sent — send again",
         "We sent a code to {email}. Enter it here to see your earlier messages.", "Reconnecting…", "Close chat", "Sent", "{n} new"],
    fa: ["گفتگو", "باز کردن گفتگو", "با ما گفتگو کنید", "نام شما", "ایمیل (اختیاری)", "ذخیره", "کد ۶ رقمی", "کد",
         "تأیید", "ارسال کد تازه", "پیام خود را بنویسید…", "پیام", "ارسال", "ارسال نشد — دوباره بفرستید",
         "کدی به {email} فرستادیم. برای دیدن پیام‌های قبلی‌تان آن را اینجا وارد کنید.", "در حال اتصال دوباره…", "بستن گفتگو", "ارسال شد", "{n} پیام تازه"],
    ar: ["دردشة", "افتح الدردشة", "تحدث معنا", "اسمك", "البريد الإلكتروني (اختياري)", "حفظ", "رمز من 6 أرقام", "الرمز",
         "تحقق", "أرسل رمزًا جديدًا", "اكتب رسالة…", "الرسالة", "إرسال", "لم تُرسل — أرسلها مجددًا",
         "أرسلنا رمزًا إلى {email}. أدخله هنا لرؤية رسائلك السابقة.", "جارٍ إعادة الاتصال…", "أغلق الدردشة", "أُرسلت", "{n} جديدة"],
    zh: ["聊天", "打开聊天", "与我们聊天", "您的姓名", "电子邮件（可选）", "保存", "6 位验证码", "验证码",
         "验证", "重新发送验证码", "输入消息…", "消息", "发送", "未发送 — 再次发送",
         "我们已向 {email} 发送验证码。在此输入即可查看您之前的消息。", "正在重新连接…", "关闭聊天", "已发送", "{n} 条新消息"],
    vi: ["Trò chuyện", "Mở trò chuyện", "Trò chuyện với chúng tôi", "Tên của bạn", "Email (không bắt buộc)", "Lưu",
         "Mã 6 chữ số", "Mã", "Xác minh", "Gửi mã mới", "Nhập tin nhắn…", "Tin nhắn", "Gửi", "Chưa gửi — gửi lại",
         "Chúng tôi đã gửi mã đến {email}. Nhập mã tại đây để xem các tin nhắn trước của bạn.", "Đang kết nối lại…", "Đóng trò chuyện", "Đã gửi", "{n} tin mới"]
  };
  var KEYS = ["chat", "open", "title", "name", "email", "save", "code6", "code", "verify", "resend", "typeHere",
              "message", "send", "notSent", "codeSent", "reconnecting",
              "close", "sent", "unread"];
  function pickLang() {
    var wanted = [script.getAttribute("data-lang"), given.lang, document.documentElement.lang]
      .concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < wanted.length; i++) {
      var code = (wanted[i] || "").toLowerCase().split(/[-_]/)[0];
      if (WORDS[code]) return code;
    }
    return "en";
  }
  var lang = pickLang();
  function t(key, email) {
    var words = WORDS[lang], i = KEYS.indexOf(key);
    return (words[i] || WORDS.en[i]).replace("{email}", email || "").replace("{n}", email || "");
  }

  // Everything lives in a shadow root of <hub-chat>: the host page's CSS cannot reach in (":host{all:initial}"
  // also stops inherited fonts, colours, list styles) and the widget's own CSS cannot leak out.
  if (window.customElements && !customElements.get("hub-chat")) {
    customElements.define("hub-chat", class extends HTMLElement {});
  }
  var hostEl = document.createElement("hub-chat");
  var shadow = hostEl.attachShadow({ mode: "open" });
  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = base.origin + "/widget.css";
  shadow.appendChild(link);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var root = el("div", "hubchat");
  root.lang = lang;
  root.dir = lang === "fa" || lang === "ar" ? "rtl" : "ltr";
  var bubble = el("button", "hubchat-bubble", t("chat"));
  bubble.type = "button";
  bubble.setAttribute("aria-label", t("open"));
  var panel = el("section", "hubchat-panel");
  panel.hidden = true;
  panel.setAttribute("aria-label", t("title"));
  var header = el("header", "hubchat-header");
  var heading = el("span", "hubchat-title", t("title"));
  var closer = el("button", "hubchat-close", "×");
  closer.type = "button";
  closer.setAttribute("aria-label", t("close"));
  header.append(heading, closer);
  var badge = el("span", "hubchat-badge");
  badge.hidden = true;
  bubble.appendChild(badge);
  bubble.setAttribute("aria-expanded", "false");
  var status = el("div", "hubchat-status", "");
  status.setAttribute("role", "status");
  var log = el("ol", "hubchat-log");
  log.setAttribute("aria-live", "polite");
  var who = el("form", "hubchat-who");
  var nameInput = el("input");
  nameInput.name = "name"; nameInput.placeholder = t("name"); nameInput.setAttribute("aria-label", t("name")); nameInput.dir = "auto"; nameInput.maxLength = 200;
  var emailInput = el("input");
  emailInput.name = "email"; emailInput.type = "email"; emailInput.placeholder = t("email"); emailInput.setAttribute("aria-label", t("email")); emailInput.dir = "auto";
  var whoButton = el("button", null, t("save"));
  whoButton.type = "submit";
  who.append(nameInput, emailInput, whoButton);
  var codeForm = el("form", "hubchat-code");
  codeForm.hidden = true;
  var codeNote = el("p", "hubchat-code-note", "");
  codeNote.setAttribute("role", "status");
  var codeInput = el("input");
  codeInput.name = "code"; codeInput.inputMode = "numeric"; codeInput.autocomplete = "one-time-code";
  codeInput.maxLength = 6; codeInput.placeholder = t("code6"); codeInput.setAttribute("aria-label", t("code"));
  var codeButton = el("button", null, t("verify"));
  codeButton.type = "submit";
  var resend = el("button", "hubchat-resend", t("resend"));
  resend.type = "button";
  codeForm.append(codeNote, codeInput, codeButton, resend);
  var form = el("form", "hubchat-form");
  var input = el("textarea");
  input.name = "text"; input.rows = 2; input.dir = "auto"; input.placeholder = t("typeHere");
  input.setAttribute("aria-label", t("message"));
  var send = el("button", null, t("send"));
  send.type = "submit";
  form.append(input, send);
  panel.append(header, status, log, who, codeForm, form);
  root.append(panel, bubble);
  root.hidden = true; // until its style has loaded: never an unstyled flash on the host page
  link.onload = link.onerror = function () { root.hidden = false; };
  shadow.appendChild(root);

  function mount() { document.body.appendChild(hostEl); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  function addMessage(m) {
    if (m.id && state.seen[m.id]) return;
    if (m.id) state.seen[m.id] = true;
    var shown = m.id && m.client_id && log.querySelector('[data-client-id="' + m.client_id + '"]');
    if (shown) { // stored while its ack was lost to a disconnect: the same message, now known as stored
      delete state.pending[m.client_id];
      acked(shown);
      return;
    }
    var item = el("li", "hubchat-msg hubchat-" + (m.direction === "in" ? "me" : "agent"));
    if (m.id) item.dataset.id = m.id;
    if (m.direction === "out" && m.author) {
      var byline = el("div", "hubchat-author");
      var face = el("span", "hubchat-avatar", initials(m.author));
      face.setAttribute("aria-hidden", "true");
      byline.append(face, el("span", "hubchat-name", m.author));
      item.appendChild(byline);
    }
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
    var meta = el("div", "hubchat-meta");
    var at = m.created_at ? new Date(m.created_at) : new Date();
    var time = el("time", "hubchat-time", at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }));
    time.dateTime = at.toISOString();
    meta.appendChild(time);
    if (m.direction === "in") {
      var tick = el("span", "hubchat-tick", m.id ? "✓" : "");
      if (m.id) tick.setAttribute("aria-label", t("sent"));
      meta.appendChild(tick);
    }
    item.appendChild(meta);
    log.appendChild(item);
    if (m.direction === "out" && panel.hidden && state.live) {
      state.unread += 1;
      badge.textContent = String(state.unread);
      badge.setAttribute("aria-label", t("unread", state.unread));
      badge.hidden = false;
    }
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function acked(li) {
    li.classList.add("hubchat-acked");
    var tk = li.querySelector(".hubchat-tick");
    if (tk) { tk.textContent = "✓"; tk.setAttribute("aria-label", t("sent")); }
  }

  function initials(name) {
    return name.trim().split(/\s+/).slice(0, 2).map(function (w) { return Array.from(w)[0]; }).join("").toUpperCase();
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function frameOut(frame) {
    if (state.ws && state.ws.readyState === 1) { state.ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function notSent(li, frame, reason) {
    // Shown, never silently dropped: the visitor sees it failed and can send it again.
    li.classList.add("hubchat-failed");
    var old = li.querySelector(".hubchat-retry");
    if (old) old.remove();
    var again = el("button", "hubchat-retry", t("notSent"));
    again.type = "button";
    again.title = reason || "";
    again.addEventListener("click", function () {
      again.remove();
      li.classList.remove("hubchat-failed");
      state.pending[frame.client_id] = frame;
      frameOut(frame);
    });
    li.appendChild(again);
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
        var sendSigned = signed.identifier && signed.hash && !welcomed;
        welcomed = true;
        state.backoff = 500;
        localStorage.setItem(TOKEN_KEY, f.token);
        status.textContent = "";
        root.dataset.visitor = f.visitor_id;
        (f.history || []).forEach(addMessage);
        state.live = true;
        Object.keys(state.pending).forEach(function (cid) { ws.send(JSON.stringify(state.pending[cid])); });
        root.dataset.ready = "1";
        if ((f.verified || []).length) who.hidden = true;
        if (sendSigned) {
          ws.send(JSON.stringify({ type: "identify", identifier: signed.identifier,
                                   identifier_hash: signed.hash, name: signed.name || null }));
        }
      } else if (f.type === "message") {
        addMessage(f.message);
      } else if (f.type === "ack") {
        delete state.pending[f.client_id];
        if (f.id) state.seen[f.id] = true;
        var li = log.querySelector('[data-client-id="' + f.client_id + '"]');
        if (li) acked(li);
      } else if (f.type === "error") {
        status.textContent = f.error;
        if (f.client_id && state.pending[f.client_id]) {
          var frame = state.pending[f.client_id];
          delete state.pending[f.client_id];
          var failed = log.querySelector('[data-client-id="' + f.client_id + '"]');
          if (failed) notSent(failed, frame, f.error);
        }
        if (f.code === "wrong_code" || f.code === "rate_limited") codeNote.textContent = f.error;
        if (f.code === "expired" || f.code === "no_tries" || f.code === "no_code") codeNote.textContent = f.error;
        if (f.code === "not_sent" && codeForm.dataset.email) { // the code did not leave: offer to ask again
          codeForm.hidden = false;
          codeNote.textContent = f.error;
          resend.focus();
        }
      } else if (f.type === "identified") {
        who.hidden = true;
      } else if (f.type === "verify_sent") {
        codeForm.hidden = false;
        codeNote.textContent = t("codeSent", f.email);
        codeForm.dataset.email = f.email;
        codeInput.value = "";
        codeInput.focus();
      } else if (f.type === "verified") {
        who.hidden = true;
        codeForm.hidden = true;
        status.textContent = "";
        root.dataset.verified = f.value;
      }
    };
    ws.onclose = function (e) {
      state.ws = null;
      root.dataset.ready = "";
      if (e.code === 4403) {
        // A token the hub refused (expired or from another hub): start afresh. Any other close keeps it.
        localStorage.removeItem(TOKEN_KEY);
      }
      status.textContent = t("reconnecting");
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
    var email = emailInput.value.trim();
    if (frameOut({ type: "identify", name: nameInput.value, email: email || null }) && email) {
      codeForm.dataset.email = email; // so "Send a new code" can ask again if this first send fails
      frameOut({ type: "verify_start", email: email });
    }
  });
  codeForm.addEventListener("submit", function (e) {
    e.preventDefault();
    frameOut({ type: "verify_code", code: codeInput.value.trim() });
  });
  resend.addEventListener("click", function () {
    if (codeForm.dataset.email) frameOut({ type: "verify_start", email: codeForm.dataset.email });
  });
  function show(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    root.classList.toggle("hubchat-open", open);
    if (open) {
      state.unread = 0;
      badge.hidden = true;
      input.focus();
    }
  }
  bubble.addEventListener("click", function () { show(panel.hidden); });
  closer.addEventListener("click", function () { show(false); bubble.focus(); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { show(false); bubble.focus(); }
  });

  window.__hubChat = {
    open: function () { show(true); },
    // Drop the socket and connect again (it catches up on everything it missed, nothing twice).
    reconnect: function () { if (state.ws) state.ws.close(); },
    // The site's user signed out: forget this browser's chat so the next person starts afresh.
    reset: function () {
      localStorage.removeItem(TOKEN_KEY);
      signed = { identifier: "", hash: "", name: "" };
      log.textContent = "";
      state.seen = {}; state.pending = {};
      who.hidden = false; codeForm.hidden = true;
      if (state.ws) state.ws.close();
    }
  };
  connect();
})();
