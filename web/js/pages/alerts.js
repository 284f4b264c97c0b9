// Alerts: firing and recent alerts with acknowledge and resolve, one alert's history and notifications, silences,
// and the definition editor.
import * as api from '../api.js';
import { h, fill, table, pill, time, ago, resourceLink, load, action, toast, tabList } from '../dom.js';
import { session } from '../app.js';
import { go } from '../router.js';

/** Acknowledge (and resolve) buttons of a firing alert, for users who may acknowledge. */
export function acknowledgeButton(alert, done) {
  if (!session.can('acknowledge') || alert.state !== 'firing') return '';
  return h('span', { class: 'row' },
    action(h('button', { class: 'primary', dataset: { alert: alert.id } }, 'Acknowledge'), async () => {
      await api.post(`alerts/${alert.id}/acknowledge`, {}); toast('Acknowledged'); done();
    }),
    action(h('button', {}, 'Resolve'), async () => { await api.post(`alerts/${alert.id}/resolve`, {}); toast('Resolved'); done(); }));
}

export async function alertsPage(main, params, query) {
  const view = query.id ? 'alert' : query.view ?? 'alerts';
  main.append(h('h1', {}, 'Alerts'), tabList('Alert views', [['alerts', 'Alerts'], ['silences', 'Silences'], ['definitions', 'Definitions']], view,
    (name) => go(`#/alerts?view=${name}`)));
  const body = h('div');
  main.append(body);
  const refresh = () => render(body, view, query);
  await refresh();
  // Refreshed every 10 s unless someone is working in it (a focused button or field keeps its focus).
  const timer = setInterval(() => { if (view === 'alerts' && !document.hidden && !body.contains(document.activeElement)) refresh(); }, 10_000);
  return () => clearInterval(timer);
}

async function render(body, view, query) {
  await load(body, async () => {
    if (view === 'alert') return fill(body, await oneAlert(query.id));
    if (view === 'silences') return fill(body, await silences());
    if (view === 'definitions') return fill(body, await definitions(query.name));
    const state = query.state ?? '';
    const alerts = await api.get('alerts', { state: state || undefined, limit: 500 });
    const firing = alerts.filter((a) => a.state === 'firing'), rest = alerts.filter((a) => a.state !== 'firing');
    const columns = [['Alert', (a) => h('a', { href: `#/alerts?id=${a.id}` }, a.definitionName)], ['State', (a) => pill(a.state)],
      ['Severity', (a) => pill(a.severity)], ['Resource', (a) => resourceLink(a.resourceId, a.resourceId)], ['Value', (a) => a.value ?? ''],
      ['Since', (a) => ago(a.startsMs)], ['', (a) => acknowledgeButton(a, () => render(body, view, query))]];
    fill(body, h('section', { class: 'panel' }, h('h2', {}, `Firing (${firing.length})`), table(columns, firing, 'No alert is firing.')),
      h('section', { class: 'panel' }, h('h2', {}, 'Acknowledged, pending and resolved'), table(columns, rest)));
  });
}

async function oneAlert(id) {
  const [alert, history, notifications] = await Promise.all([api.get(`alerts/${encodeURIComponent(id)}`), api.get(`alerts/${encodeURIComponent(id)}/history`), api.get(`alerts/${encodeURIComponent(id)}/notifications`).catch(() => [])]);
  return h('div', {}, h('section', { class: 'panel' }, h('h2', {}, alert.definitionName, ' ', pill(alert.state), ' ', pill(alert.severity)),
    h('dl', { class: 'props' }, h('dt', {}, 'Definition'), h('dd', {}, h('a', { href: `#/alerts?view=definitions&name=${encodeURIComponent(alert.definitionName)}` }, alert.definitionName)),
      h('dt', {}, 'Resource'), h('dd', {}, resourceLink(alert.resourceId, alert.resourceId)), h('dt', {}, 'Value'), h('dd', {}, String(alert.value ?? '')),
      h('dt', {}, 'Since'), h('dd', {}, time(alert.startsMs)), h('dt', {}, 'Labels'), h('dd', {}, h('code', {}, JSON.stringify(alert.labels ?? {})))),
    acknowledgeButton(alert, () => go(`#/alerts?id=${id}&t=${Date.now()}`)),
    alert.resourceId ? h('p', {}, h('a', { href: `#/analysis?view=root-cause&alert=${alert.id}` }, 'Rank the causes of this alert')) : null),
  h('section', { class: 'panel' }, h('h2', {}, 'History'), table([['When', (c) => time(c.timeMs ?? c.atMs)], ['From', (c) => c.from ?? ''], ['To', (c) => pill(c.to ?? c.state ?? '')],
    ['By', (c) => c.by ?? c.actor ?? ''], ['Note', (c) => c.reason ?? c.message ?? '']], history)),
  h('section', { class: 'panel' }, h('h2', {}, 'Notifications'), table([['Target', (n) => n.target ?? n.channel ?? ''], ['State', (n) => pill(n.state ?? '')],
    ['Attempts', (n) => n.attempts ?? ''], ['Last', (n) => time(n.updatedMs ?? n.lastAttemptMs)], ['Error', (n) => n.error ?? '']], notifications, 'No notification.')));
}

