/* Leadcapture admin: small progressive enhancements. Every page works without
   this file (the server handles add / move / remove and shows every error);
   with it, the form editor reorders fields in place, refreshes the live
   preview as you type, and warns about low contrast before saving. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  /* ---- Every page ---------------------------------------------------- */

  // Colour chips from data-color (inline style attributes are blocked by the CSP).
  function paintColours(root) {
    $$("[data-color]", root).forEach((el) => {
      const colour = el.getAttribute("data-color");
      if (/^#[0-9a-fA-F]{6}$/.test(colour)) {
        el.style.setProperty("--chip", colour);
        el.style.backgroundColor = colour;
        el.style.color = contrastRatio("#ffffff", colour) >= 4.5 ? "#ffffff" : "#111827";
      }
    });
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const source = $(copy.getAttribute("data-copy"));
      if (!source) return;
      const label = copy.textContent;
      copyText(source.value !== undefined ? source.value : source.textContent)
        .then(() => { copy.textContent = "Copied ✓"; })
        .catch(() => { source.select(); copy.textContent = "Press Ctrl+C"; })
        .finally(() => setTimeout(() => { copy.textContent = label; }, 2000));
      return;
    }
    const confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The menus (the narrow screens' "Menu", the bar's "Admin" and account: each a
  // <details>, which opens without this file): Escape or a click anywhere else
  // closes them, and opening one closes the others, as people expect of menus.
  const menus = $$("[data-nav-menu], [data-dropdown]");
  if (menus.length) {
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      menus.filter((menu) => menu.open).forEach((menu) => {
        menu.open = false;
        $("summary", menu).focus();
      });
    });
    document.addEventListener("click", (event) => {
      menus.forEach((menu) => {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    menus.forEach((menu) => menu.addEventListener("toggle", () => {
      if (menu.open) menus.forEach((other) => { if (other !== menu) other.open = false; });
    }));
  }

  // Role selects submit on change; their button is only for no-JS use.
  $$("select[data-autosubmit]").forEach((select) => {
    const button = $("[data-autosubmit-button]", select.form);
    if (button) button.hidden = true;
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  /* ---- WCAG contrast (same formula as crm_core/colours.py) ------------- */

  function luminance(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  }

  function contrastRatio(fg, bg) {
    const a = luminance(fg);
    const b = luminance(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  paintColours(document);

  /* ---- Embed code tabs ------------------------------------------------- */

  const codeTabs = $$("[data-code-tab]");
  function showCode(kind) {
    codeTabs.forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.codeTab === kind)));
    $$("[data-code]").forEach((block) => block.classList.toggle("shown", block.dataset.code === kind));
  }
  codeTabs.forEach((tab) => tab.addEventListener("click", () => showCode(tab.dataset.codeTab)));
  if (codeTabs.length) showCode("script");

  /* ---- The form editor ------------------------------------------------- */

  const editor = $("#editor");
  if (!editor) return;

  const list = $("[data-field-list]", editor);
  const template = $("#field-template");
  const tabInput = $("[data-tab-input]", editor);
  const saveNote = $("[data-save-note]", editor);
  let dirty = saveNote && saveNote.textContent.trim() !== "";

  // Tabs: "Form data" and "Customization".
  const tabs = $$("[data-tab]", editor);
  function showTab(name) {
    tabs.forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.tab === name)));
    $$("[data-panel]", editor).forEach((panel) => panel.classList.toggle("shown", panel.dataset.panel === name));
    tabInput.value = name;
  }
  tabs.forEach((tab) =>
    tab.addEventListener("click", (event) => {
      event.preventDefault();
      showTab(tab.dataset.tab);
      history.replaceState(null, "", "#" + tab.dataset.tab);
    })
  );
  const fromHash = location.hash.slice(1);
  const withErrors = tabs.find((tab) => tab.hasAttribute("data-has-errors"));
  const hashTab = tabs.some((t) => t.dataset.tab === fromHash);
  showTab(withErrors ? withErrors.dataset.tab : (hashTab ? fromHash : tabInput.value));
  // The hash only picks the tab; do not jump past the page header.
  if (hashTab) window.scrollTo(0, 0);

  // A link in the error summary opens the tab its input is on.
  const summary = $("[data-error-summary]", editor);
  if (summary) {
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      const panel = target.closest("[data-panel]");
      if (panel) showTab(panel.dataset.panel);
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  }

  // Show only the inputs that apply.
  function refreshRow(row) {
    const map = $("[data-map]", row);
    const type = $("[data-type]", row);
    $("[data-show-custom]", row).hidden = map.value !== "custom";
    $("[data-show-options]", row).hidden = type.value !== "select";
    const label = $("[data-label]", row).value.trim();
    $("[data-row-title]", row).textContent = label || map.options[map.selectedIndex].text;
  }

  function refreshVisibility() {
    const mode = ($("[data-success-mode]:checked", editor) || {}).value;
    $$("[data-show-mode]", editor).forEach((el) => { el.hidden = el.dataset.showMode !== mode; });
    const consent = $("[data-consent]", editor);
    $("[data-show-consent]", editor).hidden = !consent.checked;
    rows().forEach(refreshRow);
  }

  function rows() {
    return $$("[data-field-row]", list);
  }

  function renumber() {
    const all = rows();
    all.forEach((row, i) => {
      $("[data-move=up]", row).disabled = i === 0;
      $("[data-move=down]", row).disabled = i === all.length - 1;
    });
    const none = $("[data-no-fields]", editor);
    if (none) none.hidden = all.length > 0;
  }

  function changed() {
    dirty = true;
    if (saveNote) saveNote.textContent = "Unsaved changes.";
    schedulePreview();
  }

  let nextIndex = rows().length;
  function addRow() {
    const html = template.innerHTML.replace(/__i__/g, String(nextIndex++));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    list.appendChild(row);
    $("[data-map]", row).value = "custom";
    refreshRow(row);
    renumber();
    $("[data-label]", row).focus();
    changed();
  }

  editor.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !editor.contains(button)) return;
    const row = button.closest("[data-field-row]");
    if (button.hasAttribute("data-add-field")) {
      event.preventDefault();
      addRow();
    } else if (row && button.hasAttribute("data-remove")) {
      event.preventDefault();
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      if (next) $("[data-label]", next).focus();
      changed();
    } else if (row && button.dataset.move) {
      event.preventDefault();
      if (button.dataset.move === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber();
      button.disabled ? $("[data-move]:not(:disabled)", row).focus() : button.focus();
      changed();
    }
  });

  // Drag a field by its legend to reorder it.
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-field-row]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
  });
  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("[data-field-row]");
    rows().forEach((r) => r.classList.toggle("drop-before", r === over && r !== dragged));
  });
  list.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("[data-field-row]");
    if (over && over !== dragged) list.insertBefore(dragged, over);
    renumber();
    changed();
  });
  list.addEventListener("dragend", () => {
    rows().forEach((r) => r.classList.remove("dragging", "drop-before"));
    dragged = null;
  });
  function makeDraggable(row) {
    const legend = $("legend", row);
    legend.setAttribute("draggable", "true");
    legend.addEventListener("dragstart", (event) => event.dataTransfer.setDragImage(row, 20, 20));
  }
  rows().forEach(makeDraggable);
  new MutationObserver((records) =>
    records.forEach((r) => r.addedNodes.forEach((n) => n.nodeType === 1 && n.matches("[data-field-row]") && !$("legend[draggable]", n) && makeDraggable(n)))
  ).observe(list, { childList: true });

  // Colours: the hex next to each picker, a sample button, and the contrast warning.
  const sample = $("[data-sample-button]", editor);
  const warning = $("[data-contrast-warning]", editor);
  function refreshColours() {
    const bg = $("[data-colour=bg]", editor).value;
    const fg = $("[data-colour=fg]", editor).value;
    $("[data-colour-value=bg]", editor).textContent = bg;
    $("[data-colour-value=fg]", editor).textContent = fg;
    sample.style.backgroundColor = bg;
    sample.style.color = fg;
    sample.textContent = $("[data-button-text]", editor).value || "Send";
    const ratio = contrastRatio(fg, bg);
    warning.hidden = ratio >= 4.5;
    warning.textContent =
      "⚠ The button text and background have a contrast of " + ratio.toFixed(1) +
      ":1; at least 4.5:1 is needed for everyone to read it easily.";
  }

  // Live preview: the editor's current input, validated by the server and
  // shown through the real snippet under a throw-away key.
  const frame = $("[data-preview]");
  const previewStatus = $("[data-preview-status]");
  let timer = null;
  let inflight = null;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 500);
  }
  async function refreshPreview() {
    if (!frame) return;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    previewStatus.textContent = "Updating…";
    try {
      const response = await fetch(editor.dataset.draftUrl, {
        method: "POST",
        body: new FormData(editor),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: inflight.signal,
      });
      if (response.status === 302 || response.redirected) throw new Error("signed out");
      const answer = await response.json();
      const problems = Object.keys(answer.errors || {}).length;
      if (answer.preview_url) {
        frame.src = answer.preview_url;
        previewStatus.textContent = "Up to date (not saved)";
      } else {
        previewStatus.textContent = "Paused: fix " + problems + " problem" + (problems === 1 ? "" : "s") + ", or save to see them.";
      }
    } catch (error) {
      if (error.name !== "AbortError") previewStatus.textContent = "Preview unavailable.";
    }
  }

  // The preview page reports its height; only messages from that frame count.
  window.addEventListener("message", (event) => {
    if (!frame || event.source !== frame.contentWindow) return;
    const height = Number(event.data && event.data.leadcapturePreviewHeight);
    if (height > 0) frame.style.height = Math.min(Math.max(height, 200), 4000) + "px";
  });

  editor.addEventListener("input", (event) => {
    const row = event.target.closest("[data-field-row]");
    if (row) refreshRow(row);
    if (event.target.matches("[data-colour], [data-button-text]")) refreshColours();
    changed();
  });
  editor.addEventListener("change", (event) => {
    const row = event.target.closest("[data-field-row]");
    if (row) refreshRow(row);
    refreshVisibility();
    refreshColours();
    changed();
  });
  editor.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  refreshVisibility();
  renumber();
  refreshColours();
})();
