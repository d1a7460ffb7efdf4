/* Lists and contacts: bulk actions on the ticked conversations, kept ticked across live refreshes.
   The contact pages' forms are plain form[data-api] (hub.js). */
(function () {
  "use strict";
  var hub = window.hub;

  function selected() {
    return Array.prototype.map.call(
      document.querySelectorAll('input[type=checkbox][name=ids][form=bulk]:checked'),
      function (box) { return box.value; });
  }

  // The bulk bar shows while something is ticked (it takes the filters' place in a narrow list pane).
  function showCount() {
    var n = selected().length;
    var out = document.querySelector("#bulk [data-selected]");
    if (out) out.textContent = String(n);
    var bar = document.getElementById("bulk");
    if (bar) bar.classList.toggle("has-selection", n > 0);
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches('input[name=ids][form=bulk]')) showCount();
  });

  // A live refresh re-renders the list: keep what the agent had ticked.
  var keep = [];
  document.addEventListener("hub:before-refresh", function (e) {
    if (e.target.id === "conversation-list") keep = selected();
  });
  document.addEventListener("hub:refreshed", function (e) {
    if (e.target.id !== "conversation-list") return;
    keep.forEach(function (id) {
      var box = document.querySelector('input[name=ids][form=bulk][value="' + CSS.escape(id) + '"]');
      if (box) box.checked = true;
    });
    showCount();
  });

  // Back from a conversation through the browser's page cache: the row just read is bold no more.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) hub.refresh(document.getElementById("conversation-list"));
  });

  // form[data-api="bulk"]: the ticked ids with the chosen action; the outcome goes in .bulk-result.
  hub.form("bulk", {
    body: function (form) {
      var ids = selected();
      if (!ids.length) { form.querySelector(".bulk-result").textContent = form.dataset.empty || hub.text("select_first", "Select conversations first."); return false; }
      var body = { ids: ids };
      new FormData(form).forEach(function (value, key) { if (key !== "ids") body[key] = value; });
      return body;
    },
    done: function (form, data) {
      var out = form.querySelector(".bulk-result");
      var failed = data.results.filter(function (r) { return !r.ok; });
      out.textContent = data.done + " ✓" + (failed.length ? " · " + failed.length + " ✗ " +
        failed.map(function (r) { return r.error; }).filter(function (v, i, a) { return a.indexOf(v) === i; }).join("; ") : "");
      out.dataset.done = String(data.done);
      out.dataset.failed = String(failed.length);
      hub.refresh(document.getElementById("conversation-list"));
      return true;
    },
    fail: function (form, err) { form.querySelector(".bulk-result").textContent = err.message; return true; }
  });
})();