async function silences() {
  const list = await api.get('silences');
  const box = h('div', {}, h('section', { class: 'panel' }, h('h2', {}, 'Silences and maintenance windows'),
    table([['Comment', (s) => s.comment], ['Matchers', (s) => h('code', {}, JSON.stringify(s.matchers ?? {}))], ['Resources', (s) => (s.resources ?? []).map((r) => resourceLink(r, r))],
      ['From', (s) => time(s.startsMs)], ['Until', (s) => (s.endsMs ? time(s.endsMs) : 'recurring')], ['By', (s) => s.createdBy],
      ['', (s) => (session.can('acknowledge') ? action(h('button', { class: 'danger' }, 'Delete'), async () => { await api.del(`silences/${s.id}`); toast('Silence deleted'); go('#/alerts?view=silences&t=' + Date.now()); }) : '')]], list, 'No silence.')));
  if (session.can('acknowledge')) {
    const resource = h('input', { name: 'resource', placeholder: 'resource id', required: true, pattern: '[0-9a-f]{16}' }), hours = h('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 2 });
    const comment = h('input', { name: 'comment', required: true, placeholder: 'why' });
    const form = h('form', { class: 'row panel', 'aria-label': 'New silence' }, h('label', {}, 'Resource (and below)', resource), h('label', {}, 'Hours', hours), h('label', {}, 'Comment', comment),
      h('button', { type: 'submit', class: 'primary' }, 'Silence'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api.post('silences', { resources: [resource.value.trim()], endsMs: Date.now() + Number(hours.value) * 3600_000, comment: comment.value });
        toast('Silence created'); go('#/alerts?view=silences&t=' + Date.now());
      } catch (error) { toast(error.message, true); }
    });
    box.append(form);
  }
  return box;
}

async function definitions(selected) {
  const list = await api.get('alert-definitions');
  const editor = h('textarea', { 'aria-label': 'Definition as JSON', spellcheck: 'false', readonly: !session.can('manage') });
  const current = list.find((d) => d.name === selected);
  const template = { name: 'high-cpu', description: 'CPU busy', scope: { kind: 'platform' }, condition: { type: 'threshold', metric: 'load_average_1m', op: '>', threshold: 8 }, severity: 'warning', for: '5m' };
  editor.value = JSON.stringify(current ? strip(current) : template, null, 2);
  const box = h('div', { class: 'grid' }, h('section', { class: 'panel' }, h('h2', {}, 'Definitions'),
    table([['Name', (d) => h('a', { href: `#/alerts?view=definitions&name=${encodeURIComponent(d.name)}` }, d.name)], ['Severity', (d) => pill(d.severity ?? '')],
      ['Origin', (d) => d.origin ?? ''], ['Updated', (d) => ago(d.updatedMs)]], list, 'No definition.')),
  h('section', { class: 'panel' }, h('h2', {}, !session.can('manage') ? `Definition ${current?.name ?? ''}` : current ? `Edit ${current.name}` : 'New definition'), h('p', { class: 'muted' }, 'The JSON of docs/alerting.md; saving replaces a definition of the same name.'), editor));
  if (session.can('manage')) {
    box.lastChild.append(h('div', { class: 'row' },
      action(h('button', { class: 'primary' }, 'Save'), async () => { const body = JSON.parse(editor.value); await api.post('alert-definitions', body); toast(`Saved ${body.name}`); go(`#/alerts?view=definitions&name=${encodeURIComponent(body.name)}&t=${Date.now()}`); }),
      current ? action(h('button', { class: 'danger' }, 'Delete'), async () => { await api.del(`alert-definitions/${current.id}`); toast('Deleted'); go('#/alerts?view=definitions'); }) : null));
  }
  return box;
}

function strip(definition) {
  const copy = { ...definition };
  for (const key of ['id', 'origin', 'updatedMs']) delete copy[key];
  return copy;
}
