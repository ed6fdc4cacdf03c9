/*! Leadcapture embed.js · readable source: embed/embed.src.js · see embed/ARCHITECTURE.md */
// Usage: <script src="https://HOST/embed.js" data-form="KEY" async></script> or <div data-leadcapture-form="KEY">.
// One global: window.LeadCapture.render(element, key). Never throws into the host page.
// Minified into embed.js by embed/dev/build.sh (terser); edit this file, not embed.js.
(() => {
  'use strict';
  const w = window, d = document;
  if (w.LeadCapture) return; // loaded twice: the first copy's observer renders any new tags

  // Built-in texts, one '|'-separated string per language, keys in this order:
  const K = 'r e p l c s n m g f t b'.split(' ');
  // r required, e email, p phone, l too long, c must be checked, s sending, n network failure,
  // m too many requests, g generic error, f could not load, t thank you, b default button
  const T = {
    en: 'This field is required.|Enter a valid email address.|Enter a valid phone number.|At most {n} characters.|Please tick this box.|Sending…|Could not send. Please check your connection and try again.|Too many requests. Try again later.|Something went wrong. Try again.|This form could not be loaded.|Thank you!|Send',
    ro: 'Câmp obligatoriu.|Adresă de e-mail invalidă.|Număr de telefon invalid.|Cel mult {n} caractere.|Bifați căsuța.|Se trimite…|Nu s-a putut trimite. Verificați conexiunea și încercați din nou.|Prea multe cereri. Reîncercați mai târziu.|A apărut o eroare. Reîncercați.|Formularul nu a putut fi încărcat.|Mulțumim!|Trimite',
    lt: 'Privalomas laukas.|Neteisingas el. pašto adresas.|Neteisingas telefono numeris.|Daugiausia {n} simbolių.|Pažymėkite langelį.|Siunčiama…|Nepavyko išsiųsti. Patikrinkite ryšį ir bandykite dar kartą.|Per daug užklausų. Bandykite vėliau.|Įvyko klaida. Bandykite dar kartą.|Formos nepavyko įkelti.|Ačiū!|Siųsti',
    fr: 'Champ obligatoire.|Adresse e-mail invalide.|Numéro de téléphone invalide.|{n} caractères au maximum.|Cochez cette case.|Envoi…|Envoi impossible. Vérifiez votre connexion et réessayez.|Trop de demandes. Réessayez plus tard.|Une erreur est survenue. Réessayez.|Impossible de charger ce formulaire.|Merci\u00a0!|Envoyer'
  };
  const texts = lang => {
    const s = T[String(lang || d.documentElement.lang).slice(0, 2).toLowerCase()] || T.en, o = {};
    s.split('|').forEach((v, i) => { o[K[i]] = v; });
    return o;
  };

  const RED = 'var(--lc-error,#b42318)', ACC = 'var(--lc-accent,#1f6feb)', RAD = 'var(--lc-radius,.5em)';
  const BG = 'var(--lc-bg,#fff)';
  // em, not rem: a host page's `html{font-size:62.5%}` must not shrink the form.
  const CSS = `:host{all:initial;display:block!important}
.lc{all:initial;display:block;box-sizing:border-box;max-width:32em;padding:var(--lc-padding,1.25em);font:400 medium/1.5 var(--lc-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);color:var(--lc-text,#1f2328);background:${BG};border-radius:${RAD};color-scheme:light}
*{box-sizing:border-box}.f{margin:0 0 1em}
label{display:block;margin:0 0 .35em;font-weight:600}
input,select,textarea,button{font:inherit;margin:0}
input,select,textarea{display:block;width:100%;min-height:2.75em;padding:.5em .75em;color:inherit;background:${BG};border:1px solid var(--lc-border,#848d97);border-radius:${RAD}}
textarea{min-height:7em;resize:vertical}::placeholder{color:#6e7781;opacity:1}
:focus-visible{outline:2px solid ${ACC};outline-offset:2px}[aria-invalid]{border-color:${RED}}
.c{display:grid;grid-template-columns:auto 1fr;gap:0 .6em}.c label{margin:0;font-weight:400}.c .er{grid-column:2}
.c input{width:1.25em;height:1.25em;min-height:0;margin:.15em 0 0;accent-color:${ACC}}
.er{margin:.35em 0 0;font-size:.875em}.er:empty{display:none}.er,.rq,.e{color:${RED}}a{color:${ACC}}
button{min-height:2.75em;padding:.6em 1.5em;border:0;border-radius:${RAD};background:${ACC};color:#fff;font-weight:600;cursor:pointer;transition:filter .15s}
button:hover{filter:brightness(.9)}button:disabled{opacity:.7;cursor:progress}
.st{margin:.75em 0 0}.ok{margin:0;font-size:1.125em}
.hp,.sr{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;

  const SEL = 'script[data-form][src*="embed.js"],[data-leadcapture-form]';
  const ATTR = 'utm_source utm_medium utm_campaign utm_term utm_content gclid fbclid'.split(' ');
  // WCAG 1.3.5 (identify input purpose): autocomplete by field name, else by type
  const AC = Object.assign(Object.create(null), { name: 'name', email: 'email', tel: 'tel', phone: 'tel', company: 'organization' });
  const done = new WeakSet(), defs = new Map();
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const http = u => /^https?:\/\//i.test(u);
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const baseOf = src => (src || '').split(/[?#]/)[0].replace(/\/[^/]*$/, '');
  const warn = (...a) => w.console && console.warn('LeadCapture:', ...a);

  // Element builder: attributes (null/false = omitted, true = boolean attribute), children as text/nodes.
  const h = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    Object.keys(attrs || {}).forEach(k => {
      const v = attrs[k];
      if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
    });
    e.append(...kids);
    return e;
  };

  const uuid = () => {
    const c = w.crypto;
    if (c.randomUUID) return c.randomUUID();
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    return [...b].map((x, i) => (i > 3 && i < 11 && !(i & 1) ? '-' : '') + (x + 256).toString(16).slice(1)).join('');
  };

  // First-touch attribution for the visit: the first page with any of the 7 parameters wins.
  const attribution = (() => {
    const a = {};
    try { const s = sessionStorage.getItem('lc_attr'); if (s) return JSON.parse(s) || a; } catch (e) { /* privacy mode */ }
    const q = new URLSearchParams(location.search);
    ATTR.forEach(k => { if (q.get(k)) a[k] = q.get(k); });
    try { if (Object.keys(a).length) sessionStorage.setItem('lc_attr', JSON.stringify(a)); } catch (e) { /* ignore */ }
    return a;
  })();

  const me = d.currentScript || d.querySelector('script[data-form][src*="embed.js"]') || d.querySelector('script[src*="/embed.js"]');
  const base = baseOf(me && me.src);

  const load = url => {
    if (!defs.has(url)) {
      defs.set(url, fetch(url, { credentials: 'omit' }).then(r => {
        if (!r.ok) throw Error('HTTP ' + r.status);
        return r.json();
      }).catch(e => { defs.delete(url); throw e; }));
    }
    return defs.get(url);
  };

  // Consent HTML (already sanitised by the server) is rebuilt anyway: text + a/b/i/strong/em only.
  const rich = (src, dst) => src.childNodes.forEach(n => {
    if (n.nodeType === 3) return dst.append(n.data);
    if (n.nodeType !== 1 || /^(script|style|template)$/.test(n.localName)) return;
    if (!/^(a|b|i|strong|em)$/.test(n.localName)) return rich(n, dst);
    const href = n.getAttribute('href') || '';
    rich(n, dst.appendChild(h(n.localName, n.localName === 'a' && http(href) ? { href, target: '_blank', rel: 'noopener' } : 0)));
  });

  // Client-side validation mirrors the server; returns a message or ''.
  const check = (f, e, L) => {
    const v = e.type === 'checkbox' ? (e.checked ? '1' : '') : e.value.trim(), t = f.type, n = f.max_length;
    if (!v) return f.required ? (e.type === 'checkbox' ? L.c : L.r) : '';
    if (n && [...v].length > n) return L.l.replace('{n}', n);
    if (t === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return L.e;
    if (t === 'tel' && !(/^[+()0-9 .\-/]{6,}$/.test(v) && v.replace(/\D/g, '').length > 5)) return L.p;
    return '';
  };

  // POST with retries (same body, so the same _lc_id) on network errors and 503 only.
  const post = async (url, body) => {
    for (let i = 0; ; i++) {
      let r = null, ms = 1000 << i;
      const ac = new AbortController(), timer = setTimeout(() => ac.abort(), 20000);
      try {
        r = await fetch(url, { method: 'POST', body, credentials: 'omit', headers: { Accept: 'application/json' }, signal: ac.signal });
      } catch (e) { /* network error or timeout: retry */ }
      clearTimeout(timer);
      if ((r && r.status !== 503) || i > 2) return r;
      const ra = r && r.headers.get('Retry-After'); // needs Access-Control-Expose-Headers
      if (ra) ms = Math.min(1e4, Math.max(0, isNaN(ra) ? Date.parse(ra) - Date.now() : ra * 1000)) || ms;
      await sleep(ms);
    }
  };

  const row = (box, e, lab, er) => box ? h('div', { class: 'f c' }, e, lab, er) : h('div', { class: 'f' }, lab, e, er);
  const mark = req => req ? h('span', { class: 'rq', 'aria-hidden': 'true' }, ' *') : '';

  function build(box, D, key, b) {
    const L = texts(D.language), C = D.consent, S = D.success || {}, B = D.button || {};
    const form = h('form', { novalidate: true, 'aria-label': D.name || null });
    const st = h('div', { class: 'st', role: 'status', 'aria-live': 'polite' });
    const say = (m, err) => {
      st.textContent = m === st.textContent ? m + '\u00a0' : m; // re-announce a repeated message
      st.className = 'st' + (err ? ' e' : '');
    };
    const items = []; // {f, e, er} in form order: what is validated and posted
    let consentText = null;

    D.fields.forEach((f, i) => {
      const t = f.type, id = 'lc' + i, req = !!f.required;
      if (t === 'hidden') return items.push({ f, e: form.appendChild(h('input', { type: 'hidden', value: f.placeholder || '' })) });
      const er = h('p', { class: 'er', id: id + 'e' });
      const a = { id, name: f.name, required: req, 'aria-describedby': er.id, autocomplete: AC[f.name] || AC[t] || null };
      let e;
      if (t === 'select') {
        e = h('select', a, ...(req ? [] : [h('option', { value: '' }, '—')]),
          ...(f.options || []).map(o => h('option', { value: o }, String(o))));
      } else {
        Object.assign(a, { maxlength: t !== 'checkbox' && f.max_length || null, placeholder: f.placeholder || null });
        e = t === 'textarea' ? h('textarea', Object.assign(a, { rows: 4 }))
          : h('input', Object.assign(a, { type: /^(email|tel|checkbox)$/.test(t) ? t : 'text', value: t === 'checkbox' ? '1' : null }));
      }
      items.push({ f, e, er });
      form.append(row(t === 'checkbox', e, h('label', { for: id }, String(f.label || f.name), mark(req)), er));
    });

    if (C && C.text) {
      const lab = h('label', { for: 'lcc' }), er = h('p', { class: 'er', id: 'lcce' });
      const tpl = d.createElement('template');
      tpl.innerHTML = C.text; // inert: template content never runs scripts or loads images
      rich(tpl.content, lab);
      consentText = lab.textContent.trim();
      lab.append(mark(C.required));
      const e = h('input', { type: 'checkbox', id: 'lcc', value: '1', required: !!C.required, 'aria-describedby': er.id });
      items.push({ f: { name: '_lc_consent', type: 'checkbox', required: C.required }, e, er });
      form.append(row(1, e, lab, er));
    }

    // Honeypot: invisible to people and assistive tech, tempting to bots.
    const hp = h('input', { type: 'text', id: 'lchp', name: 'website', tabindex: '-1', autocomplete: 'off' });
    form.append(h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: 'lchp' }, 'Website'), hp));

    const label = String(B.text || L.b), btn = h('button', { type: 'submit' }, label);
    btn.style.backgroundColor = B.background || ''; // CSSOM ignores anything that is not a colour
    btn.style.color = B.color || '';
    form.append(btn);
    if (D.language) box.setAttribute('lang', D.language);
    box.textContent = '';
    box.append(form, st);

    const show = (x, m) => {
      x.er.textContent = m;
      if (m) x.e.setAttribute('aria-invalid', 'true'); else x.e.removeAttribute('aria-invalid');
    };
    const clear = ev => { const x = items.find(x => x.e === ev.target); if (x && x.er) show(x, ''); };
    form.addEventListener('input', clear);
    form.addEventListener('change', clear);

    const finish = j => {
      const u = j.redirect || (!j.message && S.mode === 'redirect' && S.url);
      if (http(u)) return location.assign(u);
      const m = String(j.message || S.message || L.t), ok = h('p', { class: 'ok', tabindex: '-1' }, m);
      form.replaceWith(ok);
      ok.focus();
      say(m);
      st.className = 'st sr'; // announced, but the visible copy is the paragraph
    };

    let id = uuid(), busy = false;
    const t0 = Date.now();
    form.addEventListener('submit', async ev => {
      let sent = false, refocus = false;
      try {
        ev.preventDefault();
        if (busy) return; // double click / double Enter: one request, one _lc_id
        let bad = null;
        items.forEach(x => { if (x.er) { const m = check(x.f, x.e, L); show(x, m); bad = bad || (m && x.e); } });
        if (bad) return bad.focus(); // its error is its description, read on focus
        refocus = box.getRootNode().activeElement === btn;
        busy = btn.disabled = true;
        btn.textContent = L.s;
        say(L.s);
        const body = new URLSearchParams();
        items.forEach(({ f, e }) => e.type === 'checkbox' ? e.checked && body.append(f.name, '1') : body.append(f.name, e.value.trim()));
        [['_lc_id', id], ['_lc_hp', hp.value], ['_lc_t', Date.now() - t0], ['_lc_page', location.href], ['_lc_ref', d.referrer]]
          .concat(ATTR.filter(k => attribution[k]).map(k => [k, attribution[k]]))
          .concat(consentText != null ? [['_lc_consent_text', consentText]] : [])
          .forEach(p => body.append(p[0], p[1]));
        const r = await post(http(D.submit_url) ? D.submit_url : b + '/f/' + encodeURIComponent(key), body);
        const j = (r && await r.json().catch(() => 0)) || {};
        if (r && r.ok) { sent = true; id = uuid(); return finish(j); }
        const fe = (r && r.status === 400 && j.fields) || {};
        items.forEach(x => {
          if (x.er && own(fe, x.f.name)) { show(x, [].concat(fe[x.f.name]).join(' ')); bad = bad || x.e; }
        });
        say(String(j.error || (!r || r.status === 503 ? L.n : r.status === 429 ? L.m : L.g)), 1);
        if (bad) { refocus = false; bad.focus(); }
      } catch (e) {
        say(L.g, 1);
        warn(e);
      } finally {
        if (!sent && busy) {
          busy = btn.disabled = false;
          btn.textContent = label;
          if (refocus) btn.focus(); // disabling blurred the button; give keyboard users their place back
        }
      }
    });
  }

  function render(el, key, b) {
    try {
      if (!el || done.has(el)) return;
      done.add(el);
      key = key || el.getAttribute('data-leadcapture-form');
      let root;
      try { root = el.attachShadow({ mode: 'open' }); } catch (e) { root = el.appendChild(d.createElement('div')).attachShadow({ mode: 'open' }); }
      const box = h('div', { class: 'lc' });
      root.append(h('style', 0, CSS), box);
      (b && key ? load(b + '/f/' + encodeURIComponent(key) + '.json') : Promise.reject(Error('no form key or base URL')))
        .then(D => build(box, D, key, b))
        .catch(e => {
          box.textContent = '';
          box.append(h('p', { class: 'st e' }, texts().f));
          warn('form "' + key + '" could not be loaded.', e);
        });
    } catch (e) { warn(e); }
  }

  // Render every not-yet-processed script tag / placeholder inside (and including) node.
  const scan = node => {
    [node].concat([...node.querySelectorAll(SEL)]).forEach(n => {
      if (!n.matches || !n.matches(SEL) || done.has(n)) return;
      if (n.localName !== 'script') return render(n, null, base);
      done.add(n);
      if (n.closest('head')) return; // nowhere visible to render: use a <div data-leadcapture-form>
      const host = d.createElement('div');
      n.parentNode.insertBefore(host, n.nextSibling);
      render(host, n.getAttribute('data-form'), baseOf(n.src));
    });
  };

  try {
    w.LeadCapture = { render: (el, key) => render(el, key, base) };
    scan(d);
    new MutationObserver(ms => {
      try { ms.forEach(m => m.addedNodes.forEach(n => n.nodeType === 1 && scan(n))); } catch (e) { warn(e); }
    }).observe(d.documentElement, { childList: true, subtree: true });
  } catch (e) { warn(e); }
})();
