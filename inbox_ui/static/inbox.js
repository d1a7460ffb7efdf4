/* The inbox's own JavaScript: the composer, presence, and live updates from /inbox/events with
   catch-up after a dropped connection. Requests and API forms go through hub.js. */
(function () {
  "use strict";
  var hub = window.hub;
  var BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
  var page = document.querySelector("[data-live]");
  var conversationId = page ? (page.dataset.conversation || null) : null;
  var me = page ? (page.dataset.user || null) : null;
  var composer = document.getElementById("composer");
  var timeline = document.getElementById("timeline");

  function clean(text) { return String(text == null ? "" : text).replace(BIDI, ""); }
  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }
  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }
  // ---- the timeline -----------------------------------------------------------------------------
  function lastSeenMessage() {
    var items = timeline ? timeline.querySelectorAll(':scope > li[data-direction="in"], :scope > li[data-direction="out"]') : [];
    return items.length ? items[items.length - 1].dataset.message : "";
  }
  function composerIdle() {
    return !composer || !field(composer, "text").value.trim();
  }
  function nodesFrom(html) {
    var content = typeof html === "string" ? hub.fragment(html) : html;
    return Array.prototype.filter.call(content.children, function (n) { return n.matches("li[data-message]"); });
  }
  // Insert or replace one timeline item by its element id, keeping time order: never a duplicate.
  function upsert(node) {
    if (!timeline) return;
    var existing = timeline.querySelector(":scope > #" + CSS.escape(node.id));
    if (existing) { existing.replaceWith(node); return; }
    var after = null;
    var items = timeline.children;
    for (var i = items.length - 1; i >= 0; i--) {
      if ((items[i].dataset.created || "") <= (node.dataset.created || "")) { after = items[i]; break; }
    }
    if (after) after.after(node); else timeline.prepend(node);
    // The agent is not in the middle of a reply, so they have seen this one too.
    if (composerIdle() && composer) field(composer, "last_seen_id").value = lastSeenMessage();
  }
  function upsertMessage(id) {
    hub.html("/inbox/m/" + encodeURIComponent(id)).then(function (html) { nodesFrom(html).forEach(upsert); });
  }
  // The agent has this conversation open: what arrives while they look is read (for them alone). A
  // hidden tab marks it when it is shown again.
  var unreadWhileHidden = "";
  function markRead(id) {
    if (!conversationId || !id) return;
    if (document.visibilityState === "hidden") { unreadWhileHidden = id; return; }
    hub.request("/api/v1/conversations/" + conversationId + "/read", { body: { message_id: id } })
      .then(function () { document.body.dataset.read = id; })
      .catch(function () { /* the next message, or opening the page again, marks it */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && unreadWhileHidden) {
      var id = unreadWhileHidden;
      unreadWhileHidden = "";
      markRead(id);
    }
  });

  // "Load earlier messages": the answer is the page before, with its own button when there is more.
  // Upserted, because a catch-up after connecting may already have brought some of them.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-load-earlier]");
    if (!button) return;
    button.disabled = true;
    hub.html(button.dataset.loadEarlier).then(function (html) {
      if (!html) { button.disabled = false; return; }
      var content = hub.fragment(html), more = content.querySelector("li.load-earlier");
      var li = button.closest("li");
      if (more) li.replaceWith(more); else li.remove();
      nodesFrom(content).forEach(upsert);
    });
  });

  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.open) return;
    if (d.matches("details.earlier-conversation") && !d.dataset.loaded) {
      d.dataset.loaded = "1";
      hub.html(d.dataset.src).then(function (html) {
        var list = d.querySelector(".earlier-timeline");
        list.innerHTML = "";
        nodesFrom(html).forEach(function (n) { n.removeAttribute("id"); list.appendChild(n); });
      });
    }
    if (d.matches("details.mail-html")) {
      var frame = d.querySelector("iframe");
      if (frame && !frame.getAttribute("src")) frame.src = d.dataset.src;
    }
  }, true);

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-action=remote-images]");
    if (!button) return;
    button.closest("details").querySelector("iframe").src = button.dataset.src;
    button.hidden = true;
  });

  // ---- the composer -----------------------------------------------------------------------------
  var mentioned = {}; // user id -> name picked from the @ list

  // False when there is nothing to send: a lone "/" (a canned-response search that found nothing) is no reply.
  function prepareComposer(params) {
    var text = params.get("text") || "";
    if (/^\/[^\s]*$/.test(text.trim()) && !(params instanceof FormData && params.getAll("file").some(function (f) { return f.size; }))) {
      composer.querySelector(".form-error").textContent = composer.dataset.slashAlone;
      return false;
    }
    var ids = Object.keys(mentioned).filter(function (id) { return text.indexOf("@" + mentioned[id]) !== -1; });
    params.set("mentions", params.get("note") ? ids.join(",") : "");
    return templateParams(params);
  }
  // Note mode is deliberate and visible (colour, banner, placeholder, button), and it ends after sending
  // or when the agent picks a channel to reply on.
  function setNoteMode(on) {
    field(composer, "note").checked = on;
    channelChanged();
  }
  function composerSent() {
    field(composer, "text").value = "";
    var picker = composer.querySelector('input[type="file"]');
    if (picker) picker.value = "";
    field(composer, "client_key").value = newKey();
    field(composer, "force").value = "";
    resetTemplate();
    mentioned = {};
    setNoteMode(false);
    composer.querySelector(".held").hidden = true;
    field(composer, "last_seen_id").value = lastSeenMessage();
    updateSegments();
  }
  function showHeld(message, newer) {
    var box = composer.querySelector(".held");
    box.querySelector(".held-text").textContent = clean(message);
    box.hidden = false;
    newer.forEach(function (m) {
      upsertMessage(m.id);
      var el = document.getElementById("m-" + m.id);
      if (el) el.classList.add("newer");
    });
    box.querySelector("[data-action=send-anyway]").focus();
  }
  function selectedChannel() {
    var select = composer && field(composer, "channel");
    return select && select.selectedOptions[0];
  }
  // Approved templates (WhatsApp outside its window): picked from the account's list, never typed as an
  // id. Shown when the channel refuses free text, or when the agent asks for one; the preview is what
  // the customer will read, with the values filled in, and it is also the reply's text in the timeline.
  var tpl = { list: [], loadedFor: null, wanted: false, active: false, chosen: null };
  function templateBox() { return composer.querySelector(".template-fields"); }
  function templateValues() {
    var values = {};
    templateBox().querySelectorAll(".template-vars input").forEach(function (input) {
      values[input.dataset.key] = input.value;
    });
    return values;
  }
  // A variable whose sample (or key) speaks of a name gets the contact's name; the rest start empty.
  function suggestedValue(variable) {
    var name = clean(templateBox().dataset.contactName).trim();
    var hint = (variable.key + " " + variable.sample).toLowerCase();
    if (!name || !/name|نام/.test(hint)) return "";
    return /full/.test(hint) ? name : name.split(/\s+/)[0];
  }
  function templateText(body, values, into) {
    var pattern = /\{\{\s*([^{}\s]+)\s*\}\}/g, last = 0, text = "", found;
    if (into) into.replaceChildren();
    while ((found = pattern.exec(body)) !== null) {
      var before = body.slice(last, found.index), value = values[found[1]] || "";
      text += before + value;
      if (into) {
        into.appendChild(document.createTextNode(before));
        var mark = document.createElement(value ? "bdi" : "mark");
        mark.textContent = value || found[0];
        into.appendChild(mark);
      }
      last = pattern.lastIndex;
    }
    if (into) into.appendChild(document.createTextNode(body.slice(last)));
    return text + body.slice(last);
  }
  function updatePreview() {
    var box = templateBox(), preview = box.querySelector(".template-preview");
    var values = templateValues();
    var error = composer.querySelector(".form-error");
    if (error.textContent === box.dataset.missing) error.textContent = "";
    field(composer, "content_variables").value = tpl.chosen ? JSON.stringify(values) : "";
    preview.hidden = box.querySelector(".template-preview-label").hidden = !tpl.chosen;
    if (tpl.chosen) templateText(clean(tpl.chosen.body), values, preview);
  }
  function chooseTemplate() {
    var box = templateBox(), sid = field(composer, "content_sid").value;
    tpl.chosen = tpl.list.filter(function (t) { return t.sid === sid; })[0] || null;
    var vars = box.querySelector(".template-vars");
    vars.replaceChildren();
    (tpl.chosen ? tpl.chosen.variables : []).forEach(function (variable) {
      var label = document.createElement("label");
      var key = document.createElement("code");
      key.textContent = "{{" + clean(variable.key) + "}}";
      var input = document.createElement("input");
      input.dataset.key = variable.key;
      input.dir = "auto";
      input.placeholder = clean(variable.sample);
      input.value = suggestedValue(variable);
      input.addEventListener("input", updatePreview);
      label.appendChild(key);
      label.appendChild(input);
      vars.appendChild(label);
    });
    box.querySelector(".template-status").textContent = tpl.chosen ? "" : box.dataset.choose;
    updatePreview();
  }
  function renderTemplateList() {
    var box = templateBox(), select = field(composer, "content_sid");
    var query = box.querySelector(".template-search").value.trim().toLowerCase();
    var keep = select.value;
    var shown = tpl.list.filter(function (t) {
      return !query || (t.name + " " + t.language).toLowerCase().indexOf(query) !== -1;
    });
    select.replaceChildren();
    shown.forEach(function (t) {
      var option = document.createElement("option");
      option.value = t.sid;
      option.textContent = clean(t.name) + (t.language ? " · " + clean(t.language) : "");
      option.selected = t.sid === keep;
      select.appendChild(option);
    });
    select.hidden = !shown.length;
    box.querySelector(".template-status").textContent =
      !tpl.list.length ? box.dataset.none : !shown.length ? box.dataset.noMatch : select.value ? "" : box.dataset.choose;
    if ((select.value || null) !== (tpl.chosen && tpl.chosen.sid)) chooseTemplate();
  }
  function loadTemplates(refresh) {
    var box = templateBox(), option = selectedChannel();
    if (!option) return;
    var channel = option.value;
    tpl.loadedFor = channel;
    box.querySelector(".template-status").textContent = box.dataset.loading;
    var url = box.dataset.url.replace("{channel}", encodeURIComponent(channel)) + (refresh ? "?refresh=1" : "");
    hub.request(url).then(function (list) {
      if (tpl.loadedFor !== channel) return;
      tpl.list = Array.isArray(list) ? list : [];
      renderTemplateList();
    }).catch(function (err) {
      tpl.loadedFor = null;
      tpl.list = [];
      renderTemplateList();
      box.querySelector(".template-status").textContent = clean(err.message);
    });
  }
  function templateParams(params) {
    if (!tpl.active) {
      params.delete("content_sid");
      params.delete("content_variables");
      return true;
    }
    var values = templateValues();
    var missing = !tpl.chosen || Object.keys(values).some(function (k) { return !values[k].trim(); });
    if (missing) {
      composer.querySelector(".form-error").textContent = templateBox().dataset.missing;
      return false;
    }
    params.set("content_sid", tpl.chosen.sid);
    params.set("content_variables", JSON.stringify(values));
    params.set("text", templateText(clean(tpl.chosen.body), values, null) || tpl.chosen.name);
    return true;
  }
  function resetTemplate() {
    tpl.wanted = false;
    templateBox().querySelector(".template-search").value = "";
    field(composer, "content_sid").value = "";
    renderTemplateList();
  }
  function showTemplateFields(force) {
    var option = selectedChannel(), box = templateBox();
    var can = !!(option && option.dataset.templates) && !field(composer, "note").checked;
    if (force) tpl.wanted = true;
    var refused = !!(option && option.dataset.refusal);
    tpl.active = can && (tpl.wanted || refused);
    box.hidden = !tpl.active;
    composer.querySelector("[data-action=use-template]").hidden = !can || tpl.active;
    box.querySelector("[data-action=end-template]").hidden = refused;
    composer.querySelector(".textwrap").hidden = tpl.active;
    if (tpl.active && tpl.loadedFor !== option.value) loadTemplates(false);
  }
  function channelChanged() {
    var option = selectedChannel();
    var note = field(composer, "note").checked;
    var refusal = composer.querySelector("p.channel-refusal[role=status]");
    refusal.textContent = option && !note ? clean(option.dataset.refusal) : "";
    refusal.hidden = !refusal.textContent;
    composer.classList.toggle("is-note", note);
    composer.querySelector(".note-banner").hidden = !note;
    field(composer, "text").placeholder = note ? composer.dataset.notePlaceholder : composer.dataset.replyPlaceholder;
    field(composer, "text").setAttribute("aria-label", note ? composer.dataset.noteLabel : composer.dataset.replyLabel);
    composer.querySelector("[data-action=send]").textContent = note ? composer.dataset.noteButton : composer.dataset.replyButton;
    showTemplateFields(false);
    updateSegments();
  }

  var segmentTimer = null;
  function updateSegments() {
    if (!composer) return;
    var out = composer.querySelector(".segments");
    var option = selectedChannel();
    var text = field(composer, "text").value;
    clearTimeout(segmentTimer);
    if (!option || !option.dataset.segments || field(composer, "note").checked || !text) { out.hidden = true; return; }
    segmentTimer = setTimeout(function () {
      hub.request(composer.dataset.segments, { body: { text: text } }).then(function (d) {
        out.textContent = hub.text(d.segments === 1 ? "sms_segment" : "sms_segments",
          d.segments === 1 ? "{n} SMS segment · {encoding} · {chars} characters" : "{n} SMS segments · {encoding} · {chars} characters",
          { n: d.segments, encoding: d.encoding, chars: d.characters });
        out.hidden = false;
      }).catch(function () { out.hidden = true; });
    }, 250);
  }

  // Suggestions under the text box: canned responses after "/", people after "@" in a note. The highlighted
  // canned response shows a preview filled in for this conversation's customer (the render endpoint,
  // debounced, each answer kept); Enter or a click inserts that same text.
  var suggest = composer ? composer.querySelector(".suggest") : null;
  var suggestBox = composer ? composer.querySelector(".suggest-box") : null;
  var suggestCanned = composer ? composer.querySelector(".suggest-canned") : null;
  var suggestion = { kind: null, items: [], active: 0, start: 0 };
  var previews = {};
  var previewTimer = null;
  function closeSuggest() {
    if (suggest) { suggestBox.hidden = true; suggest.innerHTML = ""; suggestCanned.hidden = true; }
    clearTimeout(previewTimer);
    suggestion.kind = null;
  }
  function showSuggest(kind, items, start) {
    suggestion = { kind: kind, items: items, active: 0, start: start };
    suggest.innerHTML = "";
    if (!items.length) { closeSuggest(); return; }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "suggest-" + i;
      li.dataset.index = String(i);
      li.setAttribute("dir", "auto");
      li.textContent = kind === "canned" ? "/" + item.shortcut + " — " + clean(item.title) : "@" + clean(item.name);
      if (kind === "canned") {
        li.dataset.scope = item.scope || "shared";
        li.dataset.label = item.scope === "personal" ? composer.dataset.cannedMine || "" :
          item.scope === "department" ? clean(item.department || "") : "";
      }
      suggest.appendChild(li);
    });
    suggestBox.hidden = false;
    suggestCanned.hidden = kind !== "canned";
    markActive();
  }
  function markActive() {
    Array.prototype.forEach.call(suggest.children, function (li, i) {
      li.setAttribute("aria-selected", i === suggestion.active ? "true" : "false");
      if (i === suggestion.active) li.scrollIntoView({ block: "nearest" });
    });
    if (suggestion.kind === "canned") schedulePreview();
  }
  function renderCanned(item) {
    if (!previews[item.id]) {
      previews[item.id] = hub.request(composer.dataset.cannedRender + item.id, { body: {} })
        .then(function (d) { return { text: d.text }; }, function (err) { return { error: err.message }; });
    }
    return previews[item.id];
  }
  function showPreview(result) {
    var box = suggestCanned.querySelector(".suggest-preview");
    box.classList.toggle("error", !!(result && result.error));
    box.textContent = !result ? box.dataset.loading : result.error ? capitalize(result.error) : result.text;
  }
  function capitalize(text) { return text ? text.charAt(0).toUpperCase() + text.slice(1) : text; }
  function schedulePreview() {
    var item = suggestion.items[suggestion.active];
    clearTimeout(previewTimer);
    if (!item) return;
    showPreview(null);
    previewTimer = setTimeout(function () {
      renderCanned(item).then(function (result) {
        // An answer for an item no longer highlighted is kept for later, not shown.
        if (suggestion.kind === "canned" && suggestion.items[suggestion.active] === item) showPreview(result);
      });
    }, 150);
  }
  function showVariables(names) {
    var box = suggestCanned.querySelector(".suggest-variables");
    box.innerHTML = "";
    (names || []).forEach(function (name, i) {
      var code = document.createElement("code");
      code.textContent = "{{ " + name + " }}";
      if (i) box.appendChild(document.createTextNode(" "));
      box.appendChild(code);
    });
  }
  function choose(index) {
    var item = suggestion.items[index];
    var textarea = field(composer, "text");
    if (!item) return;
    if (suggestion.kind === "canned") {
      var after = textarea.value.slice(textarea.selectionStart);
      closeSuggest();
      renderCanned(item).then(function (result) {
        if (result.error) { delete previews[item.id]; composer.querySelector(".form-error").textContent = capitalize(result.error); return; }
        composer.querySelector(".form-error").textContent = "";
        textarea.value = result.text + after;
        textarea.focus();
        textarea.setSelectionRange(result.text.length, result.text.length);
        updateSegments();
      });
    } else {
      var name = clean(item.name);
      mentioned[item.id] = name;
      var caret = textarea.selectionStart;
      textarea.value = textarea.value.slice(0, suggestion.start) + "@" + name + " " + textarea.value.slice(caret);
      var at = suggestion.start + name.length + 2;
      textarea.setSelectionRange(at, at);
      closeSuggest();
      textarea.focus();
    }
  }
  var lookupTimer = null;
  function lookForSuggestions() {
    var textarea = field(composer, "text");
    var before = textarea.value.slice(0, textarea.selectionStart);
    clearTimeout(lookupTimer);
    var canned = /^\/([a-z0-9_-]*)$/i.exec(before);
    var mention = field(composer, "note").checked && /(^|\s)@([^\s@]*)$/u.exec(before);
    if (!canned && !mention) { closeSuggest(); return; }
    lookupTimer = setTimeout(function () {
      if (canned) {
        hub.request(composer.dataset.canned + "?q=" + encodeURIComponent(canned[1])).then(function (d) {
          previews = {};  // a fresh list: texts may have been edited meanwhile
          showVariables(d.variables);
          showSuggest("canned", d.canned || [], 0);
        });
      } else {
        hub.request(composer.dataset.mentionable + "?q=" + encodeURIComponent(mention[2])).then(function (d) {
          showSuggest("mention", (d.users || []).filter(function (u) { return u.id !== me; }),
                      before.length - mention[2].length - 1);
        });
      }
    }, 120);
  }

  // Presence: a heartbeat while the page is open, typing pings at most every 3 s, "left" on the way out.
  var viewers = {};
  var clockOffset = 0;
  var lastTypingPing = 0;
  function presencePing(extra) {
    if (!composer) return;
    var body = new URLSearchParams(extra || {});
    hub.request(composer.dataset.presence, { body: body }).then(function (d) {
      clockOffset = Date.parse(d.now) - Date.now();
      viewers = {};
      (d.viewers || []).forEach(noteViewer);
      renderPresence();
    }).catch(function () { /* the next heartbeat tries again */ });
  }
  function noteViewer(v) { if (v.user_id !== me) viewers[v.user_id] = v; }
  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) return;
    var now = Date.now() + clockOffset;
    box.innerHTML = "";
    Object.keys(viewers).forEach(function (id) {
      var v = viewers[id];
      if (Date.parse(v.expires_at) <= now) { delete viewers[id]; return; }
      var typing = v.typing_until && Date.parse(v.typing_until) > now;
      var span = document.createElement("span");
      span.className = "viewer" + (typing ? " typing" : "");
      span.dataset.user = id;
      var name = document.createElement("bdi");
      name.setAttribute("dir", "auto");
      name.textContent = clean(v.name);
      // The sentence is translated whole ("{name} is viewing"); the name goes where its language puts it.
      var sentence = typing ? hub.text("typing", "{name} is typing…") : hub.text("viewing", "{name} is viewing");
      var at = sentence.indexOf("{name}");
      span.appendChild(document.createTextNode((typing ? "✎ " : "👁 ") + (at < 0 ? sentence + " " : sentence.slice(0, at))));
      span.appendChild(name);
      if (at >= 0) span.appendChild(document.createTextNode(sentence.slice(at + 6)));
      box.appendChild(span);
    });
    box.hidden = !box.children.length;
  }

  if (composer) {
    // The composer is a form[data-api] with three extras: what it sends, a reply held because the
    // customer wrote meanwhile, and template fields when a channel needs a template (409).
    hub.form("composer", {
      body: function (form) { var params = hub.formBody(form); return prepareComposer(params) && params; },
      done: composerSent,
      fail: function (form, err) {
        if (err.data.held) { showHeld(err.message, err.data.newer || []); return true; }
        if (err.status === 409) showTemplateFields(true);
        return false;
      }
    });
    var textarea = field(composer, "text");
    field(composer, "channel") && field(composer, "channel").addEventListener("change", function () {
      tpl.wanted = false;
      setNoteMode(false);
    });
    composer.querySelector("[data-action=use-template]").addEventListener("click", function () {
      showTemplateFields(true);
      templateBox().querySelector(".template-search").focus();
    });
    composer.querySelector("[data-action=end-template]").addEventListener("click", function () {
      tpl.wanted = false;
      showTemplateFields(false);
      field(composer, "text").focus();
    });
    composer.querySelector("[data-action=refresh-templates]").addEventListener("click", function () { loadTemplates(true); });
    field(composer, "content_sid").addEventListener("change", chooseTemplate);
    var templateSearch = templateBox().querySelector(".template-search");
    templateSearch.addEventListener("input", renderTemplateList);
    templateSearch.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;  // Enter picks from the list; it never sends a half-chosen template
      e.preventDefault();
      var select = field(composer, "content_sid");
      if (!select.value && select.options.length) { select.selectedIndex = 0; chooseTemplate(); }
      select.focus();
    });
    composer.querySelector("[data-action=end-note]").addEventListener("click", function () {
      setNoteMode(false);
      field(composer, "text").focus();
    });
    field(composer, "note").addEventListener("change", channelChanged);
    channelChanged();
    textarea.addEventListener("input", function () {
      updateSegments();
      lookForSuggestions();
      if (Date.now() - lastTypingPing > 3000) { lastTypingPing = Date.now(); presencePing({ typing: "1" }); }
    });
    textarea.addEventListener("keydown", function (e) {
      if (!suggestion.kind) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var n = suggestion.items.length;
        suggestion.active = (suggestion.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        markActive();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        e.stopPropagation();
        choose(suggestion.active);
      } else if (e.key === "Escape") {
        e.stopPropagation();
        closeSuggest();
      }
    });
    suggest.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li[data-index]");
      if (li) { e.preventDefault(); choose(Number(li.dataset.index)); }
    });
    composer.querySelector("[data-action=send-anyway]").addEventListener("click", function () {
      field(composer, "force").value = "1";
      composer.requestSubmit();
    });
    composer.querySelector("[data-action=held-cancel]").addEventListener("click", function () {
      composer.querySelector(".held").hidden = true;
      field(composer, "last_seen_id").value = lastSeenMessage();
      textarea.focus();
    });
    try { JSON.parse(page.dataset.viewers || "[]").forEach(noteViewer); } catch (err) { /* none shown */ }
    renderPresence();
    presencePing();
    setInterval(function () { presencePing(); }, 20000);
    setInterval(renderPresence, 2000);
    window.addEventListener("pagehide", function () {
      var data = new FormData();
      data.set("_csrf", hub.csrf);
      data.set("left", "1");
      if (navigator.sendBeacon) navigator.sendBeacon(composer.dataset.presence, data);
    });
  }

  // ---- live updates -----------------------------------------------------------------------------
  if (!page || !window.EventSource) return;
  var timers = {};
  var lastStamp = Number(page.dataset.loadedAt || 0) || Date.now();
  var source = null;

  function refresh(selector) {
    var el = document.querySelector(selector);
    if (!el) return;
    clearTimeout(timers[selector]);
    timers[selector] = setTimeout(function () { hub.refresh(el); }, 150);
  }
  // After (re)connecting: fetch what changed since the last event this page saw (a margin covers the
  // change stream's own delay); upsert keeps it free of duplicates.
  function catchUp(since) {
    if (!conversationId) { refresh("#conversation-list"); return; }
    var from = Math.max(0, since - 5000);
    hub.html("/inbox/c/" + conversationId + "/sync?since=" + from)
      .then(function (html) {
        var nodes = nodesFrom(html);
        nodes.forEach(upsert);
        var customer = nodes.filter(function (n) { return n.dataset.direction === "in"; });
        if (customer.length) markRead(customer[customer.length - 1].dataset.message);
        document.body.dataset.synced = String(Date.now());
      });
    refresh("#conversation-header");
    presencePing();
  }
  function stamp(e) { var n = Number(e.lastEventId); if (n > lastStamp) lastStamp = n; }
  function mentionToast(data) {
    if (!me || (data.mentions || []).indexOf(me) === -1 || data.conversation_id === conversationId) return;
    var toast = document.createElement("a");
    toast.className = "toast";
    toast.href = "/inbox/c/" + data.conversation_id;
    toast.textContent = hub.text("mentioned", "You were mentioned in a note — open it");
    document.body.appendChild(toast);
  }

  function connect() {
    var resumeFrom = lastStamp;
    source = new EventSource("/inbox/events?last=" + resumeFrom);
    source.addEventListener("ready", function (e) {
      var data = JSON.parse(e.data);
      if (!me) me = data.user_id;
      document.body.dataset.live = "connected";
      catchUp(data.since || resumeFrom);
      stamp(e);
      document.dispatchEvent(new CustomEvent("hub:live-ready")); // the bell (bell.js) re-reads its list
    });
    source.addEventListener("tick", stamp);
    source.addEventListener("messages", function (e) {
      stamp(e);
      var data = JSON.parse(e.data);
      mentionToast(data);
      if (conversationId && data.conversation_id === conversationId) {
        upsertMessage(data.id);
        if (data.direction === "in" && data.op === "insert") markRead(data.id);
      }
      if (!conversationId) refresh("#conversation-list");
    });
    source.addEventListener("conversations", function (e) {
      stamp(e);
      var data = JSON.parse(e.data);
      if (conversationId && data.id === conversationId) refresh("#conversation-header");
      if (!conversationId) refresh("#conversation-list");
    });
    source.addEventListener("conversation_viewers", function (e) {
      stamp(e);
      var data = JSON.parse(e.data);
      if (data.conversation_id !== conversationId) return;
      noteViewer(data);
      renderPresence();
    });
    source.addEventListener("notifications", function (e) {
      stamp(e);
      document.dispatchEvent(new CustomEvent("hub:notification", { detail: JSON.parse(e.data) }));
    });
    source.addEventListener("reload", function () { location.reload(); });
    // The user's role or departments changed: lists and the open conversation may no longer be theirs.
    source.addEventListener("rights", function () { location.reload(); });
    source.onerror = function () {
      document.body.dataset.live = "reconnecting";
      // The browser retries by itself unless the stream was closed for good (e.g. an error answer).
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
  }
  window.addEventListener("offline", function () { document.body.dataset.live = "reconnecting"; });
  // Back online (a laptop waking, a network switch): the old socket is likely dead, so start afresh;
  // the new stream's `ready` brings the page up to date.
  window.addEventListener("online", function () { if (source) source.close(); connect(); });
  connect();
})();
