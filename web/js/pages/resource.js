// A resource's page: properties, parents and children, live charts, the cross-layer stack, events, configuration
// versions with diffs, alerts, control actions and, for VMs, where they ran.
import * as api from '../api.js';
import { h, fill, pill, time, ago, resourceLink, load, tabList } from '../dom.js';
import { go } from '../router.js';
import { ChartSet, metricsOf, rangePicker, ranges } from './metrics.js';
import { stackView } from './stack.js';
import { eventsTab, configsTab, alertsTab, controlTab, placementsTab } from './resource-tabs.js';

export async function resourcePage(main, [id], query) {
  if (!id) { main.append(h('p', { class: 'failed', role: 'alert' }, 'No resource is named in this link.')); return; }
  const detail = await api.get(`resources/${id}`).catch((error) => { main.append(h('p', { class: 'failed', role: 'alert' }, error.message)); return null; });
  if (!detail) return;
  // The detail is the resource's fields beside its parents, children and relations.
  const resource = detail.resource ?? detail;
  detail.resource = resource;
  const tab = query.tab ?? 'overview';
  const tabs = [['overview', 'Overview'], ['metrics', 'Metrics'], ['stack', 'Stack'], ['events', 'Events'], ['configs', 'Configuration'],
    ['alerts', 'Alerts'], ['control', 'Control']];
  if (resource.kind === 'vm') tabs.push(['placements', 'Placement history']);
  const link = (name, extra = {}) => `#/resource/${id}?${new URLSearchParams({ ...query, ...extra, tab: name })}`;
  main.append(
    h('nav', { 'aria-label': 'Where it runs', class: 'muted crumbs' }, detail.parents.flatMap((p) => [resourceLink(p.id, `${p.kind} ${p.name}`), ' › ']), resource.kind),
    h('h1', {}, resource.name, ' ', pill(resource.availability)),
    tabList('Resource views', tabs, tab, (name) => go(link(name))));
  const body = h('section', { role: 'tabpanel', 'aria-labelledby': `tab-${tab}` });
  main.append(body);
  const range = ranges.find(([name]) => name === query.range) ?? ranges[1];
  const zoom = query.from && query.to ? [Number(query.from), Number(query.to)] : null;
  const chooseRange = (name) => go(link(tab, { range: name, from: '', to: '' }));
  const onZoom = (window_) => go(window_ ? link(tab, { from: Math.round(window_[0]), to: Math.round(window_[1]) }) : link(tab, { from: '', to: '' }));
  switch (tab) {
    case 'metrics': return metricsTab(body, resource, range, zoom, chooseRange, onZoom, query, detail.parents.map((p) => p.id));
    case 'stack': return stackView(body, detail, range, zoom, chooseRange, onZoom);
    case 'events': return eventsTab(body, resource);
    case 'configs': return configsTab(body, resource, query);
    case 'alerts': return alertsTab(body, resource);
    case 'control': return controlTab(body, resource, detail.parents);
    case 'placements': return placementsTab(body, resource);
    default: return overviewTab(body, detail);
  }
}

function overviewTab(body, detail) {
  const r = detail.resource;
  const properties = Object.entries(r.properties ?? {});
  const value = (v) => (v !== null && typeof v === 'object' ? h('code', {}, JSON.stringify(v).slice(0, 600)) : String(v));
  body.append(h('div', { class: 'grid' },
    h('section', { class: 'panel' }, h('h2', {}, 'Identity'), h('dl', { class: 'props' },
      h('dt', {}, 'Kind'), h('dd', {}, r.kind), h('dt', {}, 'Id'), h('dd', {}, h('code', {}, r.id)), h('dt', {}, 'Natural key'), h('dd', {}, r.naturalKey),
      h('dt', {}, 'Availability'), h('dd', {}, pill(r.availability)), h('dt', {}, 'Approval'), h('dd', {}, r.approval),
      h('dt', {}, 'First seen'), h('dd', {}, time(r.createdMs)), h('dt', {}, 'Updated'), h('dd', {}, `${time(r.updatedMs)} (${ago(r.updatedMs)})`))),
    h('section', { class: 'panel' }, h('h2', {}, `Children (${detail.children.length})`),
      detail.children.length ? h('ul', {}, detail.children.map((c) => h('li', {}, c.kind, ' ', resourceLink(c.id, c.name), ' ', pill(c.availability)))) : h('p', { class: 'muted' }, 'Nothing runs in it.'),
      h('h2', {}, `Relations (${detail.relations.length})`),
      detail.relations.length ? h('ul', {}, detail.relations.map((rel) => h('li', {}, rel.direction === 'out' ? `${rel.kind} → ` : `← ${rel.kind} `, resourceLink(rel.resourceId, rel.name ?? rel.resourceId))))
        : h('p', { class: 'muted' }, 'No relation.'))),
  h('section', { class: 'panel' }, h('h2', {}, 'Properties'),
    properties.length ? h('dl', { class: 'props' }, properties.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, value(v))])) : h('p', { class: 'muted' }, 'None.')));
}

async function metricsTab(body, resource, range, zoom, chooseRange, onZoom, query, parents) {
  const set = new ChartSet(onZoom);
  const filter = h('input', { type: 'search', value: query.metric ?? '', placeholder: 'metric name', 'aria-label': 'Filter metrics' });
  const grid = h('div', { class: 'grid' });
  body.append(h('div', { class: 'row' }, rangePicker(zoom ? '' : range[0], chooseRange), h('label', {}, 'Metric', filter),
    zoom ? h('button', { onclick: () => onZoom(null) }, 'Reset zoom') : null), grid);
  await load(grid, async () => {
    const series = await api.get(`resources/${resource.id}/series`);
    const metrics = metricsOf(series);
    const shown = () => metrics.filter(([metric]) => metric.includes(filter.value.trim())).slice(0, 50);
    const draw = async () => {
      set.stop(); set.charts = []; set.bySeries.clear();
      fill(grid, shown().map(([metric, list]) => set.add(metric, list)));
      if (!metrics.length) grid.append(h('p', { class: 'muted' }, 'No series yet.'));
      const now = Date.now();
      const [from, to] = zoom ?? [now - range[1], now];
      await set.load(from, to);
      if (!zoom && range[2]) set.follow([resource.id], range[1], [resource.id, ...parents]);
    };
    filter.addEventListener('change', draw);
    await draw();
  });
  return () => set.stop();
}
