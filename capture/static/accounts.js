// Accounts and offers pages: progressive enhancement only; every action works without JS.
(function () {
  "use strict";
  // Keep bookmarkable URLs short: empty filter fields are not sent.
  document.querySelectorAll("form[data-drop-empty]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && !field.value) field.disabled = true;
      });
    });
    // Coming back through the history must not leave fields disabled.
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
    });
  });
})();
