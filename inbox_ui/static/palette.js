/* The command palette: ⌘K / Ctrl-K (or any [data-palette-open] control) on every inbox page. One field
   searches conversations and contacts (GET /api/v1/palette: names, phone numbers in any format or script,
   emails, @usernames, words of a message) and lists actions: the open conversation's (resolve, snooze,
   assign… the same as their single keys, offered only when they would act), the views and pages, the
   interface language. ARIA combobox: the field keeps the focus, ↑/↓ move the highlighted option
   (aria-activedescendant), Enter runs it, Esc closes, and the focus goes back where it was.
   The markup is partials/palette.html's <template id="palette-template">, fetched by keys.js when the page
   lacks it. Server text is written with textContent only. */
(function () {
  "use strict";
  var hub = window.hub;
  var BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
  var dialog = null, input = null, list = null, status = null;
  var shown = [];          // the options on screen: { key, el, run }
  var activeKey = null;    // the highlighted option
  var chosen = false;      // moved there by the agent (↑/↓, the mouse): kept while the answer fills the list in
  var returnTo = null;
  var wanted = "";         // the query the latest request was (or is about to be) sent for
  var remote = { q: null, conversations: [], contacts: [], views: [], error: "" };
  var timer = null, sequence = 0, enterWhenAnswered = false;

  function clean(text) { return String(text == null ? "" : text).replace(BIDI, ""); }
  function fill(template, values) {
    return Object.keys(values).reduce(function (out, k) { return out.split("{" + k + "}").join(values[k]); }, template);
  }
  function words(text) { return clean(text).toLocaleLowerCase().split(/[\s,.:;()«»“”"'/]+/).filter(Boolean); }
  // Every word typed starts one of the action's words ("res" finds Resolve; "e" alone does not find everything
  // that has an e in it).
  function matches(query, haystack) {
    var have = words(haystack);
    return words(query).every(function (w) { return have.some(function (h) { return h.indexOf(w) === 0; }); });
  }

  function build() {
    var template = document.getElementById("palette-template");
    if (!template) return false;
    dialog = template.content.querySelector("dialog").cloneNode(true);
    document.body.appendChild(dialog);
    input = dialog.querySelector("[role=combobox]");
    list = dialog.querySelector("[role=listbox]");
    status = dialog.querySelector(".palette-status");
    input.addEventListener("input", queryChanged);
    input.addEventListener("keydown", onKey);
    list.addEventListener("mousemove", function (e) {
      var li = e.target.closest("[role=option]");
      if (li && li.dataset.option !== activeKey) { chosen = true; highlight(li.dataset.option, false); }
    });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); }); // the field keeps the focus
    list.addEventListener("click", function (e) {
      var li = e.target.closest("[role=option]");
      var item = li && shown.filter(function (s) { return s.key === li.dataset.option; })[0];
      if (item) item.run();
    });
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog || e.target.closest("[data-palette-close]")) dialog.close(); // the backdrop, or ✕
    });
    dialog.addEventListener("close", function () {
      clearTimeout(timer);
      enterWhenAnswered = false;
      var back = returnTo;
      returnTo = null;
      if (back && back.isConnected && back.focus) back.focus({ preventScroll: true });
    });
    return true;
  }

  function open() {
    window.hubKeys.ensureExtras().then(function () {
      if (!dialog && !build()) return;
      if (dialog.open) { input.select(); return; }
      returnTo = document.activeElement;
      input.value = "";
      activeKey = null;
      dialog.showModal();
      input.focus();
      queryChanged();
    });
  }

  function close() { if (dialog && dialog.open) dialog.close(); }

  // ---- searching ------------------------------------------------------------------------------------
  function queryChanged() {
    wanted = input.value.trim();
    activeKey = null;
    chosen = false;
    render();
    clearTimeout(timer);
    timer = setTimeout(function () { fetchFor(wanted); }, wanted ? 120 : 0);
  }

  function fetchFor(q) {
    var mine = ++sequence;
    hub.request(dialog.dataset.searchUrl + "?q=" + encodeURIComponent(q)).then(function (data) {
      if (mine !== sequence) return; // an answer for an older query
      remote = { q: q, conversations: data.conversations || [], contacts: data.contacts || [],
                 views: data.views || [], error: "" };
    }, function (err) {
      if (mine !== sequence) return;
      remote = { q: q, conversations: [], contacts: [], views: [], error: err.message };
    }).then(function () {
      if (mine !== sequence) return;
      render();
      if (enterWhenAnswered) { enterWhenAnswered = false; runActive(); }
    });
  }

  function pending() { return remote.q !== wanted; }

  // ---- the list -------------------------------------------------------------------------------------
  function icon(name) {
    var found = dialog.querySelector('[data-palette-icons] [data-icon="' + name + '"]');
    var span = document.createElement("span");
    span.className = "palette-icon";
    if (found) span.innerHTML = found.innerHTML; // our own vendored SVG, from the page's template
    return span;
  }

  function option(key, parts, run) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    li.dataset.option = key;
    li.className = "palette-option";
    li.appendChild(parts.icon);
    var text = document.createElement("span");
    text.className = "palette-text";
    var label = document.createElement("bdi");
    label.className = "palette-label";
    label.setAttribute("dir", "auto");
    if (parts.labelNode) label.appendChild(parts.labelNode); else label.textContent = parts.label;
    text.appendChild(label);
    if (parts.detail) {
      var detail = document.createElement("span");
      detail.className = "palette-detail";
      detail.setAttribute("dir", "auto");
      detail.textContent = parts.detail;
      text.appendChild(detail);
    }
    li.appendChild(text);
    if (parts.meta) li.appendChild(parts.meta);
    shown.push({ key: key, el: li, run: run });
    return li;
  }

  function group(title, nodes) {
    if (!nodes.length) return;
    var head = document.createElement("li");
    head.setAttribute("role", "presentation");
    head.className = "palette-group";
    head.textContent = title;
    list.appendChild(head);
    nodes.forEach(function (n) { list.appendChild(n); });
  }

  function actionNodes(groupName, q) {
    var nodes = [];
    dialog.querySelectorAll('[data-palette-actions] > li[data-group="' + groupName + '"]').forEach(function (li, i) {
      var press = li.dataset.press;
      if (press && !window.hubKeys.can(press)) return;
      var label = li.querySelector("span").textContent.trim();
      if (q && !matches(q, label + " " + (li.dataset.words || ""))) return;
      var svg = li.querySelector("svg");
      var iconSpan = document.createElement("span");
      iconSpan.className = "palette-icon";
      if (svg) iconSpan.appendChild(svg.cloneNode(true));
      var meta = null;
      var kbd = li.querySelector("kbd");
      if (kbd) { meta = document.createElement("kbd"); meta.className = "palette-key"; meta.textContent = kbd.textContent; }
      nodes.push(option("action:" + groupName + ":" + i, { icon: iconSpan, labelNode: li.querySelector("span").cloneNode(true),
                                                           meta: meta }, function () { runAction(li); }));
    });
    return nodes;
  }

  function channelMeta(channel, statusName) {
    var meta = document.createElement("span");
    meta.className = "palette-meta";
    if (channel) {
      var dot = document.createElement("span");
      dot.className = "palette-channel";
      dot.style.setProperty("--channel", "var(--ch-" + channel.replace(/[^a-z0-9_-]/gi, "") + ", var(--fg-faint))");
      var named = dialog.querySelector('[data-palette-channels] [data-channel="' + CSS.escape(channel) + '"]');
      dot.textContent = named ? named.textContent : channel;
      meta.appendChild(dot);
    }
    if (statusName) {
      var badge = document.createElement("span");
      badge.className = "palette-status-badge";
      badge.dataset.status = statusName;
      badge.textContent = dialog.dataset["status" + statusName.charAt(0).toUpperCase() + statusName.slice(1)] || statusName;
      meta.appendChild(badge);
    }
    return meta;
  }

  function render() {
    var q = wanted, d = dialog.dataset;
    list.replaceChildren();
    shown = [];
    var found = remote.q === q ? remote : { conversations: [], contacts: [], views: [], error: "" };
    var conversations = found.conversations.map(function (c) {
      return option("c:" + c.id, { icon: icon("conversation"), label: clean(c.name) || d.unnamed,
                                   detail: clean(c.preview), meta: channelMeta(c.channel, c.status) },
                    function () { follow(c.url); });
    });
    var contacts = found.contacts.map(function (p) {
      return option("p:" + p.id, { icon: icon("contact"), label: clean(p.name) || d.unnamed,
                                   detail: (p.identities || []).map(clean).join(" · ") },
                    function () { follow(p.url); });
    });
    var views = found.views.map(function (v) {
      return option("v:" + v.key, { icon: icon("view"), label: clean(v.label) }, function () { follow(v.url); });
    });
    var actions = actionNodes("actions", q), go = actionNodes("go", q);
    // What the agent named comes first: an action when the words are an action's ("resolve"), else people.
    group(d.groupActions, actions);
    if (q) {
      group(d.groupConversations, conversations);
      group(d.groupContacts, contacts);
    }
    group(d.groupGo, go);
    group(d.groupViews, views);
    if (q) {
      group("", [option("search:" + q, { icon: icon("search"), label: fill(d.searchAll, { q: q }) },
                        function () { follow("/inbox/search?q=" + encodeURIComponent(q)); })]);
    }
    list.querySelectorAll(".palette-group:empty").forEach(function (g) { g.hidden = true; });
    // ↑/↓ walk the options in the order they are shown (some built above are not shown at all).
    var built = {};
    shown.forEach(function (s) { built[s.key] = s; });
    shown = Array.prototype.map.call(list.querySelectorAll("[role=option]"), function (el, i) {
      el.id = "palette-option-" + i;
      return built[el.dataset.option];
    });
    status.textContent = found.error ? fill(d.failed, { error: found.error }) :
      q && pending() ? d.searching :
      q && !conversations.length && !contacts.length && !actions.length && !go.length && !views.length ? d.none : "";
    var keep = chosen && shown.some(function (s) { return s.key === activeKey; });
    highlight(keep ? activeKey : (shown[0] && shown[0].key), true);
  }

  function highlight(key, scroll) {
    activeKey = key || null;
    shown.forEach(function (s) {
      var on = s.key === activeKey;
      s.el.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", s.el.id);
        if (scroll) s.el.scrollIntoView({ block: "nearest" });
      }
    });
    if (!activeKey) input.removeAttribute("aria-activedescendant");
  }

  function step(by) {
    if (!shown.length) return;
    var i = shown.map(function (s) { return s.key; }).indexOf(activeKey);
    var next = i < 0 ? 0 : (i + by + shown.length) % shown.length;
    chosen = true;
    highlight(shown[next].key, true);
  }

  function runActive() {
    var item = shown.filter(function (s) { return s.key === activeKey; })[0];
    if (item) item.run();
  }

  function onKey(e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      step(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault();
      // Typed and pressed Enter before the answer came: run what is first once it has come.
      if (wanted && pending()) { enterWhenAnswered = true; return; }
      runActive();
    }
  }

  // ---- running an option ----------------------------------------------------------------------------
  // A link clicked rather than location.assign: the workspace opens a conversation in place when it can.
  function follow(url) {
    close();
    var a = document.createElement("a");
    a.href = url;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function runAction(li) {
    if (li.dataset.press) { close(); window.hubKeys.run(li.dataset.press); return; }
    if (li.dataset.href) { follow(li.dataset.href); return; }
    if (li.hasAttribute("data-help")) { close(); window.hubKeys.run("?"); return; }
    if (li.hasAttribute("data-bell")) {
      close();
      var bell = document.querySelector("[data-bell] .bell-button, [data-bell] button");
      if (bell) bell.click();
      return;
    }
    if (li.dataset.language !== undefined) {
      hub.request("/profile/language", { body: { language: li.dataset.language } })
        .then(function () { location.reload(); })
        .catch(function (err) { status.textContent = fill(dialog.dataset.failed, { error: err.message }); });
    }
  }

  document.addEventListener("keydown", function (e) {
    var k = e.code === "KeyK" || e.key === "k" || e.key === "K";
    if (!k || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    if (dialog && dialog.open) close(); else open();
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-palette-open]")) { e.preventDefault(); open(); }
  });

  window.hubPalette = { open: open, close: close };
})();
