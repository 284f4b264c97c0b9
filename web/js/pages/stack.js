// The stack view: the resource's host, hypervisor, VM, guest, servers and services, one row each with its key
// metrics, every chart on the same time axis.
import * as api from '../api.js';
import { h, pill, resourceLink, load } from '../dom.js';
import { ChartSet, metricsOf, rangePicker } from './metrics.js';

/** The layers: the parents from the top, the resource, then what runs in it (two levels, at most 12 layers). */
async function layers(detail) {
  const list = [...detail.parents, detail.resource];
  const queue = [...detail.children];
  for (let depth = 0; depth < 2 && queue.length && list.length < 12; depth++) {
    const next = [];
    for (const child of queue.splice(0)) {
      if (list.length >= 12) break;
      list.push(child);
      if (depth === 0) next.push(...(await api.get('resources', { parent: child.id, limit: 20 }).catch(() => [])));
    }
    queue.push(...next);
  }
  return list;
}

export async function stackView(body, detail, range, zoom, chooseRange, onZoom) {
  const set = new ChartSet(onZoom);
  const rows = h('div', { 'aria-label': 'Stack' });
  body.append(h('div', { class: 'row' }, rangePicker(zoom ? '' : range[0], chooseRange),
    zoom ? h('button', { onclick: () => onZoom(null) }, 'Reset zoom') : null,
    h('span', { class: 'muted' }, 'Every layer from the hardware up, on one time axis; drag across a chart to zoom all.')), rows);
  await load(rows, async () => {
    const list = await layers(detail);
    const series = await Promise.all(list.map((r) => api.get(`resources/${r.id}/series`).catch(() => [])));
    list.forEach((resource, index) => {
      const charts = metricsOf(series[index]).slice(0, 2).map(([metric, s]) => set.add(metric, s, `${metric}`));
      rows.append(h('div', { class: 'stack-layer', dataset: { kind: resource.kind } },
        h('div', {}, h('div', { class: 'muted' }, resource.kind), h('strong', {}, resourceLink(resource.id, resource.name)), ' ', pill(resource.availability),
          resource.id === detail.resource.id ? h('div', { class: 'muted' }, '(this resource)') : null),
        h('div', { class: 'charts' }, charts.length ? charts : h('p', { class: 'muted' }, 'no metrics'))));
    });
    const now = Date.now();
    const [from, to] = zoom ?? [now - range[1], now];
    await set.load(from, to);
    if (!zoom && range[2]) set.follow(list.map((r) => r.id), range[1]);
  });
  return () => set.stop();
}
