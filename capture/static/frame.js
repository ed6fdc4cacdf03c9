// Iframe embed variant (/f/KEY?frame=1): tell the embedding page how tall this
// page is, on load and whenever it changes, so the host can size the iframe.
// External file because the page's CSP allows no inline script.
(() => {
  'use strict';
  if (window.parent === window) return;
  const key = document.currentScript && document.currentScript.getAttribute('data-form');
  let last = -1;
  const report = () => {
    // The root's box, not scrollHeight: scrollHeight never drops below the iframe's own height.
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'leadcapture:height', key, height }, '*');
  };
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener('load', report);
  report();
})();
