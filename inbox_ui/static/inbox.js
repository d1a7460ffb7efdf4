/* The inbox's small bit of JavaScript: API forms, and live updates from /inbox/events. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  // Forms marked data-api post to the JSON API; the result arrives through the live stream.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-api]")) return;
    e.preventDefault();
    if (form.dataset.busy === "1") return; // a double click sends once
    form.dataset.busy = "1";
    var error = form.querySelector(".form-error");
    if (error) error.textContent = "";
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
        if (form.id === "composer") {
          form.reset();
          form.querySelector('[name="client_key"]').value = newKey();
        }
      });
    }).catch(function (err) {
      if (error) error.textContent = err.message; else alert(err.message);
    }).finally(function () { form.dataset.busy = ""; });
  });

  // Ctrl/Cmd+Enter sends the reply.
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.closest && e.target.closest("#composer")) {
      e.preventDefault();
      e.target.closest("form").requestSubmit();
    }
  });

  var page = document.querySelector("[data-live]");
  if (!page || !window.EventSource) return;
  var conversationId = page.dataset.conversation || null;
  var timer = null;

  function refresh(selector) {
    var el = document.querySelector(selector);
    if (!el || !window.htmx) return;
    clearTimeout(timer);
    timer = setTimeout(function () { htmx.trigger(el, "refresh"); }, 150);
  }

  function upsertMessage(id) {
    fetch("/inbox/m/" + id, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = html.trim();
      var node = tpl.content.firstElementChild;
      var existing = document.getElementById("m-" + id);
      if (existing) existing.replaceWith(node); else document.getElementById("timeline").appendChild(node);
    });
  }

  var source = new EventSource("/inbox/events");
  source.addEventListener("ready", function () { document.body.dataset.live = "connected"; });
  source.addEventListener("messages", function (e) {
    var data = JSON.parse(e.data);
    if (conversationId && data.conversation_id === conversationId) upsertMessage(data.id);
    if (!conversationId) refresh("#conversation-list");
  });
  source.addEventListener("conversations", function (e) {
    var data = JSON.parse(e.data);
    if (conversationId && data.id === conversationId) refresh("#conversation-header");
    if (!conversationId) refresh("#conversation-list");
  });
  source.addEventListener("reload", function () { location.reload(); });
  source.onerror = function () { document.body.dataset.live = "reconnecting"; };
})();
