/* Leadcapture imports and exports: the progress of a running import (or an export being
   prepared) without reloading. The page works without this file: it refreshes itself
   (a <noscript> meta refresh) until the job has finished. With it, the bar, the counts,
   the pace and the time left follow a JSON endpoint once a second, and the page reloads
   once, when the job is done, to show its errors and links. No inline script or style:
   the strict CSP holds. */
(function () {
  "use strict";

  const box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-finished") === "yes") return;

  const url = box.getAttribute("data-progress-url");
  const bar = box.querySelector("progress");
  const number = new Intl.NumberFormat("en");
  const PHASES = {
    waiting: "Waiting for a worker…",
    checking: "Reading the whole file first (nothing is written until it reads cleanly)…",
    importing: box.hasAttribute("data-dry-run") ? "Checking every row (dry run: nothing is written)…" : "Importing…",
    finished: "Finished.",
  };

  function set(name, text) {
    box.querySelectorAll('[data-field="' + name + '"]').forEach((el) => { el.textContent = text; });
  }

  function show(data) {
    if (bar && typeof data.percent === "number") {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    if (typeof data.percent === "number") set("percent", data.percent + "%");
    if (typeof data.done === "number") set("done", number.format(data.done));
    if (typeof data.total === "number") set("total", number.format(data.total) + (data.total_exact ? "" : " (about)"));
    if (data.phase && PHASES[data.phase]) set("phase", PHASES[data.phase]);
    const pace = box.querySelector('[data-field-box="pace"]');
    if (pace) {
      pace.hidden = !(data.rate > 0) || data.finished;
      set("rate", number.format(Math.round(data.rate || 0)));
      set("eta", data.time_left || "—");
    }
    Object.entries(data.counts || {}).forEach(([name, value]) => {
      box.querySelectorAll('[data-count="' + name + '"]').forEach((el) => { el.textContent = number.format(value); });
    });
  }

  let failures = 0;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      failures = 0;
      show(data);
      if (data.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1; // a restart of the web app or a lost connection: keep asking, more slowly
    }
    window.setTimeout(poll, Math.min(1000 * (1 + failures), 10000));
  }

  window.setTimeout(poll, 1000);
})();
