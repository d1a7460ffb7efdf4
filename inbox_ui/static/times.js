/* Times in the viewer's own language, calendar and time zone. The server writes every time as
   <time datetime="ISO">YYYY-MM-DD HH:MM UTC</time> (the no-script fallback); this rewrites each one,
   and each one added later (a MutationObserver sees live updates), with Intl: recent ones relative
   ("3 min ago"), refreshed every minute, the exact full time on hover (title). Persian is shown in the
   Solar Hijri calendar with Persian digits. Seconds fields marked data-duration get "1 h" beside them; data-seconds numbers become durations. */
(function () {
  "use strict";
  var tag = document.documentElement.lang || "en";
  var locale = tag === "fa" ? "fa-IR-u-ca-persian-nu-arabext" : tag;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = undefined; }

  function formatter(options) {
    try { return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: zone }, options)); }
    catch (e) { return new Intl.DateTimeFormat(undefined, options); }
  }
  var exact = formatter({ dateStyle: "full", timeStyle: "long" });
  var dayOnly = formatter({ dateStyle: "medium" });
  var clock = formatter({ hour: "numeric", minute: "2-digit" });
  var sameYear = formatter({ month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
  var otherYear = formatter({ dateStyle: "medium", timeStyle: "short" });
  var yearOf = formatter({ year: "numeric" });
  var relative = null;
  try { relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" }); } catch (e) { relative = null; }

  var MINUTE = 60000, HOUR = 60 * MINUTE, DAY = 24 * HOUR;

  // data-absolute: a time after "since" or "until" reads as a moment, never as "3 min ago".
  function shown(date, now, absolute) {
    var gap = date.getTime() - now; // negative: in the past
    var size = Math.abs(gap);
    var words = absolute ? null : relative;
    if (words && size < 45000) return words.format(0, "second");
    if (words && size < HOUR) return words.format(Math.round(gap / MINUTE), "minute");
    if (words && size < 12 * HOUR) return words.format(Math.round(gap / HOUR), "hour");
    if (size < DAY && dayOnly.format(date) === dayOnly.format(new Date(now))) return clock.format(date);
    return yearOf.format(date) === yearOf.format(new Date(now)) ? sameYear.format(date) : otherYear.format(date);
  }

  function localize(el, now) {
    var value = el.getAttribute("datetime");
    if (!value) return;
    var dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    var date = new Date(dateOnly ? value + "T00:00:00" : value);
    if (isNaN(date.getTime())) return;
    if (!el.hasAttribute("data-server-text")) el.setAttribute("data-server-text", el.textContent);
    var text = dateOnly ? dayOnly.format(date) : shown(date, now, el.hasAttribute("data-absolute"));
    if (el.textContent !== text) el.textContent = text;
    var title = dateOnly ? dayOnly.format(date) : exact.format(date);
    if (el.getAttribute("title") !== title) el.setAttribute("title", title);
    el.classList.add("localized");
  }

  function durationText(seconds) {
    if (!(seconds > 0)) return "";
    var parts = [], rest = Math.floor(seconds);
    [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]].forEach(function (u) {
      var n = Math.floor(rest / u[1]);
      rest -= n * u[1];
      if (n <= 0 || parts.length === 2) return;
      try { parts.push(new Intl.NumberFormat(locale, { style: "unit", unit: u[0], unitDisplay: "short" }).format(n)); }
      catch (e) { parts.push(n + " " + u[0]); }
    });
    try { return new Intl.ListFormat(locale, { style: "narrow", type: "unit" }).format(parts); }
    catch (e) { return parts.join(" "); }
  }

  function showDuration(input) {
    var out = input.nextElementSibling;
    if (!out || !out.classList.contains("duration")) {
      out = document.createElement("output");
      out.className = "duration";
      input.insertAdjacentElement("afterend", out);
    }
    out.textContent = input.value === "" ? "" : durationText(Number(input.value));
  }

  // A number of seconds the server wrote as <span data-seconds="N">N s</span>: "1 hr, 5 min" in the viewer's
  // language, the exact seconds on hover.
  function showSeconds(el) {
    var seconds = Number(el.getAttribute("data-seconds"));
    if (isNaN(seconds) || el.classList.contains("localized")) return;
    var text = durationText(seconds);
    if (!text) {
      try { text = new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "short" }).format(0); }
      catch (e) { text = "0 s"; }
    }
    el.setAttribute("title", el.textContent);
    el.textContent = text;
    el.classList.add("localized");
  }

  function scan(root, now) {
    if (root.nodeType !== 1) return;
    if (root.matches("[data-seconds]")) showSeconds(root);
    Array.prototype.forEach.call(root.querySelectorAll("[data-seconds]"), showSeconds);
    if (root.matches("time[datetime]")) localize(root, now);
    Array.prototype.forEach.call(root.querySelectorAll("time[datetime]"), function (el) { localize(el, now); });
    if (root.matches("input[data-duration]")) showDuration(root);
    Array.prototype.forEach.call(root.querySelectorAll("input[data-duration]"), showDuration);
  }

  function start() {
    scan(document.body, Date.now());
    new MutationObserver(function (records) {
      var now = Date.now();
      records.forEach(function (r) {
        Array.prototype.forEach.call(r.addedNodes, function (node) {
          if (node.nodeType === 1 && !(node.classList && node.classList.contains("duration"))) scan(node, now);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
    document.addEventListener("input", function (e) {
      if (e.target && e.target.matches && e.target.matches("input[data-duration]")) showDuration(e.target);
    });
    setInterval(function () {
      var now = Date.now();
      Array.prototype.forEach.call(document.querySelectorAll("time[datetime]"), function (el) { localize(el, now); });
    }, MINUTE);
  }

  window.hubTimes = { localize: localize, duration: durationText, locale: locale };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
