/* What every page shares, loaded first: the CSRF token, one way to call the API, one submit handler
   for form[data-api], and regions that re-render from a URL. Page scripts add only their own hooks.
   No inline scripts anywhere (strict CSP); server text reaches the page only through textContent. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var hooks = {}; // form[data-api="name"] -> { body(form), done(form, data), fail(form, err) }

  // The few sentences scripts write themselves, translated by the server into base.html's #hub-text
  // (a JSON block, not a script); {name} values are filled in here, as the templates' `_` does.
  var texts = {};
  try { texts = JSON.parse((document.getElementById("hub-text") || {}).textContent || "{}"); } catch (e) { texts = {}; }
  function text(key, fallback, values) {
    var out = texts[key] || fallback;
    Object.keys(values || {}).forEach(function (name) { out = out.split("{" + name + "}").join(String(values[name])); });
    return out;
  }

  // Objects go as JSON, strings as `type`, URLSearchParams/FormData as the browser encodes them.
  // Resolves with the parsed answer ({} for 204 or an empty body); rejects with an Error whose
  // message is the server's `error`, with .status and .data (the whole answer) for special cases.
  function request(url, options) {
    options = options || {};
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    var body = options.body;
    if (typeof body === "string") {
      headers["Content-Type"] = options.type || "text/plain; charset=utf-8";
    } else if (body && !(body instanceof URLSearchParams) && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(url, { method: options.method || (body === undefined ? "GET" : "POST"), body: body,
                        headers: headers, credentials: "same-origin" }).then(function (r) {
      return r.text().then(function (text) {
        var data = {};
        try { data = text ? JSON.parse(text) || {} : {}; } catch (err) { /* an HTML error page */ }
        if (!r.ok) {
          var error = new Error(data.error || ("HTTP " + r.status));
          error.status = r.status;
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  // An HTML fragment from one of the inbox's own pages; "" when it is gone or not ours to see.
  function html(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; });
  }

  function fragment(text) {
    var tpl = document.createElement("template");
    tpl.innerHTML = text;
    return tpl.content;
  }

  // Re-render a region from its data-refresh-src. Elements in the answer marked data-swap-oob
  // replace the page's element with the same id (the list's tab counts). One request at a time per
  // region; a refresh asked for meanwhile runs once after it, so the region ends current.
  // A region is not swapped while a pointer is pressed inside it: a new node between mousedown and
  // mouseup would swallow the click (the two land on different elements), so the answer waits for the
  // press to end and the click it makes.
  var pressed = null, pressedAt = 0, afterPress = [];
  document.addEventListener("pointerdown", function (e) { pressed = e.target; pressedAt = Date.now(); }, true);
  function released() {
    if (!pressed) return;
    pressed = null;
    setTimeout(function () { afterPress.splice(0).forEach(function (run) { run(); }); }, 0);
  }
  document.addEventListener("pointerup", released, true);
  document.addEventListener("pointercancel", released, true);
  function whenNotPressed(el, run) {
    // A press held for seconds (or whose release the page never saw) does not freeze the region.
    if (pressed && el.contains(pressed) && Date.now() - pressedAt < 3000) afterPress.push(run); else run();
  }

  function refresh(el) {
    if (!el || !el.dataset.refreshSrc) return;
    if (el.dataset.refreshing) { el.dataset.refreshing = "again"; return; }
    el.dataset.refreshing = "1";
    html(el.dataset.refreshSrc).then(function (text) {
      if (!text) return;
      return new Promise(function (resolve) { whenNotPressed(el, function () { swap(el, text); resolve(); }); });
    }).catch(function () { /* the next event or tick tries again */ }).finally(function () {
      var again = el.dataset.refreshing === "again";
      delete el.dataset.refreshing;
      if (again) refresh(el);
    });
  }
  function swap(el, text) {
    var content = fragment(text);
    Array.prototype.forEach.call(content.querySelectorAll("[data-swap-oob][id]"), function (node) {
      node.remove();
      var old = document.getElementById(node.id);
      if (old) old.replaceWith(node);
    });
    el.dispatchEvent(new CustomEvent("hub:before-refresh", { bubbles: true }));
    el.replaceChildren(content);
    el.dispatchEvent(new CustomEvent("hub:refreshed", { bubbles: true }));
  }

  // The form as the browser would send it: multipart only when files are chosen (URLSearchParams
  // drops files); data-local-time="field" turns a zone-less datetime-local into UTC.
  function formBody(form) {
    var picker = form.querySelector('input[type="file"]');
    var params = picker && picker.files.length ? new FormData(form) : new URLSearchParams(new FormData(form));
    if (!(params instanceof FormData) && picker) params.delete(picker.name);
    var local = form.dataset.localTime && params.get(form.dataset.localTime);
    if (local) params.set(form.dataset.localTime, new Date(local).toISOString());
    return params;
  }

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.type === "submit"; });
  }
  function setBusy(form, busy) {
    form.dataset.busy = busy ? "1" : "";
    submitButtons(form).forEach(function (b) {
      b.disabled = busy;
      if (busy) b.setAttribute("aria-busy", "true"); else b.removeAttribute("aria-busy");
    });
  }

  // Every problem the API reports, next to the form: the message, and the list when there are several.
  function showError(form, err) {
    var box = form.querySelector(".form-error"), list = form.querySelector(".form-problems");
    if (box) box.textContent = err ? err.message : "";
    else if (err) window.alert(err.message);
    if (!list) return;
    list.textContent = "";
    var problems = (err && err.data && err.data.problems) || [];
    if (problems.length > 1 || (problems.length === 1 && problems[0] !== err.message)) {
      problems.forEach(function (p) {
        var li = document.createElement("li");
        li.dir = "auto";
        li.textContent = p;
        list.appendChild(li);
      });
    }
  }

  // form[data-api] posts to its action (data-method for PUT/PATCH/DELETE, data-content-type for a raw
  // text body). After success: the hook's done, then data-redirect, data-then="reload", or the
  // .form-ok text. A hook's body() returning false sends nothing; done() or fail() returning true
  // has shown the outcome itself.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-api]")) return;
    e.preventDefault();
    if (form.dataset.busy === "1") return; // a double click sends once
    var hook = hooks[form.dataset.api] || {};
    var body = hook.body ? hook.body(form) : formBody(form);
    if (body === false) return;
    var ok = form.querySelector(".form-ok");
    if (ok) ok.textContent = "";
    showError(form, null);
    setBusy(form, true);
    request(form.getAttribute("action"), { method: form.dataset.method || "POST", body: body,
                                          type: form.dataset.contentType }).then(function (data) {
      if (hook.done && hook.done(form, data) === true) return;
      if (form.dataset.redirect) window.location.href = form.dataset.redirect;
      else if (form.dataset.then === "reload") window.location.reload();
      else if (ok) ok.textContent = ok.dataset.saved || text("saved", "Saved.");
    }).catch(function (err) {
      if (!(hook.fail && hook.fail(form, err))) showError(form, err);
    }).finally(function () { setBusy(form, false); });
  });

  // Regions that follow the server on a clock (the team page): data-refresh-every="seconds".
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-every]"), function (el) {
      setInterval(function () { refresh(el); }, Number(el.dataset.refreshEvery) * 1000);
    });
  });

  window.hub = {
    csrf: csrf,
    request: request,
    html: html,
    fragment: fragment,
    refresh: refresh,
    formBody: formBody,
    showError: showError,
    text: text,
    form: function (name, hook) { hooks[name] = hook; }
  };
})();
