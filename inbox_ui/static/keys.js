/* Keyboard first, on every inbox page: the single-key shortcuts (listed by "?", partials/shortcuts_help.html).
   Lists: j / k move a visible selection through the rows, Enter opens the selected one (by clicking its link,
   so the in-place opening of the workspace applies), x ticks it for a bulk action. A conversation: r reply,
   n note, / canned responses, e resolve, s snooze, a assign, t transfer, l labels, p pending, o open again,
   Ctrl/⌘+Enter sends. ⌘K / Ctrl-K (palette.js) searches conversations, contacts and actions.

   Every lookup happens when the key is pressed, on the page as it is then (panes are swapped in place,
   regions re-rendered live): nothing is bound to an element at load. A control takes a key by carrying
   data-key="e" (and says so with aria-keyshortcuts / title); a few known fallbacks cover older markup.
   Keys never fire while typing in a field or with Ctrl / Alt / ⌘ held, and letters are read by their place
   on the keyboard when the layout is not Latin (a Persian "ت" is the J key), so they work in every script. */
(function () {
  "use strict";
  var hub = window.hub;
  var ROWS = "#conversation-list [data-conversation], #search-conversations [data-conversation], " +
             "table.contacts [data-contact], [data-key-row]";
  var FIELDS = "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset])" +
               ", textarea, select";
  // Where a key's control may be when the page gives no data-key for it (the markup before the workspace).
  var FALLBACKS = {
    s: ['#snooze-form [name="until"]'],
    a: ['#conversation-header select[name="assignee_id"]', '[data-action="assign-me"]'],
    t: ['#conversation-header select[name="department_id"]', '[data-action="transfer"]'],
    l: ['#labels-form [name="labels"]', "[data-labels] input"]
  };
  var selectedId = null; // the selected row's id, so a live refresh of the list keeps the selection

  function typing(el) {
    return !!(el && el.closest && (el.closest(FIELDS) || el.isContentEditable));
  }

  // The shortcut a key press means, or null. A Latin layout's letter is taken as typed (AZERTY's "a" is a);
  // any other script's letter by its key's place (event.code), which names the US letter printed there.
  function shortcutOf(e) {
    var key = e.key || "", code = e.code || "";
    if (key === "?" || key === "؟") return "?";
    if (key === "/") return "/";
    if (key === "Enter" || key === "Escape") return key;
    if (key.length !== 1) return null;
    if (/^[a-z]$/i.test(key)) return e.shiftKey ? null : key.toLowerCase();
    if (/^Key[A-Z]$/.test(code)) return e.shiftKey ? null : code.slice(3).toLowerCase();
    if (code === "Slash") return e.shiftKey ? "?" : "/";
    return null;
  }

  function usable(el) {
    return !!el && !el.disabled && !el.closest("[hidden], [inert]") && el.getClientRects().length > 0;
  }
  function usableInClosedDetails(el) {
    // A control folded inside <details> (a menu) counts: pressing its key unfolds it.
    var folded = el && el.closest("details:not([open])");
    return !!el && !el.disabled && !el.closest("[hidden], [inert]") && !!folded && usable(folded);
  }

  // The element key `key` acts on now: a data-key control (a field before a button: a lead's assign
  // select wins over "Assign to me"), else the first known fallback that is on the page.
  function targetFor(key) {
    var marked = Array.prototype.filter.call(document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]'),
      function (el) { return usable(el) || usableInClosedDetails(el); });
    var field = marked.filter(function (el) { return el.matches(FIELDS); })[0];
    if (field || marked.length) return field || marked[0];
    var found = null;
    (FALLBACKS[key] || []).some(function (selector) {
      var el = document.querySelector(selector);
      if (el && (usable(el) || usableInClosedDetails(el))) found = el;
      return !!found;
    });
    return found;
  }

  function act(el) {
    var folded = el.closest("details:not([open])");
    if (folded) folded.open = true;
    if (el.matches(FIELDS)) { el.focus(); return; }
    el.click();
  }

  function press(key) {
    var el = targetFor(key);
    if (!el) return false;
    act(el);
    return true;
  }

  // ---- the composer --------------------------------------------------------------------------------
  function composer() { return document.getElementById("composer"); }

  // r / n: reply or note; inbox.js follows the note box's change (colour, banner, button, placeholder).
  function write(note) {
    var form = composer();
    if (!form) return false;
    var box = form.querySelector('[name="note"]');
    if (box && box.checked !== note) {
      box.checked = note;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var search = form.querySelector(".template-fields:not([hidden]) .template-search");
    var text = form.querySelector('[name="text"]');
    var target = search && usable(search) ? search : text;
    if (!target) return false;
    target.focus();
    return true;
  }

  // /: the canned responses, by starting the reply with "/" (the composer's suggestions take it from there).
  function canned() {
    var form = composer();
    var text = form && form.querySelector('[name="text"]');
    if (!text || !usable(text)) return false;
    text.focus();
    if (!text.value) {
      text.value = "/";
      text.setSelectionRange(1, 1);
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
    return true;
  }

  // ---- list rows -----------------------------------------------------------------------------------
  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll(ROWS), usable);
  }
  function rowId(row) { return row.dataset.conversation || row.dataset.contact || row.dataset.keyRow || ""; }
  function rowLink(row) { return row.querySelector("a[href]"); }

  function currentIndex(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) if (active && active !== document.body && list[i].contains(active)) return i;
    for (var j = 0; j < list.length; j++) if (selectedId && rowId(list[j]) === selectedId) return j;
    return -1;
  }

  function select(row, focus) {
    document.querySelectorAll(".key-selected").forEach(function (r) {
      if (r !== row) { r.classList.remove("key-selected"); r.removeAttribute("data-key-selected"); }
    });
    row.classList.add("key-selected");
    row.setAttribute("data-key-selected", "");
    selectedId = rowId(row);
    var link = rowLink(row);
    // The row's link takes the focus: it is announced, shows the focus ring, and Enter opens it.
    if (focus && link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var i = currentIndex(list);
    var next = i < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + step));
    select(list[next], true);
    return true;
  }

  function selectedRow() {
    var list = rows(), i = currentIndex(list);
    return i < 0 ? null : list[i];
  }

  function openSelected() {
    var row = selectedRow(), link = row && rowLink(row);
    if (!link) return false;
    link.click();
    return true;
  }

  function tick() {
    var row = selectedRow(), box = row && row.querySelector("input[type=checkbox]");
    if (!box) return false;
    box.click(); // a click, so lists.js counts it like a tick with the mouse
    return true;
  }

  // A live refresh re-renders the list: the same row stays selected (and focused when it was).
  var focusWasInList = false;
  document.addEventListener("hub:before-refresh", function (e) {
    var active = document.activeElement;
    focusWasInList = !!(active && e.target.contains(active) && active.closest(ROWS));
  });
  document.addEventListener("hub:refreshed", function () {
    if (!selectedId) return;
    var row = rows().filter(function (r) { return rowId(r) === selectedId; })[0];
    if (row) select(row, focusWasInList && (document.activeElement === document.body || !document.activeElement));
    focusWasInList = false;
  });

  // ---- the help (?) --------------------------------------------------------------------------------
  // The help and the palette's markup come with the conversation page; any other page fetches them once.
  var extras = null;
  function ensureExtras() {
    if (document.getElementById("shortcuts-help") && document.getElementById("palette-template")) {
      return Promise.resolve();
    }
    if (!extras) {
      extras = hub.html("/inbox/shortcuts").then(function (html) {
        if (!html) { extras = null; return; }
        var box = document.createElement("div");
        box.id = "keys-extras";
        box.appendChild(hub.fragment(html));
        document.body.appendChild(box);
      });
    }
    return extras;
  }

  function help() {
    ensureExtras().then(function () {
      var box = document.getElementById("shortcuts-help");
      if (box && box.togglePopover) box.togglePopover();
    });
    return true;
  }

  function modalOpen() {
    try { return !!document.querySelector(":modal"); } catch (err) { return !!document.querySelector("dialog[open]"); }
  }

  var ACTIONS = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    x: tick,
    Enter: openSelected,
    r: function () { return write(false); },
    n: function () { return write(true); },
    "/": canned,
    e: function () { return press("e"); },
    s: function () { return press("s"); },
    z: function () { return press("s"); }, // the earlier snooze key, kept for fingers that learnt it
    a: function () { return press("a"); },
    t: function () { return press("t"); },
    l: function () { return press("l"); },
    p: function () { return press("p"); },
    o: function () { return press("o"); },
    "?": help
  };

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing) return;
    var target = e.target;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && target.closest && target.closest("#composer")) {
      e.preventDefault();
      composer().requestSubmit();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(target)) {
      // Esc leaves the field, so the next key is a shortcut again (a dialog's Esc is the dialog's).
      if (e.key === "Escape" && !target.closest("dialog, [popover]")) target.blur();
      return;
    }
    if (modalOpen()) return; // a modal dialog (the palette) has the keyboard
    var key = shortcutOf(e);
    if (!key || !ACTIONS[key]) return;
    // Enter on a focused link or button is the browser's own; the shortcut is for a selection without focus.
    if (key === "Enter" && target.closest && target.closest("a[href], button, summary, [role=button]")) return;
    if (ACTIONS[key]()) e.preventDefault();
  });

  // Discoverable: a control a key presses says so to assistive technology (aria-keyshortcuts) and on hover.
  function mark(el) {
    var key = el.getAttribute("data-key");
    if (!key || el.hasAttribute("aria-keyshortcuts")) return;
    el.setAttribute("aria-keyshortcuts", key);
    var name = (el.getAttribute("title") || el.getAttribute("aria-label") || el.textContent || "").trim().replace(/\s+/g, " ");
    if (name && name.indexOf("(" + key + ")") === -1) el.setAttribute("title", name + " (" + key + ")");
  }
  function markAll(root) {
    if (root.matches && root.matches("[data-key]")) mark(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-key]").forEach(mark);
  }
  markAll(document);
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(function (n) { if (n.nodeType === 1) markAll(n); }); });
  }).observe(document.body, { childList: true, subtree: true });

  // What the palette runs ("resolve", "snooze"…) is the same as the key, and offered only when it would act.
  window.hubKeys = {
    run: function (key) { return !!(ACTIONS[key] && ACTIONS[key]()); },
    can: function (key) {
      if (key === "r" || key === "n") return !!composer();
      if (key === "/") { var c = composer(), t = c && c.querySelector('[name="text"]'); return !!t && usable(t); }
      return !!targetFor(key);
    },
    ensureExtras: ensureExtras
  };
})();
