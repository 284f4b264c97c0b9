// Capacity and cost: capacity forecasts, leaks, chargeback (with CSV download), licensing and root-cause ranking.
import * as api from '../api.js';
import { h, fill, table, time, number, resourceLink, load, pill, tabList } from '../dom.js';
import { go } from '../router.js';

const views = [['capacity', 'Capacity'], ['leaks', 'Leaks'], ['chargeback', 'Chargeback'], ['licensing', 'Licensing'], ['root-cause', 'Root cause']];

export async function analysisPage(main, params, query) {
  const view = query.view ?? 'capacity';
  main.append(h('h1', {}, 'Capacity & cost'), tabList('Analyses', views, view, (name) => go(`#/analysis?view=${name}`)));
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

const until = (ms) => (ms === null || ms === undefined ? 'not within a year' : ms <= Date.now() ? 'already' : `${((ms - Date.now()) / 86400_000).toFixed(1)} days`);
const unitOf = (metric) => (/bytes/.test(metric ?? '') ? 'bytes' : '');

async function capacity(body) {
  const items = await api.get('analysis/capacity', { from: '30d', limit: 100 });
  fill(body, h('p', { class: 'muted' }, 'Each capacity with the time left until it is full, forecast from the last 30 days with its band (docs/analysis.md).'),
    table([['Resource', (c) => resourceLink(c.resourceId, c.resourceName)], ['Kind', (c) => c.resourceKind], ['Capacity', (c) => c.metric],
      ['Used', (c) => number(c.current, unitOf(c.metric))], ['Limit', (c) => number(c.limit, unitOf(c.metric))],
      ['Full in', (c) => (c.reason ? h('span', { class: 'muted' }, c.reason) : until(c.crossingMs))],
      ['Band', (c) => (c.earliestMs || c.latestMs ? `${until(c.earliestMs)} – ${until(c.latestMs)}` : '')], ['Model', (c) => c.model ?? '']],
    items ?? [], 'No capacity to forecast yet.'));
}

async function leaks(body) {
  const items = await api.get('analysis/leaks', { from: '7d' });
  fill(body, h('p', { class: 'muted' }, 'Memory that grows steadily over the last 7 days, credited to the workload it follows.'),
    table([['Resource', (l) => resourceLink(l.resourceId, l.resourceName)], ['Series', (l) => l.metric],
      ['Growth per day', (l) => number((l.slopePerHour ?? 0) * 24, unitOf(l.metric))], ['Limit', (l) => number(l.limit, unitOf(l.metric))],
      ['Full in', (l) => until(l.exhaustionMs)],
      ['Credited to', (l) => (l.attributedTo ? [resourceLink(l.attributedTo.resourceId, l.attributedTo.resourceName), ` (${l.attributedTo.metric}, r = ${l.attributedTo.correlation.toFixed(2)})`] : '')]],
    items ?? [], 'No leak found in the last 7 days.'));
}

async function chargeback(body, query) {
  const from = query.from ?? '30d';
  const data = await api.get('analysis/chargeback', { from });
  const report = data.report ?? {};
  const csv = api.url('analysis/chargeback', { from, format: 'csv' });
  const money = (value) => `${(value ?? 0).toFixed(2)} ${report.currency ?? ''}`;
  const lines = (list) => table([['Name', (l) => (l.scope === 'vm' ? resourceLink(l.key, l.name) : l.name)], ['vCPU h', (l) => number(l.quantities?.vcpuHours)],
    ['Memory GB h', (l) => number(l.quantities?.memoryGBHours)], ['Storage GB d', (l) => number(l.quantities?.storageGBDays)],
    ['Network GB', (l) => number(l.quantities?.networkGB)], ['Cost', (l) => money(l.cost)]], list ?? [], 'Nothing ran in the period.');
  fill(body, h('div', { class: 'row' }, h('a', { class: 'button primary', href: csv, download: 'chargeback.csv' }, 'Download CSV'),
    h('span', { class: 'muted' }, `Last ${from}, priced by ${data.rateCard ?? 'the rate card'}. Total: ${money(report.total?.cost)}`)),
  h('h2', {}, 'Per VM'), lines(report.vms), h('h2', {}, 'Per group'), lines(report.groups), h('h2', {}, 'Per application'), lines(report.applications));
}

async function licensing(body) {
  const data = await api.get('analysis/licensing', { from: '30d' });
  const peaks = (list, linked = true) => table([['Scope', (p) => (linked ? resourceLink(p.scope, p.scopeName ?? p.scope) : 'everywhere')], ['Server type', (p) => p.type],
    ['Peak at once', (p) => String(p.peak)], ['When', (p) => time(p.at)], ['Distinct', (p) => String(p.distinct)]], list ?? [], 'No server ran.');
  fill(body, h('p', { class: 'muted' }, 'Peak concurrently running servers per type over 30 days, overall, per host (following VM placements) and per VM.'),
    h('h2', {}, 'Overall'), peaks(data.overall, false), h('h2', {}, 'Per host'), peaks(data.hosts), h('h2', {}, 'Per VM'), peaks(data.vms));
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
  const findings = report.findings ?? [];
  fill(out, report.recommendation ? h('p', {}, h('strong', {}, 'Recommendation: '), report.recommendation) : null,
    table([['#', (f) => String(findings.indexOf(f) + 1)], ['Cause', (f) => resourceLink(f.resourceId, f.resourceName)], ['Kind', (f) => f.resourceKind],
      ['Where', (f) => `${f.relation} (${f.distance})`], ['Score', (f) => f.score.toFixed(2)],
      ['Why', (f) => [f.explanation, h('ul', {}, (f.evidence ?? []).map((e) => h('li', { class: 'muted' }, e.sentence)))]]], findings, 'No candidate stood out.'),
    report.echoes?.length ? h('p', { class: 'muted' }, 'Echoes of the symptom (listed apart): ', report.echoes.join(', ')) : null,
    h('p', { class: 'muted' }, `${report.resourcesConsidered ?? 0} resources considered.`));
}
