/* The notifications bell on every agent page: the unread count (also in the tab title), a panel listing
   notifications with links to their conversations, "mark all read", and the user's alert settings
   (browser notifications per kind, asked for only on a click; an optional short WebAudio tone).
   Live: on pages with their own stream (inbox.js) it hears "hub:notification" events from it; elsewhere
   it opens /inbox/events?only=notifications itself. Each live event re-reads the list, so several tabs,
   a reconnect, or a mark-read elsewhere all end in the server's state. Server text goes in via textContent. */
(function () {
  "use strict";
  var hub = window.hub;
  var root = document.querySelector("[data-bell]");
  if (!root || !hub) return;
  var button = root.querySelector(".bell-button");
  var panel = root.querySelector("#bell-panel");
  var badge = root.querySelector("[data-bell-badge]");
  var status = root.querySelector("[data-bell-status]");
  var list = root.querySelector("[data-bell-list]");
  var empty = root.querySelector("[data-bell-empty]");
  var more = root.querySelector("[data-bell-more]");
  var readAll = root.querySelector("[data-bell-read-all]");
  var settings = root.querySelector("[data-bell-settings]");
  var API = "/api/v1/notifications";
  var PAGE = 20;
  // The page's own title without our "(n) " count: read each time, as the workspace retitles itself when a
  // conversation is swapped in.
  function baseTitle() { return document.title.replace(/^\(\d+\+?\) /, ""); }
  var items = [];        // the newest page (and older ones the person asked for), as the API gave them
  var nextBefore = null; // id for the next older page
  var unread = 0;
  var prefs = null;      // {browser: [kinds], sound: bool, sound_kinds: [...], kinds: [{kind, label}]}
  var fresh = {};        // ids announced live as new, to alert for once the list has them
  var timer = null;

  // ---- count, title, list ------------------------------------------------------------------------
  function showCount(n) {
    unread = n;
    badge.hidden = n === 0;
    badge.textContent = n > 99 ? "99+" : String(n);
    document.title = (n ? "(" + (n > 99 ? "99+" : n) + ") " : "") + baseTitle();
    var words = n === 0 ? status.dataset.none : n === 1 ? status.dataset.one : status.dataset.many.replace("{n}", String(n));
    if (status.textContent !== words) status.textContent = words;
    root.dataset.unread = String(n);
    readAll.disabled = n === 0;
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    var same = d.toDateString() === new Date().toDateString();
    return same ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
                : d.toLocaleDateString([], { month: "short", day: "numeric" });
  }

  function row(n) {
    var li = document.createElement("li");
    li.className = "bell-item" + (n.read ? "" : " unread");
    li.dataset.id = n.id;
    li.dataset.kind = n.kind;
    var target = document.createElement(n.url ? "a" : "button");
    if (n.url) target.href = n.url; else target.type = "button";
    target.className = "bell-open";
    target.dataset.id = n.id;
    if (!n.read) {
      var flag = document.createElement("span");
      flag.className = "visually-hidden";
      flag.textContent = list.dataset.unread + ": ";
      target.appendChild(flag);
    }
    var top = document.createElement("span");
    top.className = "bell-top";
    var kind = document.createElement("span");
    kind.className = "bell-kind bell-kind-" + n.kind;
    kind.textContent = hub.text("kind." + n.kind, n.label || n.kind);
    top.appendChild(kind);
    if (n.contact_name) {
      var who = document.createElement("bdi");
      who.className = "bell-contact";
      who.textContent = n.contact_name;
      top.appendChild(who);
    }
    var time = document.createElement("time");
    time.dateTime = n.created_at || "";
    time.textContent = when(n.created_at);
    top.appendChild(time);
    var text = document.createElement("span");
    text.className = "bell-text";
    text.dir = "auto";
    text.textContent = n.text;
    target.appendChild(top);
    target.appendChild(text);
    li.appendChild(target);
    return li;
  }

  function render() {
    // A live re-render must not take the keyboard focus away from the row the person is on.
    var focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    list.replaceChildren.apply(list, items.map(row));
    if (focused) {
      var again = list.querySelector('.bell-open[data-id="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
    empty.hidden = items.length > 0;
    more.hidden = !nextBefore;
  }

  // The newest page and the count; pages the person loaded further down are kept below it.
  function load() {
    return hub.request(API + "?limit=" + PAGE).then(function (data) {
      var ids = {};
      data.notifications.forEach(function (n) { ids[n.id] = true; });
      var older = items.filter(function (n) { return !ids[n.id] && data.notifications.length &&
        n.id < data.notifications[data.notifications.length - 1].id; });
      items = data.notifications.concat(older);
      if (!older.length) nextBefore = data.next_before;
      showCount(data.unread_count);
      render();
      alertFresh();
      root.dataset.loaded = String(Date.now());
    }).catch(function () { /* the next event or reconnect tries again */ });
  }
  function soon() { clearTimeout(timer); timer = setTimeout(load, 150); }

  more.addEventListener("click", function () {
    if (!nextBefore) return;
    more.disabled = true;
    hub.request(API + "?limit=" + PAGE + "&before=" + encodeURIComponent(nextBefore)).then(function (data) {
      items = items.concat(data.notifications);
      nextBefore = data.next_before;
      showCount(data.unread_count);
      render();
    }).finally(function () { more.disabled = false; });
  });

  function markRead(id, keepalive) {
    var url = API + "/" + encodeURIComponent(id) + "/read";
    return fetch(url, { method: "POST", credentials: "same-origin", keepalive: !!keepalive,
                        headers: { "X-CSRF-Token": hub.csrf, "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showCount(data.unread_count); })
      .catch(function () { /* the list shows it unread until the next load */ });
  }

  // Opening one marks it read first, then follows the link (a new tab: marked while the page stays).
  list.addEventListener("click", function (e) {
    var target = e.target.closest && e.target.closest(".bell-open");
    if (!target) return;
    var id = target.dataset.id;
    var item = target.closest("li");
    item.classList.remove("unread");
    if (target.tagName !== "A") { markRead(id); return; }
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button === 1) { markRead(id, true); return; }
    e.preventDefault();
    markRead(id, true).finally(function () { window.location.href = target.href; });
  });
  list.addEventListener("auxclick", function (e) {
    var target = e.target.closest && e.target.closest("a.bell-open");
    if (target && e.button === 1) markRead(target.dataset.id, true);
  });

  readAll.addEventListener("click", function () {
    var newest = items.length ? items[0].id : null;
    readAll.disabled = true;
    hub.request(API + "/read-all", { body: newest ? { up_to: newest } : {} }).then(function (data) {
      items.forEach(function (n) { if (!newest || n.id <= newest) n.read = true; });
      showCount(data.unread_count);
      render();
    }).catch(function () { readAll.disabled = false; });
  });

  // ---- the panel: a disclosure (button with aria-expanded), Escape and a click outside close it ----
  function setOpen(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { load(); loadPrefs(); }
  }
  button.addEventListener("click", function () { setOpen(panel.hidden); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { setOpen(false); button.focus(); }
  });
  document.addEventListener("click", function (e) {
    if (!panel.hidden && !root.contains(e.target)) setOpen(false);
  });

  // ---- alerts: browser notifications per kind, and the sound ---------------------------------------
  var canNotify = "Notification" in window;
  var ASKED = "hub:notifications-asked";

  function permissionText() {
    var p = root.querySelector("[data-bell-permission]"), ask = root.querySelector("[data-bell-ask]");
    var state = canNotify ? Notification.permission : "unsupported";
    var asked = localStorage.getItem(ASKED) === "1";
    ask.hidden = !(state === "default" && !asked);
    p.textContent = state === "unsupported" ? p.dataset.unsupported : state === "granted" ? p.dataset.granted :
      state === "denied" ? p.dataset.denied : asked ? p.dataset.asked : "";
    root.dataset.permission = state;
  }

  // Asked at most once, and only from a click (never on load): the browser remembers the answer.
  function askPermission() {
    if (!canNotify || Notification.permission !== "default" || localStorage.getItem(ASKED) === "1") {
      return Promise.resolve();
    }
    localStorage.setItem(ASKED, "1");
    var asked = Notification.requestPermission();
    return Promise.resolve(asked).then(permissionText, permissionText);
  }
  root.querySelector("[data-bell-ask]").addEventListener("click", askPermission);

  function renderPrefs() {
    var box = root.querySelector("[data-bell-kinds]");
    Array.prototype.forEach.call(box.querySelectorAll("label"), function (l) { l.remove(); });
    prefs.kinds.forEach(function (k) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "browser";
      input.value = k.kind;
      input.checked = prefs.browser.indexOf(k.kind) !== -1;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + hub.text("kind_setting." + k.kind, k.label)));
      box.appendChild(label);
    });
    root.querySelector("[data-bell-sound]").checked = prefs.sound;
    permissionText();
  }

  function loadPrefs() {
    if (prefs) { renderPrefs(); return Promise.resolve(); }
    return hub.request(API + "/preferences").then(function (data) { prefs = data; renderPrefs(); })
      .catch(function () { /* the settings stay empty; alerts stay off */ });
  }

  function savePrefs() {
    var browser = Array.prototype.map.call(settings.querySelectorAll('input[name="browser"]:checked'),
                                           function (i) { return i.value; });
    var sound = root.querySelector("[data-bell-sound]").checked;
    var error = root.querySelector("[data-bell-error]");
    error.textContent = "";
    return hub.request(API + "/preferences", { method: "PUT", body: { browser: browser, sound: sound } })
      .then(function (data) { prefs = data; root.dataset.prefsSaved = String(Number(root.dataset.prefsSaved || 0) + 1); })
      .catch(function (err) { error.textContent = err.message; });
  }

  settings.addEventListener("change", function (e) {
    if (e.target.name === "browser" && e.target.checked) askPermission();
    if (e.target.matches("[data-bell-sound]") && e.target.checked) tone(); // a click: the audio may start
    savePrefs();
  });

  // A short two-note tone made on the spot (no audio file). Browsers let audio start only after the
  // person has interacted with the page; before that the tone is silently skipped.
  var audio = null;
  function tone() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      audio = audio || new Ctx();
      if (audio.state === "suspended") audio.resume();
      var t = audio.currentTime, osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(660, t + 0.12);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.32);
      root.dataset.tones = String(Number(root.dataset.tones || 0) + 1);
    } catch (err) { /* no sound on this device */ }
  }

  // One tab alerts for a notification, not every open one: the first to claim its id in localStorage.
  // Claims older than a day are dropped, so the store does not grow for ever.
  try {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf("hub:alerted:") === 0 && Number(localStorage.getItem(key)) < Date.now() - 86400000) {
        localStorage.removeItem(key);
      }
    }
  } catch (err) { /* no storage: every tab alerts */ }
  function claim(id) {
    var key = "hub:alerted:" + id;
    try {
      if (localStorage.getItem(key)) return false;
      localStorage.setItem(key, String(Date.now()));
    } catch (err) { return true; }
    return true;
  }

  function alertFresh() {
    if (!prefs) return;
    items.forEach(function (n) {
      if (!fresh[n.id]) return;
      delete fresh[n.id];
      if (n.read || !claim(n.id)) return;
      if (prefs.sound && prefs.sound_kinds.indexOf(n.kind) !== -1) tone();
      if (canNotify && Notification.permission === "granted" && prefs.browser.indexOf(n.kind) !== -1 &&
          document.visibilityState !== "visible") {
        var shown = new Notification(hub.text("kind." + n.kind, n.label || "Hub"), { body: (n.contact_name ? n.contact_name + ": " : "") + n.text,
                                                        tag: "hub-" + n.id });
        shown.onclick = function () {
          window.focus();
          if (n.url) markRead(n.id, true).finally(function () { window.location.href = n.url; });
        };
        root.dataset.shown = String(Number(root.dataset.shown || 0) + 1);
      }
    });
  }

  function onLive(data) {
    if (data.op === "insert" && !data.read) fresh[data.id] = true;
    soon();
  }

  // ---- the live stream -------------------------------------------------------------------------------
  var page = document.querySelector("[data-live]");
  if (page) {
    document.addEventListener("hub:notification", function (e) { onLive(e.detail || {}); });
    document.addEventListener("hub:live-ready", soon);
  } else if (window.EventSource) {
    var source = null;
    var connect = function () {
      source = new EventSource("/inbox/events?only=notifications");
      source.addEventListener("ready", function () { root.dataset.live = "connected"; soon(); });
      source.addEventListener("notifications", function (e) { onLive(JSON.parse(e.data)); });
      source.addEventListener("reload", function () { window.location.reload(); });
      source.onerror = function () {
        root.dataset.live = "reconnecting";
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
      };
    };
    window.addEventListener("online", function () { if (source) source.close(); connect(); });
    connect();
  }
  hub.request(API + "/preferences").then(function (data) { prefs = prefs || data; }).catch(function () {});
  load();
})();
