// Events search: severity, subtree, kind, words and time, newest first, with live additions while the range ends now.
import * as api from '../api.js';
import { h, fill, table, pill, time, resourceLink, load } from '../dom.js';
import { go } from '../router.js';

export async function eventsPage(main, params, query) {
  const field = (name, attributes) => h('input', { name, value: query[name] ?? '', ...attributes });
  const severity = h('select', { name: 'severity' }, ['', 'info', 'warning', 'critical'].map((s) => h('option', { value: s, selected: s === (query.severity ?? '') }, s || 'any')));
  const inputs = { q: field('q', { type: 'search', placeholder: 'words' }), subtree: field('subtree', { placeholder: 'resource id' }),
    kind: field('kind', { placeholder: 'e.g. config-change' }), since: field('since', { placeholder: '24h, RFC 3339 or ms' }), until: field('until', { placeholder: 'now, 1h, RFC 3339 or ms' }) };
  const form = h('form', { class: 'row', role: 'search', 'aria-label': 'Search events' }, h('label', {}, 'Words', inputs.q), h('label', {}, 'Severity', severity),
    h('label', {}, 'Below resource', inputs.subtree), h('label', {}, 'Kind', inputs.kind), h('label', {}, 'Since', inputs.since), h('label', {}, 'Until', inputs.until),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value.trim()]));
    values.severity = severity.value;
    go('#/events?' + new URLSearchParams(Object.entries(values).filter(([, v]) => v)));
  });
  const results = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', {}, 'Events'), form, results);
  const filters = { q: query.q, severity: query.severity, resource: query.subtree, subtree: query.subtree ? 'true' : undefined, kind: query.kind };
  await load(results, async () => {
    const events = await api.get('events', { ...filters, since: query.since || undefined, until: query.until || undefined, limit: 500 });
    const columns = [['Time', (e) => time(e.timeMs)], ['Severity', (e) => pill(e.severity)], ['Kind', (e) => e.kind],
      ['Resource', (e) => resourceLink(e.resourceId, e.resourceId)], ['Message', (e) => e.message]];
    fill(results, h('p', { class: 'muted' }, `${events.length} events${events.length === 500 ? ' (the newest 500)' : ''}`), table(columns, events, 'No event matches.'));
  });
  if (query.until) return undefined;
  // New events arrive live at the top.
  return api.stream('events/stream', { ...filters, seconds: 300 }, {
    event: (e) => {
      const body = results.querySelector('tbody');
      if (body) body.prepend(h('tr', {}, h('td', {}, time(e.timeMs)), h('td', {}, pill(e.severity)), h('td', {}, e.kind), h('td', {}, resourceLink(e.resourceId, e.resourceId)), h('td', {}, e.message)));
    },
  });
}
