/* The conversation's tools: label chips with suggestions, priority saved on change, the lead's assign and
   transfer menus in the header. Every listener is on the document and reads the DOM when the event
   fires: the conversation pane (header, sidebar) is re-rendered and swapped in place, so nothing here
   holds an element across events. Server text reaches the page only through textContent. */
(function () {
  "use strict";
  if (window.hubConversationTools) return; // loaded once however many panes include it
  window.hubConversationTools = true;

  function say(form, text, failed) {
    var box = form.querySelector(".form-status");
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("is-error", !!failed);
    clearTimeout(box._clear);
    if (text && !failed && box.dataset.saved === text) box._clear = setTimeout(function () { box.textContent = ""; }, 2500);
  }

  // ---- labels ---------------------------------------------------------------------------------
  function labelForm(el) { return el && el.closest ? el.closest("form[data-labels]") : null; }
  function entry(form) { return form.querySelector('input[name="labels"]'); }
  function current(form) {
    return Array.prototype.map.call(form.querySelectorAll(".chip[data-label]"), function (c) { return c.dataset.label; });
  }
  function chip(form, label) {
    var span = document.createElement("span");
    span.className = "chip";
    span.dataset.label = label;
    var text = document.createElement("bdi");
    text.dir = "auto";
    text.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.dataset.action = "remove-label";
    var drawing = form.querySelector("template[data-remove-icon]"); // the server's own SVG, no text from data
    var name = (form.dataset.removeLabel || "Remove label {label}");
    remove.setAttribute("aria-label", name.split("{label}").join(label));
    if (drawing) remove.appendChild(drawing.content.cloneNode(true));
    span.appendChild(text);
    span.appendChild(remove);
    return span;
  }
  function render(form, labels) {
    var box = form.querySelector("[data-chips]"), input = entry(form);
    Array.prototype.forEach.call(box.querySelectorAll(".chip[data-label]"), function (c) { c.remove(); });
    labels.forEach(function (label) { box.insertBefore(chip(form, label), input); });
  }
  function save(form, labels) {
    var before = current(form);
    render(form, labels);
    say(form, form.querySelector(".form-status").dataset.saving);
    form.dataset.busy = "1";
    return hub.request(form.getAttribute("action"), { body: { labels: labels } }).then(function (data) {
      render(form, data.labels || labels);
      say(form, form.querySelector(".form-status").dataset.saved);
    }).catch(function (err) {
      render(form, before);
      say(form, err.message, true);
    }).finally(function () { delete form.dataset.busy; });
  }
  function add(form, typed) {
    var labels = current(form), seen = labels.map(function (l) { return l.toLocaleLowerCase(); });
    var added = false;
    typed.split(/[,،、，]/).forEach(function (part) {
      var label = part.trim();
      if (!label || seen.indexOf(label.toLocaleLowerCase()) !== -1) return;
      labels.push(label);
      seen.push(label.toLocaleLowerCase());
      added = true;
    });
    entry(form).value = "";
    close(form);
    if (added) save(form, labels);
  }
  function removeAt(form, label) {
    save(form, current(form).filter(function (l) { return l !== label; }));
  }

  // Suggestions: labels already in use (GET /api/v1/labels, only those the agent may see).
  var suggestTimer = null, asked = 0;
  function list(form) { return form.querySelector(".suggestions"); }
  function close(form) {
    var ul = list(form), input = entry(form);
    if (ul) { ul.hidden = true; ul.textContent = ""; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function suggest(form) {
    var input = entry(form), q = input.value.trim(), ticket = ++asked;
    hub.request(form.dataset.suggest + "?q=" + encodeURIComponent(q)).then(function (data) {
      if (ticket !== asked || labelForm(document.activeElement) !== form) return;
      var have = current(form).map(function (l) { return l.toLocaleLowerCase(); });
      var offered = (data.labels || []).filter(function (l) { return have.indexOf(l.toLocaleLowerCase()) === -1; });
      var ul = list(form);
      ul.textContent = "";
      offered.slice(0, 8).forEach(function (label, i) {
        var li = document.createElement("li");
        li.id = "label-suggestion-" + i;
        li.setAttribute("role", "option");
        li.dataset.label = label;
        li.dir = "auto";
        li.textContent = label;
        ul.appendChild(li);
      });
      ul.hidden = !offered.length;
      input.setAttribute("aria-expanded", offered.length ? "true" : "false");
    }).catch(function () { close(form); });
  }
  function move(form, step) {
    var options = Array.prototype.slice.call(list(form).querySelectorAll("[role=option]"));
    if (!options.length) return false;
    var at = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    options.forEach(function (o) { o.removeAttribute("aria-selected"); });
    var next = options[(at + step + options.length) % options.length];
    next.setAttribute("aria-selected", "true");
    entry(form).setAttribute("aria-activedescendant", next.id);
    return true;
  }
  function chosen(form) {
    var ul = list(form);
    var picked = ul && !ul.hidden && ul.querySelector('[aria-selected="true"]');
    return picked ? picked.dataset.label : null;
  }

  document.addEventListener("keydown", function (e) {
    var form = labelForm(e.target);
    if (!form || e.target !== entry(form) || e.isComposing) return;
    var input = e.target;
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      var text = chosen(form) || input.value;
      if (text.trim()) add(form, text);
    } else if (e.key === "Backspace" && !input.value) {
      var labels = current(form);
      if (labels.length) { e.preventDefault(); removeAt(form, labels[labels.length - 1]); }
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (move(form, e.key === "ArrowDown" ? 1 : -1)) e.preventDefault();
    } else if (e.key === "Escape" && !list(form).hidden) {
      e.preventDefault();
      e.stopPropagation(); // closes the suggestions, not the focus
      close(form);
    }
  }, true);
  document.addEventListener("input", function (e) {
    var form = labelForm(e.target);
    if (!form || e.target !== entry(form)) return;
    if (/[,،、，]/.test(e.target.value)) { add(form, e.target.value); return; } // a pasted "a, b"
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(function () { suggest(form); }, 120);
  });
  document.addEventListener("focusin", function (e) {
    var form = labelForm(e.target);
    if (form && e.target === entry(form)) suggest(form);
  });
  document.addEventListener("focusout", function (e) {
    var form = labelForm(e.target);
    if (form && e.target === entry(form)) setTimeout(function () { if (labelForm(document.activeElement) !== form) close(form); }, 150);
  });
  // A suggestion is taken on mousedown, before the field's blur closes the list.
  document.addEventListener("mousedown", function (e) {
    var option = e.target.closest && e.target.closest(".suggestions [role=option]");
    var form = labelForm(option);
    if (!form) return;
    e.preventDefault();
    add(form, option.dataset.label);
    entry(form).focus();
  });
  document.addEventListener("click", function (e) {
    var remove = e.target.closest && e.target.closest("[data-action=remove-label]");
    var form = labelForm(remove);
    if (!form) return;
    e.preventDefault();
    removeAt(form, remove.closest(".chip").dataset.label);
    entry(form).focus();
  });
  // The form posts nothing by itself: chips are saved as they change.
  document.addEventListener("submit", function (e) {
    if (e.target.matches && (e.target.matches("form[data-labels]") || e.target.matches("form[data-autosave]"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // ---- priority: saved on change --------------------------------------------------------------
  document.addEventListener("change", function (e) {
    var select = e.target;
    var form = select.closest && select.closest("form[data-autosave]");
    if (!form || select.tagName !== "SELECT") return;
    var body = {};
    body[select.name] = select.value;
    var status = form.querySelector(".form-status");
    say(form, status.dataset.saving);
    select.disabled = true;
    hub.request(form.getAttribute("action"), { body: body }).then(function () {
      select.dataset.savedValue = select.value;
      say(form, status.dataset.saved);
      hub.refresh(document.getElementById("conversation-header"));
    }).catch(function (err) {
      select.value = select.dataset.savedValue || select.value;
      say(form, err.message, true);
    }).finally(function () { select.disabled = false; });
  });

  // ---- snooze presets: the moment in the agent's own clock, then the form's own submit -----------
  function snoozeMoment(preset, now) {
    var at = new Date(now.getTime());
    if (preset === "hour") { at.setMinutes(at.getMinutes() + 60, 0, 0); return at; }
    at.setHours(9, 0, 0, 0);
    if (preset === "tomorrow") { at.setDate(at.getDate() + 1); return at; }
    at.setDate(at.getDate() + (((8 - at.getDay()) % 7) || 7));  // next Monday, 09:00
    return at;
  }
  function localValue(at) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return at.getFullYear() + "-" + two(at.getMonth() + 1) + "-" + two(at.getDate()) + "T" + two(at.getHours()) + ":" + two(at.getMinutes());
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-snooze]");
    var form = button && button.closest("#snooze-form");
    if (!form) return;
    var until = form.querySelector('[name="until"]');
    until.value = localValue(snoozeMoment(button.dataset.snooze, new Date()));
    until.dispatchEvent(new Event("input", { bubbles: true }));  // the date button shows the preset
    form.requestSubmit();
  });

  // ---- the lead's assign and transfer menus (popovers in the header) -----------------------------
  hub.form("move", {
    done: function (form) {
      var menu = form.closest("[popover]");
      if (menu && menu.hidePopover) menu.hidePopover();
      form.reset();
      hub.refresh(document.getElementById("conversation-header"));
      return true;
    }
  });
  // The header re-renders on every change to the conversation: a menu open at that moment stays open
  // with what the lead typed, and focus goes back where it was.
  var kept = null;
  document.addEventListener("hub:before-refresh", function (e) {
    var open = e.target.querySelector && e.target.querySelector("[popover]:popover-open");
    if (!open) { kept = null; return; }
    var values = {};
    Array.prototype.forEach.call(open.querySelectorAll("select, textarea"), function (el) { values[el.name] = el.value; });
    var focused = open.contains(document.activeElement) ? document.activeElement.name : null;
    kept = { id: open.id, values: values, focused: focused };
  });
  document.addEventListener("hub:refreshed", function (e) {
    var region = e.target;
    if (kept && region.querySelector) {
      var menu = region.querySelector("#" + CSS.escape(kept.id));
      if (menu && menu.showPopover) {
        Object.keys(kept.values).forEach(function (name) {
          var el = menu.querySelector('[name="' + CSS.escape(name) + '"]');
          if (el) el.value = kept.values[name];
        });
        menu.showPopover();
        var back = kept.focused && menu.querySelector('[name="' + CSS.escape(kept.focused) + '"]');
        if (back) back.focus();
      }
      kept = null;
    }
    // Labels and priority changed elsewhere (another agent, a rule) follow the header's data.
    var header = region.querySelector && region.querySelector(".conv-header[data-labels]");
    if (!header) return;
    var labels = document.querySelector("form[data-labels]");
    if (labels && !labels.dataset.busy && labelForm(document.activeElement) !== labels) {
      try { render(labels, JSON.parse(header.dataset.labels)); } catch (err) { /* keep what is shown */ }
    }
    var priority = document.querySelector("form[data-autosave] select[name=priority]");
    if (priority && !priority.disabled && document.activeElement !== priority && header.dataset.priority) {
      priority.value = header.dataset.priority;
      priority.dataset.savedValue = header.dataset.priority;
    }
  });
})();
