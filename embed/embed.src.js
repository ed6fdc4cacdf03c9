/*! Leadcapture embed - source: embed.src.js */
// Usage: <script src="https://HOST/embed.js" data-form="KEY" async></script> or <div data-leadcapture-form="KEY">.
// One global: window.LeadCapture.render(element, key). Never throws into the host page.
// Minified into embed.js by embed/dev/build.sh (terser), which also inlines embed.css; edit
// this file, not embed.js.
(() => {
  'use strict';
  const w = window, d = document, MARK = Symbol.for('LeadCapture');
  // Loaded twice: the first copy's observer renders any new tags. The mark is a symbol, not
  // window.LeadCapture, which the host may have defined for something else.
  if (w[MARK]) return;
  w[MARK] = 1;

  const SEL = 'script[data-form][src*="embed.js"],[data-leadcapture-form]';
  const baseOf = src => (src || '').split(/[?#]/)[0].replace(/\/[^/]*$/, '');
  // Every object of a JSON answer without a prototype: a host's polluted Object.prototype
  // (say a `redirect` or `html` property) can never stand in for a key the server left out.
  const json = r => r.text().then(s => JSON.parse(s, (k, v) => v && typeof v == 'object' && !Array.isArray(v) ? Object.assign({ __proto__: null }, v) : v));
  // Resolves to [definition, X-LC-Token]: the signed render time, posted back as _lc_ts (too fast or forged = spam).
  const getDef = (b, key) => fetch(b + '/f/' + encodeURIComponent(key) + '.json', { credentials: 'omit' })
    .then(r => { if (!r.ok) throw Error('HTTP ' + r.status); return json(r).then(D => [D, r.headers.get('X-LC-Token')]); });
  const me = d.currentScript || d.querySelector('script[src*="embed.js"]');
  const base = baseOf(me && me.src);
  // A script tag's form: the same tag twice on a page (a CMS include plus a tag manager) is one form.
  const tagKey = n => baseOf(n.src) + ' ' + n.getAttribute('data-form');
  // Our own tag's definition is requested before anything else runs, so its round trip
  // overlaps the startup below (see bench/README.md, "Snippet"); the first tag of that form uses it.
  let early = null;
  try {
    const key = me.matches(SEL) && !me.closest('head') && me.getAttribute('data-form');
    if (key) early = [tagKey(me), getDef(base, key)];
  } catch (e) { /* no script element: scan() fetches as usual */ }

  // Built-in texts: one '|'-separated string per language, in the order of these indexes.
  const REQUIRED = 0, EMAIL = 1, PHONE = 2, TOO_LONG = 3, UNCHECKED = 4, SENDING = 5, NETWORK = 6,
    TOO_MANY = 7, FAILED = 8, NOT_LOADED = 9, THANKS = 10, SEND = 11;
  const T = {
    __proto__: null,
    en: 'This field is required.|Enter a valid email address.|Enter a valid phone number.|At most {n} characters.|Please tick this box.|Sending…|Could not send. Please check your connection and try again.|Too many requests. Try again later.|Something went wrong. Try again.|This form could not be loaded.|Thank you!|Send',
    ro: 'Câmp obligatoriu.|Adresă de e-mail invalidă.|Număr de telefon invalid.|Cel mult {n} caractere.|Bifați căsuța.|Se trimite…|Nu s-a putut trimite. Verificați conexiunea și încercați din nou.|Prea multe cereri. Reîncercați mai târziu.|A apărut o eroare. Reîncercați.|Formularul nu a putut fi încărcat.|Mulțumim!|Trimite',
    lt: 'Privalomas laukas.|Neteisingas el. pašto adresas.|Neteisingas telefono numeris.|Daugiausia {n} simbolių.|Pažymėkite langelį.|Siunčiama…|Nepavyko išsiųsti. Patikrinkite ryšį ir bandykite dar kartą.|Per daug užklausų. Bandykite vėliau.|Įvyko klaida. Bandykite dar kartą.|Formos nepavyko įkelti.|Ačiū!|Siųsti',
    fr: 'Champ obligatoire.|Adresse e-mail invalide.|Numéro de téléphone invalide.|{n} caractères au maximum.|Cochez cette case.|Envoi…|Envoi impossible. Vérifiez votre connexion et réessayez.|Trop de demandes. Réessayez plus tard.|Une erreur est survenue. Réessayez.|Impossible de charger ce formulaire.|Merci\u00a0!|Envoyer'
  };
  const texts = lang => (T[String(lang || d.documentElement.lang).slice(0, 2).toLowerCase()] || T.en).split('|');

  // All styles live in the shadow root, as constructable stylesheets: a host CSP's style-src
  // governs <style> elements and style attributes, not these. Without adoptedStyleSheets
  // (Safari < 16.4, Firefox < 101) a <link> to {base}/embed.css, the same rules, stands in.
  const CSS = EMBED_CSS; // embed/embed.css, inlined by dev/build.sh
  let sheet = null; // built once, adopted by every form on the page
  const css = text => {
    const s = new CSSStyleSheet();
    s.replaceSync(text);
    return s;
  };

  const ATTR = 'utm_source utm_medium utm_campaign utm_term utm_content gclid fbclid'.split(' ');
  // WCAG 1.3.5 (identify input purpose): autocomplete by field name, else by type
  const AC = { __proto__: null, name: 'name', email: 'email', tel: 'tel', phone: 'tel', company: 'organization' };
  const done = new WeakSet(), tags = new Map(); // tagKey -> the host <div> of that script tag's form
  const http = u => /^https?:\/\//i.test(u);
  const warn = (...a) => w.console && console.warn('LeadCapture:', ...a);

  // Element builder: attributes (null/false omitted, true = boolean attribute), then children as text or nodes.
  const h = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    Object.keys(attrs || {}).forEach(k => attrs[k] != null && attrs[k] !== false && e.setAttribute(k, attrs[k] === true ? '' : attrs[k]));
    e.append(...kids);
    return e;
  };

  // UUID v4 from getRandomValues: crypto.randomUUID exists only in secure (https) contexts.
  const uuid = () => '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, c =>
    (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16));

  // First-touch attribution for the visit: the first page carrying any of the 7 parameters wins.
  // sessionStorage is touched only on such a page and on submit: its first use costs a page load ~4 ms.
  const here = { __proto__: null }, q = new URLSearchParams(location.search);
  ATTR.forEach(k => q.get(k) && (here[k] = q.get(k)));
  const attribution = () => {
    let a = null;
    try { a = Object.assign({ __proto__: null }, JSON.parse(sessionStorage.getItem('lc_attr'))); } catch (e) { /* privacy mode */ }
    return a && Object.keys(a).length ? a : here;
  };
  try { Object.keys(here).length && attribution() === here && sessionStorage.setItem('lc_attr', JSON.stringify(here)); } catch (e) { /* ignore */ }

  // The consent text arrives as a tree (capture/public/rich_text_nodes.py): a string is text,
  // [tag, {href}, ...children] an element. Built with createElement, never parsed as HTML (a
  // Trusted Types host forbids that); rebuilt anyway: a/b/i/strong/em only, a only with http(s).
  const rich = n => typeof n == 'string' ? n
    : h(/^(a|b|i|strong|em)$/.test(n[0]) ? n[0] : 'span', n[0] == 'a' && http(n[1].href) && { href: n[1].href, target: '_blank', rel: 'noopener' }, ...n.slice(2).map(rich));

  // Client-side validation mirrors the server; returns a message or ''.
  const check = (f, e, L) => {
    const v = e.type === 'checkbox' ? (e.checked ? '1' : '') : e.value.trim(), t = f.type, n = f.max_length;
    if (!v) return f.required ? (e.type === 'checkbox' ? L[UNCHECKED] : L[REQUIRED]) : '';
    if (n && [...v].length > n) return L[TOO_LONG].replace('{n}', n);
    if (t === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return L[EMAIL];
    if (t === 'tel' && !(/^[+()0-9 .\-/]{6,}$/.test(v) && v.replace(/\D/g, '').length > 5)) return L[PHONE];
    return '';
  };

  // POST with backoff 1s/2s/4s (or Retry-After seconds, max 10 s) on network errors and 503 only.
  // The body is reused as is, so every retry carries the same _lc_id.
  const post = async (url, body) => {
    for (let i = 0; ; i++) {
      let r = null;
      const ac = new AbortController(), timer = setTimeout(() => ac.abort(), 2e4);
      try {
        r = await fetch(url, { method: 'POST', body, credentials: 'omit', headers: { Accept: 'application/json' }, signal: ac.signal });
      } catch (e) { /* network error or timeout */ }
      clearTimeout(timer);
      if ((r && r.status !== 503) || i > 2) return r;
      // Reading Retry-After cross-origin needs Access-Control-Expose-Headers: Retry-After.
      await new Promise(ok => setTimeout(ok, Math.min(1e4, r && r.headers.get('Retry-After') * 1e3) || 1e3 << i));
    }
  };

  function build(box, D, key, b, token) {
    const L = texts(D.language), S = D.success || {}, B = D.button || {}, C = D.consent;
    const form = h('form', { novalidate: true, 'aria-label': D.name || null });
    const st = h('p', { class: 'st', role: 'status', 'aria-live': 'polite' });
    const say = (m, err) => {
      st.textContent = m === st.textContent ? m + '\u00a0' : m; // a changed text re-announces a repeated message
      st.className = err ? 'st e' : 'st';
    };
    const items = []; // {f, e, er} in form order: what is validated and posted
    let consentText = null;

    // Consent renders as one more (required) checkbox, posted as _lc_consent=1.
    D.fields.concat(C && C.nodes ? [{ name: '_lc_consent', type: 'checkbox', required: C.required, nodes: C.nodes }] : []).forEach((f, i) => {
      const t = f.type, id = 'lc' + i, req = !!f.required;
      if (t === 'hidden') return items.push({ f, e: form.appendChild(h('input', { type: 'hidden', value: f.placeholder || '' })) });
      const er = h('p', { class: 'er', id: id + 'e' }), lab = h('label', { for: id });
      const a = { id, name: f.name, required: req, 'aria-describedby': er.id, autocomplete: !f.nodes && (AC[f.name] || AC[t]) };
      let e;
      if (t === 'select') {
        e = h('select', a, ...(req ? [] : [h('option', { value: '' }, '—')]), ...(f.options || []).map(o => h('option', { value: o }, o)));
      } else {
        Object.assign(a, { maxlength: t !== 'checkbox' && f.max_length || null, placeholder: f.placeholder || null });
        e = t === 'textarea' ? h('textarea', Object.assign(a, { rows: 4 }))
          : h('input', Object.assign(a, { type: /^(email|tel|checkbox)$/.test(t) ? t : 'text', value: t === 'checkbox' && 1 }));
      }
      if (f.nodes) {
        lab.append(...f.nodes.map(rich));
        consentText = lab.textContent.trim();
      } else lab.append(f.label || f.name);
      if (req) lab.append(h('span', { class: 'rq', 'aria-hidden': 'true' }, ' *'));
      items.push({ f, e, er });
      form.append(t === 'checkbox' ? h('div', { class: 'f c' }, e, lab, er) : h('div', { class: 'f' }, lab, e, er));
    });

    // Honeypot, posted as _lc_hp: a text input bots fill in. Hidden by the `hidden` attribute and
    // `inert` (no focus, no accessibility tree), not by our stylesheet, which a host could block;
    // no name, id or label, so no browser's autofill heuristics take it for a field to fill.
    const hp = h('input', { tabindex: -1, autocomplete: 'off' });
    form.append(h('div', { hidden: true, inert: true }, hp));

    // Button colours: #rgb..#rrggbbaa only (the server checks them too), as one more
    // constructed sheet; CSSOM writes (which CSP allows) only where there are no such sheets.
    const label = B.text || L[SEND], btn = h('button', {}, label), root = box.getRootNode();
    const colour = c => /^#[\da-f]{3,8}$/i.test(c) ? c : '', bg = colour(B.background), fg = colour(B.color);
    if (root.adoptedStyleSheets) root.adoptedStyleSheets = [...root.adoptedStyleSheets, css(`button{${bg && 'background:' + bg};${fg && 'color:' + fg}}`)];
    else Object.assign(btn.style, { background: bg, color: fg });
    form.append(btn);
    if (D.language) box.setAttribute('lang', D.language);
    box.append(form, st);

    const show = (x, m) => {
      x.er.textContent = m;
      if (m) x.e.setAttribute('aria-invalid', 'true'); else x.e.removeAttribute('aria-invalid');
    };
    const firstBad = () => (items.find(x => x.er && x.er.textContent) || {}).e;
    const clear = ev => { const x = items.find(x => x.e === ev.target); if (x && x.er) show(x, ''); };
    form.addEventListener('input', clear);
    form.addEventListener('change', clear);

    // Success: one redirect, or the status region becomes the one thank-you: announced as it
    // changes, and focused, since the button that had focus goes away with the form.
    const finish = j => {
      const u = j.redirect || (!j.message && S.mode === 'redirect' && S.url);
      if (http(u)) return location.assign(u);
      form.remove();
      say(j.message || S.message || L[THANKS]);
      st.className = 'st ok';
      st.tabIndex = -1;
      st.focus();
    };

    // One _lc_id per submission attempt: kept across retries, double clicks and fixes, renewed only after success.
    let id = uuid(), busy = false;
    const t0 = Date.now();
    form.addEventListener('submit', async ev => {
      let sent = false, refocus = false;
      try {
        ev.preventDefault();
        if (busy) return;
        items.forEach(x => x.er && show(x, check(x.f, x.e, L)));
        if (firstBad()) return firstBad().focus(); // its error is its description, read on focus
        refocus = root.activeElement === btn;
        busy = btn.disabled = true;
        btn.textContent = L[SENDING];
        say(L[SENDING]);
        const body = new URLSearchParams(), a = attribution();
        items.forEach(({ f, e }) => e.type !== 'checkbox' ? body.append(f.name, e.value.trim()) : e.checked && body.append(f.name, 1));
        [['_lc_id', id], ['_lc_ts', token || ''], ['_lc_hp', hp.value], ['_lc_t', Date.now() - t0], ['_lc_page', location.href], ['_lc_ref', d.referrer]]
          .concat(ATTR.filter(k => a[k]).map(k => [k, a[k]]), consentText != null ? [['_lc_consent_text', consentText]] : [])
          .forEach(p => body.append(p[0], p[1]));
        const r = await post(http(D.submit_url) ? D.submit_url : b + '/f/' + encodeURIComponent(key), body);
        const j = (r && await json(r).catch(() => 0)) || {};
        if (r && r.ok) { sent = true; id = uuid(); return finish(j); }
        const fe = (r && r.status === 400 && j.fields) || {};
        Object.keys(fe).forEach(k => items.forEach(x => x.er && x.f.name === k && show(x, [].concat(fe[k]).join(' '))));
        say(j.error || (!r || r.status === 503 ? L[NETWORK] : r.status === 429 ? L[TOO_MANY] : L[FAILED]), 1);
        if (firstBad()) { refocus = false; firstBad().focus(); }
      } catch (e) {
        say(L[FAILED], 1);
        warn(e);
      } finally {
        if (busy && !sent) {
          busy = btn.disabled = false;
          btn.textContent = label;
          if (refocus) btn.focus(); // disabling blurred the button: give keyboard users their place back
        }
      }
    });
  }

  function render(el, key, b, pending) {
    try {
      if (!el || done.has(el)) return;
      done.add(el);
      key = key || el.getAttribute('data-leadcapture-form');
      let root;
      try { root = el.attachShadow({ mode: 'open' }); } catch (e) { root = el.appendChild(d.createElement('div')).attachShadow({ mode: 'open' }); }
      const box = h('div', { class: 'lc' });
      if (root.adoptedStyleSheets) root.adoptedStyleSheets = [sheet = sheet || css(CSS)];
      else root.append(h('link', { rel: 'stylesheet', href: b + '/embed.css' }));
      root.append(box);
      (pending || (b && key ? getDef(b, key) : Promise.reject('no key')))
        .then(([D, token]) => build(box, D, key, b, token))
        .catch(e => {
          box.textContent = '';
          box.append(h('p', { class: 'e' }, texts()[NOT_LOADED]));
          warn('form "' + key + '" could not be loaded.', e);
        });
    } catch (e) { warn(e); }
  }

  // Render every not-yet-processed script tag / placeholder in (and including) node.
  const scan = node => [node, ...node.querySelectorAll(SEL)].forEach(n => {
    if (!n.matches || !n.matches(SEL) || done.has(n)) return;
    if (n.localName !== 'script') return render(n, null, base);
    done.add(n);
    const k = tagKey(n), prev = tags.get(k), pending = early && early[0] === k && early[1];
    // In <head> it renders nowhere visible: a <div data-leadcapture-form> marks the place instead.
    // A tag whose form a single-page app removed renders anew; one whose form is on the page does not.
    if (n.closest('head') || prev && prev.isConnected) return;
    const host = d.createElement('div');
    tags.set(k, host);
    if (pending) early = null;
    n.parentNode.insertBefore(host, n.nextSibling);
    render(host, n.getAttribute('data-form'), baseOf(n.src), pending);
  });

  try {
    // Someone else's window.LeadCapture stays theirs: our tags still render, render() is theirs.
    if (w.LeadCapture) warn('window.LeadCapture is taken: LeadCapture.render() is not ours');
    else w.LeadCapture = { render: (el, key) => render(el, key, base) };
    scan(d);
    new MutationObserver(ms => {
      try { ms.forEach(m => m.addedNodes.forEach(n => n.nodeType === 1 && scan(n))); } catch (e) { warn(e); }
    }).observe(d.documentElement, { childList: true, subtree: true });
  } catch (e) { warn(e); }
})();
