// Prospects pages: progressive enhancements only; every action works without JS.
(function () {
  "use strict";
  function init() {
    // Status and priority colours (data-color) are painted by admin.js.

    // Inline status: picking another status presses that row's "Set" button.
    document.querySelectorAll(".inline-status").forEach(function (cell) {
      var select = cell.querySelector("select");
      var button = cell.querySelector("button");
      if (!select || !button) return;
      select.addEventListener("change", function () { button.click(); });
    });

    // Select-all checkbox for the rows on this page.
    var all = document.getElementById("select-all");
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk"]'));
    var counter = document.getElementById("selected-count");
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
      if (counter) counter.textContent = n + " selected";
    }
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    if (boxes.length) update();

    // Keep bookmarkable URLs short: empty filter fields are not sent.
    var filters = document.getElementById("filters");
    if (filters) {
      filters.addEventListener("submit", function () {
        filters.querySelectorAll("input, select").forEach(function (field) {
          if (field.name && !field.value) field.disabled = true;
        });
      });
      // Coming back through the history must not leave fields disabled.
      window.addEventListener("pageshow", function () {
        filters.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
