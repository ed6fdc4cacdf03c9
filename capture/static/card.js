// The prospect card: progressive enhancements only; every form and link works without this file.
// - "Log call" sets its time to now (in the instance's time zone) when opened, unless it was edited;
// - an opened form puts the cursor in its first text field ("Log call" keeps it on its Save button);
// - "Show older" appends the timeline's next page instead of loading the whole card again.
(function () {
  "use strict";

  // "2026-03-02T14:05" for <input type=datetime-local>, as the wall clock reads in `zone`.
  function nowIn(zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  function initLogCall() {
    var form = document.getElementById("log-call-form");
    var details = document.getElementById("log-call");
    if (!form || !details) return;
    var when = form.querySelector("input[data-now]");
    var zone = form.getAttribute("data-now-zone");
    if (!when || !zone) return;
    var edited = when.getAttribute("aria-invalid") === "true"; // a value sent back with an error stays
    when.addEventListener("input", function () { edited = true; });
    var save = form.querySelector("button[type=submit]");
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      if (!edited) {
        try { when.value = nowIn(zone); } catch (e) { /* an unknown zone: keep the server's time */ }
      }
      if (save && !edited) save.focus({ preventScroll: true }); // Enter saves: still two steps
    });
  }

  function initDisclosures() {
    document.querySelectorAll("details.disclosure").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) return;
        var first = details.querySelector("[data-autofocus]");
        if (first && !details.querySelector("[aria-invalid=true]")) first.focus({ preventScroll: true });
      });
    });
  }

  function initTimeline() {
    var section = document.getElementById("timeline");
    if (!section) return;
    section.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-fragment]");
      if (!link) return;
      event.preventDefault();
      var more = document.getElementById("timeline-more");
      more.classList.add("loading");
      link.setAttribute("aria-busy", "true");
      fetch(link.getAttribute("data-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          // Not a timeline page (signed out meanwhile: the login page): go there the ordinary way.
          if (!page.getElementById("timeline-list")) throw new Error("not a timeline page");
          var list = document.getElementById("timeline-list");
          var firstNew = null;
          page.querySelectorAll("#timeline-list > li.entry").forEach(function (item) {
            var node = document.importNode(item, true);
            list.appendChild(node);
            if (!firstNew) firstNew = node;
          });
          var next = page.getElementById("timeline-more");
          more.replaceChildren.apply(more, next ? Array.prototype.slice.call(next.childNodes).map(function (n) {
            return document.importNode(n, true);
          }) : []);
          more.classList.remove("loading");
          if (firstNew) {
            firstNew.setAttribute("tabindex", "-1");
            firstNew.focus({ preventScroll: true });
          }
        })
        .catch(function () { window.location.assign(link.href); }); // the whole card, one page further
    });
  }

  function init() {
    initLogCall();
    initDisclosures();
    initTimeline();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
