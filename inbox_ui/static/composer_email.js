// Email replies in the composer: CC and BCC fields and the signature preview show (and the fields are sent)
// only while the reply goes out by email, never for a note. Listeners are on the document and read the
// composer when they fire, because the conversation pane is swapped in place.
(function () {
  "use strict";
  if (window.hubComposerEmail) return; // loaded by the page and again by a swapped-in pane
  window.hubComposerEmail = true;

  function isEmailReply(form) {
    var channel = form.querySelector('select[name="channel"]');
    var note = form.querySelector('input[name="note"]');
    var option = channel && channel.selectedOptions[0];
    return !!option && option.dataset.mail === "1" && !(note && note.checked);
  }

  function sync(form) {
    var email = isEmailReply(form);
    form.querySelectorAll("[data-email-only]").forEach(function (part) {
      if (part.hidden === !email) return;
      part.hidden = !email;
      // A disabled field is left out of the form: a note or an SMS never carries a CC.
      part.querySelectorAll("input").forEach(function (input) { input.disabled = !email; });
    });
  }

  function syncAll() { document.querySelectorAll("form.composer").forEach(sync); }

  function composerOf(node) { return node && node.closest ? node.closest("form.composer") : null; }

  document.addEventListener("change", function (e) {
    var form = composerOf(e.target);
    if (form) sync(form);
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest('[data-action="show-bcc"]');
    var form = composerOf(button);
    if (!form) return;
    var row = form.querySelector("[data-bcc-row]");
    if (!row) return;
    row.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.hidden = true;
    var input = row.querySelector("input");
    if (input) input.focus();
  });

  // Note mode is also switched from code (a shortcut, "reply instead") without a change event, and a
  // pane may arrive later: follow the composer's class and the document's new children.
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      if (records[i].type === "childList" || composerOf(records[i].target) || (records[i].target.matches && records[i].target.matches("form.composer"))) {
        syncAll();
        return;
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", syncAll);
  else syncAll();
})();
