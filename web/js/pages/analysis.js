// Capacity and cost: capacity forecasts, leaks, chargeback (with CSV download), licensing and root-cause ranking.
import * as api from '../api.js';
import { h, fill, table, time, number, resourceLink, load, pill } from '../dom.js';
import { go } from '../router.js';

const views = [['capacity', 'Capacity'], ['leaks', 'Leaks'], ['chargeback', 'Chargeback'], ['licensing', 'Licensing'], ['root-cause', 'Root cause']];

export async function analysisPage(main, params, query) {
  const view = query.view ?? 'capacity';
  main.append(h('h1', {}, 'Capacity & cost'), h('div', { class: 'tabs', role: 'tablist' },
    views.map(([name, title]) => h('button', { role: 'tab', 'aria-selected': String(name === view), onclick: () => go(`#/analysis?view=${name}`) }, title))));
  const body = h('div', { 'aria-live': 'polite' });
  main.append(body);
  body.append(h('p', { class: 'muted' }, 'Working it out…'));
  await load(body, async () => {
    if (view === 'leaks') return leaks(body);
    if (view === 'chargeback') return chargeback(body, query);
    if (view === 'licensing') return licensing(body);
    if (view === 'root-cause') return rootCause(body, query);
    return capacity(body);
  });
}

const days = (ms) => (ms === null || ms === undefined ? 'not within the horizon' : `${(ms / 86400_000).toFixed(1)} days`);

async function capacity(body) {
  const data = await api.get('analysis/capacity', { from: '30d', limit: 100 });
  const items = data.capacities ?? data.forecasts ?? data ?? [];
  fill(body, h('p', { class: 'muted' }, 'Each capacity with the time left until it is full, from the last 30 days (docs/analysis.md).'),
    table([['Resource', (c) => resourceLink(c.resourceId, c.resourceName ?? c.resourceId)], ['Capacity', (c) => c.metric ?? c.name ?? ''],
      ['Used', (c) => number(c.current ?? c.used, c.unit ?? (String(c.metric).includes('bytes') ? 'bytes' : ''))], ['Limit', (c) => number(c.limit ?? c.capacity, String(c.metric).includes('bytes') ? 'bytes' : '')],
      ['Full in', (c) => days(c.timeToFullMs ?? c.fullInMs)], ['Model', (c) => c.model ?? '']], Array.isArray(items) ? items : [], 'Not enough history yet to forecast.'));
}

async function leaks(body) {
  const data = await api.get('analysis/leaks', { from: '7d' });
  const items = data.leaks ?? data ?? [];
  fill(body, table([['Resource', (l) => resourceLink(l.resourceId, l.resourceName ?? l.resourceId)], ['Series', (l) => l.metric ?? ''],
    ['Growth per day', (l) => number(l.growthPerDay ?? l.slopePerDay, 'bytes')], ['Credited to', (l) => (l.attribution ?? l.attributedTo)?.name ?? (l.attribution ?? l.attributedTo)?.resourceId ?? ''],
    ['Full in', (l) => days(l.timeToMaximumMs ?? l.timeToFullMs)]], Array.isArray(items) ? items : [], 'No leak found in the last 7 days.'));
}

async function chargeback(body, query) {
  const from = query.from ?? '30d';
  const data = await api.get('analysis/chargeback', { from });
  const rows = data.rows ?? data.items ?? data.vms ?? [];
  const csv = api.url('analysis/chargeback', { from, format: 'csv' });
  fill(body, h('div', { class: 'row' }, h('a', { class: 'button primary', href: csv, download: 'chargeback.csv' }, 'Download CSV'),
    h('span', { class: 'muted' }, `Period: last ${from}; prices from DATA/ratecard.yml.`)),
  table(Object.keys(rows[0] ?? {}).filter((k) => typeof rows[0][k] !== 'object').slice(0, 10).map((key) => [key, (row) => (typeof row[key] === 'number' ? number(row[key]) : String(row[key] ?? ''))]),
    rows, 'No VM or container ran in the period.'),
  data.total !== undefined ? h('p', {}, h('strong', {}, `Total: ${number(data.total)}`)) : null);
}

async function licensing(body) {
  const data = await api.get('analysis/licensing', { from: '30d' });
  const rows = data.types ?? data.servers ?? data ?? [];
  fill(body, h('p', { class: 'muted' }, 'Peak concurrently running servers per type over 30 days.'),
    table(Object.keys((Array.isArray(rows) ? rows : [])[0] ?? {}).filter((k) => typeof rows[0][k] !== 'object').map((key) => [key, (row) => String(row[key] ?? '')]), Array.isArray(rows) ? rows : [], 'No server ran.'));
}

async function rootCause(body, query) {
  const resource = h('input', { name: 'resource', value: query.resource ?? '', placeholder: 'resource id' });
  const metric = h('input', { name: 'metric', value: query.metric ?? '', placeholder: 'e.g. cpu_seconds_total' });
  const from = h('input', { name: 'from', value: query.from ?? '6h' });
  const form = h('form', { class: 'row', 'aria-label': 'Root cause' }, h('label', {}, 'Resource', resource), h('label', {}, 'Metric', metric), h('label', {}, 'From', from),
    h('button', { type: 'submit', class: 'primary' }, 'Rank causes'));
  form.addEventListener('submit', (event) => { event.preventDefault(); go('#/analysis?' + new URLSearchParams({ view: 'root-cause', resource: resource.value, metric: metric.value, from: from.value })); });
  const out = h('div');
  fill(body, form, out);
  if (!query.alert && !(query.resource && query.metric)) { out.append(h('p', { class: 'muted' }, 'Name a resource and a metric that misbehaves, or open an alert and follow its link.')); return; }
  const report = await api.get('analysis/root-cause', query.alert ? { alert: query.alert } : { resource: query.resource, metric: query.metric, from: query.from || '6h' });
  const findings = report.findings ?? report.causes ?? [];
  fill(out, table([['#', (f) => String(findings.indexOf(f) + 1)], ['Cause', (f) => resourceLink(f.resourceId, f.resourceName ?? f.resourceId)], ['Signal', (f) => f.metric ?? f.signal ?? ''],
    ['Score', (f) => (typeof f.score === 'number' ? f.score.toFixed(2) : '')], ['Why', (f) => f.explanation ?? f.sentence ?? ''], ['Do', (f) => f.recommendation ?? '']], findings, 'No candidate stood out.'));
}
