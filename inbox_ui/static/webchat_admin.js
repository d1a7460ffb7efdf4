/* Admin → Website chat: the preview follows the appearance form as the admin types, before saving.
   The preview is the real widget (widget.js with data-preview): this only hands it the unsaved settings,
   in the shape /webchat/config gives a real page. */
(function () {
  "use strict";
  function settings(form) {
    var value = function (name) { var el = form.elements[name]; return el ? el.value : ""; };
    var fields = {};
    ["name", "email", "question"].forEach(function (f) { fields[f] = value("fields." + f) || "off"; });
    var prechat = form.elements.prechat.checked;
    var state = document.getElementById("preview-state");
    var online = !state || state.value !== "offline";
    var chosen = form.elements.department_id.selectedOptions[0];
    var within = chosen && chosen.dataset.replyWithin ? Number(chosen.dataset.replyWithin) : null;
    var shownFields = Object.assign({}, fields);
    if (!online) shownFields.email = "required";
    return {
      look: { colour: value("colour"), position: value("position"), title: value("title").trim(),
              greeting: value("greeting").trim(), prechat: prechat, fields: fields },
      online: online, reply_within_seconds: within, opens_at: null,
      form: { shown: (prechat && Object.keys(fields).some(function (f) { return fields[f] !== "off"; })) || !online,
              fields: shownFields }
    };
  }
  function start() {
    var form = document.getElementById("look-form");
    if (!form) return;
    var state = document.getElementById("preview-state");
    form.elements.department_id.addEventListener("change", function () {
      // A department picked: preview it as it is now (open or closed); the admin may still flip it.
      var chosen = form.elements.department_id.selectedOptions[0];
      if (state && chosen) state.value = chosen.dataset.online === "0" ? "offline" : "online";
    });
    var redraw = function () {
      if (window.__hubChat && window.__hubChat.preview) window.__hubChat.preview(settings(form));
    };
    form.addEventListener("input", redraw);
    form.addEventListener("change", redraw);
    document.addEventListener("hubchat:ready", redraw);
    redraw();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
