/* The admin's form preview: tell the editor page how tall the form is, so
   its iframe shows the whole form without an inner scroll bar. The page is
   sandboxed (opaque origin), so postMessage is the only way to say it. */
(function () {
  "use strict";
  if (window.parent === window) return;
  let last = 0;
  function report() {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ leadcapturePreviewHeight: height }, "*");
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
})();
