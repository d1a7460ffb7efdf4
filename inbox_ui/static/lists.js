/* Lists and contacts: bulk actions on selected conversations, and JSON forms that reload on success. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function post(url, body, isJson) {
    return fetch(url, {
      method: "POST",
      body: isJson ? JSON.stringify(body) : body,
      headers: Object.assign({ "X-CSRF-Token": csrf, "Accept": "application/json" },
                             isJson ? { "Content-Type": "application/json" } : {}),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
        return data;
      });
    });
  }

  function selected() {
    return Array.prototype.map.call(
      document.querySelectorAll('input[type=checkbox][name=ids][form=bulk]:checked'),
      function (box) { return box.value; });
  }

  function showCount() {
    var out = document.querySelector("#bulk [data-selected]");
    if (out) out.textContent = String(selected().length);
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches('input[name=ids][form=bulk]')) showCount();
  });

  // A live refresh re-renders the list: keep what the agent had ticked.
  var keep = [];
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.target.id === "conversation-list") keep = selected();
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id !== "conversation-list") return;
    keep.forEach(function (id) {
      var box = document.querySelector('input[name=ids][form=bulk][value="' + id + '"]');
      if (box) box.checked = true;
    });
    showCount();
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches) return;
    if (form.matches("form[data-bulk]")) {
      e.preventDefault();
      var out = form.querySelector(".bulk-result");
      var ids = selected();
      if (!ids.length) { out.textContent = form.dataset.empty || "Select conversations first."; return; }
      if (form.dataset.busy === "1") return;
      form.dataset.busy = "1";
      var body = { ids: ids };
      new FormData(form).forEach(function (value, key) { if (key !== "ids") body[key] = value; });
      post(form.getAttribute("action"), body, true).then(function (data) {
        var failed = data.results.filter(function (r) { return !r.ok; });
        out.textContent = data.done + " ✓" + (failed.length ? " · " + failed.length + " ✗ " +
          failed.map(function (r) { return r.error; }).filter(function (v, i, a) { return a.indexOf(v) === i; }).join("; ") : "");
        out.dataset.done = String(data.done);
        out.dataset.failed = String(failed.length);
        if (window.htmx) htmx.trigger(document.getElementById("conversation-list"), "refresh");
      }).catch(function (err) { out.textContent = err.message; })
        .finally(function () { form.dataset.busy = ""; });
      return;
    }
    if (form.matches("form[data-json]")) {
      e.preventDefault();
      if (form.dataset.busy === "1") return;
      form.dataset.busy = "1";
      var error = form.querySelector(".form-error");
      if (error) error.textContent = "";
      post(form.getAttribute("action"), new URLSearchParams(new FormData(form)), false).then(function () {
        if (form.dataset.redirect) location.href = form.dataset.redirect;
        else if (form.hasAttribute("data-reload")) location.reload();
      }).catch(function (err) {
        if (error) error.textContent = err.message; else alert(err.message);
      }).finally(function () { form.dataset.busy = ""; });
    }
  });
})();
