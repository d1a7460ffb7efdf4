/* Admin pages: how their forms become JSON (or raw text), the routing test box's answer, and the
   delete/deactivate buttons. Sending, busy state and problems next to the form are hub.js's. */
(function () {
  "use strict";
  var hub = window.hub;

  function setPath(obj, path, value) {
    var parts = path.split("."), node = obj;
    for (var i = 0; i < parts.length - 1; i++) {
      if (node[parts[i]] === null || typeof node[parts[i]] !== "object") node[parts[i]] = {};
      node = node[parts[i]];
    }
    node[parts[parts.length - 1]] = value;
  }

  function valueOf(el) {
    var type = el.dataset.type, raw = el.value;
    if (type === "int") return raw.trim() === "" ? undefined : Number(raw);
    if (type === "list") return raw.split(/[,\n]/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (type === "optional") return raw === "" ? null : raw;
    if (type === "bool") return raw === "true";
    return raw;
  }

  // Field names with dots become nested objects; data-group rows whose fields are all empty are left
  // out (their data-weak fields, such as a select, do not count); data-null-if-empty="x" sends x: null.
  function jsonBody(form) {
    var body = {}, nulled = {}, groups = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.dataset.nullIfEmpty && el.value.trim() === "") nulled[el.dataset.nullIfEmpty] = true;
      if (el.dataset.group && !el.dataset.weak && el.value.trim() !== "") groups[el.dataset.group] = true;
    });
    Object.keys(nulled).forEach(function (k) { setPath(body, k, null); });
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.disabled || el.type === "submit" || el.type === "button") return;
      if (nulled[name.split(".")[0]]) return;
      if (el.dataset.group) {
        var parent = el.dataset.group.split(".").slice(0, -1).join(".");
        if (parent) setPath(body, parent, getPath(body, parent) || {});
        if (!groups[el.dataset.group]) return;
      }
      if (el.type === "checkbox") {
        if (el.dataset.type === "multi") {
          var list = getPath(body, name) || [];
          if (el.checked) list.push(el.value);
          setPath(body, name, list);
        } else if (el.checked) {
          setPath(body, name, el.value || "on");
        }
        return;
      }
      var value = valueOf(el);
      if (value === undefined || (el.dataset.omitEmpty !== undefined && value === "")) return;
      setPath(body, name, value);
    });
    return body;
  }

  function getPath(obj, path) {
    return path.split(".").reduce(function (node, key) { return node && node[key]; }, obj);
  }

  function text(el, value) { if (el) el.textContent = value == null || value === "" ? "—" : String(value); }

  function showExplanation(data) {
    var box = document.getElementById("explain-result");
    if (!box) return;
    var decision = data.decision || {}, why = decision.explanation || {};
    text(box.querySelector('[data-field="summary"]'), data.summary || why.summary);
    var dep = data.department || {};
    text(box.querySelector('[data-field="department"]'), (dep.name || decision.department_id || "") +
         (why.department && why.department.reason ? " (" + why.department.reason + ")" : ""));
    text(box.querySelector('[data-field="agent"]'), why.agent ? (why.agent.name || why.agent.id) +
         (why.tie_break ? " (" + why.tie_break + ")" : "") : (why.tie_break || ""));
    text(box.querySelector('[data-field="priority"]'), decision.priority);
    text(box.querySelector('[data-field="language"]'), data.language);
    text(box.querySelector('[data-field="matched"]'), (why.matched_rules || []).map(function (r) { return r.name; }).join(", "));
    function fill(name, items, line) {
      var ul = box.querySelector('[data-list="' + name + '"]');
      ul.textContent = "";
      items.forEach(function (item) {
        // The name is user-written text: isolated in its own bdi so RTL names cannot flip the line.
        var li = document.createElement("li"), parts = line(item), who = document.createElement("bdi");
        who.dir = "auto";
        who.textContent = parts[0];
        li.appendChild(who);
        li.appendChild(document.createTextNode(parts[1]));
        ul.appendChild(li);
      });
      if (!items.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = "—"; ul.appendChild(li); }
    }
    fill("rules", why.rules || [], function (r) { return [r.name, ": " + r.outcome + (r.reason ? " — " + r.reason : "")]; });
    fill("candidates", why.candidates || [], function (c) {
      return [c.name || c.id, " (" + c.open_count + "/" + c.capacity + ")"];
    });
    fill("filtered", why.filtered_out || [], function (e) { return [e.name || e.id, ": " + e.reason]; });
    box.hidden = false;
  }

  // form[data-api="admin"]: a JSON body, or the textarea as it is with data-format="text".
  hub.form("admin", {
    body: function (form) {
      return form.dataset.format === "text" ? form.querySelector("textarea").value : jsonBody(form);
    },
    done: function (form, data) {
      if (form.dataset.then === "explain") { showExplanation(data); return true; }
      if (data.version) { var v = document.getElementById("rules-version"); if (v) v.textContent = data.version; }
      if (data.rules) { var n = document.getElementById("rules-count"); if (n) n.textContent = data.rules.length; }
      return false;
    }
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-admin-post]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    var error = button.parentElement.querySelector(".form-error");
    button.disabled = true;
    hub.request(button.dataset.adminPost, { method: button.dataset.method || "POST" }).then(function () {
      window.location.reload();
    }).catch(function (err) {
      button.disabled = false;
      if (error) error.textContent = err.message; else window.alert(err.message);
    });
  });
})();
