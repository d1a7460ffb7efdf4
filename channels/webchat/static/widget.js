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

  function mount() { (document.getElementById(script.getAttribute("data-preview") || "") || document.body).appendChild(hostEl); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  function addMessage(m) {
    if (m.survey) return addRatingPrompt(m);
    if (m.id && state.seen[m.id]) return;
    if (m.id) state.seen[m.id] = true;
    var shown = m.id && m.client_id && log.querySelector('[data-client-id="' + m.client_id + '"]');
    if (shown) { // stored while its ack was lost to a disconnect: the same message, now known as stored
      delete state.pending[m.client_id];
      shown.dataset.id = m.id;
      shown.dataset.at = m.created_at || "";
      acked(shown);
      return;
    }
    var item = el("li", "hubchat-msg hubchat-" + (m.direction === "in" ? "me" : "agent"));
    if (m.id) { item.dataset.id = m.id; item.dataset.at = m.created_at || ""; }
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
    (m.attachments || []).forEach(function (file) { item.appendChild(attachmentNode(file)); });
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
      if (liveFrame(f)) return; // typing and read receipts (the live extras below)
      if (f.type === "welcome") {
        var sendSigned = signed.identifier && signed.hash && !welcomed;
        welcomed = true;
        state.backoff = 500;
        localStorage.setItem(TOKEN_KEY, f.token);
        status.textContent = "";
        root.dataset.visitor = f.visitor_id;
        (f.history || []).forEach(addMessage);
        liveWelcome(f);
        state.live = true;
        Object.keys(state.pending).forEach(function (cid) { ws.send(JSON.stringify(state.pending[cid])); });
        root.dataset.ready = "1";
        afterWelcome(f);
        if ((f.verified || []).length) who.hidden = true;
        if (sendSigned) {
          ws.send(JSON.stringify({ type: "identify", identifier: signed.identifier,
                                   identifier_hash: signed.hash, name: signed.name || null }));
        }
      } else if (f.type === "message") {
        addMessage(f.message);
        agentArrived(f.message);
      } else if (f.type === "ack") {
        delete state.pending[f.client_id];
        if (f.id) state.seen[f.id] = true;
        var li = log.querySelector('[data-client-id="' + f.client_id + '"]');
        if (li && f.id) { li.dataset.id = f.id; li.dataset.at = f.created_at || ""; }
        if (li) acked(li);
      } else if (f.type === "error" && f.code === "prechat") {
        onPrechatRefused(f);
      } else if (f.type === "prechat_done" || f.type === "rated") {
        onLookFrame(f);
      } else if (f.type === "error") {
        f.error = errorText(f); // in the visitor's language, from its code (never the server's English)
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
    markGreeted(frame);
    state.pending[frame.client_id] = frame;
    addMessage({ direction: "in", text: text, client_id: frame.client_id });
    input.value = "";
    if (state.typingSent) state.typingSent();
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
      sawReplies();
    }
  }
  bubble.addEventListener("click", function () { show(panel.hidden); });
  closer.addEventListener("click", function () { show(false); bubble.focus(); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { show(false); bubble.focus(); }
  });

  // ---- Live extras: files, typing both ways, read receipts, the bubble's sound, errors in the visitor's
  // language. Their words are a table of their own (same five languages), by key rather than position.
  var LIVE_WORDS = {
    en: { attach: "Attach a file", drop: "Drop files here to send them", tooLarge: "{name} is too large: a file can be at most {size}.",
          tooMany: "At most 5 files at once.", typing: "{name} is typing…", agentTyping: "Someone is typing…", read: "Read",
          failed: "Something went wrong; please try again.", rate_limited: "You are sending too fast; try again in {wait}.",
          wrong_code: "That code is not right ({n} tries left).", wrong_code_1: "That code is not right (1 try left).", expired: "That code has expired; ask for a new one.",
          no_tries: "No tries are left for that code; ask for a new one.", no_code: "There is no code to check; ask for a new one.",
          not_sent: "The code could not be sent just now; please try again later.",
          not_signed: "Your account could not be confirmed; chat as a guest.", bad_token: "Your chat session has ended; starting a new one.",
          origin: "This site may not use the chat.", prechat: "Please fill in the form first.", too_long: "That message is too long; shorten it or split it." },
    fa: { attach: "پیوست فایل", drop: "فایل‌ها را اینجا رها کنید تا فرستاده شوند", tooLarge: "{name} بیش از حد بزرگ است: هر فایل حداکثر {size} می‌تواند باشد.",
          tooMany: "حداکثر ۵ فایل در هر بار.", typing: "{name} در حال نوشتن است…", agentTyping: "کسی در حال نوشتن است…", read: "خوانده شد",
          failed: "مشکلی پیش آمد؛ لطفاً دوباره تلاش کنید.", rate_limited: "خیلی سریع پیام می‌فرستید؛ {wait} دیگر دوباره تلاش کنید.",
          wrong_code: "این کد درست نیست ({n} تلاش باقی مانده).", expired: "این کد منقضی شده است؛ کد تازه بخواهید.",
          no_tries: "برای این کد تلاشی باقی نمانده است؛ کد تازه بخواهید.", no_code: "کدی برای بررسی نیست؛ کد تازه بخواهید.",
          not_sent: "الان نتوانستیم کد را بفرستیم؛ لطفاً کمی بعد دوباره تلاش کنید.",
          not_signed: "حساب شما تأیید نشد؛ به‌عنوان مهمان گفتگو کنید.", bad_token: "نشست گفتگوی شما پایان یافت؛ نشست تازه‌ای شروع می‌شود.",
          origin: "این سایت اجازهٔ استفاده از گفتگو را ندارد.", prechat: "لطفاً اول فرم را پر کنید.", too_long: "این پیام خیلی طولانی است؛ کوتاهش کنید یا در چند پیام بفرستید." },
    ar: { attach: "إرفاق ملف", drop: "أفلت الملفات هنا لإرسالها", tooLarge: "{name} كبير جدًا: الحد الأقصى للملف {size}.",
          tooMany: "5 ملفات كحد أقصى في المرة الواحدة.", typing: "{name} يكتب…", agentTyping: "أحدهم يكتب…", read: "قُرئت",
          failed: "حدث خطأ ما؛ يُرجى المحاولة مرة أخرى.", rate_limited: "أنت ترسل بسرعة كبيرة؛ حاول مجددًا بعد {wait}.",
          wrong_code: "هذا الرمز غير صحيح (المحاولات المتبقية: {n}).", expired: "انتهت صلاحية هذا الرمز؛ اطلب رمزًا جديدًا.",
          no_tries: "لم تتبقَّ محاولات لهذا الرمز؛ اطلب رمزًا جديدًا.", no_code: "لا يوجد رمز للتحقق؛ اطلب رمزًا جديدًا.",
          not_sent: "تعذّر إرسال الرمز الآن؛ يُرجى المحاولة لاحقًا.",
          not_signed: "تعذّر تأكيد حسابك؛ تابع الدردشة كضيف.", bad_token: "انتهت جلسة الدردشة؛ نبدأ جلسة جديدة.",
          origin: "لا يُسمح لهذا الموقع باستخدام الدردشة.", prechat: "يُرجى ملء النموذج أولًا.", too_long: "هذه الرسالة طويلة جدًا؛ اختصرها أو قسّمها." },
    zh: { attach: "添加附件", drop: "将文件拖放到此处即可发送", tooLarge: "{name} 太大：单个文件最大为 {size}。",
          tooMany: "一次最多 5 个文件。", typing: "{name} 正在输入…", agentTyping: "对方正在输入…", read: "已读",
          failed: "出了点问题，请重试。", rate_limited: "您发送得太快了，请 {wait}后再试。",
          wrong_code: "验证码不正确（还剩 {n} 次机会）。", expired: "验证码已过期，请重新获取。",
          no_tries: "此验证码已无剩余尝试次数，请重新获取。", no_code: "没有可验证的验证码，请重新获取。",
          not_sent: "暂时无法发送验证码，请稍后再试。",
          not_signed: "无法确认您的账户，请以访客身份聊天。", bad_token: "您的聊天会话已结束，正在开始新的会话。",
          origin: "此网站不允许使用聊天。", prechat: "请先填写表单。", too_long: "消息太长，请缩短或分开发送。" },
    vi: { attach: "Đính kèm tệp", drop: "Thả tệp vào đây để gửi", tooLarge: "{name} quá lớn: mỗi tệp tối đa {size}.",
          tooMany: "Tối đa 5 tệp mỗi lần.", typing: "{name} đang soạn tin…", agentTyping: "Có người đang soạn tin…", read: "Đã xem",
          failed: "Đã xảy ra lỗi; vui lòng thử lại.", rate_limited: "Bạn gửi quá nhanh; hãy thử lại sau {wait}.",
          wrong_code: "Mã không đúng (còn {n} lượt thử).", expired: "Mã đã hết hạn; hãy yêu cầu mã mới.",
          no_tries: "Mã này đã hết lượt thử; hãy yêu cầu mã mới.", no_code: "Không có mã để kiểm tra; hãy yêu cầu mã mới.",
          not_sent: "Hiện chưa gửi được mã; vui lòng thử lại sau.",
          not_signed: "Không xác nhận được tài khoản của bạn; hãy trò chuyện với tư cách khách.", bad_token: "Phiên trò chuyện đã kết thúc; đang bắt đầu phiên mới.",
          origin: "Trang web này không được phép dùng trò chuyện.", prechat: "Vui lòng điền biểu mẫu trước.", too_long: "Tin nhắn quá dài; hãy rút ngắn hoặc chia nhỏ." }
  };
  function tl(key, values) {
    var words = LIVE_WORDS[lang] || LIVE_WORDS.en;
    var out = words[key] || LIVE_WORDS.en[key] || words.failed;
    Object.keys(values || {}).forEach(function (k) { out = out.split("{" + k + "}").join(values[k]); });
    return out;
  }
  var ERROR_WORDS = { not_configured: "not_signed", bad_signature: "not_signed", too_large: "too_long", too_many: "tooMany" };
  function errorText(f) { // a server refusal, by its code; an unknown one is the general sentence
    var key = ERROR_WORDS[f.code] || f.code || "failed";
    if (key === "wrong_code" && f.tries_left === 1 && LIVE_WORDS[lang].wrong_code_1) key = "wrong_code_1";
    var wait = Math.max(1, Math.ceil(f.retry_after || 1)), long = wait >= 90; // "5 seconds", "15 minutes"
    var unit = { style: "unit", unit: long ? "minute" : "second", unitDisplay: "long" };
    return tl(key, { n: new Intl.NumberFormat(lang).format(f.tries_left || 0),
                     wait: new Intl.NumberFormat(lang, unit).format(long ? Math.ceil(wait / 60) : wait) });
  }

  var typingBox = el("div", "hubchat-typing");
  typingBox.setAttribute("role", "status");
  typingBox.setAttribute("aria-live", "polite");
  typingBox.hidden = true;
  panel.insertBefore(typingBox, who);
  var typingTimer = 0;
  function showTyping(name, seconds) {
    clearTimeout(typingTimer);
    typingBox.hidden = !(seconds > 0);
    typingBox.textContent = seconds > 0 ? (name ? tl("typing", { name: name }) : tl("agentTyping")) : "";
    if (seconds > 0) typingTimer = setTimeout(function () { showTyping("", 0); }, seconds * 1000);
  }
  function setUpTyping() {
    // At most one "typing" frame every 2.5 s (the hub drops it after a few seconds by itself). Typing inside
    // the 2.5 s is announced when they end, not dropped, and a sent message starts afresh: what the visitor
    // types next is about a new message (the frame before it may have come before any conversation).
    var last = 0, later = 0;
    function announce() {
      later = 0;
      if (!input.value.trim()) return;
      var wait = 2500 - (Date.now() - last);
      if (wait > 0) { later = setTimeout(announce, wait); return; }
      if (frameOut({ type: "typing" })) last = Date.now();
    }
    input.addEventListener("input", function () { if (!later) announce(); });
    state.typingSent = function () { clearTimeout(later); later = 0; last = 0; };
    document.addEventListener("visibilitychange", function () { if (!document.hidden) sawReplies(); });
  }

  function liveFrame(f) {
    if (f.type === "typing") { showTyping(f.name, f.seconds); return true; }
    if (f.type === "read") { markRead(f.id, f.at); return true; }
    return false;
  }
  function markRead(id, at) { // an agent saw this message of the visitor's, so every one stored before it too
    var upto = Date.parse(at || "");
    log.querySelectorAll(".hubchat-me[data-id]").forEach(function (li) {
      if (li.dataset.id !== id && !(Date.parse(li.dataset.at || "") <= upto)) return;
      var tk = li.querySelector(".hubchat-tick");
      li.classList.add("hubchat-read");
      if (tk) { tk.textContent = "✓✓"; tk.setAttribute("aria-label", tl("read")); }
    });
  }
  function liveWelcome(f) {
    state.maxFileBytes = f.max_file_bytes || 0;
    var seen = (f.history || []).filter(function (m) { return m.direction === "in" && m.read; }).pop();
    if (seen) markRead(seen.id, seen.created_at);
    sawReplies();
  }
  function agentArrived(m) {
    if (!m || m.direction !== "out") return;
    showTyping("", 0);
    if (panel.hidden && state.live) beep(); else sawReplies();
  }
  function sawReplies() { // the visitor has the chat open in front of them: the agent's replies are read
    var replies = log.querySelectorAll(".hubchat-agent[data-id]");
    var newest = replies.length && replies[replies.length - 1].dataset.id;
    if (!newest || panel.hidden || document.hidden || newest === state.saidSeen) return;
    if (frameOut({ type: "seen", id: newest })) state.saidSeen = newest;
  }

  // A short beep when a reply reaches the closed bubble, only with data-sound="on" (no file to download).
  var soundOn = (script.getAttribute("data-sound") || given.sound || "") === "on";
  var audio = null;
  function beep() {
    if (!soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain(), now = audio.currentTime;
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.12, now);
      gain.gain.exponentialRampToValueAtTime(0.001, now + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now);
      osc.stop(now + 0.25);
      root.dataset.beeps = String(Number(root.dataset.beeps || 0) + 1);
    } catch (err) { /* no audio here: the badge still says it */ }
  }
  if (soundOn) { // browsers start audio only after a gesture on the page: make the context then
    document.addEventListener("pointerdown", function () {
      try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (err) { /* none */ }
    }, { once: true });
  }

  // Files: the picker button, drag and drop onto the open chat, paste into the message box.
  var IMAGE = /^image\/(png|jpeg|gif|webp)$/;
  function clip(size) { // a paperclip (Lucide's), drawn: an emoji needs a font the visitor may not have
    return '<svg viewBox="0 0 24 24" width="' + size + '" height="' + size + '" aria-hidden="true" fill="none" ' +
      'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="m21.4 11.1-9.2 ' +
      '9.2a6 6 0 0 1-8.5-8.5l8.6-8.6a4 4 0 0 1 5.7 5.7l-8.6 8.6a2 2 0 0 1-2.8-2.8l8.5-8.5"/></svg>';
  }
  function attachmentNode(file) {
    var link = el("a", "hubchat-file");
    link.href = file.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.dir = "auto";
    if (IMAGE.test(file.content_type || "")) {
      var img = el("img", "hubchat-image");
      img.src = file.url;
      img.alt = file.filename;
      link.classList.add("hubchat-picture");
      link.appendChild(img);
    } else {
      link.innerHTML = clip(14);
      link.appendChild(document.createTextNode(" " + file.filename));
    }
    return link;
  }
  function sizeText(bytes) {
    var mb = bytes / 1048576;
    return mb >= 1 ? new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(mb) + " MB"
      : new Intl.NumberFormat(lang).format(Math.ceil(bytes / 1024)) + " KB";
  }
  function sendFiles(list) {
    var files = Array.prototype.slice.call(list || []);
    if (!files.length) return;
    if (files.length > 5) { status.textContent = tl("tooMany"); return; }
    var big = files.filter(function (f) { return state.maxFileBytes && f.size > state.maxFileBytes; })[0];
    if (big) { status.textContent = tl("tooLarge", { name: big.name, size: sizeText(state.maxFileBytes) }); return; }
    status.textContent = "";
    var clientId = uuid();
    var li = addMessage({ direction: "in", text: "", client_id: clientId, attachments: files.map(function (f) {
      return { filename: f.name, content_type: f.type, url: URL.createObjectURL(f) };
    }) });
    upload(li, files, clientId);
  }
  function upload(li, files, clientId) {
    var body = new FormData();
    body.append("client_id", clientId);
    files.forEach(function (f) { body.append("file", f, f.name); });
    var token = localStorage.getItem(TOKEN_KEY) || "";
    li.classList.add("hubchat-uploading");
    fetch(base.origin + "/webchat/files?token=" + encodeURIComponent(token), { method: "POST", body: body })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (answer) {
        li.classList.remove("hubchat-uploading");
        if (answer.ok) { fileSent(li, answer.data.message); return; }
        var d = answer.data || {};
        if (d.code === "too_large" || d.code === "too_many" || d.code === "origin") li.remove(); // sending again cannot help
        var words = d.code === "too_large" ? tl("tooLarge", { name: files.length === 1 ? files[0].name : "",
                                                               size: sizeText(d.limit || state.maxFileBytes) })
          : errorText(d);
        fileNotSent(li, files, clientId, words);
      }, function () { li.classList.remove("hubchat-uploading"); fileNotSent(li, files, clientId, tl("failed")); });
  }
  function fileSent(li, m) {
    li.querySelectorAll(".hubchat-file").forEach(function (a) {
      if (a.href.indexOf("blob:") === 0) URL.revokeObjectURL(a.href);
      a.remove();
    });
    var meta = li.querySelector(".hubchat-meta");
    (m.attachments || []).forEach(function (file) { li.insertBefore(attachmentNode(file), meta); });
    li.dataset.id = m.id;
    li.dataset.at = m.created_at;
    state.seen[m.id] = true;
    acked(li);
  }
  function fileNotSent(li, files, clientId, words) {
    status.textContent = words;
    if (!li.isConnected) return;
    li.classList.add("hubchat-failed");
    var again = el("button", "hubchat-retry", t("notSent"));
    again.type = "button";
    again.title = words;
    again.addEventListener("click", function () {
      again.remove();
      li.classList.remove("hubchat-failed");
      upload(li, files, clientId);
    });
    li.appendChild(again);
  }
  function setUpFiles() {
    var picker = el("input");
    picker.type = "file";
    picker.multiple = true;
    picker.hidden = true;
    picker.tabIndex = -1;
    var attach = el("button", "hubchat-attach");
    attach.type = "button";
    attach.setAttribute("aria-label", tl("attach"));
    attach.title = tl("attach");
    attach.innerHTML = clip(20);
    form.insertBefore(attach, input);
    form.appendChild(picker);
    attach.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () { sendFiles(picker.files); picker.value = ""; });
    input.addEventListener("paste", function (e) {
      var pasted = e.clipboardData && e.clipboardData.files;
      if (pasted && pasted.length) { e.preventDefault(); sendFiles(pasted); }
    });
    var hint = el("div", "hubchat-drop", tl("drop"));
    hint.hidden = true;
    panel.appendChild(hint);
    var depth = 0;
    panel.addEventListener("dragenter", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) { depth++; hint.hidden = false; }
    });
    panel.addEventListener("dragleave", function () { if (--depth <= 0) { depth = 0; hint.hidden = true; } });
    panel.addEventListener("dragover", function (e) { e.preventDefault(); });
    panel.addEventListener("drop", function (e) {
      e.preventDefault();
      depth = 0;
      hint.hidden = true;
      sendFiles(e.dataTransfer && e.dataTransfer.files);
    });
  }

  // --- Admin → Website chat: look, greeting, pre-chat form, hours and the rating prompt -----------------
  // Read from /webchat/config at start (or handed in by the admin page's preview, data-preview="BOX-ID",
  // which opens no socket). Kept apart from the rest so each part can change on its own.
  var LOOK_WORDS = {
    en: { within: "We usually reply within {t}", offline: "We're offline — leave your email and we'll reply",
          offlineUntil: "We're offline until {t} — leave your email and we'll reply",
          intro: "Tell us a little before we start", yourName: "Your name", yourEmail: "Your email",
          yourQuestion: "How can we help?", optional: "(optional)", start: "Start the chat",
          needed: "Please fill this in", badEmail: "Please enter a valid email address",
          rateAsk: "How would you rate the help you got?", rateComment: "Anything to add? (optional)",
          rateSend: "Send rating", rateThanks: "Thank you for your rating!", stars: "{n} of 5", chooseStars: "Choose 1 to 5 stars" },
    fa: { within: "معمولاً ظرف {t} پاسخ می‌دهیم", offline: "الان آفلاین هستیم — ایمیل خود را بگذارید تا پاسخ دهیم",
          offlineUntil: "تا {t} آفلاین هستیم — ایمیل خود را بگذارید تا پاسخ دهیم",
          intro: "پیش از شروع، کمی از خودتان بگویید", yourName: "نام شما", yourEmail: "ایمیل شما",
          yourQuestion: "چه کمکی از ما برمی‌آید؟", optional: "(اختیاری)", start: "شروع گفتگو",
          needed: "لطفاً این را پر کنید", badEmail: "لطفاً یک ایمیل معتبر وارد کنید",
          rateAsk: "به کمکی که دریافت کردید چه امتیازی می‌دهید؟", rateComment: "نکته‌ای برای افزودن دارید؟ (اختیاری)",
          rateSend: "ارسال امتیاز", rateThanks: "از امتیاز شما سپاسگزاریم!", stars: "{n} از ۵", chooseStars: "از ۱ تا ۵ ستاره انتخاب کنید" },
    ar: { within: "نرد عادةً خلال {t}", offline: "نحن غير متصلين الآن — اترك بريدك الإلكتروني وسنرد عليك",
          offlineUntil: "نحن غير متصلين حتى {t} — اترك بريدك الإلكتروني وسنرد عليك",
          intro: "أخبرنا قليلًا قبل أن نبدأ", yourName: "اسمك", yourEmail: "بريدك الإلكتروني",
          yourQuestion: "كيف يمكننا مساعدتك؟", optional: "(اختياري)", start: "ابدأ الدردشة",
          needed: "يرجى ملء هذا الحقل", badEmail: "يرجى إدخال بريد إلكتروني صالح",
          rateAsk: "كيف تقيّم المساعدة التي حصلت عليها؟", rateComment: "هل لديك ما تضيفه؟ (اختياري)",
          rateSend: "أرسل التقييم", rateThanks: "شكرًا لتقييمك!", stars: "{n} من 5", chooseStars: "اختر من 1 إلى 5 نجوم" },
    zh: { within: "我们通常在 {t}内回复", offline: "我们暂时不在线 — 请留下您的电子邮件，我们会回复您",
          offlineUntil: "我们在{t}之前不在线 — 请留下您的电子邮件，我们会回复您",
          intro: "开始之前，请简单介绍一下", yourName: "您的姓名", yourEmail: "您的电子邮件",
          yourQuestion: "我们能帮您什么？", optional: "（可选）", start: "开始聊天",
          needed: "请填写此项", badEmail: "请输入有效的电子邮件地址",
          rateAsk: "您如何评价所获得的帮助？", rateComment: "还有什么要补充的吗？（可选）",
          rateSend: "提交评分", rateThanks: "感谢您的评分！", stars: "{n} / 5", chooseStars: "请选择 1 到 5 颗星" },
    vi: { within: "Chúng tôi thường trả lời trong vòng {t}", offline: "Chúng tôi đang ngoại tuyến — hãy để lại email, chúng tôi sẽ trả lời",
          offlineUntil: "Chúng tôi ngoại tuyến đến {t} — hãy để lại email, chúng tôi sẽ trả lời",
          intro: "Cho chúng tôi biết đôi chút trước khi bắt đầu", yourName: "Tên của bạn", yourEmail: "Email của bạn",
          yourQuestion: "Chúng tôi có thể giúp gì?", optional: "(không bắt buộc)", start: "Bắt đầu trò chuyện",
          needed: "Vui lòng điền mục này", badEmail: "Vui lòng nhập email hợp lệ",
          rateAsk: "Bạn đánh giá thế nào về sự hỗ trợ đã nhận?", rateComment: "Bạn muốn nói thêm gì không? (không bắt buộc)",
          rateSend: "Gửi đánh giá", rateThanks: "Cảm ơn bạn đã đánh giá!", stars: "{n} trên 5", chooseStars: "Chọn từ 1 đến 5 sao" }
  };
  var PREVIEW_BOX = script.getAttribute("data-preview");
  var look = { cfg: null, welcomed: false, history: 0, formDone: false, heldText: "", known: false };
  function lt(key, n) {
    return ((LOOK_WORDS[lang] || LOOK_WORDS.en)[key] || LOOK_WORDS.en[key]).replace("{n}", n == null ? "" : n);
  }
  function lookDuration(seconds) {
    var units = seconds < 3600 ? ["minute", Math.max(1, Math.ceil(seconds / 60))]
      : seconds < 172800 ? ["hour", Math.ceil(seconds / 3600)] : ["day", Math.ceil(seconds / 86400)];
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: units[0], unitDisplay: "long" }).format(units[1]);
    } catch (err) { return units[1] + " " + units[0] + (units[1] === 1 ? "" : "s"); }
  }

  // When a closed department opens again, in the visitor's own zone and language: the weekday and time
  // within the coming week ("Friday 9:00 AM"), else the date; "" once it is past (a cached config).
  function reopening(iso) {
    var at = new Date(iso);
    var ahead = at.getTime() - Date.now();
    if (!(ahead > 0)) return "";
    var shape = ahead < 6 * 86400000 ? { weekday: "long", hour: "numeric", minute: "2-digit" }
      : { dateStyle: "medium", timeStyle: "short" };
    try { return new Intl.DateTimeFormat(lang, shape).format(at); } catch (err) { return at.toLocaleString(); }
  }

  var hoursNote = el("p", "hubchat-hours", "");
  hoursNote.hidden = true;
  header.after(hoursNote);
  var prechat = el("form", "hubchat-prechat");
  prechat.hidden = true;
  prechat.noValidate = true;
  panel.insertBefore(prechat, form);
  var PRECHAT_FIELDS = { name: "yourName", email: "yourEmail", question: "yourQuestion" };

  function applyLook(cfg) {
    look.cfg = cfg;
    var settings = cfg.look || {};
    if (/^#[0-9a-fA-F]{6}$/.test(settings.colour || "")) root.style.setProperty("--hubchat-accent", settings.colour);
    root.dataset.position = settings.position === "left" ? "left" : "right";
    heading.textContent = settings.title || t("title");
    panel.setAttribute("aria-label", heading.textContent);
    root.dataset.online = cfg.online ? "1" : "0";
    var reopens = !cfg.online && cfg.opens_at ? reopening(cfg.opens_at) : "";
    hoursNote.textContent = !cfg.online ? (reopens ? lt("offlineUntil").replace("{t}", reopens) : lt("offline"))
      : cfg.reply_within_seconds ? lt("within").replace("{t}", lookDuration(cfg.reply_within_seconds)) : "";
    hoursNote.hidden = !hoursNote.textContent;
    showGreeting();
    buildPrechat();
    refreshPrechat();
  }

  function showGreeting() {
    var text = look.cfg && look.cfg.look && look.cfg.look.greeting;
    var old = log.querySelector(".hubchat-greeting");
    if (!text) { if (old) old.remove(); return; }
    var item = old || el("li", "hubchat-msg hubchat-agent hubchat-greeting");
    if (!old) { item.appendChild(el("div", "hubchat-text", "")); item.firstChild.dir = "auto"; }
    item.firstChild.textContent = text;
    if (log.firstChild !== item) log.insertBefore(item, log.firstChild);
  }

  function markGreeted(frame) {
    // The first message under a greeting says so: the hub puts that greeting on the timeline before it.
    var shown = log.querySelector(".hubchat-greeting");
    if (shown && !log.querySelector(".hubchat-me, .hubchat-agent:not(.hubchat-greeting)")) frame.greeted = true;
  }

  function buildPrechat() {
    var wanted = (look.cfg && look.cfg.form && look.cfg.form.fields) || {};
    prechat.textContent = "";
    prechat.appendChild(el("p", "hubchat-prechat-intro", lt("intro")));
    Object.keys(PRECHAT_FIELDS).forEach(function (name) {
      var mode = wanted[name] || "off";
      if (mode === "off") return;
      var label = el("label", "hubchat-field");
      var words = lt(PRECHAT_FIELDS[name]) + (mode === "required" ? " *" : " " + lt("optional"));
      label.appendChild(el("span", null, words));
      var box = el(name === "question" ? "textarea" : "input");
      box.name = name; box.dir = "auto";
      if (name === "email") { box.type = "email"; box.autocomplete = "email"; box.dir = "ltr"; }
      if (name === "name") box.autocomplete = "name";
      if (name === "question") { box.rows = 2; if (look.heldText) box.value = look.heldText; }
      if (mode === "required") box.setAttribute("aria-required", "true");
      var problem = el("span", "hubchat-field-error", "");
      problem.id = "hubchat-err-" + name;
      box.setAttribute("aria-describedby", problem.id);
      label.append(box, problem);
      prechat.appendChild(label);
    });
    var startButton = el("button", "hubchat-start", lt("start"));
    startButton.type = "submit";
    prechat.appendChild(startButton);
  }

  function refreshPrechat() {
    var wanted = look.cfg && look.cfg.form;
    // A new visitor only; one the site signed in (or who proved an address) is known already.
    var fresh = PREVIEW_BOX || (look.welcomed && look.history === 0 && !look.known && !signed.identifier);
    var show = !!(wanted && wanted.shown && !look.formDone && (fresh || look.heldText));
    prechat.hidden = !show;
    form.hidden = show;
    if (show) who.hidden = true;
  }

  function prechatValues(mark) {
    var wanted = (look.cfg && look.cfg.form && look.cfg.form.fields) || {}, values = {}, ok = true;
    Object.keys(PRECHAT_FIELDS).forEach(function (name) {
      var box = prechat.elements[name];
      if (!box) return;
      var value = box.value.trim(), problem = "";
      if (!value && wanted[name] === "required") problem = lt("needed");
      else if (value && name === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) problem = lt("badEmail");
      var shownError = prechat.querySelector("#hubchat-err-" + name);
      if (mark) { shownError.textContent = problem; box.setAttribute("aria-invalid", problem ? "true" : "false"); }
      if (problem && ok && mark) box.focus();
      if (problem) ok = false;
      values[name] = value || null;
    });
    return ok ? values : null;
  }

  prechat.addEventListener("submit", function (e) {
    e.preventDefault();
    var values = prechatValues(true);
    if (!values) return;
    var frame = { type: "prechat", name: values.name, email: values.email, question: values.question };
    if (values.question) {
      frame.client_id = uuid();
      markGreeted(frame);
      state.pending[frame.client_id] = { type: "message", text: values.question, client_id: frame.client_id };
      addMessage({ direction: "in", text: values.question, client_id: frame.client_id });
      look.heldText = "";
    }
    if (PREVIEW_BOX || !frameOut(frame)) { if (PREVIEW_BOX) prechatDone(); return; }
  });

  function prechatDone() {
    look.formDone = true;
    who.hidden = true;
    refreshPrechat();
    if (look.heldText && !prechat.elements.question) { // a message held back for the form: now it goes
      input.value = look.heldText;
      look.heldText = "";
      form.requestSubmit ? form.requestSubmit() : submit(new Event("submit"));
    }
    if (!PREVIEW_BOX) input.focus();
  }

  function onPrechatRefused(f) {
    // The hub wants the form first: the message waits in it (as the question, or until the form is sent).
    var li = f.client_id && log.querySelector('[data-client-id="' + f.client_id + '"]');
    var held = f.client_id && state.pending[f.client_id];
    if (held) { look.heldText = held.text; delete state.pending[f.client_id]; }
    if (li) li.remove();
    look.formDone = false;
    if (look.cfg && look.cfg.form) {
      look.cfg.form.shown = true;
      (f.fields || []).forEach(function (name) { look.cfg.form.fields[name] = "required"; });
    }
    buildPrechat();
    refreshPrechat();
    prechatValues(true);
    status.textContent = errorText(f); // the form marks each field; this says why, in the visitor's words
  }

  function afterWelcome(f) {
    look.welcomed = true;
    look.history = (f.history || []).length;
    look.known = (f.verified || []).length > 0;
    showGreeting();
    refreshPrechat();
  }

  function onLookFrame(f) {
    if (f.type === "prechat_done") { status.textContent = ""; prechatDone(); }
    else if (f.type === "rated") ratingAnswered(f.survey_id, f.score);
  }

  // The rating prompt: a resolved conversation's survey arrives as a message marked survey "csat".
  function addRatingPrompt(m) {
    if (m.id && state.seen[m.id]) return;
    if (m.id) state.seen[m.id] = true;
    var item = el("li", "hubchat-msg hubchat-agent hubchat-rating");
    item.dataset.id = m.id;
    var ask = el("form", "hubchat-rate");
    ask.appendChild(el("p", "hubchat-rate-ask", lt("rateAsk")));
    var stars = el("div", "hubchat-stars");
    stars.setAttribute("role", "radiogroup");
    stars.setAttribute("aria-label", lt("chooseStars"));
    for (var n = 1; n <= 5; n++) {
      var star = el("button", "hubchat-star", "★");
      star.type = "button";
      star.dataset.score = String(n);
      star.setAttribute("role", "radio");
      star.setAttribute("aria-checked", "false");
      star.setAttribute("aria-label", lt("stars", n.toLocaleString(lang)));
      stars.appendChild(star);
    }
    stars.addEventListener("click", function (e) {
      var chosen = e.target.closest && e.target.closest(".hubchat-star");
      if (!chosen) return;
      ask.dataset.score = chosen.dataset.score;
      Array.prototype.forEach.call(stars.children, function (s) {
        var on = Number(s.dataset.score) <= Number(chosen.dataset.score);
        s.classList.toggle("hubchat-star-on", on);
        s.setAttribute("aria-checked", String(s === chosen));
      });
      problem.textContent = "";
    });
    var comment = el("textarea", "hubchat-rate-comment");
    comment.rows = 2; comment.dir = "auto"; comment.maxLength = 2000;
    comment.placeholder = lt("rateComment"); comment.setAttribute("aria-label", lt("rateComment"));
    var problem = el("p", "hubchat-field-error", "");
    problem.setAttribute("role", "alert");
    var sendRating = el("button", "hubchat-rate-send", lt("rateSend"));
    sendRating.type = "submit";
    ask.append(stars, comment, problem, sendRating);
    ask.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!ask.dataset.score) { problem.textContent = lt("chooseStars"); return; }
      frameOut({ type: "rating", survey_id: m.id, score: Number(ask.dataset.score), comment: comment.value.trim() || null });
    });
    item.appendChild(ask);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (m.rated) ratingAnswered(m.id, m.rated);
    else if (panel.hidden && state.live) { // asked while the chat is closed: the bubble says so
      state.unread += 1;
      badge.textContent = String(state.unread);
      badge.setAttribute("aria-label", t("unread", state.unread));
      badge.hidden = false;
    }
    return item;
  }

  function ratingAnswered(surveyId, score) {
    var item = log.querySelector('.hubchat-rating[data-id="' + surveyId + '"]');
    if (!item) return;
    item.textContent = "";
    var thanks = el("p", "hubchat-rate-thanks", lt("rateThanks") + " " + "★★★★★".slice(0, score));
    thanks.setAttribute("role", "status");
    item.appendChild(thanks);
    item.dataset.rated = String(score);
  }

  function loadLook() {
    if (PREVIEW_BOX || !window.fetch) return;
    fetch(base.origin + "/webchat/config", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (cfg) { if (cfg) applyLook(cfg); })
      .catch(function () { /* the chat works with its defaults */ });
  }
  loadLook();

  window.__hubChat = {
    open: function () { show(true); },
    // Drop the socket and connect again (it catches up on everything it missed, nothing twice).
    reconnect: function () { if (state.ws) state.ws.close(); },
    // The site's user signed out: forget this browser's chat so the next person starts afresh.
    reset: function () {
      localStorage.removeItem(TOKEN_KEY);
      signed = { identifier: "", hash: "", name: "" };
      log.textContent = "";
      look.formDone = false; look.known = false;
      state.seen = {}; state.pending = {};
      who.hidden = false; codeForm.hidden = true;
      if (state.ws) state.ws.close();
    }
  };
  setUpFiles();
  setUpTyping();
  function startPreview() {
    // The admin page's preview: the settings come from its unsaved form; nothing is sent anywhere.
    window.__hubChat.preview = applyLook;
    root.dataset.preview = "1";
    panel.hidden = false; // open, without taking the admin page's focus
    bubble.setAttribute("aria-expanded", "true");
    root.classList.add("hubchat-open");
    document.dispatchEvent(new CustomEvent("hubchat:ready"));
  }
  if (PREVIEW_BOX) startPreview(); else connect();
})();
