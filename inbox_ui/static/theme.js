/* The user's light/dark choice, applied before the first paint: base.html loads this file in <head>
   without defer (no inline scripts under the CSP), so <html data-theme> is set before the body exists.
   "system" (or nothing stored) leaves data-theme off and tokens.css follows prefers-color-scheme.
   The choice lives in this browser only (localStorage "hub-theme"). */
(function () {
  "use strict";
  var KEY = "hub-theme", root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY) || "system"; } catch (e) { return "system"; }
  }
  function apply(choice) {
    if (choice === "light" || choice === "dark") root.setAttribute("data-theme", choice);
    else root.removeAttribute("data-theme");
  }
  apply(stored());

  // The radios in the top bar (templates/partials/theme_choice.html): delegated, so a page that swaps
  // its parts in place keeps them working.
  function mark() {
    var choice = stored();
    Array.prototype.forEach.call(document.querySelectorAll('[data-theme-choice] input[name="hub-theme"]'), function (r) {
      r.checked = r.value === choice;
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('[data-theme-choice] input[name="hub-theme"]')) return;
    try { localStorage.setItem(KEY, input.value); } catch (err) { /* private mode: this page only */ }
    apply(input.value);
    mark();
  });
  // Another tab changed it.
  window.addEventListener("storage", function (e) { if (e.key === KEY) { apply(stored()); mark(); } });
})();
