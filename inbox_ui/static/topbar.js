/* The top bar (templates/base.html): the phone menu button, the agent's own status, the account menu
   (language, theme is theme.js's) and the page's toasts. Every listener is delegated on the document and
   reads the DOM when the event fires, so parts swapped in place keep working. */
(function () {
  "use strict";
  var hub = function () { return window.hub; };

  // --- toasts: one polite live region (#toasts) for every page; window.hubToast(text, {kind, href}) ---
  function toast(message, options) {
    options = options || {};
    var region = document.getElementById("toasts");
    if (!region) return null;
    var item = document.createElement(options.href ? "a" : "div");
    item.className = "toast" + (options.kind ? " toast-" + options.kind : "");
    if (options.href) item.href = options.href;
    item.textContent = message;
    region.appendChild(item);
    setTimeout(function () { item.remove(); }, options.ms || 5000);
    return item;
  }
  window.hubToast = toast;

  // --- the phone menu: the nav folds behind one button under 48rem ---
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest && e.target.closest("[data-topbar-toggle]");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      var bar = toggle.closest("[data-topbar]");
      if (bar) bar.classList.toggle("nav-open", open);
      return;
    }
    // A click outside an open account menu closes it, as menus do.
    Array.prototype.forEach.call(document.querySelectorAll("details[data-user-menu][open]"), function (menu) {
      if (!menu.contains(e.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var menu = document.querySelector("details[data-user-menu][open]");
    if (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  // --- my status: online / away / offline, through POST /api/v1/me/status ---
  function showStatus(value) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-my-status]"), function (box) {
      box.setAttribute("data-my-status", value);
      var select = box.querySelector("select");
      if (select && select.value !== value) select.value = value;
    });
  }
  document.addEventListener("change", function (e) {
    var select = e.target;
    if (!select.matches) return;
    if (select.matches("[data-my-status-select]")) {
      var box = select.closest("[data-my-status]"), before = box.getAttribute("data-my-status"), wanted = select.value;
      var label = select.options[select.selectedIndex].text;
      box.setAttribute("aria-busy", "true");
      showStatus(wanted);
      hub().request("/api/v1/me/status", { body: { status: wanted } }).then(function (data) {
        showStatus(data.status || wanted);
        toast(hub().text("status_saved", "Status set to {status}.", { status: label }), { kind: "ok" });
        try { localStorage.setItem("hub-my-status", (data.status || wanted) + ":" + Date.now()); } catch (err) { /* ok */ }
      }).catch(function (err) {
        showStatus(before);
        toast(hub().text("status_failed", "Your status could not be changed: {error}", { error: err.message }), { kind: "danger" });
      }).finally(function () { box.removeAttribute("aria-busy"); });
    } else if (select.matches("[data-language-select]")) {
      select.disabled = true;
      hub().request("/profile/language", { body: { language: select.value } }).then(function () {
        window.location.reload();
      }).catch(function (err) {
        select.disabled = false;
        toast(err.message, { kind: "danger" });
      });
    }
  });
  // A plain form (sign in, language, password, sign out) posts and the browser loads the answer: its
  // button shows it is working meanwhile. hub.js has already taken form[data-api] (defaultPrevented).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.matches || form.matches("[data-api]")) return;
    var button = e.submitter || form.querySelector('[type="submit"]');
    if (button) button.setAttribute("aria-busy", "true");
  });
  window.addEventListener("pageshow", function () {  // back to a page kept in the cache: not busy any more
    Array.prototype.forEach.call(document.querySelectorAll('form:not([data-api]) [aria-busy="true"]'), function (b) {
      b.removeAttribute("aria-busy");
    });
  });

  // The status changed in another tab of this browser: show it here too.
  window.addEventListener("storage", function (e) {
    if (e.key === "hub-my-status" && e.newValue) showStatus(e.newValue.split(":")[0]);
  });
})();
