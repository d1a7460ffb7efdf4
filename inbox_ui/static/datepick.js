/* Date and date-and-time fields in the viewer's own language and calendar. Chromium's own date field
   speaks the browser's locale (an English month grid for a Persian agent), so every <input type="date">
   and <input type="datetime-local"> becomes a button showing the chosen day as Intl writes it, and a
   month grid of the viewer's calendar (Solar Hijri with Persian digits for Persian, the week starting on
   the locale's first day). The input stays as the value holder, in its own format (YYYY-MM-DD or
   YYYY-MM-DDTHH:MM, local time), so forms and the server see exactly what they saw before.
   Keyboard: arrows move a day or a week, Page Up/Down a month, Enter picks, Escape closes. */
(function () {
  "use strict";
  var hub = window.hub || {};
  var tag = document.documentElement.lang || "en";
  var locale = (window.hubTimes && window.hubTimes.locale) || (tag === "fa" ? "fa-IR-u-ca-persian-nu-arabext" : tag);
  var DAY = 86400000;

  function text(key, fallback) { return (hub.text && hub.text(key)) || fallback; }
  function fmt(options) {
    try { return new Intl.DateTimeFormat(locale, options); } catch (e) { return new Intl.DateTimeFormat(undefined, options); }
  }
  // The calendar's own year/month/day as Latin numbers, for finding where its months begin and end.
  var parts = (function () {
    var f;
    try { f = new Intl.DateTimeFormat(locale, { numberingSystem: "latn", year: "numeric", month: "numeric", day: "numeric" }); }
    catch (e) { f = new Intl.DateTimeFormat("en", { year: "numeric", month: "numeric", day: "numeric" }); }
    return function (date) {
      var out = {};
      f.formatToParts(date).forEach(function (p) { if (p.type === "year" || p.type === "month" || p.type === "day") out[p.type] = parseInt(p.value, 10); });
      return out;
    };
  })();
  var monthTitle = fmt({ month: "long", year: "numeric" });
  var dayNumber = fmt({ day: "numeric" });
  var weekdayNarrow = fmt({ weekday: "narrow" });
  var weekdayName = fmt({ weekday: "long" });
  var weekdayLong = fmt({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
  var dayShown = fmt({ dateStyle: "medium" });
  var momentShown = fmt({ dateStyle: "medium", timeStyle: "short" });
  var digits;
  try { digits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false }); } catch (e) { digits = null; }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function shownNumber(n) { return digits ? digits.format(n) : two(n); }

  function firstWeekday() {  // 0 = Sunday … 6 = Saturday
    try {
      var l = new Intl.Locale(locale);
      var info = (l.getWeekInfo && l.getWeekInfo()) || l.weekInfo;
      if (info && info.firstDay) return info.firstDay % 7;
    } catch (e) { /* older engines: Monday */ }
    return 1;
  }

  function noon(date) { var d = new Date(date.getTime()); d.setHours(12, 0, 0, 0); return d; }
  function addDays(date, n) { var d = new Date(date.getTime() + n * DAY); d.setHours(12, 0, 0, 0); return d; }
  function sameDay(a, b) { return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate(); }
  function isoDay(d) { return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()); }

  // The days of the calendar month `date` falls in (any calendar Intl knows).
  function monthOf(date) {
    var here = parts(date), start = noon(date), end = noon(date);
    for (var i = 0; i < 40 && parts(addDays(start, -1)).month === here.month; i++) start = addDays(start, -1);
    for (var j = 0; j < 40 && parts(addDays(end, 1)).month === here.month; j++) end = addDays(end, 1);
    return { start: start, end: end };
  }

  // The same day of the month before or after, or that month's last day if it is shorter.
  function shiftMonth(date, direction) {
    var month = monthOf(date);
    var other = monthOf(direction > 0 ? addDays(month.end, 1) : addDays(month.start, -1));
    var index = Math.round((noon(date) - month.start) / DAY);
    var length = Math.round((other.end - other.start) / DAY);
    return addDays(other.start, Math.min(index, length));
  }

  function parse(input) {
    var v = input.value;
    if (!v) return null;
    var d = new Date(input.type === "date" || /^\d{4}-\d{2}-\d{2}$/.test(v) ? v + "T12:00:00" : v);
    return isNaN(d.getTime()) ? null : d;
  }

  function enhance(input) {
    if (input.dataset.datepick) return;
    var withTime = input.type === "datetime-local";
    input.dataset.datepick = withTime ? "datetime" : "date";
    var required = input.required;
    var min = input.min ? new Date(input.min.length === 10 ? input.min + "T00:00:00" : input.min) : null;
    if (input.hasAttribute("data-future")) min = new Date();
    input.type = "hidden";  // the value holder; the button and grid below are what people see and use
    input.required = false;
    var labelText = (input.closest("label") || {}).textContent || "";

    var button = document.createElement("button");
    button.type = "button";
    button.className = "datepick-button secondary outline small";
    button.setAttribute("aria-haspopup", "dialog");
    var shown = document.createElement("span");
    button.appendChild(shown);
    input.insertAdjacentElement("afterend", button);

    var panel = document.createElement("div");
    panel.className = "datepick";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", labelText.trim() || text("date_pick", "Pick a date"));
    panel.popover = "auto";
    var head = document.createElement("div");
    head.className = "datepick-head";
    var prev = document.createElement("button");
    prev.type = "button"; prev.className = "datepick-step"; prev.dataset.step = "-1";
    prev.setAttribute("aria-label", text("month_prev", "Previous month")); prev.textContent = "‹";
    var title = document.createElement("div");  // not a heading: the page's own outline stays its own
    title.className = "datepick-title"; title.setAttribute("aria-live", "polite");
    var next = document.createElement("button");
    next.type = "button"; next.className = "datepick-step"; next.dataset.step = "1";
    next.setAttribute("aria-label", text("month_next", "Next month")); next.textContent = "›";
    head.appendChild(prev); head.appendChild(title); head.appendChild(next);
    var grid = document.createElement("table");
    grid.className = "datepick-grid";
    grid.setAttribute("role", "grid");
    panel.appendChild(head); panel.appendChild(grid);

    var hour = null, minute = null;
    if (withTime) {
      var row = document.createElement("div");
      row.className = "datepick-time";
      hour = document.createElement("select"); hour.setAttribute("aria-label", text("hour", "Hour"));
      minute = document.createElement("select"); minute.setAttribute("aria-label", text("minute", "Minute"));
      for (var h = 0; h < 24; h++) hour.add(new Option(shownNumber(h), String(h)));
      for (var m = 0; m < 60; m += 5) minute.add(new Option(shownNumber(m), String(m)));
      var colon = document.createElement("span"); colon.textContent = ":"; colon.setAttribute("aria-hidden", "true");
      var done = document.createElement("button");
      done.type = "button"; done.className = "small"; done.dataset.done = "1"; done.textContent = text("done", "Done");
      row.appendChild(hour); row.appendChild(colon); row.appendChild(minute); row.appendChild(done);
      // The clock reads left to right in every script.
      row.dir = "ltr";
      panel.appendChild(row);
    }
    button.insertAdjacentElement("afterend", panel);  // the top layer shows it; it leaves with its form

    var showing = null;   // the month on screen: any day inside it
    var focused = null;   // the day the keyboard is on
    var picked = parse(input);

    function label() {
      var value = parse(input);
      shown.textContent = value ? (withTime ? momentShown.format(value) : dayShown.format(value)) : text("date_pick", "Pick a date");
      button.classList.toggle("datepick-empty", !value);
      if (value) button.title = weekdayLong.format(value); else button.removeAttribute("title");
    }

    function allowed(day) { return !min || day.getTime() >= noon(min).getTime(); }

    function render() {
      var month = monthOf(showing);
      title.textContent = monthTitle.format(addDays(month.start, 10));  // a day inside it, whatever the calendar
      grid.textContent = "";
      var thead = grid.createTHead().insertRow();
      var first = firstWeekday();
      var sunday = new Date(2024, 0, 7, 12);  // a Sunday
      for (var i = 0; i < 7; i++) {
        var th = document.createElement("th");
        th.scope = "col";
        var weekday = addDays(sunday, (first + i) % 7);
        th.textContent = weekdayNarrow.format(weekday);
        th.title = weekdayName.format(weekday);
        th.abbr = th.title;
        thead.appendChild(th);
      }
      var body = grid.createTBody();
      var row = body.insertRow();
      var lead = (month.start.getDay() - first + 7) % 7;
      for (var k = 0; k < lead; k++) row.insertCell();
      var today = new Date();
      for (var day = month.start; day.getTime() <= month.end.getTime(); day = addDays(day, 1)) {
        if (row.cells.length === 7) row = body.insertRow();
        var cell = row.insertCell();
        var b = document.createElement("button");
        b.type = "button";
        b.className = "datepick-day";
        b.dataset.day = isoDay(day);
        b.textContent = dayNumber.format(day);
        b.setAttribute("aria-label", weekdayLong.format(day));
        b.tabIndex = sameDay(day, focused) ? 0 : -1;
        if (sameDay(day, picked)) b.setAttribute("aria-pressed", "true");
        if (sameDay(day, today)) b.setAttribute("aria-current", "date");
        if (!allowed(day)) b.disabled = true;
        cell.appendChild(b);
      }
    }

    function focusDay() {
      var b = grid.querySelector('[data-day="' + isoDay(focused) + '"]');
      if (b) b.focus();
    }
    function move(to) {
      var wasMonth = parts(focused).month;
      focused = to;
      if (parts(to).month !== wasMonth || !grid.querySelector('[data-day="' + isoDay(to) + '"]')) showing = to;
      render();
      focusDay();
    }

    function place() {
      var r = button.getBoundingClientRect();
      var width = panel.offsetWidth || 280;
      var rtl = getComputedStyle(button).direction === "rtl";
      var left = rtl ? r.right - width : r.left;
      left = Math.max(8, Math.min(left, window.innerWidth - width - 8));
      var top = r.bottom + 4;
      if (top + panel.offsetHeight > window.innerHeight - 8) top = Math.max(8, r.top - panel.offsetHeight - 4);
      panel.style.left = left + "px";
      panel.style.top = top + "px";
    }

    function open() {
      picked = parse(input);
      focused = noon(picked || (min && min > new Date() ? min : new Date()));
      showing = focused;
      if (withTime) {
        var at = picked || new Date(Date.now() + 3600000);
        hour.value = String(at.getHours());
        minute.value = String(Math.floor(at.getMinutes() / 5) * 5);
      }
      render();
      panel.showPopover();
      place();
      focusDay();
    }

    function choose(day) {
      if (withTime) {
        picked = day;
        render();
        focused = day;
        focusDay();
        return;  // the time row's Done commits
      }
      commit(day);
    }
    function commit(day) {
      var value = isoDay(day);
      if (withTime) value += "T" + two(parseInt(hour.value, 10)) + ":" + two(parseInt(minute.value, 10));
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      label();
      panel.hidePopover();
      button.focus();
    }

    button.addEventListener("click", function () { if (panel.matches(":popover-open")) panel.hidePopover(); else open(); });
    panel.addEventListener("click", function (e) {
      var day = e.target.closest("[data-day]");
      if (day && !day.disabled) { choose(new Date(day.dataset.day + "T12:00:00")); return; }
      var step = e.target.closest("[data-step]");
      if (step) {
        focused = shiftMonth(focused, step.dataset.step === "1" ? 1 : -1);
        showing = focused;
        render();
        return;
      }
      if (e.target.closest("[data-done]")) commit(picked || focused);
    });
    panel.addEventListener("keydown", function (e) {
      if (!e.target.matches("[data-day]")) return;
      var rtl = getComputedStyle(panel).direction === "rtl";
      var steps = { ArrowLeft: rtl ? 1 : -1, ArrowRight: rtl ? -1 : 1, ArrowUp: -7, ArrowDown: 7 };
      if (e.key in steps) { e.preventDefault(); move(addDays(focused, steps[e.key])); }
      else if (e.key === "PageUp" || e.key === "PageDown") {
        e.preventDefault();
        move(shiftMonth(focused, e.key === "PageDown" ? 1 : -1));
      }
    });
    panel.addEventListener("toggle", function (e) { if (e.newState === "closed" && document.activeElement === document.body) button.focus(); });
    input.addEventListener("input", label);
    input.addEventListener("change", label);
    // A value set by a script (the snooze presets, a form reset) shows at once.
    var form = input.form;
    if (form) form.addEventListener("reset", function () { setTimeout(label, 0); });
    if (form && required) {
      form.addEventListener("submit", function (e) {
        if (input.value) return;
        e.preventDefault();
        e.stopImmediatePropagation();
        open();
      }, true);
    }
    label();
  }

  function scan(root) {
    if (root.nodeType !== 1) return;
    if (root.matches('input[type="date"], input[type="datetime-local"]')) enhance(root);
    Array.prototype.forEach.call(root.querySelectorAll('input[type="date"], input[type="datetime-local"]'), enhance);
  }
  function start() {
    scan(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (r) { Array.prototype.forEach.call(r.addedNodes, scan); });
    }).observe(document.body, { childList: true, subtree: true });
  }
  window.hubDatepick = { enhance: enhance };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
