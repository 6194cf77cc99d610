// The fleet page of `carevault fleet serve` (docs/FLEET.md): the report of
// GET /api/fleet, devices at risk first. Everything in the report comes
// from the bucket and is hostile: it is only ever set as textContent.
'use strict';
(function () {
  let S = {};
  const T = (id, args) => {
    let s = S[id] || id;
    for (const [k, v] of Object.entries(args || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  };
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  let token = sessionStorage.getItem('fleet-token') || '';

  async function api(method, path) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const res = await fetch(path, { method, headers, credentials: 'same-origin' });
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    return { status: res.status, body };
  }

  function banner(kind, message, advice) {
    const b = $('banners');
    b.replaceChildren();
    if (!message) return;
    const d = el('div', undefined, 'banner ' + kind);
    d.setAttribute('data-testid', 'banner');
    d.append(el('p', message));
    if (advice) d.append(el('p', advice));
    b.append(d);
  }

  function failed(r) {
    const e = r.body && r.body.error;
    if (r.status === 401) {
      $('token-form').hidden = false;
      $('report').hidden = true;
    }
    banner('error', e ? e.message : T('ui-fleet-failed', { status: r.status }), e ? e.advice : '');
  }

  const dash = (v) => (v === null || v === undefined || v === '' ? '-' : String(v));
  const size = (n) => {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
  };

  const anchor = (status) => ({
    ok: T('ui-fleet-anchor-ok'),
    none: T('ui-fleet-anchor-none'),
    backwards: T('ui-fleet-anchor-backwards'),
  })[status] || '-';

  function render(doc) {
    banner('', '');
    $('token-form').hidden = true;
    $('report').hidden = false;
    const devices = doc.devices.slice();
    // At risk first (the most reasons first), then by facility and device.
    devices.sort((a, b) => (b.at_risk.length > 0) - (a.at_risk.length > 0)
      || b.at_risk.length - a.at_risk.length
      || a.facility.localeCompare(b.facility) || a.device.localeCompare(b.device));
    $('summary').textContent = T('ui-fleet-summary', {
      store: doc.store, devices: devices.length, days: doc.policy_days,
    });
    $('refreshed').textContent = T('ui-fleet-refreshed', {
      time: doc.refreshed_at, listed: doc.refresh.listed, read: doc.refresh.read,
    });
    const risky = devices.filter((d) => d.at_risk.length > 0);
    $('risk-card').className = 'card banner ' + (risky.length ? 'error' : 'success');
    $('risk-title').textContent = risky.length
      ? T('ui-fleet-at-risk', { count: risky.length })
      : T('ui-fleet-none-at-risk', { days: doc.policy_days });
    const list = $('risk-list');
    list.replaceChildren();
    for (const d of risky) {
      const li = el('li');
      li.setAttribute('data-testid', 'risk-item');
      li.append(el('strong', d.facility + '/' + d.device));
      const reasons = el('ul');
      for (const r of d.at_risk) reasons.append(el('li', r));
      li.append(reasons);
      list.append(li);
    }
    const labels = [...document.querySelectorAll('table.fleet thead th')].map((h) => h.textContent);
    const rows = $('rows');
    rows.replaceChildren();
    for (const d of devices) {
      const tr = el('tr');
      tr.setAttribute('data-testid', 'device-row');
      tr.dataset.device = d.facility + '/' + d.device;
      const nb = d.newest_backup;
      const no = d.newest_offsite;
      const trend = d.size_trend_percent === null ? '' : ' (' + (d.size_trend_percent > 0 ? '+' : '') + d.size_trend_percent + '%)';
      const cells = [
        d.facility + '/' + d.device,
        d.at_risk.length ? T('ui-fleet-state-risk') : T('ui-fleet-state-ok'),
        String(d.backups),
        nb ? nb.made + ' · ' + nb.id : '-',
        nb ? size(nb.size) + trend : '-',
        no ? T('ui-fleet-offsite-age', { time: no.uploaded, days: no.age_days }) : '-',
        dash(d.last_verified),
        anchor(d.audit_anchor.status),
      ];
      cells.forEach((c, i) => {
        const td = el(i === 0 ? 'th' : 'td', c, [2, 4].includes(i) ? 'num' : '');
        if (i === 0) td.scope = 'row'; else td.dataset.label = labels[i] || '';
        if (i === 1) td.className = d.at_risk.length ? 'state-risk' : 'state-ok';
        tr.append(td);
      });
      rows.append(tr);
    }
    const probs = doc.problems || [];
    const more = Number(doc.problems_not_listed) || 0;
    $('problems-card').hidden = probs.length + more === 0;
    $('problems-title').textContent = T('ui-fleet-problems', { count: probs.length + more });
    const pl = $('problems-list');
    pl.replaceChildren();
    for (const p of probs) pl.append(el('li', p.key + ': ' + p.message));
    if (more > 0) pl.append(el('li', T('ui-fleet-problems-more', { count: more })));
    document.body.dataset.generation = String(doc.generation);
  }

  async function load() {
    const r = await api('GET', '/api/fleet');
    if (r.status === 200 && r.body) render(r.body); else failed(r);
  }

  async function refresh() {
    const b = $('refresh');
    b.disabled = true;
    $('refreshed').textContent = T('ui-fleet-refreshing');
    try {
      const r = await api('POST', '/api/fleet/refresh');
      if (r.status === 200 && r.body) render(r.body); else failed(r);
    } finally {
      b.disabled = false;
    }
  }

  async function start() {
    try {
      const r = await fetch('/api/fleet/strings', { headers: { Accept: 'application/json' } });
      const body = await r.json();
      S = body.strings || {};
      document.documentElement.lang = body.lang || 'en';
    } catch (_) { S = {}; }
    for (const e of document.querySelectorAll('[data-i18n]')) {
      const id = e.getAttribute('data-i18n');
      if (S[id]) e.textContent = S[id];
    }
    $('refresh').addEventListener('click', refresh);
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      token = $('token').value.trim();
      sessionStorage.setItem('fleet-token', token);
      load();
    });
    await load();
    document.body.dataset.ready = 'true';
  }
  start();
})();
