/* Admin pages: forms that send JSON (or raw text) to the API with the CSRF header and show every
   problem the API reports next to the form. No inline scripts (strict CSP); text only via textContent. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function send(url, method, body, contentType) {
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : (contentType ? body : JSON.stringify(body)) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          data = data || {};
          if (!r.ok) {
            var err = new Error(data.error || ("HTTP " + r.status));
            err.data = data;
            throw err;
          }
          return data;
        });
      });
  }

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

  function showProblems(form, err) {
    var error = form.querySelector(".form-error"), list = form.querySelector(".form-problems");
    if (error) error.textContent = err ? err.message : "";
    if (!list) return;
    list.textContent = "";
    var problems = (err && err.data && err.data.problems) || [];
    if (problems.length > 1 || (problems.length === 1 && problems[0] !== (err && err.message))) {
      problems.forEach(function (p) {
        var li = document.createElement("li");
        li.dir = "auto";
        li.textContent = p;
        list.appendChild(li);
      });
    }
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

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-admin]")) return;
    e.preventDefault();
    if (form.dataset.busy === "1") return;
    form.dataset.busy = "1";
    showProblems(form, null);
    var ok = form.querySelector(".form-ok");
    if (ok) ok.textContent = "";
    var method = form.dataset.method || "POST", url = form.getAttribute("action"), request;
    if (form.dataset.format === "text") {
      var area = form.querySelector("textarea");
      request = send(url, method, area.value, form.dataset.contentType || "text/plain; charset=utf-8");
    } else {
      request = send(url, method, jsonBody(form));
    }
    request.then(function (data) {
      if (form.dataset.then === "reload") { window.location.reload(); return; }
      if (form.dataset.then === "explain") { showExplanation(data); return; }
      if (data.version) { var v = document.getElementById("rules-version"); if (v) v.textContent = data.version; }
      if (data.rules) { var n = document.getElementById("rules-count"); if (n) n.textContent = data.rules.length; }
      if (ok) ok.textContent = ok.dataset.saved || "Saved.";
    }).catch(function (err) { showProblems(form, err); })
      .finally(function () { form.dataset.busy = ""; });
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-admin-post]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    var error = button.parentElement.querySelector(".form-error");
    send(button.dataset.adminPost, button.dataset.method || "POST").then(function () {
      window.location.reload();
    }).catch(function (err) { if (error) error.textContent = err.message; else window.alert(err.message); });
  });
})();
