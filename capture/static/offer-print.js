// The printable offer: a "Print" button that opens the browser's print dialog
// (from which it saves as PDF too). Without this file, Ctrl+P does the same.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
