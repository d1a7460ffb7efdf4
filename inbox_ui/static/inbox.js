/* The inbox's own JavaScript: the workspace (a conversation opened in place beside the list, its own URL,
   back and forward), the composer, presence, and live updates from /inbox/events with catch-up after a
   dropped connection. Requests and API forms go through hub.js.
   One page holds one list and, at a time, one conversation pane: mount() reads the pane each time it is
   swapped in; every listener is document-level and reads the current pane when its event fires, so ten
   swaps leave the same listeners as one. The live stream is one EventSource for the page. */
(function () {
  "use strict";
  var hub = window.hub;
  var BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
  var page = document.querySelector("[data-live]");
  var me = page ? (page.dataset.user || null) : null;
  // The open conversation's pane and parts (mount() sets them; null while none is open).
  var conversationId = null;
  var pane = null;
  var composer = null;
  var timeline = null;

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
    var pinned = atNewest();
    var after = null;
    var items = timeline.children;
    for (var i = items.length - 1; i >= 0; i--) {
      if ((items[i].dataset.created || "") <= (node.dataset.created || "")) { after = items[i]; break; }
    }
    if (after) after.after(node); else timeline.prepend(node);
    if (pinned) showNewest();
    // The agent is not in the middle of a reply, so they have seen this one too.
    if (composerIdle() && composer) field(composer, "last_seen_id").value = lastSeenMessage();
  }
  // The timeline scrolls by itself (the composer stays pinned under it): it opens at the newest entry,
  // and stays there as messages arrive while the agent reads the bottom.
  function atNewest() { return !timeline || timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 48; }
  function showNewest() { if (timeline) timeline.scrollTop = timeline.scrollHeight; }
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
      .then(function () { document.body.dataset.read = id; refresh("#conversation-list"); })
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
      var li = button.closest("li"), list = li.closest("#timeline");
      var fromBottom = list ? list.scrollHeight - list.scrollTop : 0;
      if (more) li.replaceWith(more); else li.remove();
      nodesFrom(content).forEach(upsert);
      // What the agent was reading stays where it was (scroll anchoring does nothing at the very top).
      if (list) list.scrollTop = list.scrollHeight - fromBottom;
    });
  });

  // Scrolled near the top of a long timeline: the page before loads by itself (the button stays for
  // keyboards and screen readers). Chromium's scroll anchoring keeps what the agent reads in place.
  document.addEventListener("scroll", function (e) {
    var list = e.target;
    if (!list || list.id !== "timeline" || list.scrollTop > 240) return;
    if (list.scrollHeight <= list.clientHeight + 240) return;  // it all fits: nothing was scrolled up to
    var button = list.querySelector("li.load-earlier [data-load-earlier]");
    if (button && !button.disabled) button.click();
  }, true);

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
    if (picker) { picker.value = ""; showPicked(); }
    field(composer, "client_key").value = newKey();
    field(composer, "force").value = "";
    resetTemplate();
    mentioned = {};
    setNoteMode(false);
    composer.querySelector(".held").hidden = true;
    field(composer, "last_seen_id").value = lastSeenMessage();
    updateSegments();
  }
  // The browser's own file button speaks the browser's language ("Choose Files"), not the agent's: the input
  // hides behind the translated label and the chosen names are shown here instead.
  function showPicked() {
    var picker = composer.querySelector('input[type="file"]');
    var names = composer.querySelector(".attach-names");
    if (!picker || !names) return;
    names.textContent = Array.prototype.map.call(picker.files || [], function (f) { return f.name; }).join(", ");
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
  var suggest = null, suggestBox = null, suggestCanned = null;  // the open composer's (mount())
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
  function noteViewer(v) {
    if (v.visitor) { noteVisitorTyping(v); return; }
    if (v.user_id !== me) viewers[v.user_id] = v;
  }
  // The website chat's visitor typing (hub/webchat_live.py): shown only while typing, gone when it expires.
  var visitorTypingTimer = 0;
  function noteVisitorTyping(v) {
    viewers.visitor = v;
    clearTimeout(visitorTypingTimer);
    var left = Date.parse(v.typing_until || "") - (Date.now() + clockOffset);
    if (left > 0) visitorTypingTimer = setTimeout(renderPresence, left + 50);
  }
  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) return;
    var now = Date.now() + clockOffset;
    box.innerHTML = "";
    Object.keys(viewers).forEach(function (id) {
      var v = viewers[id];
      if (Date.parse(v.expires_at) <= now) { delete viewers[id]; return; }
      var typing = v.typing_until && Date.parse(v.typing_until) > now;
      if (v.visitor && !typing) { delete viewers[id]; return; }
      var span = document.createElement("span");
      span.className = "viewer" + (typing ? " typing" : "") + (v.visitor ? " visitor" : "");
      span.dataset.user = id;
      var name = document.createElement("bdi");
      name.setAttribute("dir", "auto");
      name.textContent = clean(v.name) || (v.visitor ? hub.text("customer", "Customer") : "");
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

  // The composer is a form[data-api] with three extras: what it sends, a reply held because the
  // customer wrote meanwhile, and template fields when a channel needs a template (409).
  hub.form("composer", {
    body: function (form) { var params = hub.formBody(form); return prepareComposer(params) && params; },
    // An answer that comes back after the agent opened another conversation belongs to a composer that is
    // gone: it must not clear (or hold) the one now open.
    done: function (form) { if (form === composer) composerSent(); return form !== composer; },
    fail: function (form, err) {
      if (form !== composer) return true;
      if (err.data.held) { showHeld(err.message, err.data.newer || []); return true; }
      if (err.status === 409) showTemplateFields(true);
      return false;
    }
  });
  // The composer's controls, delegated: whichever composer is open when the event fires.
  function inComposer(e) { return !!(composer && e.target.closest && e.target.closest("#composer") === composer); }
  document.addEventListener("change", function (e) {
    if (!inComposer(e)) return;
    var name = e.target.getAttribute("name");
    if (name === "channel") { tpl.wanted = false; setNoteMode(false); }
    else if (name === "content_sid") chooseTemplate();
    else if (name === "note") channelChanged();
    else if (name === "file") showPicked();
  });
  document.addEventListener("click", function (e) {
    if (!inComposer(e)) return;
    var button = e.target.closest("button[data-action]");
    var action = button && button.dataset.action;
    if (action === "use-template") {
      showTemplateFields(true);
      templateBox().querySelector(".template-search").focus();
    } else if (action === "end-template") {
      tpl.wanted = false;
      showTemplateFields(false);
      field(composer, "text").focus();
    } else if (action === "refresh-templates") {
      loadTemplates(true);
    } else if (action === "end-note") {
      setNoteMode(false);
      field(composer, "text").focus();
    } else if (action === "send-anyway") {
      field(composer, "force").value = "1";
      composer.requestSubmit();
    } else if (action === "held-cancel") {
      composer.querySelector(".held").hidden = true;
      field(composer, "last_seen_id").value = lastSeenMessage();
      field(composer, "text").focus();
    }
  });
  document.addEventListener("input", function (e) {
    if (!inComposer(e)) return;
    if (e.target.matches(".template-search")) { renderTemplateList(); return; }
    if (e.target !== field(composer, "text")) return;
    updateSegments();
    lookForSuggestions();
    if (Date.now() - lastTypingPing > 3000) { lastTypingPing = Date.now(); presencePing({ typing: "1" }); }
  });
  document.addEventListener("keydown", function (e) {
    if (!inComposer(e) || e.key !== "Enter" || !e.target.matches(".template-search")) return;
    e.preventDefault();  // Enter picks from the list; it never sends a half-chosen template
    var select = field(composer, "content_sid");
    if (!select.value && select.options.length) { select.selectedIndex = 0; chooseTemplate(); }
    select.focus();
  });
  // The suggestion list's keys run before any other key handler (capture on the document): Enter picks,
  // Escape closes the list without leaving the text box.
  document.addEventListener("keydown", function (e) {
    if (!suggestion.kind || !inComposer(e) || e.target !== field(composer, "text")) return;
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
  }, true);
  document.addEventListener("mousedown", function (e) {
    if (!inComposer(e)) return;
    var li = e.target.closest(".suggest li[data-index]");
    if (li) { e.preventDefault(); choose(Number(li.dataset.index)); }
  });
  // Presence follows the open conversation: one heartbeat and one clock for the page.
  setInterval(function () { presencePing(); }, 20000);
  setInterval(renderPresence, 2000);
  function leftBeacon() {
    if (!composer || !navigator.sendBeacon) return;
    var data = new FormData();
    data.set("_csrf", hub.csrf);
    data.set("left", "1");
    navigator.sendBeacon(composer.dataset.presence, data);
  }
  window.addEventListener("pagehide", leftBeacon);

  // ---- the workspace: the open conversation, mounted in place ------------------------------------
  var conversationPane = document.getElementById("conversation-pane");
  var CONVERSATION_PATH = /^\/inbox\/c\/([0-9a-f]{24})$/;
  function listQuery() { return page ? page.dataset.listQuery || "" : ""; }
  // A conversation's URL carries the list beside it as shown (page cursor included), so a reload shows both.
  function conversationUrl(id) { var q = shownQuery; return "/inbox/c/" + id + (q ? "?" + q : ""); }
  function listRows() { return Array.prototype.slice.call(document.querySelectorAll("#conversation-list [data-conversation]")); }
  var baseTitle = document.title.replace(/^\(\d+\+?\) /, "").replace(/^.* · /, "");
  function setTitle(name) {
    var count = /^\(\d+\+?\) /.exec(document.title);  // the bell's count stays in front (bell.js)
    document.title = (count ? count[0] : "") + name + " · " + baseTitle;
  }

  function markOpenRow() {
    listRows().forEach(function (row) {
      if (row.dataset.conversation === conversationId) {
        row.setAttribute("aria-current", "true");
        // Opening read it (the server marked it): not bold while the list's own refresh is on its way.
        row.classList.remove("unread");
        delete row.dataset.unread;
        var mark = row.querySelector(".unread-mark");
        if (mark) mark.remove();
      } else {
        row.removeAttribute("aria-current");
      }
    });
  }
  document.addEventListener("hub:refreshed", function (e) { if (e.target.id === "conversation-list") markOpenRow(); });

  // "New messages": a line before the first customer message this agent had not read when it opened.
  function markFirstUnread() {
    var first = pane.dataset.firstUnread;
    var item = first && document.getElementById("m-" + first);
    if (!item || item.parentElement !== timeline) return;
    var line = document.createElement("li");
    line.className = "new-divider";
    line.setAttribute("role", "separator");
    line.dataset.created = item.dataset.created || "";
    var words = document.createElement("span");
    words.textContent = pane.dataset.newMessages || "New messages";
    line.appendChild(words);
    item.before(line);
  }

  function mount() {
    pane = conversationPane ? conversationPane.querySelector(".conversation[data-conversation]") : null;
    conversationId = pane ? pane.dataset.conversation : null;
    composer = pane ? pane.querySelector("#composer") : null;
    timeline = pane ? pane.querySelector("#timeline") : null;
    suggest = composer ? composer.querySelector(".suggest") : null;
    suggestBox = composer ? composer.querySelector(".suggest-box") : null;
    suggestCanned = composer ? composer.querySelector(".suggest-canned") : null;
    if (!page || !conversationPane) return;  // not the workspace: no pane, and the page's own title
    if (conversationId) page.dataset.open = conversationId; else delete page.dataset.open;
    markOpenRow();
    if (!pane) { setTitle(page && page.dataset.emptyTitle || baseTitle); return; }
    setTitle(pane.dataset.title || "");
    if (composer) { channelChanged(); restoreDraft(); }
    try { JSON.parse(pane.dataset.viewers || "[]").forEach(noteViewer); } catch (err) { /* none shown */ }
    renderPresence();
    if (composer) presencePing();
    markFirstUnread();
    showNewest();
    document.body.dataset.opened = conversationId;
    document.dispatchEvent(new CustomEvent("hub:conversation-opened", { detail: { id: conversationId } }));
  }
  // What belongs to the conversation being left: its viewers, timers, suggestions, template state.
  // A reply half written stays with its conversation while the agent looks at another (not across reloads).
  var drafts = {};
  function keepDraft() {
    var text = composer && field(composer, "text");
    if (!text) return;
    if (text.value.trim()) drafts[conversationId] = text.value; else delete drafts[conversationId];
  }
  function restoreDraft() {
    var text = composer && field(composer, "text");
    if (text && drafts[conversationId]) { text.value = drafts[conversationId]; updateSegments(); }
  }
  function unmount() {
    keepDraft();
    leftBeacon();
    clearTimeout(segmentTimer);
    clearTimeout(lookupTimer);
    closeSuggest();
    viewers = {};
    mentioned = {};
    previews = {};
    tpl = { list: [], loadedFor: null, wanted: false, active: false, chosen: null };
    unreadWhileHidden = "";
    leaving = null;
  }

  var opening = null;  // the pane being fetched: { id, arrived: [message ids announced meanwhile] }
  function openConversation(id, how) {
    var url = conversationUrl(id);
    if (!conversationPane) { location.href = url; return; }
    var token = { id: id, arrived: [] };
    opening = token;
    conversationPane.setAttribute("aria-busy", "true");
    var q = listQuery();
    hub.html("/inbox/c/" + id + "/pane" + (q ? "?" + q : "")).then(function (html) {
      if (opening !== token) return;  // another row was opened meanwhile: that one wins
      opening = null;
      conversationPane.removeAttribute("aria-busy");
      if (!html) { location.href = url; return; }  // gone, or no longer ours: the full page says why
      if (how === "push") history.pushState({ conversation: id }, "", url);
      unmount();
      conversationPane.replaceChildren(hub.fragment(html));
      mount();
      token.arrived.forEach(upsertMessage);
      refresh("#conversation-list");  // its unread counts now leave this one out
    }).catch(function () { if (opening === token) location.href = url; });
  }
  function closeConversation(how) {
    opening = null;
    unmount();
    var empty = document.getElementById("pane-empty");
    conversationPane.replaceChildren(empty ? empty.content.cloneNode(true) : "");
    var q = shownQuery;
    if (how === "push") history.pushState({ conversation: null }, "", "/inbox" + (q ? "?" + q : ""));
    mount();
  }
  function wantsNewTab(e) { return e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey; }
  // A plain click on a conversation link opens it here; Ctrl/⌘/Shift-click and the middle button
  // (auxclick, never a click) keep the browser's new tab or window.
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || wantsNewTab(e) || !conversationPane || !e.target.closest) return;
    var link = e.target.closest("a[href]");
    if (!link || link.target || link.origin !== location.origin) return;
    if (link.matches("[data-action=back-to-list]")) {
      e.preventDefault();
      closeConversation("push");
      return;
    }
    var found = CONVERSATION_PATH.exec(link.pathname);
    if (!found || !(link.closest(".workspace") || link.matches(".toast"))) return;
    e.preventDefault();
    if (link.matches(".toast")) link.remove();
    if (found[1] !== conversationId) openConversation(found[1], "push");
  });
  // Views, filters and pages change the list pane in place: the open conversation stays where it is. The URL
  // carries the list (with its page cursor), so reload, back and forward show the same list.
  var listPane = document.getElementById("list-pane");
  var shownQuery = location.search.replace(/^\?/, "");  // the list the pane shows, as its URL has it
  var showing = null;  // the list being fetched (the newest asked for wins)
  function showList(query, how, focusView) {
    var token = {};
    showing = token;
    listPane.setAttribute("aria-busy", "true");
    // The URL (and what a conversation opened meanwhile carries) says the list asked for at once.
    var path = conversationId ? "/inbox/c/" + conversationId : "/inbox";
    if (how === "push") history.pushState({ conversation: conversationId, list: query }, "", path + (query ? "?" + query : ""));
    shownQuery = query;
    hub.html("/inbox/pane" + (query ? "?" + query : "")).then(function (html) {
      if (showing !== token) return;
      showing = null;
      listPane.removeAttribute("aria-busy");
      if (!html) { location.href = "/inbox" + (query ? "?" + query : ""); return; }  // the full page says why
      listPane.replaceChildren(hub.fragment(html));
      // What conversation links carry (the list without its page cursor), as the server wrote it.
      var views = listPane.querySelector("nav.views[data-list-query]");
      page.dataset.listQuery = views ? views.dataset.listQuery : "";
      markOpenRow();
      var tab = focusView && listPane.querySelector('nav.views a[data-view="' + CSS.escape(focusView) + '"]');
      if (tab) tab.focus();
    }).catch(function () { if (showing === token) location.href = "/inbox" + (query ? "?" + query : ""); });
  }
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || wantsNewTab(e) || !listPane || !e.target.closest) return;
    var link = e.target.closest("#list-pane nav.views a[href], #list-pane a[data-older]");
    if (!link || link.origin !== location.origin || link.pathname !== "/inbox") return;
    e.preventDefault();
    showList(link.search.replace(/^\?/, ""), "push", link.dataset.view);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!listPane || !form.matches || !form.matches("#list-pane form.filters")) return;
    e.preventDefault();
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) params.set(key, String(value)); });
    showList(params.toString().replace(/%3A/gi, ":"), "push");
  });
  // A filter chosen from a select applies at once (the Apply button stays for keyboards and no-script).
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("#list-pane form.filters");
    if (form && e.target.matches("select")) form.requestSubmit();
  });
  window.addEventListener("popstate", function () {
    if (!conversationPane) return;
    var found = CONVERSATION_PATH.exec(location.pathname);
    var query = location.search.replace(/^\?/, "");
    if (!found && location.pathname !== "/inbox") { location.reload(); return; }
    if (listPane && query !== shownQuery) showList(query, "none");
    if (found && found[1] !== conversationId) openConversation(found[1], "none");
    else if (!found && conversationId) closeConversation("none");
  });

  // The sidebar beside the conversation (a drawer below 1200 px): the Details button opens and closes it.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-action=toggle-sidebar]");
    if (!button || !pane) return;
    var open = pane.dataset.side !== "open";
    if (open) pane.dataset.side = "open"; else delete pane.dataset.side;
    pane.querySelectorAll("[data-action=toggle-sidebar]").forEach(function (b) { b.setAttribute("aria-expanded", String(open)); });
  });

  // After resolve or snooze, the next conversation of the view opens (the one below it in the list, else
  // the one above), once the stream confirms the change: a refused snooze keeps the agent where they are.
  var leaving = null;
  function nextInList(id) {
    var rows = listRows().map(function (r) { return r.dataset.conversation; });
    var at = rows.indexOf(id);
    var others = rows.filter(function (r) { return r !== id; });
    if (at === -1) return others[0] || null;
    return rows.slice(at + 1).filter(function (r) { return r !== id; })[0] || rows.slice(0, at).reverse()[0] || null;
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!conversationId || !form.closest || !form.closest("#conversation-pane")) return;
    var action = form.getAttribute("action") || "";
    var status = form.querySelector('[name="status"]');
    var closes = /\/snooze$/.test(action) ||
      (/\/status$/.test(action) && !!status && (status.value === "resolved" || status.value === "snoozed"));
    if (closes) leaving = { id: conversationId, next: nextInList(conversationId) };
  }, true);
  function movedOn(data) {
    if (!leaving || data.id !== leaving.id || leaving.id !== conversationId) return;
    if (data.status !== "resolved" && data.status !== "snoozed") return;
    var next = leaving.next;
    leaving = null;
    // Nothing left in the view: the agent stays on what they just closed (its header says so).
    if (next) openConversation(next, "push");
  }
  mount();

  // ---- live updates -----------------------------------------------------------------------------
  if (!page || !window.EventSource) return;
  var timers = {};
  var lastStamp = Number((pane && pane.dataset.loadedAt) || 0) || Date.now();
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
    refresh("#conversation-list");
    if (!conversationId) return;
    var from = Math.max(0, since - 5000), id = conversationId;
    hub.html("/inbox/c/" + id + "/sync?since=" + from)
      .then(function (html) {
        if (id !== conversationId) return;
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
      if (opening && data.conversation_id === opening.id) opening.arrived.push(data.id);
      if (conversationId && data.conversation_id === conversationId) {
        upsertMessage(data.id);
        if (data.direction === "in" && data.op === "insert") markRead(data.id);
      }
      refresh("#conversation-list");
    });
    source.addEventListener("conversations", function (e) {
      stamp(e);
      var data = JSON.parse(e.data);
      if (conversationId && data.id === conversationId) refresh("#conversation-header");
      refresh("#conversation-list");
      movedOn(data);
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
