// Charts of resources: series read at a resolution picked from the range, counters drawn as rates, and live points
// pushed by GET /api/v1/stream while the range ends now (the agent is asked for 1 s points meanwhile).
import * as api from '../api.js';
import { h } from '../dom.js';
import { TimeChart, rates, stepFor } from '../chart.js';

/** Ranges offered; `live` ones end now and follow new points. */
export const ranges = [['5m', 300_000, true], ['15m', 900_000, true], ['1h', 3600_000, true], ['6h', 6 * 3600_000, false],
  ['24h', 86400_000, false], ['7d', 7 * 86400_000, false], ['30d', 30 * 86400_000, false]];

/** Metrics worth showing first, in order. */
const preferred = [/^cpu_seconds_total$/, /^memory_used_bytes$/, /^libvirt_domain_cpu_seconds_total$/, /^libvirt_domain_memory_bytes$/,
  /^libvirt_domains$/, /cpu_seconds_total$/, /(resident_memory|heap_used|memory_used)_bytes$/, /requests_total$|connections$/,
  /^load_average_1m$/, /^filesystem_avail_bytes$/, /^network_receive_bytes_total$/, /^up$/];

/** Groups a resource's series by metric, best metrics first. */
export function metricsOf(series) {
  const byMetric = new Map();
  for (const one of series) {
    if (!byMetric.has(one.metric)) byMetric.set(one.metric, []);
    byMetric.get(one.metric).push(one);
  }
  const rank = (metric) => { const index = preferred.findIndex((re) => re.test(metric)); return index < 0 ? preferred.length : index; };
  return [...byMetric.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

const labelText = (labels) => Object.entries(labels ?? {}).filter(([k]) => !k.startsWith('__') && !k.startsWith('resource_')).map(([k, v]) => `${k}=${v}`).join(',');
const unitOf = (metric) => (/bytes/.test(metric) ? 'bytes' : '');

/**
 * A set of charts over one time range: `add(metric, series)` makes a chart of a metric's series (idle CPU and more than
 * eight lines left out), `load(range)` reads them, `follow(resourceIDs)` appends live points. `onZoom` gets a new range.
 */
export class ChartSet {
  constructor(onZoom) { this.charts = []; this.bySeries = new Map(); this.onZoom = onZoom; this.closers = []; }

  add(metric, series, title = metric) {
    const shown = series.filter((one) => !(metric.startsWith('cpu') && one.labels?.mode === 'idle')).slice(0, 8);
    const counter = shown.some((one) => one.type === 'counter');
    const chart = new TimeChart(counter ? `${title} (per second)` : title, { unit: unitOf(metric), onZoom: this.onZoom });
    const entry = { chart, series: shown, counter, raw: new Map() };
    for (const one of shown) this.bySeries.set(one.id, entry);
    this.charts.push(entry);
    return chart.element;
  }

  /** Reads every chart's series over [from, to]: one query per function (gauges' last value, counters' rate per step). */
  async load(from, to) {
    const resources = [...new Set(this.charts.flatMap((entry) => entry.series.map((one) => one.resourceId)))].filter((id) => /^[0-9a-f]+$/.test(id ?? ''));
    const stepMs = Math.max(1000, stepFor(to - from) || Math.ceil((to - from) / 600 / 1000) * 1000);
    const points = new Map();
    if (resources.length) {
      const select = `{resource_id=~"${resources.join('|')}"}`;
      const wanted = [['last', false], ['rate', true]].filter(([, counter]) => this.charts.some((entry) => entry.counter === counter));
      await Promise.all(wanted.map(async ([fn, counter]) => {
        const answer = await api.get('query', { select, from: Math.round(from), to: Math.round(to), step: `${stepMs / 1000}s`, fn }).catch(() => ({ series: [] }));
        for (const one of answer.series ?? []) {
          const entry = this.bySeries.get(one.id);
          if (entry && entry.counter === counter) points.set(one.id, one.points ?? []);
        }
      }));
    }
    for (const entry of this.charts) {
      entry.chart.setRange([from, to]);
      entry.chart.setLines(entry.series.map((one) => ({ key: one.id, label: labelText(one.labels), points: points.get(one.id) ?? [] })));
    }
  }

  /** Follows new samples of the resources' series for a sliding window of `spanMs`; returns a stop function. */
  follow(resourceIDs, spanMs, platforms) {
    this.stop();
    const ids = [...new Set(resourceIDs)].filter((id) => /^[0-9a-f]+$/.test(id));
    if (!ids.length) return;
    const selector = `{resource_id=~"${ids.join('|')}"}`;
    this.closers.push(api.stream('stream', { 'match[]': selector, seconds: 3600 }, {
      samples: (data) => {
        for (const one of data.series ?? []) {
          const entry = this.bySeries.get(one.id);
          if (!entry) continue;
          const points = (one.samples ?? []).filter((p) => typeof p[1] === 'number');
          if (entry.counter) {
            const previous = entry.raw.get(one.id) ?? [];
            const all = previous.concat(points);
            entry.raw.set(one.id, all.slice(-1));
            entry.chart.append(one.id, labelText(one.labels), rates(all));
          } else {
            entry.chart.append(one.id, labelText(one.labels), points);
          }
        }
      },
    }));
    const slide = setInterval(() => { const now = Date.now(); for (const entry of this.charts) entry.chart.setRange([now - spanMs, now]); }, 1000);
    this.closers.push(() => clearInterval(slide));
    // Ask the agents of the platforms among `platforms` (the resources and their parents) for 1 s points while this
    // page is open, renewed every 20 s and ended when it closes (docs/agent.md, "Live mode").
    const watched = [];
    const watch = () => { for (const id of watched) api.post(`resources/${id}/live`, { seconds: 60 }).catch(() => {}); };
    api.reportedPlatforms().then((reported) => {
      watched.push(...[...new Set(platforms ?? ids)].filter((id) => reported?.has(id)).slice(0, 20));
      watch();
    });
    const renew = setInterval(watch, 20_000);
    this.closers.push(() => { clearInterval(renew); for (const id of watched) api.del(`resources/${id}/live`).catch(() => {}); });
  }

  stop() { for (const close of this.closers.splice(0)) close(); }
}

/** The range picker: buttons for each range; calls `choose(name)`. */
export function rangePicker(current, choose) {
  return h('div', { class: 'row', role: 'group', 'aria-label': 'Time range' },
    ranges.map(([name, , live]) => h('button', { 'aria-pressed': String(name === current), class: name === current ? 'primary' : '', onclick: () => choose(name) },
      live ? `${name} live` : name)));
}
