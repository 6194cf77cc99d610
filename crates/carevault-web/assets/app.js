// Backup Explorer: a single-page app over the JSON API of docs/API.md.
// Plain JavaScript, no framework and nothing fetched from elsewhere (the
// tablet is offline). Everything the server says is inserted as text, never
// as HTML. Passphrases live only in input fields and request bodies.
//
// How it fits: `api` and `followJob` talk to the server; `route` picks a
// screen from the location hash; each `view*` function builds one screen.
// Elements the browser tests use carry `data-testid`.
(function () {
  'use strict';

  // ---------------------------------------------------------------- helpers

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
    add(el, children);
    return el;
  }

  function add(el, ...children) {
    for (const c of [children].flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const use = document.createElementNS(ns, 'use');
    use.setAttribute('href', '/icons.svg#' + name);
    svg.append(use);
    return svg;
  }

  // The page's messages (GET /api/strings), in the language the server chose
  // for this browser: T(id, {name: value}) fills each `{name}`. An ID
  // the catalogue lacks shows as itself, never as an empty string.
  let STRINGS = {};
  // index.html's own words, by ID: all the page has when GET /api/strings
  // fails (the screen that says so is drawn with them).
  const FALLBACK = {};
  let LANG = 'en';
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  function T(id, args) {
    const s = has(STRINGS, id) ? String(STRINGS[id]) : has(FALLBACK, id) ? FALLBACK[id] : id;
    return s.replace(/\{([A-Za-z0-9_-]+)\}/g, (m, k) => (args && args[k] != null ? String(args[k]) : m));
  }
  // Numbers as the language writes them (1,234 / 1 234).
  const num = (n) => Number(n).toLocaleString(LANG === 'fr' ? 'fr-FR' : 'en-US');

  // Loads the messages and puts them into index.html; false when they could
  // not be loaded (the page then says it could not start).
  async function loadStrings() {
    for (const el of document.querySelectorAll('[data-i18n]')) {
      FALLBACK[el.getAttribute('data-i18n')] = el.textContent;
    }
    let loaded = false;
    try {
      const res = await fetch('/api/strings', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      const data = res.ok ? await res.json() : null;
      if (data && data.strings && typeof data.strings === 'object') {
        STRINGS = data.strings;
        loaded = true;
        if (data.lang === 'en' || data.lang === 'fr') LANG = data.lang;
      }
    } catch (_) { /* the server is unreachable or the answer is not JSON: start() says so */ }
    document.documentElement.lang = LANG;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = T(el.getAttribute('data-i18n'));
    $('sidenav').setAttribute('aria-label', T('ui-nav-label'));
    return loaded;
  }

  const $ = (id) => document.getElementById(id);
  const pad = (n) => String(n).padStart(2, '0');

  // UTC RFC 3339 from the server, shown in the tablet's local time.
  function localTime(utc) {
    const d = new Date(utc);
    if (!utc || isNaN(d.getTime())) return utc || '—';
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function timeEl(utc, testid) {
    return h('time', { datetime: utc || '', title: utc ? T('ui-time-utc', { time: utc }) : null, testid }, localTime(utc));
  }

  // Same units as the command line (decimal: kB, MB, GB).
  function humanSize(bytes) {
    if (typeof bytes !== 'number' || !isFinite(bytes)) return '—';
    const units = [T('ui-unit-b'), T('ui-unit-kb'), T('ui-unit-mb'), T('ui-unit-gb'), T('ui-unit-tb')];
    let v = bytes;
    let u = 0;
    while (v >= 1000 && u < units.length - 1) { v /= 1000; u += 1; }
    const fixed = LANG === 'fr' ? v.toFixed(1).replace('.', ',') : v.toFixed(1);
    return u === 0 ? `${bytes} ${units[0]}` : `${fixed} ${units[u]}`;
  }

  function sizeEl(bytes) {
    const exact = typeof bytes === 'number' ? T('ui-size-exact', { bytes: num(bytes) }) : null;
    return h('span', { title: exact }, humanSize(bytes));
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${pad(s % 60)} s`;
    return `${Math.floor(m / 60)} h ${pad(m % 60)} min`;
  }

  const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

  function announce(text) {
    const a = $('announcer');
    a.textContent = '';
    // A fresh node, so that the same words are announced again.
    setTimeout(() => { a.textContent = text; }, 30);
  }

  // One backup, from either shape the API uses: the flat listing entry of
  // GET /api/backups, or `listed` ({path, size, status, metadata}) of the
  // first-run candidates and uploads.
  function norm(b) {
    if (!b) return null;
    const m = b.metadata && typeof b.metadata === 'object' ? b.metadata : {};
    const pick = (k) => (b[k] != null ? b[k] : m[k]);
    const path = b.path || '';
    return {
      id: pick('id') || null,
      label: pick('label') || fileName(path) || T('ui-backup-fallback-label'),
      created_at: pick('created_at') || null,
      created_by: pick('created_by') || '—',
      location: pick('location') || '—',
      encrypted: Boolean(pick('encrypted')),
      size: pick('size'),
      automatic: Boolean(pick('automatic')),
      status: b.status || 'ok',
      problem: b.problem || null,
      path,
      last_verification: b.last_verification || null,
      // The current clinic data was restored from this backup.
      restored_from: b.restored_from === true,
      // A recovery key opens it only when it was made for one.
      has_recovery: Array.isArray(m.key_slots) && m.key_slots.some((k) => k && k.kind === 'recovery'),
      raw: b,
    };
  }

  // Server messages are lower-case clauses ("the backup ..."): shown as sentences.
  function sentence(text) {
    const t = String(text || '').trim();
    if (!t) return '';
    const s = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?:)]$/.test(s) ? s : s + '.';
  }

  // The core's refusal of a new passphrase (too short, too easy to guess),
  // shown on the passphrase field in the core's own words; null otherwise.
  function passphraseRule(e) {
    // The server words it in the page's language: "the new passphrase ..." or
    // "la nouvelle phrase secrète ...".
    if (!e || e.status !== 400 || !/^(the new passphrase |la nouvelle phrase secr[eè]te )/i.test(e.message)) return null;
    return `${sentence(e.message)} ${sentence(e.advice)}`.trim();
  }

  function fileName(path) {
    return String(path || '').split(/[\\/]/).pop();
  }

  // ------------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, body) {
      const e = body && body.error;
      const message = (e && (e.message || (typeof e === 'string' ? e : null))) ||
        defaultMessage(status);
      super(message);
      this.status = status;
      this.kind = (e && e.kind) || null;
      this.advice = (e && e.advice) || null;
    }
  }

  function defaultMessage(status) {
    switch (status) {
      case 0: return T('ui-http-0');
      case 401: return T('ui-http-401');
      case 403: return T('ui-http-403');
      case 404: return T('ui-http-404');
      case 409: return T('ui-http-409');
      case 413: return T('ui-http-413');
      case 429: return T('ui-http-429');
      default: return T('ui-http-other', { status });
    }
  }

  async function api(method, path, body, opts) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (_) {
      const err = new ApiError(0, null);
      err.advice = T('ui-http-unreachable-advice');
      throw err;
    }
    let data = null;
    const text = res.status === 204 ? '' : await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (res.status === 401 && !(opts && opts.allow401)) sessionEnded();
      throw err;
    }
    return data;
  }

  // Follows a job: server-sent events first, polling GET /api/jobs/{id} if
  // the stream breaks. Resolves with the last job state (done or failed).
  function followJob(id, onUpdate) {
    return new Promise((resolve, reject) => {
      let finished = false;
      let source = null;
      let timer = null;
      const stop = () => {
        finished = true;
        if (source) source.close();
        clearTimeout(timer);
      };
      const handle = (job) => {
        if (finished || !job) return;
        onUpdate(job, source ? 'sse' : 'poll');
        if (job.state && job.state !== 'running') {
          stop();
          resolve(job);
        }
      };
      const poll = async () => {
        if (finished) return;
        try {
          handle(await api('GET', `/api/jobs/${encodeURIComponent(id)}`));
        } catch (e) {
          stop();
          reject(e);
          return;
        }
        if (!finished) timer = setTimeout(poll, 400);
      };
      if (typeof EventSource === 'function') {
        source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
        source.onmessage = (ev) => {
          try { handle(JSON.parse(ev.data)); } catch (_) { /* a malformed event: wait for the next */ }
        };
        source.onerror = () => {
          if (finished) return;
          source.close();
          source = null;
          poll();
        };
      } else {
        poll();
      }
    });
  }

  // ---------------------------------------------------------------- banners

  function banner(kind, title, text, opts) {
    const o = opts || {};
    const el = h('div', {
      class: `banner ${kind}`,
      role: kind === 'error' ? 'alert' : null,
      testid: o.testid || `banner-${kind}`,
    },
    icon(kind === 'success' ? 'check' : kind === 'info' ? 'info' : 'warning'),
    h('div', {},
      title ? h('p', {}, h('strong', {}, title)) : null,
      text ? h('p', {}, sentence(text)) : null,
      o.advice ? h('p', { class: 'advice' }, sentence(o.advice)) : null));
    if (o.dismissible !== false) {
      el.append(h('button', {
        type: 'button', class: 'icon-button close', 'aria-label': T('ui-banner-dismiss'),
        onclick: () => el.remove(),
      }, icon('cross')));
    }
    return el;
  }

  function showBanner(kind, title, text, opts) {
    const el = banner(kind, title, text, opts);
    $('banners').append(el);
    return el;
  }

  function showError(err, title) {
    return showBanner('error', title || null, err.message || String(err), {
      advice: err.advice || null, testid: 'banner-error',
    });
  }

  function clearBanners() {
    $('banners').replaceChildren();
  }

  // ------------------------------------------------------------------ dialog

  // A modal confirmation (<dialog>): focus stays inside, Escape cancels.
  // `onConfirm` may throw an ApiError: it is shown in the dialog, which
  // stays open. Resolves true when confirmed, false when cancelled.
  function confirmDialog({ title, body, extra, confirmText, danger, testid, onConfirm }) {
    const dlg = $('dialog');
    const opener = document.activeElement;
    $('dialog-title').textContent = title;
    $('dialog-body').replaceChildren(...[body].flat().filter(Boolean));
    $('dialog-extra').replaceChildren(...[extra].flat().filter(Boolean));
    const err = $('dialog-error');
    err.hidden = true;
    err.textContent = '';
    const ok = $('dialog-confirm');
    ok.textContent = confirmText || T('ui-ok');
    ok.className = 'button ' + (danger ? 'danger' : 'primary');
    ok.disabled = false;
    dlg.setAttribute('data-testid', testid || 'dialog');
    return new Promise((resolve) => {
      const form = $('dialog-form');
      const cancel = $('dialog-cancel');
      const done = (value) => {
        form.removeEventListener('submit', onSubmit);
        cancel.removeEventListener('click', onCancel);
        dlg.removeEventListener('cancel', onCancel);
        if (dlg.open) dlg.close();
        $('dialog-extra').replaceChildren();
        if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
        resolve(value);
      };
      const onCancel = (ev) => { ev.preventDefault(); done(false); };
      const onSubmit = async (ev) => {
        ev.preventDefault();
        ok.disabled = true;
        err.hidden = true;
        try {
          if (onConfirm) await onConfirm();
          done(true);
        } catch (e) {
          err.textContent = [e.message || String(e), e.advice].filter(Boolean).map(sentence).join(' ');
          err.hidden = false;
          ok.disabled = false;
        }
      };
      form.addEventListener('submit', onSubmit);
      cancel.addEventListener('click', onCancel);
      dlg.addEventListener('cancel', onCancel);
      dlg.showModal();
      const first = $('dialog-extra').querySelector('input');
      (first || cancel).focus();
    });
  }

  // ---------------------------------------------------------- form helpers

  let uid = 0;
  function field(labelText, input, hint, opts) {
    const o = opts || {};
    if (!input.id) input.id = 'f' + (++uid);
    const hintEl = hint ? h('p', { class: 'hint', id: input.id + '-hint' }, hint) : null;
    const errEl = h('p', { class: 'field-error', id: input.id + '-error', role: 'alert', hidden: true,
      testid: o.errorTestid || null });
    const described = [hintEl && hintEl.id, errEl.id].filter(Boolean).join(' ');
    input.setAttribute('aria-describedby', described);
    const wrap = h('div', { class: 'field', testid: o.testid || null },
      h('label', { for: input.id }, labelText), input, o.after || null, hintEl, errEl);
    wrap.setError = (msg) => {
      errEl.textContent = msg || '';
      errEl.hidden = !msg;
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    };
    return wrap;
  }

  function passInput(id, testid, autocomplete) {
    return h('input', {
      type: 'password', id, testid: testid || id, autocomplete: autocomplete || 'off',
      spellcheck: 'false', autocapitalize: 'off',
    });
  }

  // A rough strength estimate: entropy from length and character classes,
  // lowered for repeats and well-known words. A hint, not a rule.
  function passStrength(p) {
    if (!p) return { level: 0, text: '' };
    if (p.length < 8) return { level: 1, text: T('ui-strength-too-short') };
    let pool = 0;
    if (/[a-z]/.test(p)) pool += 26;
    if (/[A-Z]/.test(p)) pool += 26;
    if (/[0-9]/.test(p)) pool += 10;
    if (/[^a-zA-Z0-9]/.test(p)) pool += 33;
    let bits = p.length * Math.log2(Math.max(pool, 2));
    const distinct = new Set(p.toLowerCase()).size;
    if (distinct < p.length / 2) bits *= 0.6;
    if (/(password|passphrase|123456|qwerty|abc123|letmein|carevault|clinic|admin)/i.test(p)) bits = Math.min(bits, 35);
    if (bits < 45) return { level: 1, text: T('ui-strength-weak') };
    if (bits < 60) return { level: 2, text: T('ui-strength-fair') };
    if (bits < 80) return { level: 3, text: T('ui-strength-good') };
    return { level: 4, text: T('ui-strength-strong') };
  }

  function strengthMeter(input) {
    const text = h('span', { class: 'strength-text', testid: 'pass-strength-text' });
    const el = h('div', { class: 'strength', 'data-level': '0', testid: 'pass-strength' },
      h('span', { class: 'strength-bar', 'aria-hidden': 'true' }, h('span')), text);
    const update = () => {
      const s = passStrength(input.value);
      el.setAttribute('data-level', String(s.level));
      text.textContent = s.text ? T('ui-strength', { level: s.text }) : '';
    };
    input.addEventListener('input', update);
    return el;
  }

  // What the passphrase field says when the key did not open the backup.
  const WRONG_PASS = () => T('ui-wrong-passphrase');
  const WRONG_KEY = () => T('ui-wrong-passphrase-or-key');
  const WRONG_RECOVERY = () => T('ui-wrong-recovery-key');

  // The dialog's own line under a wrong key (the field says the rest).
  function notAccepted() {
    return new Error(T('ui-not-accepted'));
  }

  // The passphrase of an encrypted backup, or instead the facility's
  // recovery key: pasted (the AGE-SECRET-KEY-1... line) or read from its key
  // file here in the browser. Neither is kept anywhere but in these fields
  // and the request body; `clear` empties them.
  function keyField(prefix, opts) {
    const o = opts || {};
    const pass = passInput(`${prefix}-passphrase`, o.passTestid || `${prefix}-passphrase`);
    const passField = field(o.label || T('ui-passphrase'), pass, o.hint || T('ui-passphrase-hint'),
      { testid: o.fieldTestid || null });
    const keyText = h('input', { type: 'password', id: `${prefix}-recovery-key`, testid: 'recovery-key-text',
      autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', placeholder: T('ui-recovery-key-placeholder') });
    const keyFile = h('input', { type: 'file', id: `${prefix}-recovery-file`, testid: 'recovery-key-file' });
    const fileNote = h('p', { class: 'hint', testid: 'recovery-key-file-note', 'aria-live': 'polite' });
    const keyTextField = field(T('ui-recovery-key'), keyText,
      T('ui-recovery-key-hint'), { testid: 'recovery-key-field' });
    const keyFileField = field(T('ui-recovery-key-file'), keyFile, null);
    const block = h('div', { class: 'recovery-block', testid: 'recovery-block', hidden: true },
      keyTextField, keyFileField, fileNote);
    const toggle = h('button', { type: 'button', class: 'button subtle link', testid: 'use-recovery-key' },
      icon('shield'), h('span', {}, T('ui-use-recovery-key')));
    const el = h('div', { class: 'key-field', testid: o.testid || 'key-field' }, passField, block, toggle);
    let useKey = false;
    let recovery = o.recovery !== false;
    let fileText = null;
    keyFile.addEventListener('change', () => {
      const f = keyFile.files && keyFile.files[0];
      fileText = null;
      fileNote.textContent = '';
      if (!f) return;
      if (f.size > 16384) {
        keyTextField.setError(T('ui-recovery-key-file-too-large'));
        return;
      }
      const r = new FileReader();
      r.onload = () => {
        fileText = String(r.result || '');
        keyText.value = '';
        keyTextField.setError(null);
        fileNote.textContent = T('ui-recovery-key-file-chosen', { name: f.name });
      };
      r.onerror = () => { fileNote.textContent = T('ui-recovery-key-file-unreadable'); };
      r.readAsText(f);
    });
    keyText.addEventListener('input', () => {
      if (!keyText.value) return;
      fileText = null;
      keyFile.value = '';
      fileNote.textContent = '';
    });
    const set = (k) => {
      useKey = k;
      passField.hidden = k;
      block.hidden = !k;
      toggle.lastChild.textContent = k ? T('ui-use-passphrase') : T('ui-use-recovery-key');
      el.setError(null);
    };
    toggle.addEventListener('click', () => { set(!useKey); el.focus(); });
    // Offers the recovery key only for a backup that has a recovery slot.
    el.setRecovery = (available) => {
      recovery = Boolean(available);
      toggle.hidden = !recovery;
      if (!recovery && useKey) set(false);
    };
    el.setRecovery(recovery);
    el.usingKey = () => useKey;
    el.empty = () => (useKey ? !(fileText || keyText.value.trim()) : !pass.value);
    el.body = () => {
      if (useKey) return { recovery_key: fileText || keyText.value };
      return pass.value ? { passphrase: pass.value } : {};
    };
    el.clear = () => {
      pass.value = '';
      keyText.value = '';
      keyFile.value = '';
      fileText = null;
      fileNote.textContent = '';
    };
    el.setError = (msg) => {
      passField.setError(useKey ? null : msg);
      keyTextField.setError(useKey ? msg : null);
    };
    el.focus = () => (useKey ? keyText : pass).focus();
    el.needed = () => (useKey ? T('ui-recovery-key-needed') : T('ui-passphrase-needed'));
    // A wrong passphrase or key: say so at the field, empty it, and let the
    // user try again right there.
    el.wrong = () => {
      const msg = useKey ? WRONG_RECOVERY() : recovery ? WRONG_KEY() : WRONG_PASS();
      el.clear();
      el.setError(msg);
      el.focus();
      return msg;
    };
    return el;
  }

  // ---------------------------------------------------------------- progress

  // Progress phase names, by the job's `phase` (the core's phases too:
  // carevault_core::Phase). Built once the messages are loaded.
  function phases() {
    return {
      snapshot: T('ui-phase-snapshot'),
      snapshotting: T('ui-phase-snapshot'),
      writing: T('ui-phase-writing'),
      backup: T('ui-phase-writing'),
      compressing: T('ui-phase-compressing'),
      reading: T('ui-phase-reading'),
      verifying: T('ui-phase-verifying'),
      verify: T('ui-phase-verifying'),
      staging: T('ui-phase-staging'),
      restoring: T('ui-phase-restoring'),
      checking: T('ui-phase-checking'),
      swapping: T('ui-phase-swapping'),
      queued: T('ui-phase-queued'),
      starting: T('ui-phase-starting'),
      waiting_for_sync: T('ui-phase-waiting-for-sync'),
      key_derivation: T('ui-phase-key-derivation'),
      read: T('ui-phase-read'),
      copy: T('ui-phase-copy'),
      upload: T('ui-phase-upload'),
      download: T('ui-phase-download'),
      import: T('ui-phase-import'),
      finishing: T('ui-phase-finishing'),
    };
  }

  // Phases with no bytes to count: the bar is indeterminate, no number.
  const UNCOUNTED = new Set(['waiting_for_sync', 'key_derivation']);

  function progressBox(title, testid) {
    const phase = h('div', { class: 'phase', id: 'progress-phase-' + (++uid), testid: 'progress-phase' }, title);
    const bar = h('progress', { max: '100', testid: 'progress-bar', 'aria-labelledby': phase.id });
    const pct = h('span', { class: 'pct', testid: 'progress-percent' }, '0%');
    const eta = h('span', { testid: 'progress-eta' }, T('ui-progress-starting'));
    const el = h('section', { class: 'progress-box', testid: testid || 'progress', 'data-state': 'running',
      'data-percent': '0', 'aria-label': title },
    phase, bar, h('div', { class: 'progress-text' }, pct, eta));
    let lastSaid = -10;
    el.update = (job, via) => {
      if (via) el.setAttribute('data-via', via);
      let p = job.percent;
      if (typeof p !== 'number' && job.total_bytes > 0) p = (100 * job.done_bytes) / job.total_bytes;
      if (job.state === 'done') p = 100;
      const uncounted = job.state === 'running' && UNCOUNTED.has(job.phase);
      el.setAttribute('data-phase', job.phase || '');
      if (uncounted) {
        // No number over an empty bar: an indeterminate bar and no percent.
        bar.removeAttribute('value');
        pct.textContent = '';
        el.setAttribute('data-percent', '');
      } else if (typeof p === 'number' && isFinite(p)) {
        p = Math.max(0, Math.min(100, p));
        bar.value = p;
        const shown = Math.floor(p);
        pct.textContent = `${shown}%`;
        el.setAttribute('data-percent', String(shown));
        if (shown - lastSaid >= 10 || shown === 100) {
          lastSaid = shown;
          announce(T('ui-progress-percent', { title, percent: shown }));
        }
      }
      if (job.phase) phase.textContent = T('ui-progress-phase', { title, phase: phases()[job.phase] || job.phase });
      if (job.state === 'done') {
        eta.textContent = T('ui-progress-done');
        phase.textContent = T('ui-progress-title-done', { title });
      } else if (job.state === 'failed') {
        eta.textContent = T('ui-progress-stopped');
      } else if (typeof job.eta_seconds === 'number') {
        eta.textContent = T('ui-progress-eta', { time: duration(job.eta_seconds) });
      } else {
        eta.textContent = job.done_bytes != null && job.total_bytes
          ? T('ui-progress-bytes', { done: humanSize(job.done_bytes), total: humanSize(job.total_bytes) }) : T('ui-progress-working');
      }
      el.setAttribute('data-state', job.state || 'running');
    };
    return el;
  }

  function jobError(job) {
    const e = job.error || {};
    const err = new ApiError(422, { error: typeof e === 'string' ? { message: e } : e });
    if (!e.message && typeof e !== 'string') err.message = T('ui-job-failed');
    return err;
  }

  // ------------------------------------------------------------ app state

  const state = {
    session: null,
    status: null,         // GET /api/status, for media and policy (optional)
    timers: [],           // cleared on every route change
    highlight: null,      // backup ID to highlight after a backup
    jobLabels: {},        // job ID -> backup label, for the restore screen
    jobBackups: {},       // job ID -> backup, to try a restore again
    afterRender: [],      // banners to show on the next screen
    navBackups: null,     // the Backups menu entry, detached for roles without it
    navItems: {},         // other menu entries, detached for roles without them
  };

  function every(ms, fn) {
    const t = setInterval(fn, ms);
    state.timers.push(t);
    return t;
  }

  function go(hash, bannerArgs) {
    if (bannerArgs) state.afterRender.push(bannerArgs);
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  function sessionEnded() {
    if (state.session && state.session.user) {
      state.session.user = null;
      state.afterRender.push(['info', T('ui-session-ended'), T('ui-session-ended-advice')]);
      updateShell();
      go('#/login');
    }
  }

  async function loadSession() {
    state.session = await api('GET', '/api/session', undefined, { allow401: true });
    updateShell();
  }

  function user() {
    return state.session && state.session.user;
  }

  function updateShell() {
    const u = user();
    const nav = $('sidenav');
    // Clinic Staff may use none of the menu's screens: no menu at all.
    const menu = Boolean(u && u.sees_backups);
    nav.hidden = !menu;
    $('menu-toggle').hidden = !menu;
    document.body.classList.toggle('nav-collapsible', menu);
    $('logout').hidden = !u;
    const who = $('who');
    who.hidden = !u;
    if (u) who.replaceChildren(h('span', {}, u.username), h('small', {}, roleName(u.role)));
    // The Backups entry is absent (not just hidden) for roles without it.
    if (!state.navBackups) state.navBackups = $('nav-backups-group');
    const group = state.navBackups;
    if (u && u.sees_backups) {
      if (!group.isConnected) nav.querySelector('ul').append(group);
    } else if (group.isConnected) {
      group.remove();
    }
    // Entries a role may not use are absent, not shown to say "Not available".
    for (const [id, allowed] of [['nav-sync-item', u && u.sees_backups],
      ['nav-safety-item', u && u.can_restore]]) {
      if (!state.navItems[id]) state.navItems[id] = $(id);
      const item = state.navItems[id];
      if (!item) continue;
      if (allowed && !item.isConnected) {
        if (item.dataset.parent === 'backups') group.querySelector('ul').append(item);
        else nav.querySelector('ul').prepend(item);
      } else if (!allowed && item.isConnected) {
        item.remove();
      }
    }
  }

  // A role's name in the page's language (the server's is English).
  function roleName(role) {
    switch (role) {
      case 'System Administrator': return T('ui-role-system-administrator');
      case 'Clinical Manager': return T('ui-role-clinical-manager');
      case 'Clinic Nurse': return T('ui-role-clinic-nurse');
      case 'Clinic Staff': return T('ui-role-clinic-staff');
      default: return role;
    }
  }

  function markNav(hash) {
    for (const a of document.querySelectorAll('.sidenav a')) {
      const target = a.getAttribute('href');
      if (hash === target || hash.startsWith(target + '/')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    $('sidenav').classList.remove('open');
    $('menu-toggle').setAttribute('aria-expanded', 'false');
  }

  // Builds the screen for the current hash.
  async function route() {
    state.timers.forEach(clearInterval);
    state.timers = [];
    clearBanners();
    const hash = location.hash || '#/';
    const view = $('view');
    const s = state.session;
    let render;
    let m;
    if (!s) {
      render = viewFatal;
    } else if (!s.user && s.first_run) {
      if (hash === '#/first-run/restore') render = viewFirstRunRestore;
      else if (hash === '#/first-run/offsite') render = viewFirstRunOffsite;
      else if (hash === '#/first-run/fresh' && !s.has_users) render = viewStartFresh;
      else render = viewFirstRun;
    } else if (!s.user) {
      render = viewLogin;
    } else if (hash === '#/sync') {
      render = viewSync;
    } else if (hash === '#/home') {
      render = viewHome;
    } else if (!s.user.sees_backups && (hash.startsWith('#/backups') || hash.startsWith('#/restore'))) {
      render = viewNotAllowed;
    } else if (hash === '#/safety-copies') {
      render = s.user.can_restore ? viewSafetyCopies : viewNotAllowed;
    } else if (hash === '#/backups') {
      render = viewExplorer;
    } else if (hash === '#/backups/new') {
      render = viewBackupNow;
    } else if (hash === '#/import') {
      render = viewSantedbImport;
    } else if ((m = hash.match(/^#\/backups\/([^/]+)$/))) {
      render = (v) => viewDetails(v, decodeURIComponent(m[1]));
    } else if ((m = hash.match(/^#\/restore\/([^/]+)$/))) {
      render = (v) => viewRestoreJob(v, decodeURIComponent(m[1]));
    } else {
      go(s.user.sees_backups ? '#/backups' : '#/home');
      return;
    }
    markNav(hash);
    const fresh = h('div', { id: 'view', testid: 'view', 'data-route': hash });
    view.replaceWith(fresh);
    for (const args of state.afterRender.splice(0)) showBanner(...args);
    try {
      await render(fresh);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      showError(e);
    }
    const h1 = fresh.querySelector('h1');
    if (h1 && !fresh.contains(document.activeElement) && document.activeElement !== $('dialog-confirm')) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }

  function viewFatal(v) {
    add(v, h('h1', {}, T('ui-app-name')),
      h('p', {}, T('ui-fatal')),
      h('button', { type: 'button', class: 'button primary', testid: 'reload', onclick: () => location.reload() },
        T('ui-reload')));
  }

  // ------------------------------------------------------------------ login

  function viewLogin(v) {
    const name = h('input', { type: 'text', id: 'login-username', testid: 'login-username',
      autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false', required: true });
    const pass = h('input', { type: 'password', id: 'login-password', testid: 'login-password',
      autocomplete: 'current-password', required: true });
    const err = h('p', { class: 'field-error', role: 'alert', testid: 'login-error', hidden: true });
    const submit = h('button', { type: 'submit', class: 'button primary', testid: 'login-submit', id: 'login-submit' }, T('ui-login'));
    const form = h('form', { id: 'login-form', testid: 'login-form', novalidate: true },
      field(T('ui-username'), name), field(T('ui-password'), pass), err,
      h('div', { class: 'button-row' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      if (!name.value.trim() || !pass.value) {
        err.textContent = T('ui-login-missing');
        err.hidden = false;
        return;
      }
      submit.disabled = true;
      try {
        await api('POST', '/api/login', { username: name.value.trim(), password: pass.value }, { allow401: true });
        pass.value = '';
        await loadSession();
        go(user() && user().sees_backups ? '#/backups' : '#/home');
      } catch (e) {
        err.textContent = e.status === 401
          ? T('ui-login-wrong')
          : [e.message, e.advice].filter(Boolean).map(sentence).join(' ');
        err.hidden = false;
        submit.disabled = false;
        pass.select();
      }
    });
    add(v, h('div', { class: 'narrow' },
      h('h1', {}, T('ui-login')),
      h('p', { class: 'hint' }, T('ui-login-hint')),
      h('div', { class: 'card' }, form)));
    name.focus();
  }

  function viewHome(v) {
    const u = user();
    add(v, h('h1', {}, T('ui-welcome')),
      h('div', { class: 'card', testid: 'home' },
        h('p', {}, T('ui-home-logged-in', { user: u.username, role: roleName(u.role) })),
        u.sees_backups
          ? h('p', {}, h('a', { href: '#/backups' }, T('ui-home-open-explorer')))
          : h('p', { testid: 'no-backup-access' },
            T('ui-home-no-backup-access'))));
  }

  function viewNotAllowed(v) {
    add(v, h('h1', {}, T('ui-not-available')),
      banner('warning', T('ui-role-no-backups'),
        T('ui-backups-who'),
        { dismissible: false, testid: 'not-allowed' }));
  }

  // --------------------------------------------------------- sync helpers


  function syncWarningEl() {
    return h('div', { class: 'banner warning', id: 'sync-warning', testid: 'sync-warning', hidden: true },
      icon('warning'),
      h('div', {},
        h('p', {}, h('strong', {}, T('ui-sync-in-progress'))),
        h('p', {}, T('ui-sync-warning')),
        h('p', { class: 'hint' }, T('ui-sync-warning-hint'))));
  }

  // Polls GET /api/sync; calls `apply(running)` now and on every change.
  function watchSync(apply) {
    let last = null;
    const check = async () => {
      let running = false;
      try {
        const s = await api('GET', '/api/sync');
        running = s.state === 'running';
      } catch (e) {
        if (e.status === 401) return;
      }
      if (running !== last) {
        last = running;
        apply(running);
      }
    };
    every(3000, check);
    return check();
  }

  async function loadStatus() {
    try {
      state.status = await api('GET', '/api/status');
    } catch (e) {
      if (e.status === 401) throw e;
      state.status = null;
    }
    return state.status;
  }

  // ------------------------------------------------------- backup explorer

  async function viewExplorer(v) {
    const u = user();
    const nowBtn = h('button', { type: 'button', class: 'button primary', id: 'backup-now', testid: 'backup-now',
      'aria-describedby': 'sync-warning', onclick: () => go('#/backups/new') }, icon('plus'), T('ui-backup-now'));
    const warn = syncWarningEl();
    const stale = h('div', { id: 'stale-slot' });
    const tableSlot = h('div', { id: 'backups-slot', 'aria-busy': 'true' }, h('p', { class: 'loading' }, T('ui-loading-backups')));
    add(v,
      h('div', { class: 'page-head' }, h('h1', {}, T('ui-app-name')), nowBtn),
      santedbImportLink(u), warn, stale, tableSlot);
    const syncReady = watchSync((running) => {
      nowBtn.disabled = running;
      warn.hidden = !running;
      nowBtn.title = running ? T('ui-backup-now-sync-title') : '';
    });
    const list = await api('GET', '/api/backups');
    await syncReady;
    if (list.stale_warning) {
      stale.replaceChildren(banner('warning', T('ui-stale-title'), list.stale_warning,
        { dismissible: false, testid: 'stale-warning' }));
    }
    tableSlot.replaceChildren(backupTable((list.backups || []).map(norm), u));
    offsiteExtras(v, tableSlot, list, u);
    tableSlot.removeAttribute('aria-busy');
    if (state.highlight) {
      const row = tableSlot.querySelector(`tr[data-id="${CSS.escape(state.highlight)}"]`);
      if (row) row.classList.add('new-row');
      state.highlight = null;
    }
  }

  function backupTable(backups, u) {
    const head = [T('ui-col-label-id'), T('ui-col-timestamp'), T('ui-col-size'), T('ui-col-encrypted'),
      T('ui-col-created-by'), T('ui-col-location'), T('ui-col-actions')];
    const tbody = h('tbody');
    if (!backups.length) {
      tbody.append(h('tr', { testid: 'no-results' },
        h('td', { class: 'empty', colspan: String(head.length) }, T('ui-no-results'))));
    }
    for (const b of backups) tbody.append(backupRow(b, u));
    return h('div', { class: 'table-wrap' },
      h('table', { class: 'data responsive', id: 'backups-table', testid: 'backups-table' },
        h('caption', {}, backups.length === 1 ? T('ui-explorer-caption-one')
          : T('ui-explorer-caption', { count: num(backups.length) })),
        h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i === 2 ? 'num' : null }, t)))),
        tbody));
  }

  // ------------------------------------------------ offsite copies (explorer)

  const offsiteText = () => ({ copied: T('ui-offsite-copied'), pending: T('ui-offsite-pending'), failed: T('ui-failed') });

  function offsiteTag(st) {
    const cls = st === 'copied' ? 'yes' : st === 'failed' ? 'bad' : 'no';
    return h('span', { class: `tag ${cls}`, testid: 'offsite-state', 'data-offsite': st },
      st === 'failed' ? icon('warning') : null, offsiteText()[st] || st);
  }

  // With [offsite] configured: an "Offsite" column before Actions, and
  // "Copy offsite now" for roles that may create backups.
  function offsiteExtras(v, tableSlot, list, u) {
    if (!list.offsite_configured) return;
    const table = tableSlot.querySelector('#backups-table');
    if (!table) return;
    const byId = {};
    for (const b of list.backups || []) if (b && b.id) byId[b.id] = b.offsite;
    const headRow = table.querySelector('thead tr');
    const actionsTh = headRow.lastElementChild;
    headRow.insertBefore(h('th', { scope: 'col' }, T('ui-col-offsite')), actionsTh);
    for (const row of table.querySelectorAll('tbody tr')) {
      const empty = row.querySelector('td.empty');
      if (empty) { empty.setAttribute('colspan', String(headRow.children.length)); continue; }
      const st = byId[row.getAttribute('data-id')];
      row.insertBefore(h('td', { 'data-label': T('ui-col-offsite'), testid: 'cell-offsite' },
        st ? offsiteTag(st) : '—'), row.lastElementChild);
    }
    if (!u.can_create) return;
    const pending = (list.backups || []).filter((b) => b && b.offsite && b.offsite !== 'copied').length;
    const slot = h('div', { id: 'offsite-slot' });
    const btn = h('button', { type: 'button', class: 'button secondary', id: 'copy-offsite', testid: 'copy-offsite',
      disabled: pending === 0 ? 'disabled' : null, onclick: () => copyOffsiteNow(btn, slot) },
    icon('upload'), T('ui-copy-offsite-now'));
    // Beside "Backup Now", the two as one group at the head's end.
    const now = v.querySelector('#backup-now');
    if (now) {
      const group = h('div', { class: 'head-actions' });
      now.replaceWith(group);
      group.append(now, btn);
    }
    tableSlot.before(slot);
  }

  async function copyOffsiteNow(btn, slot) {
    btn.disabled = true;
    const box = progressBox(T('ui-copying-offsite'), 'offsite-progress');
    slot.replaceChildren(box);
    try {
      const res = await api('POST', '/api/offsite/push', {});
      const job = await followJob(res.job_id, box.update);
      if (job.state !== 'done') throw jobError(job);
      const n = ((job.result && job.result.copied) || []).length;
      go('#/backups', ['success', T('ui-copied-offsite'),
        n === 1 ? T('ui-copied-offsite-one') : T('ui-copied-offsite-many', { count: num(n) })]);
    } catch (e) {
      slot.replaceChildren();
      btn.disabled = false;
      showError(e, T('ui-offsite-not-finished'));
    }
  }

  function encryptedTag(enc) {
    return enc
      ? h('span', { class: 'tag yes' }, icon('lock'), T('ui-yes'))
      : h('span', { class: 'tag no' }, icon('unlock'), T('ui-no'));
  }

  function backupRow(b, u) {
    const damaged = b.status !== 'ok';
    const labelCell = h('td', { class: 'cell-label', 'data-label': T('ui-col-label-id'), testid: 'cell-label' },
      h('span', { class: 'backup-label' }, b.label),
      b.id ? h('span', { class: 'backup-id' }, b.id) : null,
      b.automatic ? h('span', { class: 'tag auto' }, T('ui-automatic')) : null,
      b.restored_from ? h('span', { class: 'tag current', testid: 'tag-restored-from' }, icon('check'),
        T('ui-tag-restored-from')) : null,
      damaged ? h('span', { class: 'tag bad', title: b.problem || '' }, icon('warning'), T('ui-damaged')) : null,
      damaged && b.problem ? h('span', { class: 'hint' }, b.problem) : null);
    const actions = h('div', { class: 'actions' });
    if (b.id && !damaged) {
      actions.append(
        h('a', { class: 'action', href: `#/backups/${encodeURIComponent(b.id)}`, testid: 'action-details',
          'aria-label': T('ui-action-details-label', { label: b.label }) }, icon('eye'), h('span', { class: 'action-text' }, T('ui-details'))),
        u.can_restore ? h('button', { type: 'button', class: 'action', testid: 'action-restore',
          'aria-label': T('ui-action-restore-label', { label: b.label }), onclick: () => restoreDialog(b) }, icon('restore'),
        h('span', { class: 'action-text' }, T('ui-restore'))) : null);
    }
    if (b.id && u.can_delete) {
      actions.append(h('button', { type: 'button', class: 'action delete', testid: 'action-delete',
        'aria-label': T('ui-action-delete-label', { label: b.label }), onclick: () => deleteDialog(b) }, icon('trash'),
      h('span', { class: 'action-text' }, T('ui-delete'))));
    }
    return h('tr', { testid: 'backup-row', 'data-id': b.id || '', 'data-label': b.label, 'data-status': b.status },
      labelCell,
      h('td', { 'data-label': T('ui-col-timestamp'), testid: 'cell-timestamp' }, timeEl(b.created_at)),
      h('td', { 'data-label': T('ui-col-size'), class: 'num', testid: 'cell-size' }, sizeEl(b.size)),
      h('td', { 'data-label': T('ui-col-encrypted'), testid: 'cell-encrypted' }, damaged ? '—' : encryptedTag(b.encrypted)),
      h('td', { 'data-label': T('ui-col-created-by'), testid: 'cell-created-by' }, b.created_by),
      h('td', { 'data-label': T('ui-col-location'), testid: 'cell-location' }, b.location),
      h('td', { 'data-label': T('ui-col-actions'), testid: 'cell-actions' }, actions));
  }

  // Step 1 asks for the passphrase (or recovery key) and checks it by
  // reading what the restore would replace (a wrong one keeps the dialog on
  // this step, to try again); step 2 shows those facts and starts the
  // restore; then the restore screen follows it.
  function restoreDialog(b) {
    const key = b.encrypted ? keyField('restore', {
      passTestid: 'restore-passphrase',
      recovery: b.has_recovery,
      label: b.automatic ? T('ui-passphrase-optional') : T('ui-passphrase'),
      hint: b.automatic ? T('ui-restore-automatic-hint')
        : T('ui-passphrase-hint'),
    }) : null;
    let body = {};
    let preview = null;
    return confirmDialog({
      title: T('ui-restore-title'),
      testid: 'restore-dialog',
      body: [
        h('p', { testid: 'restore-question' },
          T('ui-restore-question', { label: b.label })),
        h('p', { class: 'hint', testid: 'safety-copy-note' },
          T('ui-restore-safety-note')),
      ],
      extra: key,
      confirmText: T('ui-continue'),
      onConfirm: async () => {
        if (key && key.empty() && (!b.automatic || key.usingKey())) {
          const msg = key.needed();
          key.setError(msg);
          key.focus();
          throw new Error(msg);
        }
        body = key ? key.body() : {};
        try {
          preview = await api('POST', `/api/backups/${encodeURIComponent(b.id)}/restore-preview`, body);
        } catch (e) {
          body = {};
          if (key && e.kind === 'wrong_key') {
            key.wrong();
            throw notAccepted();
          }
          throw e;
        }
      },
    }).then((ok) => {
      if (key) key.clear();
      if (!ok) return false;
      return confirmDialog({
        title: T('ui-restore-confirm-title'),
        testid: 'restore-confirm',
        body: restoreFacts(preview, b),
        confirmText: T('ui-restore'),
        danger: true,
        onConfirm: async () => {
          const res = await api('POST', `/api/backups/${encodeURIComponent(b.id)}/restore`, body);
          body = {};
          state.jobLabels[res.job_id] = b.label;
          state.jobBackups[res.job_id] = b;
          go(`#/restore/${encodeURIComponent(res.job_id)}`);
        },
      }).then((done) => { body = {}; return done; });
    });
  }

  const count = (n) => (typeof n === 'number' ? num(n) : '—');

  // What the restore replaces: the backup's time and author, patients now
  // and in the backup, and outbox records that would be lost.
  function restoreFacts(p, b) {
    const facts = h('dl', { class: 'facts', testid: 'restore-facts' });
    const fact = (k, value, testid) => facts.append(h('dt', {}, k), h('dd', { testid }, value));
    fact(T('ui-fact-backup'), b.label, 'fact-label');
    fact(T('ui-fact-taken'), timeEl(p.created_at), 'fact-taken');
    fact(T('ui-fact-made-by'), p.created_by, 'fact-made-by');
    fact(T('ui-fact-patients-now'), count(p.patients_now), 'fact-patients-now');
    fact(T('ui-fact-patients-backup'), count(p.patients_in_backup), 'fact-patients-backup');
    fact(T('ui-fact-unsynced'), p.unsynced_outbox == null ? '—'
      : p.unsynced_outbox === 1 ? T('ui-fact-unsynced-one') : T('ui-fact-unsynced-many', { count: count(p.unsynced_outbox) }),
    'fact-unsynced');
    const lost = Number(p.unsynced_outbox || 0);
    return [
      h('p', {}, T('ui-restore-replaced-by', { label: b.label })),
      facts,
      lost > 0 ? banner('warning', lost === 1 ? T('ui-changes-lost-one') : T('ui-changes-lost-many', { count: count(lost) }),
        T('ui-changes-lost-advice'),
      { dismissible: false, testid: 'unsynced-warning' }) : null,
      h('p', { class: 'hint' }, T('ui-restore-kept-note')),
    ];
  }

  function deleteDialog(b) {
    return confirmDialog({
      title: T('ui-delete-title'),
      testid: 'delete-dialog',
      body: [
        h('p', { testid: 'delete-question' }, T('ui-delete-question', { label: b.label, location: b.location })),
      ],
      confirmText: T('ui-delete'),
      danger: true,
      onConfirm: async () => {
        await api('DELETE', `/api/backups/${encodeURIComponent(b.id)}`);
        go('#/backups', ['success', T('ui-backup-deleted'), T('ui-backup-deleted-text', { label: b.label }), { testid: 'banner-deleted' }]);
      },
    });
  }

  // -------------------------------------------------------------- backup now

  // The media, by their names (which stay as they are in every language).
  const media = () => [
    ['Private', T('ui-medium-private')],
    ['Public', T('ui-medium-public')],
    ['External', T('ui-medium-external')],
  ];

  function policyRequires(medium) {
    const st = state.status;
    const list = st && (st.require_encryption || (st.policy && st.policy.require_encryption));
    if (Array.isArray(list)) return list.some((m) => String(m).toLowerCase() === medium.toLowerCase());
    return medium === 'Public' || medium === 'External';
  }

  function recoveryConfigured() {
    const st = state.status;
    const s = state.session;
    const sources = [s && s.recovery_keys_configured, st && st.recovery_keys_configured,
      st && st.recovery_keys, st && st.auto && st.auto.recovery_keys];
    for (const x of sources) {
      if (Array.isArray(x)) { if (x.length) return true; } else if (typeof x === 'number') { if (x > 0) return true; } else if (x === true) return true;
    }
    return false;
  }

  function mediumNote(medium) {
    const st = state.status;
    const entry = st && Array.isArray(st.media) ? st.media.find((m) => m.medium === medium) : null;
    if (!entry) return null;
    const bits = [];
    if (entry.note) bits.push(sentence(entry.note));
    if (typeof entry.free_bytes === 'number') bits.push(T('ui-medium-free', { size: humanSize(entry.free_bytes) }));
    return bits.join(' ');
  }

  async function viewBackupNow(v) {
    await loadStatus();
    const warn = syncWarningEl();
    const radios = {};
    const mediaSet = h('fieldset', { testid: 'medium-choices' }, h('legend', {}, T('ui-medium-legend')),
      media().map(([name, description]) => {
        let text = description;
        const r = h('input', { type: 'radio', name: 'medium', value: name, id: `medium-${name.toLowerCase()}`,
          testid: `medium-${name.toLowerCase()}`, checked: name === 'Public' });
        radios[name] = r;
        const note = mediumNote(name);
        if (note && name === 'External') text = T('ui-medium-external-short');
        return h('label', { class: 'choice', for: r.id }, r,
          h('span', {}, h('strong', {}, name), h('span', { class: 'hint' }, text),
            note ? h('span', { class: 'hint', testid: `medium-note-${name.toLowerCase()}` }, note) : null));
      }));
    const label = h('input', { type: 'text', id: 'backup-label', testid: 'backup-label', maxlength: '80', autocomplete: 'off' });
    const encrypt = h('input', { type: 'checkbox', id: 'encrypt', testid: 'encrypt', checked: true });
    const policy = h('p', { class: 'hint', id: 'policy-note', testid: 'policy-note', role: 'note' });
    const encryptChoice = h('div', {},
      h('label', { class: 'choice', for: 'encrypt' }, encrypt,
        h('span', {}, h('strong', {}, T('ui-encrypt')),
          h('span', { class: 'hint' }, T('ui-encrypt-hint')))),
      policy);
    const pass = passInput('passphrase', 'passphrase', 'new-password');
    const pass2 = passInput('passphrase-confirm', 'passphrase-confirm', 'new-password');
    const passField = field(T('ui-passphrase'), pass,
      T('ui-new-passphrase-hint'), { after: strengthMeter(pass) });
    const pass2Field = field(T('ui-passphrase-confirm'), pass2, null);
    const recovery = h('input', { type: 'checkbox', id: 'use-recovery', testid: 'use-recovery', checked: true });
    const recoveryChoice = recoveryConfigured()
      ? h('label', { class: 'choice', for: 'use-recovery', testid: 'recovery-choice' }, recovery,
        h('span', {}, h('strong', {}, T('ui-recovery-encrypt')),
          h('span', { class: 'hint' }, T('ui-recovery-encrypt-hint'))))
      : null;
    const passBlock = h('div', { id: 'pass-block', testid: 'pass-block' },
      passField, pass2Field,
      banner('info', null, T('ui-passphrase-note'), { dismissible: false, testid: 'passphrase-note' }),
      recoveryChoice);
    const plain = banner('warning', null, T('ui-unencrypted-note'),
      { dismissible: false, testid: 'unencrypted-note' });
    const submit = h('button', { type: 'submit', class: 'button primary', id: 'backup-submit', testid: 'backup-submit',
      'aria-describedby': 'sync-warning' }, icon('backup'), T('ui-backup-now'));
    const cancel = h('a', { class: 'button secondary', href: '#/backups', testid: 'backup-cancel' }, T('ui-cancel'));
    const formErr = h('div', { id: 'backup-form-error' });
    const progressSlot = h('div', { id: 'backup-progress-slot' });
    const form = h('form', { id: 'backup-form', testid: 'backup-form', novalidate: true },
      mediaSet,
      field(T('ui-label-optional'), label, T('ui-label-hint')),
      encryptChoice, passBlock, plain, formErr,
      h('div', { class: 'button-row' }, submit, cancel));
    let syncRunning = false;
    let busy = false;

    const medium = () => Object.keys(radios).find((k) => radios[k].checked) || 'Public';
    const refresh = () => {
      const required = policyRequires(medium());
      if (required) encrypt.checked = true;
      encrypt.disabled = required || busy;
      policy.textContent = required
        ? T('ui-policy-required', { medium: medium() })
        : T('ui-policy-optional');
      passBlock.hidden = !encrypt.checked;
      plain.hidden = encrypt.checked;
      submit.disabled = syncRunning || busy;
      for (const r of Object.values(radios)) r.disabled = busy;
    };
    form.addEventListener('change', refresh);

    add(v, h('a', { class: 'crumb', href: '#/backups' }, icon('back'), T('ui-app-name')),
      h('h1', {}, T('ui-backup-now')),
      h('p', { class: 'hint' }, T('ui-backup-now-hint')),
      warn, h('div', { class: 'card' }, form), progressSlot);
    refresh();
    await watchSync((running) => {
      syncRunning = running;
      warn.hidden = !running;
      refresh();
    });

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      formErr.replaceChildren();
      passField.setError(null);
      pass2Field.setError(null);
      const med = medium();
      const enc = encrypt.checked;
      if (!enc && policyRequires(med)) {
        formErr.append(banner('error', null, T('ui-policy-error', { medium: med }), { testid: 'policy-error' }));
        return;
      }
      if (enc) {
        // Length and strength are the server's (the core's) rule.
        if (!pass.value) {
          passField.setError(T('ui-type-passphrase'));
          pass.focus();
          return;
        }
        if (pass.value !== pass2.value) {
          pass2Field.setError(T('ui-passphrases-differ'));
          pass2.focus();
          return;
        }
      }
      const body = { medium: med, encrypt: enc };
      if (enc) body.passphrase = pass.value;
      if (label.value.trim()) body.label = label.value.trim();
      if (recoveryChoice && enc) body.use_recovery_keys = recovery.checked;
      busy = true;
      refresh();
      let res;
      try {
        res = await api('POST', '/api/backups', body);
      } catch (e) {
        busy = false;
        refresh();
        if (e.status === 409) warn.hidden = false;
        const rule = passphraseRule(e);
        if (rule) {
          passField.setError(rule);
          pass.focus();
          return;
        }
        formErr.append(banner('error', e.status === 422 ? T('ui-backup-refused') : T('ui-backup-not-started'),
          e.message, { advice: e.advice, testid: 'backup-error' }));
        return;
      }
      pass.value = '';
      pass2.value = '';
      const dest = res.destination || {};
      const fallback = dest.fell_back ? ['info', T('ui-fallback-title'), dest.note ||
        T('ui-fallback-text'),
      { testid: 'fallback-note' }] : null;
      if (fallback) showBanner(...fallback);
      const box = progressBox(T('ui-backing-up'), 'backup-progress');
      progressSlot.replaceChildren(box);
      box.scrollIntoView({ block: 'nearest' });
      let job;
      try {
        job = await followJob(res.job_id, box.update);
      } catch (e) {
        job = { state: 'failed', error: { message: e.message, advice: e.advice } };
      }
      if (job.state === 'done') {
        const b = norm(job.result && (job.result.backup || job.result)) || {};
        state.highlight = b.id || null;
        const where = dest.medium || b.location || med;
        if (fallback) state.afterRender.push(fallback);
        go('#/backups', ['success', T('ui-backup-complete'),
          typeof b.size === 'number'
            ? T('ui-backup-saved-size', { label: b.label || T('ui-the-backup'), medium: where, size: humanSize(b.size) })
            : T('ui-backup-saved', { label: b.label || T('ui-the-backup'), medium: where }),
          { testid: 'banner-backup-done' }]);
        return;
      }
      busy = false;
      refresh();
      const err = jobError(job);
      formErr.append(banner('error', T('ui-backup-failed'), err.message, { advice: err.advice, testid: 'backup-error' }));
    });
  }

  // ---------------------------------------------------------------- details

  async function viewDetails(v, id) {
    const u = user();
    const d = await api('GET', `/api/backups/${encodeURIComponent(id)}`);
    const b = norm(d);
    const facts = h('dl', { class: 'facts', testid: 'details' });
    const fact = (k, value, testid) => facts.append(h('dt', {}, k), h('dd', { testid }, value));
    fact(T('ui-col-label-id'), [h('span', { class: 'backup-label' }, b.label), h('span', { class: 'backup-id' }, b.id)], 'detail-label');
    fact(T('ui-col-timestamp'), timeEl(b.created_at), 'detail-timestamp');
    fact(T('ui-col-created-by'), b.created_by, 'detail-created-by');
    fact(T('ui-col-location'), b.location, 'detail-location');
    fact(T('ui-col-encrypted'), encryptedTag(b.encrypted), 'detail-encrypted');
    fact(T('ui-col-size'), sizeEl(b.size), 'detail-size');
    const m = (d.metadata && typeof d.metadata === 'object') ? d.metadata : d;
    if (b.automatic) fact(T('ui-kind'), T('ui-automatic-backup'), 'detail-kind');
    if (b.restored_from) {
      fact(T('ui-current-data'), h('span', { class: 'tag current' }, icon('check'), T('ui-restored-from-this')),
        'detail-restored-from');
    }
    if (m.facility) fact(T('ui-facility'), m.facility, 'detail-facility');
    if (m.device) fact(T('ui-device'), m.device, 'detail-device');
    if (m.app_version) fact(T('ui-app-version'), m.app_version, 'detail-app-version');
    if (m.format_version != null) fact(T('ui-format-version'), String(m.format_version), 'detail-format-version');
    if (Array.isArray(d.key_slots) && d.key_slots.length) {
      const names = { scrypt: T('ui-slot-passphrase'), passphrase: T('ui-slot-passphrase'),
        x25519: T('ui-slot-recovery-key'), recovery: T('ui-slot-recovery-key'), device: T('ui-slot-device-key') };
      fact(T('ui-opens-with'), [...new Set(d.key_slots.map((k) => names[k] || k))].join(', '), 'detail-key-slots');
    }
    const fname = d.file_name || fileName(b.path);
    if (fname) fact(T('ui-file-name'), h('span', { class: 'mono' }, fname), 'detail-file-name');

    const sizeOk = typeof b.size === 'number' && b.size > 0;
    const lastVer = h('p', { id: 'last-verification', testid: 'last-verification' });
    const showLast = (lv) => {
      lastVer.replaceChildren(!lv ? T('ui-never-verified')
        : lv.ok ? h('span', { class: 'result-ok' }, icon('check'), T('ui-last-verified-ok', { time: localTime(lv.at) }))
          : h('span', { class: 'result-bad' }, icon('warning'),
            T('ui-last-verification-failed', { time: localTime(lv.at), problem: lv.problem || T('ui-unknown-problem') })));
    };
    showLast(d.last_verification);

    const key = b.encrypted ? keyField('check', {
      passTestid: 'check-passphrase',
      recovery: b.has_recovery,
      label: b.automatic ? T('ui-passphrase-optional') : T('ui-passphrase'),
      hint: b.automatic ? T('ui-check-automatic-hint')
        : T('ui-check-hint'),
    }) : null;
    const verifyBtn = h('button', { type: 'button', class: 'button primary', id: 'verify-now', testid: 'verify-now' },
      icon('shield'), T('ui-verify-now'));
    const contentsBtn = h('button', { type: 'button', class: 'button secondary', id: 'show-contents', testid: 'show-contents' },
      T('ui-show-contents'));
    const verifySlot = h('div', { id: 'verify-slot', 'aria-live': 'polite' });
    const contentsSlot = h('div', { id: 'contents-slot', 'aria-live': 'polite' });
    const needPass = () => {
      if (key && key.empty() && (!b.automatic || key.usingKey())) {
        key.setError(key.needed());
        key.focus();
        return true;
      }
      if (key) key.setError(null);
      return false;
    };
    const passBody = () => (key ? key.body() : {});

    verifyBtn.addEventListener('click', async () => {
      if (needPass()) return;
      verifyBtn.disabled = true;
      verifySlot.replaceChildren();
      try {
        const res = await api('POST', `/api/backups/${encodeURIComponent(id)}/verify`, passBody());
        const box = progressBox(T('ui-verifying'), 'verify-progress');
        verifySlot.replaceChildren(box);
        const job = await followJob(res.job_id, box.update);
        if (job.state === 'done') {
          const r = job.result && (job.result.report || job.result);
          verifySlot.append(banner('success', T('ui-verified-ok'),
            r && r.entries != null
              ? T('ui-verified-text-counts', { entries: r.entries, size: humanSize(r.data_bytes) })
              : T('ui-verified-text'),
            { dismissible: false, testid: 'verify-result' }));
          announce(T('ui-verification-ok-announce'));
        } else if (key && job.error && job.error.kind === 'wrong_key') {
          // Not a verification result: the backup was not checked.
          verifySlot.replaceChildren(banner('warning', T('ui-passphrase-not-accepted'),
            T('ui-verify-not-checked'),
            { dismissible: false, testid: 'verify-result' }));
          key.wrong();
        } else {
          const e = jobError(job);
          verifySlot.append(banner('error', T('ui-verification-failed'), e.message,
            { advice: e.advice, dismissible: false, testid: 'verify-result' }));
        }
        try {
          const again = await api('GET', `/api/backups/${encodeURIComponent(id)}`);
          showLast(again.last_verification);
        } catch (_) { /* the result above stands */ }
      } catch (e) {
        verifySlot.append(banner('error', T('ui-verification-not-started'), e.message,
          { advice: e.advice, testid: 'verify-result' }));
      } finally {
        verifyBtn.disabled = false;
      }
    });

    contentsBtn.addEventListener('click', async () => {
      if (needPass()) return;
      contentsBtn.disabled = true;
      contentsSlot.replaceChildren(h('p', { class: 'loading' }, T('ui-opening-backup')));
      try {
        const c = await api('POST', `/api/backups/${encodeURIComponent(id)}/contents`, passBody());
        contentsSlot.replaceChildren(contentsSummary(c));
      } catch (e) {
        if (key && e.kind === 'wrong_key') {
          contentsSlot.replaceChildren(banner('warning', T('ui-passphrase-not-accepted'), null,
            { testid: 'contents-error' }));
          key.wrong();
          return;
        }
        contentsSlot.replaceChildren(banner('error', T('ui-contents-unreadable'), e.message,
          { advice: e.advice, testid: 'contents-error' }));
      } finally {
        contentsBtn.disabled = false;
      }
    });

    const actions = h('div', { class: 'button-row' },
      u.can_restore ? h('button', { type: 'button', class: 'button secondary', testid: 'details-restore',
        onclick: () => restoreDialog(b) }, icon('restore'), T('ui-restore')) : null,
      u.can_create && b.encrypted && !b.automatic && b.location !== 'Upload'
        ? h('button', { type: 'button', class: 'button secondary', testid: 'details-rekey',
          onclick: () => changePassphraseDialog(b) }, icon('lock'), T('ui-change-passphrase')) : null,
      u.can_create && b.location !== 'Upload' && b.location !== 'External'
        ? h('button', { type: 'button', class: 'button secondary', testid: 'details-copy-usb',
          onclick: (ev) => copyToUsb(b, ev.currentTarget, copySlot) }, icon('file'), T('ui-copy-to-usb')) : null,
      u.can_delete ? h('button', { type: 'button', class: 'button secondary', testid: 'details-delete',
        onclick: () => deleteDialog(b) }, icon('trash'), T('ui-delete')) : null);
    const copySlot = h('div', { id: 'copy-slot', 'aria-live': 'polite' });

    add(v, h('a', { class: 'crumb', href: '#/backups' }, icon('back'), T('ui-app-name')),
      h('h1', {}, T('ui-details-title', { label: b.label })),
      !sizeOk ? banner('warning', T('ui-file-empty'), T('ui-file-empty-advice'),
        { dismissible: false }) : null,
      h('section', { class: 'card', 'aria-labelledby': 'details-h' }, h('h2', { id: 'details-h' }, T('ui-details')), facts),
      h('section', { class: 'card', 'aria-labelledby': 'check-h' },
        h('h2', { id: 'check-h' }, T('ui-check-this-backup')), lastVer, key,
        h('div', { class: 'button-row' }, verifyBtn, contentsBtn), verifySlot, contentsSlot),
      actions, copySlot);
  }

  // "Copy to USB": the server copies the file to the USB drive or SD card,
  // fsyncs it and reads it back; "safe to remove" only after that.
  async function copyToUsb(b, btn, slot) {
    btn.disabled = true;
    slot.replaceChildren();
    try {
      const res = await api('POST', `/api/backups/${encodeURIComponent(b.id)}/copy-to-usb`);
      const box = progressBox(T('ui-copying-to-usb'), 'copy-progress');
      slot.replaceChildren(box);
      const job = await followJob(res.job_id, box.update);
      if (job.state === 'done' && job.result && job.result.safe_to_remove) {
        slot.replaceChildren(banner('success', T('ui-usb-safe'),
          T('ui-usb-safe-text', { file: fileName(job.result.path) }),
          { dismissible: false, testid: 'copy-result' }));
        slot.scrollIntoView({ block: 'nearest' });
        announce(T('ui-usb-safe-announce'));
      } else {
        const e = jobError(job);
        slot.replaceChildren(banner('error', T('ui-usb-failed'), e.message,
          { advice: e.advice, dismissible: false, testid: 'copy-result' }));
      }
    } catch (e) {
      slot.replaceChildren(banner('error', T('ui-usb-not-started'), e.message,
        { advice: e.advice, dismissible: false, testid: 'copy-result' }));
    } finally {
      btn.disabled = false;
    }
  }

  // "Change passphrase": the current passphrase (or the recovery key, when
  // it is forgotten) and the new one twice; the rekey job runs while the
  // dialog stays open, and a wrong current key keeps it open to try again.
  function changePassphraseDialog(b) {
    const key = keyField('rekey', { passTestid: 'rekey-current', label: T('ui-current-passphrase'), recovery: b.has_recovery,
      hint: b.has_recovery ? T('ui-rekey-hint-recovery')
        : T('ui-rekey-hint') });
    const np = passInput('rekey-new', 'rekey-new', 'new-password');
    const np2 = passInput('rekey-new-confirm', 'rekey-new-confirm', 'new-password');
    const npField = field(T('ui-new-passphrase'), np,
      T('ui-new-passphrase-hint'), { after: strengthMeter(np) });
    const np2Field = field(T('ui-new-passphrase-confirm'), np2, null);
    const progressSlot = h('div', { id: 'rekey-progress-slot' });
    const fail = (f, input, msg) => { f.setError(msg); input.focus(); throw new Error(msg); };
    return confirmDialog({
      title: T('ui-change-passphrase'),
      testid: 'rekey-dialog',
      body: [h('p', { testid: 'rekey-question' }, T('ui-rekey-question', { label: b.label }))],
      extra: [key, npField, np2Field, progressSlot],
      confirmText: T('ui-change-passphrase'),
      onConfirm: async () => {
        npField.setError(null);
        np2Field.setError(null);
        key.setError(null);
        if (key.empty()) { const m = key.needed(); key.setError(m); key.focus(); throw new Error(m); }
        if (!np.value) fail(npField, np, T('ui-type-new-passphrase'));
        if (np.value !== np2.value) fail(np2Field, np2, T('ui-new-passphrases-differ'));
        let res;
        try {
          res = await api('POST', `/api/backups/${encodeURIComponent(b.id)}/passphrase`,
            Object.assign(key.body(), { new_passphrase: np.value }));
        } catch (e) {
          const rule = passphraseRule(e);
          if (rule) fail(npField, np, rule);
          throw e;
        }
        const box = progressBox(T('ui-changing-passphrase'), 'rekey-progress');
        progressSlot.replaceChildren(box);
        const job = await followJob(res.job_id, box.update);
        if (job.state !== 'done') {
          const e = jobError(job);
          progressSlot.replaceChildren();
          if (e.kind === 'wrong_key') {
            key.wrong();
            throw notAccepted();
          }
          throw e;
        }
        key.clear();
        np.value = '';
        np2.value = '';
      },
    }).then((ok) => {
      key.clear();
      np.value = '';
      np2.value = '';
      if (ok) {
        showBanner('success', T('ui-passphrase-changed'), T('ui-passphrase-changed-text', { label: b.label }),
          { testid: 'banner-rekeyed' });
      }
      return ok;
    });
  }

  const rowNames = () => ({ patients: T('ui-rows-patients'), visits: T('ui-rows-visits'),
    immunizations: T('ui-rows-immunizations'), outbox: T('ui-rows-outbox'), sync_log: T('ui-rows-sync-log'),
    users: T('ui-rows-users'), stock: T('ui-rows-stock'), sessions: T('ui-rows-sessions') });

  function contentsSummary(c) {
    const rows = c.rows || {};
    const facts = h('dl', { class: 'facts', testid: 'contents' });
    const fact = (k, val, testid) => facts.append(h('dt', {}, k), h('dd', { testid }, val));
    const names = rowNames();
    const order = Object.keys(names);
    const rank = (t) => (order.indexOf(t) < 0 ? order.length : order.indexOf(t));
    const sorted = Object.entries(rows).sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
    for (const [t, n] of sorted) fact(names[t] || t, num(n), `contents-${slug(t)}`);
    if (c.entries != null) fact(T('ui-files'), String(c.entries), 'contents-entries');
    if (c.data_bytes != null) fact(T('ui-clinic-data'), humanSize(c.data_bytes), 'contents-data-bytes');
    const st = c.settings || {};
    if (st.realm) fact(T('ui-realm'), st.realm, 'contents-realm');
    if (st.sync_endpoint) fact(T('ui-sync-endpoint'), st.sync_endpoint, 'contents-endpoint');
    return h('div', {}, h('h3', {}, T('ui-contents')), facts);
  }

  // ---------------------------------------------------------------- restore

  async function viewRestoreJob(v, jobId) {
    const label = state.jobLabels[jobId];
    const title = h('h1', {}, label ? T('ui-restoring-label', { label }) : T('ui-restoring-a-backup'));
    const box = progressBox(T('ui-restoring'), 'restore-progress');
    const slot = h('div', { id: 'restore-result' });
    const keepOpen = h('p', { class: 'hint', testid: 'restore-keep-open' },
      T('ui-restore-keep-open'));
    add(v, title, keepOpen, box, slot);
    const job = await followJob(jobId, box.update);
    keepOpen.hidden = true;
    if (job.state === 'done') {
      const report = job.result || {};
      title.textContent = T('ui-restore-complete');
      slot.replaceChildren(restoreReport(report, label));
      const imported = importReportFor(state.jobBackups[jobId]);
      if (imported) slot.prepend(imported);
      slot.append(h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'button primary', testid: 'restore-done',
          onclick: async () => { await loadSession(); go('#/backups'); } }, T('ui-back-to-explorer')),
        h('a', { class: 'button secondary', href: '#/sync' }, T('ui-open-sync'))));
    } else if (job.error && job.error.kind === 'wrong_key') {
      // Not a failed restore: the key did not open the backup. Back to the
      // passphrase step.
      title.textContent = label ? T('ui-restore-label', { label }) : T('ui-restore-a-backup');
      const b = state.jobBackups[jobId];
      box.hidden = true;
      add(slot, banner('warning', T('ui-passphrase-not-accepted-nothing-changed'),
        b && !b.has_recovery ? WRONG_PASS() : WRONG_KEY(),
        { dismissible: false, testid: 'wrong-key' }),
      h('div', { class: 'button-row' },
        b ? h('button', { type: 'button', class: 'button primary', testid: 'restore-retry',
          onclick: () => restoreDialog(b) }, T('ui-try-again')) : null,
        h('a', { class: 'button secondary', href: '#/backups' }, T('ui-back-to-explorer'))));
    } else {
      title.textContent = T('ui-restore-failed');
      const e = jobError(job);
      // A restore whose checks differ has swapped the data in: say so, with its report.
      const swapped = job.result && Array.isArray(job.result.checks);
      add(slot, banner('error', swapped ? T('ui-restored-differs') : T('ui-nothing-changed'),
        e.message, { advice: e.advice, dismissible: false, testid: 'restore-error' }),
      swapped ? restoreReport(job.result, label) : null,
      h('div', { class: 'button-row' }, h('a', { class: 'button secondary', href: '#/backups' }, T('ui-back-to-explorer'))));
    }
  }

  const CHECK_ORDER = ['patients', 'visits', 'outbox', 'sync log', 'realm', 'sync endpoint', 'endpoint'];

  // The verification page: what came back, against the backup's manifest.
  function restoreReport(report, fallbackLabel) {
    const checks = (report.checks || []).slice();
    const rank = (c) => {
      const i = CHECK_ORDER.indexOf(String(c.name).toLowerCase());
      return i < 0 ? CHECK_ORDER.length : i;
    };
    checks.sort((a, b) => rank(a) - rank(b));
    const allOk = checks.length > 0 && checks.every((c) => c.ok);
    const plan = report.plan || {};
    const sealed = plan.backup || {};
    const label = sealed.label || fallbackLabel || T('ui-the-backup-lower');
    const tbody = h('tbody');
    for (const c of checks) {
      tbody.append(h('tr', { testid: 'check-row', 'data-check': slug(c.name), 'data-ok': String(Boolean(c.ok)) },
        h('th', { scope: 'row', class: 'cell-label', 'data-label': T('ui-col-check') }, checkName(c.name)),
        h('td', { 'data-label': T('ui-col-in-backup'), testid: 'check-expected' }, String(c.expected)),
        h('td', { 'data-label': T('ui-col-restored'), testid: 'check-actual' }, String(c.actual)),
        h('td', { class: 'result', 'data-label': T('ui-col-result'), testid: 'check-result' },
          c.ok ? h('span', { class: 'result-ok' }, icon('check'), T('ui-ok'))
            : h('span', { class: 'result-bad' }, icon('cross'), T('ui-differs')))));
    }
    return h('section', { class: 'card', id: 'restore-report', testid: 'restore-report',
      'data-all-ok': String(allOk), 'aria-labelledby': 'report-h' },
    h('h2', { id: 'report-h' }, T('ui-verify-restore')),
    h('div', { class: allOk ? 'summary-ok' : 'summary-bad', testid: 'report-summary', role: 'status' },
      icon(allOk ? 'check' : 'warning'),
      allOk ? T('ui-all-checks-passed') : T('ui-some-checks-differ')),
    h('p', { testid: 'restored-label' }, T('ui-restored-backup'), h('strong', {}, label),
      sealed.created_at ? ' ' + T('ui-restored-taken', { time: localTime(sealed.created_at) }) : null,
      sealed.id ? h('span', { class: 'backup-id' }, sealed.id) : null),
    report.safety_copy
      ? h('p', { class: 'hint', testid: 'safety-copy' }, T('ui-safety-copy-in'),
        h('span', { class: 'mono' }, report.safety_copy), '. ',
        user() ? h('a', { href: '#/safety-copies', testid: 'safety-copies-link' }, T('ui-see-safety-copies')) : null)
      : null,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'data responsive checks', testid: 'checks-table' },
        h('caption', {}, T('ui-checks-caption')),
        h('thead', {}, h('tr', {}, [T('ui-col-check'), T('ui-col-in-backup'), T('ui-col-restored'), T('ui-col-result')].map((t) => h('th', { scope: 'col' }, t)))),
        tbody)),
    h('p', { class: 'hint' }, T('ui-checks-then')));
  }

  const capital = (s) => { const t = String(s); return t.charAt(0).toUpperCase() + t.slice(1); };

  // A restore check's name (the server's are English words).
  function checkName(name) {
    switch (String(name).toLowerCase()) {
      case 'patients': return T('ui-check-patients');
      case 'visits': return T('ui-check-visits');
      case 'immunizations': return T('ui-check-immunizations');
      case 'outbox': return T('ui-check-outbox');
      case 'sync log': return T('ui-check-sync-log');
      case 'realm': return T('ui-check-realm');
      case 'sync endpoint': return T('ui-check-sync-endpoint');
      case 'endpoint': return T('ui-check-endpoint');
      default: return capital(name);
    }
  }

  // -------------------------------------------------------------- first run

  function viewFirstRun(v) {
    const s = state.session;
    add(v, h('div', { class: 'narrow' },
      h('h1', {}, T('ui-welcome')),
      h('p', {}, T('ui-first-run-intro')),
      h('div', { class: 'choices' },
        h('button', { type: 'button', class: 'big-choice', id: 'choose-restore', testid: 'choose-restore',
          onclick: () => go('#/first-run/restore') },
        h('strong', {}, icon('restore'), T('ui-restore-from-backup')),
        h('span', {}, T('ui-restore-from-backup-hint'))),
        !s.has_users ? h('button', { type: 'button', class: 'big-choice', id: 'choose-fresh', testid: 'choose-fresh',
          onclick: () => go('#/first-run/fresh') },
        h('strong', {}, icon('plus'), T('ui-start-fresh')),
        h('span', {}, T('ui-start-fresh-hint'))) : null)));
    offsiteChoice(v);
  }

  async function viewFirstRunRestore(v) {
    const listSlot = h('div', { id: 'candidates-slot', 'aria-busy': 'true' }, h('p', { class: 'loading' }, T('ui-looking-for-backups')));
    const file = h('input', { type: 'file', id: 'upload-file', testid: 'upload-file', accept: '.bin,application/octet-stream' });
    const uploadInfo = h('div', { id: 'upload-info', 'aria-live': 'polite' });
    const key = keyField('first-run', { passTestid: 'first-run-passphrase', fieldTestid: 'first-run-pass-field',
      recovery: false,
      hint: T('ui-first-run-passphrase-hint') });
    const start = h('button', { type: 'submit', class: 'button primary', id: 'start-restore', testid: 'start-restore', disabled: true },
      icon('restore'), T('ui-restore'));
    const formErr = h('div', { id: 'first-run-error' });
    const progressSlot = h('div', { id: 'first-run-progress' });
    let chosen = null; // {kind: 'path'|'upload', value, backup}

    const choose = (c) => {
      chosen = c;
      start.disabled = !c;
      key.hidden = Boolean(c && c.backup && c.backup.encrypted === false);
      key.setRecovery(Boolean(c && c.backup && c.backup.has_recovery));
      formErr.replaceChildren();
    };

    const form = h('form', { id: 'first-run-form', testid: 'first-run-form', novalidate: true },
      h('section', { class: 'card', 'aria-labelledby': 'cand-h' },
        h('h2', { id: 'cand-h' }, T('ui-candidates-title')),
        h('p', { class: 'hint' }, T('ui-candidates-hint')), listSlot),
      h('section', { class: 'card', 'aria-labelledby': 'up-h' },
        h('h2', { id: 'up-h' }, T('ui-or-choose-file')),
        field(T('ui-backup-file'), file, T('ui-backup-file-hint')),
        uploadInfo),
      h('section', { class: 'card' }, key, formErr, h('div', { class: 'button-row' }, start,
        h('a', { class: 'button secondary', href: '#/first-run' }, T('ui-back')))));
    const crumb = h('a', { class: 'crumb', href: '#/first-run' }, icon('back'), T('ui-welcome'));
    add(v, crumb, h('h1', {}, T('ui-restore-from-backup')), form, progressSlot);

    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      if (!f) return;
      for (const r of listSlot.querySelectorAll('input[type=radio]')) r.checked = false;
      choose(null);
      const box = progressBox(T('ui-copying-file'), 'upload-progress');
      uploadInfo.replaceChildren(box);
      try {
        const res = await upload(f, box.update);
        box.update({ state: 'done' });
        if (res.santedb) { // a SanteDB .bin: "Import and restore"
          const back = () => { file.value = ''; form.hidden = false; crumb.hidden = false; progressSlot.replaceChildren(); };
          uploadInfo.replaceChildren(); form.hidden = true; crumb.hidden = true;
          progressSlot.replaceChildren(santedbImportPanel(v, res, f.name, { firstRun: true, onBack: back }));
          return;
        }
        const b = norm(res.metadata ? { metadata: res.metadata, size: res.size, path: f.name } : res);
        uploadInfo.replaceChildren(h('div', { class: 'banner info', testid: 'upload-done' }, icon('file'),
          h('div', {}, h('p', {}, h('strong', {}, b.label)),
            h('p', {}, b.encrypted
              ? T('ui-upload-info-encrypted', { time: localTime(b.created_at), user: b.created_by, size: humanSize(b.size) })
              : T('ui-upload-info-plain', { time: localTime(b.created_at), user: b.created_by, size: humanSize(b.size) })))));
        choose({ kind: 'upload', value: res.upload_id, backup: b });
      } catch (e) {
        uploadInfo.replaceChildren(banner('error', T('ui-file-unusable'), e.message,
          { advice: e.advice, testid: 'upload-error' }));
      }
    });

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!chosen) return;
      key.setError(null);
      const encrypted = !(chosen.backup && chosen.backup.encrypted === false);
      if (encrypted && key.empty()) {
        key.setError(key.needed());
        key.focus();
        return;
      }
      // With a listed file, the ID the list showed: the server refuses the
      // file if it holds another backup by the time it is restored.
      const body = chosen.kind === 'upload' ? { upload_id: chosen.value } : { path: chosen.value };
      if (chosen.kind !== 'upload' && chosen.backup && chosen.backup.id) body.id = chosen.backup.id;
      if (encrypted) Object.assign(body, key.body());
      start.disabled = true;
      let res;
      try {
        res = await api('POST', '/api/first-run/restore', body);
      } catch (e) {
        start.disabled = false;
        formErr.replaceChildren(banner('error', T('ui-restore-not-started'), e.message,
          { advice: e.advice, testid: 'restore-error' }));
        return;
      }
      key.clear();
      form.hidden = true;
      crumb.hidden = true;
      const box = progressBox(T('ui-restoring'), 'restore-progress');
      progressSlot.replaceChildren(box);
      let job;
      try {
        job = await followJob(res.job_id, box.update);
      } catch (e) {
        job = { state: 'failed', error: { message: e.message, advice: e.advice } };
      }
      if (job.state === 'done') {
        v.querySelector('h1').textContent = T('ui-restore-complete');
        progressSlot.append(restoreReport(job.result || {}, chosen.backup && chosen.backup.label),
          h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'button primary', id: 'continue-login',
            testid: 'continue-login', onclick: async () => { await loadSession(); go('#/login'); } }, T('ui-continue-login'))));
        return;
      }
      const e = jobError(job);
      if (job.result && Array.isArray(job.result.checks)) {
        progressSlot.append(banner('error', T('ui-restored-differs'), e.message,
          { advice: e.advice, dismissible: false, testid: 'restore-error' }),
        restoreReport(job.result, chosen.backup && chosen.backup.label));
        return;
      }
      form.hidden = false;
      crumb.hidden = false;
      start.disabled = false;
      if (e.kind === 'wrong_key') {
        // The key did not open it: back on the passphrase step, to try again.
        progressSlot.replaceChildren();
        formErr.replaceChildren(banner('warning', T('ui-passphrase-not-accepted-nothing-changed'), null,
          { testid: 'wrong-key' }));
        key.wrong();
        return;
      }
      formErr.replaceChildren(banner('error', T('ui-restore-failed-nothing'), e.message,
        { advice: e.advice, testid: 'restore-error' }));
    });

    let list;
    try {
      list = await api('GET', '/api/first-run/candidates');
    } catch (e) {
      listSlot.replaceChildren(banner('error', T('ui-backups-not-listed'), e.message, { advice: e.advice }));
      return;
    }
    const backups = (list.backups || []).map(norm);
    listSlot.removeAttribute('aria-busy');
    if (!backups.length) {
      listSlot.replaceChildren(h('p', { testid: 'no-candidates' },
        T('ui-no-candidates')));
      return;
    }
    listSlot.replaceChildren(h('fieldset', { testid: 'candidates' },
      h('legend', { class: 'visually-hidden' }, T('ui-backup-to-restore')),
      backups.map((b, i) => {
        const r = h('input', { type: 'radio', name: 'candidate', id: `candidate-${i}`, value: b.path,
          testid: 'candidate', disabled: b.status !== 'ok' });
        r.addEventListener('change', () => { file.value = ''; uploadInfo.replaceChildren(); choose({ kind: 'path', value: b.path, backup: b }); });
        return h('label', { class: 'choice', for: r.id }, r, h('span', {},
          h('strong', {}, b.label),
          h('span', { class: 'hint' }, b.status === 'ok'
            ? `${localTime(b.created_at)} · ${b.location} · ${humanSize(b.size)} · ${b.encrypted ? T('ui-encrypted') : T('ui-not-encrypted')}`
            : T('ui-candidate-damaged', { problem: b.problem || T('ui-cannot-be-read') })),
          b.raw.found_in ? h('span', { class: 'hint', testid: 'candidate-found-in' }, T('ui-found-in', { place: b.raw.found_in })) : null,
          h('span', { class: 'backup-id' }, fileName(b.path))));
      })));
  }

  // ------------------------------------------ restore from offsite (first run)

  function offsiteChoice(v) {
    const choices = v.querySelector('.choices');
    if (!choices) return;
    const restore = choices.querySelector('#choose-restore');
    const b = h('button', { type: 'button', class: 'big-choice', id: 'choose-offsite', testid: 'choose-offsite',
      onclick: () => go('#/first-run/offsite') },
    h('strong', {}, icon('upload'), T('ui-restore-from-offsite')),
    h('span', {}, T('ui-restore-from-offsite-hint')));
    if (restore) restore.after(b); else choices.append(b);
  }

  // The credentials stay in this form (the page's memory) and go with each
  // request; they are saved on the tablet only when the box is ticked.
  function viewFirstRunOffsite(v) {
    const input = (id, type, auto) => h('input', { type: type || 'text', id, testid: id, autocomplete: auto || 'off',
      autocapitalize: 'off', spellcheck: 'false' });
    const endpoint = input('offsite-endpoint');
    endpoint.setAttribute('inputmode', 'url');
    const bucket = input('offsite-bucket');
    const region = input('offsite-region');
    const prefix = input('offsite-prefix');
    const access = input('offsite-access-key');
    const secret = input('offsite-secret-key', 'password', 'new-password');
    const save = h('input', { type: 'checkbox', id: 'offsite-save', testid: 'offsite-save' });
    const err = h('div', { id: 'offsite-error' });
    const listSlot = h('div', { id: 'offsite-list' });
    const progressSlot = h('div', { id: 'offsite-progress' });
    const listBtn = h('button', { type: 'submit', class: 'button primary', testid: 'offsite-list-submit' },
      T('ui-list-backups'));
    const body = () => ({
      endpoint: endpoint.value.trim(), bucket: bucket.value.trim(), region: region.value.trim() || undefined,
      prefix: prefix.value.trim(), access_key: access.value.trim(), secret_key: secret.value, save: save.checked,
    });
    const form = h('form', { id: 'offsite-form', testid: 'offsite-form', novalidate: true },
      h('section', { class: 'card', 'aria-labelledby': 'offsite-store-h' },
        h('h2', { id: 'offsite-store-h' }, T('ui-offsite-where')),
        field(T('ui-endpoint'), endpoint, T('ui-endpoint-hint')),
        field(T('ui-bucket'), bucket, null),
        field(T('ui-region'), region, T('ui-region-hint')),
        field(T('ui-prefix'), prefix, T('ui-prefix-hint')),
        field(T('ui-access-key'), access, null),
        field(T('ui-secret-key'), secret, T('ui-secret-key-hint')),
        h('label', { class: 'choice', for: 'offsite-save' }, save,
          h('span', {}, T('ui-offsite-save'))),
        err, h('div', { class: 'button-row' }, listBtn,
          h('a', { class: 'button secondary', href: '#/first-run' }, T('ui-back')))),
      listSlot);
    add(v, h('a', { class: 'crumb', href: '#/first-run' }, icon('back'), T('ui-welcome')),
      h('h1', {}, T('ui-restore-from-offsite')), form, progressSlot);

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.replaceChildren();
      listSlot.replaceChildren();
      listBtn.disabled = true;
      let res;
      try {
        res = await api('POST', '/api/first-run/offsite/list', body());
      } catch (e) {
        err.replaceChildren(banner('error', T('ui-offsite-not-listed'), e.message,
          { advice: e.advice, testid: 'offsite-error-banner' }));
        return;
      } finally {
        listBtn.disabled = false;
      }
      const backups = res.backups || [];
      if (!backups.length) {
        listSlot.replaceChildren(h('p', { testid: 'offsite-none' }, T('ui-offsite-none')));
        return;
      }
      listSlot.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'offsite-list-h' },
        h('h2', { id: 'offsite-list-h' }, T('ui-offsite-backups-under', { prefix: res.prefix })),
        backups.map((b) => h('div', { class: 'choice', testid: 'offsite-backup', 'data-id': b.id || b.name },
          h('span', {}, h('strong', {}, b.label || b.name),
            h('span', { class: 'hint' }, `${b.created_at ? localTime(b.created_at) : T('ui-no-details')} · ${humanSize(b.size)}`),
            h('span', { class: 'backup-id' }, b.name)),
          h('button', { type: 'button', class: 'button secondary', testid: 'offsite-download',
            disabled: b.sidecar ? null : 'disabled', onclick: () => downloadOffsite(b, body(), form, progressSlot) },
          T('ui-download-and-check'))))));
    });
  }

  async function downloadOffsite(b, store, form, progressSlot) {
    form.hidden = true;
    const box = progressBox(T('ui-downloading'), 'offsite-download-progress');
    progressSlot.replaceChildren(box);
    try {
      const res = await api('POST', '/api/first-run/offsite/get', Object.assign({}, store, { id: b.id || b.name }));
      const job = await followJob(res.job_id, box.update);
      if (job.state !== 'done') throw jobError(job);
      go('#/first-run/restore', ['success', T('ui-downloaded'),
        T('ui-downloaded-text', { file: fileName(job.result.path) })]);
    } catch (e) {
      form.hidden = false;
      progressSlot.replaceChildren(banner('error', T('ui-download-not-finished'), e.message,
        { advice: e.advice, testid: 'offsite-download-error' }));
    }
  }

  // Streams the file as the raw request body (XMLHttpRequest, for upload progress).
  function upload(f, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/uploads');
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = (ev) => {
        if (ev.lengthComputable) onProgress({ state: 'running', done_bytes: ev.loaded, total_bytes: ev.total });
      };
      xhr.onload = () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (_) { data = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data || {});
        else reject(new ApiError(xhr.status, data));
      };
      xhr.onerror = () => reject(new ApiError(0, null));
      xhr.send(f);
    });
  }

  function viewStartFresh(v) {
    const name = h('input', { type: 'text', id: 'admin-username', testid: 'admin-username', autocomplete: 'username',
      autocapitalize: 'off', spellcheck: 'false' });
    const pw = h('input', { type: 'password', id: 'admin-password', testid: 'admin-password', autocomplete: 'new-password' });
    const pw2 = h('input', { type: 'password', id: 'admin-password-confirm', testid: 'admin-password-confirm',
      autocomplete: 'new-password' });
    const nameField = field(T('ui-username'), name, null);
    const pwField = field(T('ui-password'), pw, T('ui-password-hint'), { after: strengthMeter(pw) });
    const pw2Field = field(T('ui-password-confirm'), pw2, null);
    const err = h('div');
    const submit = h('button', { type: 'submit', class: 'button primary', testid: 'create-admin' }, T('ui-create-account'));
    const form = h('form', { id: 'fresh-form', novalidate: true }, nameField, pwField, pw2Field, err,
      h('div', { class: 'button-row' }, submit, h('a', { class: 'button secondary', href: '#/first-run' }, T('ui-back'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      [nameField, pwField, pw2Field].forEach((f) => f.setError(null));
      err.replaceChildren();
      if (!name.value.trim()) { nameField.setError(T('ui-choose-username')); name.focus(); return; }
      if (pw.value.length < 8) { pwField.setError(T('ui-password-too-short')); pw.focus(); return; }
      if (pw.value !== pw2.value) { pw2Field.setError(T('ui-passwords-differ')); pw2.focus(); return; }
      submit.disabled = true;
      try {
        await api('POST', '/api/first-run/admin', { username: name.value.trim(), password: pw.value });
        pw.value = '';
        pw2.value = '';
        await loadSession();
        go('#/backups', ['success', T('ui-account-created'), T('ui-account-created-text')]);
      } catch (e) {
        submit.disabled = false;
        err.append(banner('error', T('ui-account-not-created'), e.message, { advice: e.advice }));
      }
    });
    add(v, h('div', { class: 'narrow' }, h('a', { class: 'crumb', href: '#/first-run' }, icon('back'), T('ui-welcome')),
      h('h1', {}, T('ui-start-fresh')),
      h('p', {}, T('ui-start-fresh-intro')),
      h('div', { class: 'card' }, form)));
  }

  // ----------------------------------------------------------- safety copies

  function replacedBy(r) {
    if (!r) return '—';
    if (r.startsWith('return-')) return T('ui-replaced-by-put-back', { name: r.slice(7) });
    return T('ui-replaced-by-restore', { id: r });
  }

  // The clinic data earlier restores replaced: listed for the roles that
  // may restore; put back and removed by a System Administrator.
  async function viewSafetyCopies(v) {
    const slot = h('div', { id: 'safety-slot', 'aria-busy': 'true' },
      h('p', { class: 'loading' }, T('ui-loading-safety-copies')));
    add(v, h('a', { class: 'crumb', href: '#/backups' }, icon('back'), T('ui-app-name')),
      h('h1', {}, T('ui-safety-copies')),
      h('p', { class: 'hint' }, T('ui-safety-intro')), slot);
    const list = await api('GET', '/api/safety-copies');
    const copies = list.safety_copies || [];
    const head = [T('ui-col-kept-at'), T('ui-col-replaced-by'), T('ui-files'), T('ui-col-size'), T('ui-col-actions')];
    const tbody = h('tbody');
    if (!copies.length) {
      tbody.append(h('tr', { testid: 'no-safety-copies' },
        h('td', { class: 'empty', colspan: String(head.length) }, T('ui-no-results'))));
    }
    for (const c of copies) {
      const actions = list.can_manage
        ? h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'action', testid: 'safety-put-back', 'aria-label': T('ui-put-back-label', { name: c.name }),
            onclick: () => putBackDialog(c) }, icon('restore'), h('span', { class: 'action-text' }, T('ui-put-back'))),
          h('button', { type: 'button', class: 'action delete', testid: 'safety-remove', 'aria-label': T('ui-remove-label', { name: c.name }),
            onclick: () => removeCopyDialog(c) }, icon('trash'), h('span', { class: 'action-text' }, T('ui-remove'))))
        : h('span', { class: 'hint', testid: 'safety-admin-only' }, T('ui-safety-admin-only'));
      tbody.append(h('tr', { testid: 'safety-row', 'data-name': c.name },
        h('td', { class: 'cell-label', 'data-label': T('ui-col-kept-at') },
          h('span', { class: 'backup-label' }, c.kept_at ? localTime(c.kept_at) : c.name),
          h('span', { class: 'backup-id' }, c.name)),
        h('td', { 'data-label': T('ui-col-replaced-by'), testid: 'safety-replaced-by' }, replacedBy(c.replaced_by)),
        h('td', { 'data-label': T('ui-files'), class: 'num' }, count(c.files)),
        h('td', { 'data-label': T('ui-col-size'), class: 'num', testid: 'safety-size' }, sizeEl(c.bytes)),
        h('td', { 'data-label': T('ui-col-actions'), testid: 'safety-actions' }, actions)));
    }
    const n = copies.length;
    slot.replaceChildren(
      h('p', { testid: 'safety-total' }, n === 1 ? T('ui-safety-total-one', { size: humanSize(list.total_bytes || 0) })
        : T('ui-safety-total', { count: num(n), size: humanSize(list.total_bytes || 0) })),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data responsive', testid: 'safety-table' },
          h('caption', {}, T('ui-safety-caption')),
          h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null }, t)))),
          tbody)));
    slot.removeAttribute('aria-busy');
  }

  function putBackDialog(c) {
    return confirmDialog({
      title: T('ui-put-back-title'),
      testid: 'put-back-dialog',
      body: [
        h('p', { testid: 'put-back-question' }, T('ui-put-back-question', { time: c.kept_at ? localTime(c.kept_at) : c.name })),
        h('p', { class: 'hint' }, T('ui-put-back-hint')),
      ],
      confirmText: T('ui-put-back'),
      danger: true,
      onConfirm: async () => {
        await api('POST', `/api/safety-copies/${encodeURIComponent(c.name)}/restore`, {});
        await loadSession();
        if (!user()) {
          go('#/login', ['success', T('ui-put-back-done'), T('ui-put-back-login')]);
          return;
        }
        go('#/safety-copies', ['success', T('ui-put-back-done'),
          T('ui-put-back-done-text'), { testid: 'banner-put-back' }]);
      },
    });
  }

  function removeCopyDialog(c) {
    return confirmDialog({
      title: T('ui-remove-copy-title'),
      testid: 'remove-copy-dialog',
      body: [h('p', { testid: 'remove-copy-question' },
        T('ui-remove-copy-question', { time: c.kept_at ? localTime(c.kept_at) : c.name, size: humanSize(c.bytes) }))],
      confirmText: T('ui-remove'),
      danger: true,
      onConfirm: async () => {
        await api('DELETE', `/api/safety-copies/${encodeURIComponent(c.name)}`);
        go('#/safety-copies', ['success', T('ui-copy-removed'), T('ui-copy-removed-text', { size: humanSize(c.bytes) }),
          { testid: 'banner-copy-removed' }]);
      },
    });
  }

  // --------------------------------------------------------- synchronization

  async function viewSync(v) {
    const slot = h('div', { id: 'sync-slot', 'aria-live': 'polite' });
    add(v, h('h1', {}, T('ui-synchronization')), slot);
    const load = async () => {
      let s;
      try {
        s = await api('GET', '/api/sync');
      } catch (e) {
        if (e.status === 403) {
          slot.replaceChildren(banner('warning', T('ui-sync-forbidden'),
            T('ui-sync-forbidden-text'),
            { dismissible: false, testid: 'sync-forbidden' }));
          return false;
        }
        throw e;
      }
      const running = s.state === 'running';
      const log = s.recent_log || [];
      slot.replaceChildren(
        h('section', { class: 'card' },
          h('dl', { class: 'facts' },
            h('dt', {}, T('ui-status')),
            h('dd', {}, h('span', { class: `state ${running ? 'running' : 'idle'}`, testid: 'sync-state' },
              icon('sync'), running ? T('ui-sync-running') : T('ui-sync-idle')),
            running && s.since ? ' ' + T('ui-sync-since', { time: localTime(s.since) }) : null),
            h('dt', {}, T('ui-rows-outbox')),
            h('dd', { testid: 'outbox-pending' }, T('ui-outbox-pending', { count: num(s.outbox_pending || 0) }))),
          running ? h('p', { class: 'hint' }, T('ui-sync-wait-idle')) : null),
        h('section', { 'aria-labelledby': 'log-h' },
          h('h2', { id: 'log-h' }, T('ui-recent-sync-log')),
          h('div', { class: 'table-wrap' },
            h('table', { class: 'data responsive', testid: 'sync-log' },
              h('thead', {}, h('tr', {}, [T('ui-col-started'), T('ui-col-ended'), T('ui-col-sent'), T('ui-col-received'),
                T('ui-col-result')].map((t, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : null }, t)))),
              h('tbody', {}, log.length ? log.map((r) => h('tr', { testid: 'sync-log-row' },
                h('td', { 'data-label': T('ui-col-started') }, timeEl(r.started_at)),
                h('td', { 'data-label': T('ui-col-ended') }, r.ended_at ? timeEl(r.ended_at) : '—'),
                h('td', { 'data-label': T('ui-col-sent'), class: 'num' }, String(r.pushed ?? '—')),
                h('td', { 'data-label': T('ui-col-received'), class: 'num' }, String(r.pulled ?? '—')),
                h('td', { 'data-label': T('ui-col-result') }, syncResult(r.status))))
                : h('tr', {}, h('td', { class: 'empty', colspan: '5' }, T('ui-no-results'))))))));
      return true;
    };
    if (await load()) every(5000, () => load().catch(() => {}));
  }

  function syncResult(status) {
    const st = String(status || '').toLowerCase();
    if (st === 'ok' || st === 'success' || st === 'done') return h('span', { class: 'tag yes' }, icon('check'), T('ui-ok'));
    if (st === 'failed' || st === 'error' || st === 'failure') return h('span', { class: 'tag bad' }, icon('cross'), T('ui-failed'));
    return status ? capital(status) : '—';
  }

  // --------------------------------------------------------- SanteDB import

  // "Import and restore" of a SanteDB .bin (docs/IMPORT.md): on the
  // first-run screen, and for a System Administrator from the Backup
  // Explorer. The SanteDB passphrase (only for an encrypted file), a new
  // passphrase for the carevault backup, then a job: import into a backup
  // on the Private medium and verify it; in a first run, restore it too.
  // Over existing data the new backup is then restored as any backup (the
  // restore dialog, its facts, the safety copy), and the import's report
  // is shown again beside the restore's.

  function importReports() {
    if (!state.importReports) state.importReports = {};
    return state.importReports;
  }

  // The import's report for a restore job's backup, if it was just imported.
  function importReportFor(b) {
    const r = b && importReports()[b.id];
    return r ? importReport(r) : null;
  }

  function isAdministrator(u) {
    return Boolean(u && u.role === 'System Administrator');
  }

  // The Backup Explorer's way in (System Administrator only).
  function santedbImportLink(u) {
    if (!isAdministrator(u)) return null;
    return h('p', { class: 'hint' }, T('ui-santedb-moving'),
      h('a', { href: '#/import', id: 'santedb-import', testid: 'santedb-import' }, T('ui-santedb-import')), '.');
  }

  function viewSantedbImport(v) {
    if (!isAdministrator(user())) return viewNotAllowed(v);
    const file = h('input', { type: 'file', id: 'santedb-file', testid: 'santedb-file',
      accept: '.bin,.sdbk,.bz2,.gz,application/octet-stream' });
    const info = h('div', { id: 'santedb-upload-info', 'aria-live': 'polite' });
    const slot = h('div', { id: 'santedb-slot' });
    add(v, h('a', { class: 'crumb', href: '#/backups' }, icon('back'), T('ui-app-name')),
      h('h1', {}, T('ui-santedb-import')),
      h('p', {}, T('ui-santedb-intro')),
      h('section', { class: 'card' },
        field(T('ui-santedb-file'), file, T('ui-santedb-file-hint')),
        info),
      slot);
    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      if (!f) return;
      slot.replaceChildren();
      const res = await santedbUpload(f, info);
      if (!res) return;
      if (!res.santedb) {
        info.replaceChildren(banner('error', T('ui-not-santedb'), T('ui-is-carevault'),
          { advice: T('ui-is-carevault-advice'), testid: 'upload-error' }));
        return;
      }
      slot.replaceChildren(santedbImportPanel(v, res, f.name, { firstRun: false }));
    });
  }

  // Uploads `f`, with its progress in `info`; the answer, or null after
  // showing why the file cannot be used.
  async function santedbUpload(f, info) {
    const box = progressBox(T('ui-copying-file'), 'upload-progress');
    info.replaceChildren(box);
    try {
      const res = await upload(f, box.update);
      box.update({ state: 'done' });
      info.replaceChildren();
      return res;
    } catch (e) {
      info.replaceChildren(banner('error', T('ui-file-unusable'), e.message,
        { advice: e.advice, testid: 'upload-error' }));
      return null;
    }
  }

  const santedbFailed = () => ({
    wrong_key: T('ui-santedb-failed-wrong-key'),
    truncated: T('ui-santedb-failed-truncated'),
    corrupted: T('ui-santedb-failed-corrupted'),
    not_a_backup: T('ui-santedb-failed-not-a-backup'),
  });

  // The form and the job of "Import and restore" for SanteDB upload `res`.
  function santedbImportPanel(v, res, name, opts) {
    const enc = Boolean(res.santedb && res.santedb.encrypted);
    const oldPass = passInput('santedb-passphrase', 'santedb-passphrase');
    const oldField = enc ? field(T('ui-santedb-passphrase'), oldPass,
      T('ui-santedb-passphrase-hint'), { testid: 'santedb-pass-field' }) : null;
    const newPass = passInput('santedb-new-passphrase', 'santedb-new-passphrase', 'new-password');
    const newPass2 = passInput('santedb-new-passphrase2', 'santedb-new-passphrase2', 'new-password');
    const newField = field(T('ui-santedb-new-passphrase'), newPass,
      T('ui-santedb-new-passphrase-hint'),
      { after: strengthMeter(newPass), testid: 'santedb-new-field' });
    const newField2 = field(T('ui-santedb-new-passphrase-again'), newPass2, null, { testid: 'santedb-new2-field' });
    const err = h('div', { id: 'santedb-error' });
    const start = h('button', { type: 'submit', class: 'button primary', id: 'santedb-start', testid: 'santedb-start' },
      icon('restore'), opts.firstRun ? T('ui-import-and-restore') : T('ui-import-and-check'));
    const progress = h('div', { id: 'santedb-progress-slot' });
    const form = h('form', { id: 'santedb-form', testid: 'santedb-form', novalidate: true },
      h('section', { class: 'card', 'aria-labelledby': 'santedb-h' },
        h('h2', { id: 'santedb-h' }, T('ui-santedb-panel-title')),
        h('p', { testid: 'santedb-file-info' }, h('strong', {}, name), enc
          ? T('ui-santedb-file-info-encrypted', { layout: res.santedb.layout, size: humanSize(res.size) })
          : T('ui-santedb-file-info-plain', { layout: res.santedb.layout, size: humanSize(res.size) })),
        oldField, newField, newField2, err,
        h('div', { class: 'button-row' }, start,
          opts.onBack ? h('button', { type: 'button', class: 'button secondary', onclick: opts.onBack }, T('ui-back')) : null)));
    const clearNew = () => {
      newPass.value = '';
      newPass2.value = '';
      newPass.dispatchEvent(new Event('input')); // the strength hint too
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      for (const f of [oldField, newField, newField2]) if (f) f.setError(null);
      err.replaceChildren();
      if (enc && !oldPass.value) {
        oldField.setError(T('ui-santedb-type-passphrase'));
        oldPass.focus();
        return;
      }
      // Length and strength are the server's (the core's) rule.
      if (!newPass.value) {
        newField.setError(T('ui-type-new-passphrase'));
        newPass.focus();
        return;
      }
      if (newPass.value !== newPass2.value) {
        newField2.setError(T('ui-santedb-new-differ'));
        newPass2.focus();
        return;
      }
      const body = { upload_id: res.upload_id, new_passphrase: newPass.value };
      if (enc) body.santedb_passphrase = oldPass.value;
      start.disabled = true;
      let started;
      try {
        started = await api('POST', opts.firstRun ? '/api/first-run/import' : '/api/imports', body);
      } catch (e) {
        start.disabled = false;
        const rule = passphraseRule(e);
        if (rule) {
          newField.setError(rule);
          newPass.focus();
          return;
        }
        err.replaceChildren(banner('error', T('ui-import-not-started'), e.message,
          { advice: e.advice, testid: 'santedb-failed' }));
        return;
      }
      oldPass.value = '';
      form.hidden = true;
      const box = progressBox(opts.firstRun ? T('ui-importing-checking-restoring') : T('ui-importing-checking'),
        'santedb-progress');
      progress.replaceChildren(box);
      let job;
      try {
        job = await followJob(started.job_id, box.update);
      } catch (e) {
        job = { state: 'failed', error: { message: e.message, advice: e.advice } };
      }
      const r = job.result || {};
      if (job.state !== 'done') {
        const e = jobError(job);
        if (r.restore && Array.isArray(r.restore.checks)) {
          progress.append(banner('error', T('ui-restored-differs'), e.message,
            { advice: e.advice, dismissible: false, testid: 'santedb-failed' }), importReport(r), restoreReport(r.restore));
          return;
        }
        clearNew();
        progress.replaceChildren();
        form.hidden = false;
        start.disabled = false;
        if (e.kind === 'wrong_key' && oldField) {
          oldField.setError(T('ui-santedb-wrong'));
          oldPass.focus();
        }
        err.replaceChildren(banner(e.kind === 'wrong_key' ? 'warning' : 'error',
          santedbFailed()[e.kind] || T('ui-import-failed'), e.message,
          { advice: e.advice, dismissible: false, testid: 'santedb-failed' }));
        return;
      }
      clearNew();
      const title = v.querySelector('h1');
      if (opts.firstRun) {
        if (title) title.textContent = T('ui-import-restore-complete');
        progress.append(importReport(r), restoreReport(r.restore || {}, r.backup && r.backup.label),
          h('p', { class: 'hint' }, T('ui-santedb-first-run-next')),
          h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'button primary', testid: 'santedb-continue',
            onclick: async () => { await loadSession(); go('#/first-run'); } }, T('ui-continue'))));
        return;
      }
      if (title) title.textContent = T('ui-santedb-imported');
      const b = norm(r.backup);
      importReports()[b.id] = r;
      progress.append(importReport(r),
        h('p', {}, T('ui-santedb-imported-next')),
        h('div', { class: 'button-row' },
          h('button', { type: 'button', class: 'button primary', testid: 'santedb-restore',
            onclick: () => restoreDialog(b) }, icon('restore'), T('ui-restore-it-now')),
          h('a', { class: 'button secondary', href: '#/backups' }, T('ui-back-to-explorer'))));
    });
    return h('div', { testid: 'santedb-panel' }, form, progress);
  }


  // What came over: the SanteDB file, every asset (databases with their
  // rows), the warnings (what could not come over), the new backup.
  function importReport(r) {
    const s = r.import || {};
    const b = r.backup || null;
    const tbody = h('tbody');
    for (const a of s.assets || []) {
      const d = a.database;
      const rows = d ? Object.values(d.rows || {}).reduce((x, y) => x + y, 0) : null;
      tbody.append(h('tr', { testid: 'import-asset' },
        h('th', { scope: 'row', class: 'cell-label mono', 'data-label': T('ui-col-path') }, a.path),
        h('td', { 'data-label': T('ui-col-what') }, d ? (Object.keys(d.rows || {}).length === 1
          ? T('ui-asset-database-one', { rows: count(rows) })
          : T('ui-asset-database', { rows: count(rows), tables: count(Object.keys(d.rows || {}).length) }))
          : capital(a.class || a.kind || '')),
        h('td', { 'data-label': T('ui-col-size') }, humanSize(a.size))));
    }
    const warnings = s.warnings || [];
    const made = [s.created_at ? T('ui-import-made', { time: localTime(s.created_at) }) : null,
      s.creator ? T('ui-import-by', { user: s.creator }) : null].filter(Boolean).join(' ');
    return h('section', { class: 'card', id: 'import-report', testid: 'import-report', 'aria-labelledby': 'import-h' },
      h('h2', { id: 'import-h' }, T('ui-import-what-came')),
      h('p', { testid: 'import-source' }, T('ui-import-source', {
        layout: s.layout, encrypted: s.encrypted ? T('ui-encrypted') : T('ui-not-encrypted'), made: made ? `, ${made}` : '',
        assets: (s.assets || []).length, size: humanSize(s.data_bytes || 0) })),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data responsive', testid: 'import-assets' },
          h('caption', {}, T('ui-import-assets-caption')),
          h('thead', {}, h('tr', {}, [T('ui-col-path'), T('ui-col-what'), T('ui-col-size')].map((t) => h('th', { scope: 'col' }, t)))),
          tbody)),
      warnings.length
        ? h('div', { testid: 'import-warnings' }, h('h3', {}, T('ui-import-warnings')),
          h('ul', {}, warnings.map((w) => h('li', {}, sentence(w)))))
        : h('p', { class: 'hint', testid: 'import-no-warnings' }, T('ui-import-no-warnings')),
      b ? h('p', { testid: 'import-backup' }, T('ui-import-saved-as'), h('strong', {}, b.label),
        r.verify ? T('ui-import-saved-where-verified', { medium: b.location, files: count(r.verify.entries) })
          : T('ui-import-saved-where', { medium: b.location }),
      h('span', { class: 'backup-id' }, b.id)) : null);
  }

  // ------------------------------------------------------------------ start

  // A fault in this page's own code: say so instead of failing silently.
  function pageFault() {
    document.body.dataset.pageErrors = String(Number(document.body.dataset.pageErrors || 0) + 1);
    if (!document.querySelector('[data-testid="page-error"]')) {
      showBanner('error', T('ui-page-fault'), T('ui-page-fault-advice'), { testid: 'page-error' });
    }
  }

  async function start() {
    window.addEventListener('error', pageFault);
    window.addEventListener('unhandledrejection', pageFault);
    $('menu-toggle').addEventListener('click', () => {
      const open = !$('sidenav').classList.contains('open');
      $('sidenav').classList.toggle('open', open);
      $('menu-toggle').setAttribute('aria-expanded', String(open));
    });
    $('logout').addEventListener('click', async () => {
      try { await api('POST', '/api/logout', undefined, { allow401: true }); } catch (_) { /* logged out anyway */ }
      await loadSession();
      go('#/login');
    });
    window.addEventListener('hashchange', route);
    let failed = null;
    if (!(await loadStrings())) {
      failed = new ApiError(0, null);
      failed.advice = T('ui-http-unreachable-advice');
    } else {
      try {
        await loadSession();
      } catch (e) {
        failed = e;
      }
    }
    if (failed) {
      state.session = null;
      await route();
      showError(failed, T('ui-unreachable-title'));
      return;
    }
    await route();
  }

  start();
})();
