// A time-series chart drawn on a canvas: several lines, a time axis shared by the caller, drag to zoom, double-click to
// go back, hover for values, live points appended without redrawing more than once a frame. No per-point DOM.
import { h, number, time } from './dom.js';

const palette = () => getComputedStyle(document.documentElement).getPropertyValue('--series').split(',').map((c) => c.trim());
const visible = new WeakMap();
const observer = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => { for (const entry of entries) { const chart = visible.get(entry.target); if (chart) { chart.onScreen = entry.isIntersecting; if (chart.onScreen) chart.draw(); } } })
  : null;

/** A chart: `new TimeChart(title, {unit, onZoom})`; its `element` goes into the page. */
export class TimeChart {
  constructor(title, { unit = '', onZoom = null, height = 160 } = {}) {
    this.unit = unit;
    this.onZoom = onZoom;
    this.lines = new Map(); // key → {label, points: [[t, v]…]}
    this.range = null; // [from, to] in ms, or null to fit the data
    this.canvas = h('canvas', { role: 'img', 'aria-label': title, tabindex: '0' });
    this.canvas.style.height = height + 'px';
    this.readout = h('span', { class: 'readout' });
    this.element = h('figure', { class: 'chart' }, h('figcaption', { class: 'title' }, h('span', { title }, title), this.readout), this.canvas);
    this.element.chart = this;
    this.pending = false;
    this.onScreen = true;
    this.hover = null;
    this.drag = null;
    this.frames = 0;
    this.bindPointer();
    if (observer) { visible.set(this.element, this); observer.observe(this.element); }
  }

  /** Replaces every line: `lines` is [{key, label, points}]. */
  setLines(lines) {
    this.lines = new Map(lines.map((line) => [line.key, { label: line.label, points: line.points }]));
    this.draw();
  }

  /** Appends points to a line (creating it), dropping those before the visible range. */
  append(key, label, points) {
    let line = this.lines.get(key);
    if (!line) { line = { label, points: [] }; this.lines.set(key, line); }
    for (const point of points) {
      const last = line.points[line.points.length - 1];
      if (!last || point[0] > last[0]) line.points.push(point);
    }
    if (this.range && line.points.length > 4000) {
      const from = this.range[0];
      const first = line.points.findIndex((p) => p[0] >= from);
      if (first > 0) line.points.splice(0, first - 1);
    }
    this.draw();
  }

  /** Sets the visible time range (ms) or null to fit the data. */
  setRange(range) { this.range = range; this.draw(); }

  /** Number of points held, for tests and benchmarks. */
  get pointCount() { let n = 0; for (const line of this.lines.values()) n += line.points.length; return n; }

  /** Schedules one redraw for the next frame. */
  draw() {
    if (this.pending || !this.onScreen) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.paint(); });
  }

  bounds() {
    let from = Infinity, to = -Infinity, low = Infinity, high = -Infinity;
    for (const line of this.lines.values()) for (const [t, v] of line.points) {
      if (t < from) from = t; if (t > to) to = t;
      if (typeof v === 'number' && Number.isFinite(v)) { if (v < low) low = v; if (v > high) high = v; }
    }
    if (this.range) [from, to] = this.range;
    if (!Number.isFinite(from)) { to = Date.now(); from = to - 3600_000; }
    if (from === to) from -= 60_000;
    if (!Number.isFinite(low)) { low = 0; high = 1; }
    if (low > 0 && low / (high || 1) < 0.5) low = 0;
    if (low === high) { high = low + (Math.abs(low) || 1); low = low - (low === 0 ? 0 : Math.abs(low) * 0.05); }
    return { from, to, low, high };
  }

  paint() {
    const canvas = this.canvas, ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (!width || !height) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const text = style.getPropertyValue('--muted').trim(), grid = style.getPropertyValue('--line').trim();
    const left = 54, right = 8, top = 6, bottom = 18;
    const { from, to, low, high } = this.bounds();
    const x = (t) => left + ((t - from) / (to - from)) * (width - left - right);
    const y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);
    this.scale = { from, to, left, right, width, x };
    g.font = '11px system-ui, sans-serif'; g.fillStyle = text; g.strokeStyle = grid; g.lineWidth = 1;
    for (let i = 0; i <= 3; i++) {
      const v = low + ((high - low) * i) / 3, py = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(left, py); g.lineTo(width - right, py); g.stroke();
      g.fillText(number(v, this.unit), 2, py + 4);
    }
    const span = to - from;
    const ticks = Math.max(2, Math.min(5, Math.floor((width - left - right) / 90)));
    for (let i = 0; i < ticks; i++) {
      const t = from + (span * i) / ticks, px = x(t);
      const label = new Date(t).toLocaleTimeString(undefined, span > 2 * 86400_000 ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit', second: span < 600_000 ? '2-digit' : undefined });
      g.fillText(label, Math.max(left, px - 4), height - 4);
    }
    const colours = palette();
    let index = 0;
    g.lineWidth = 1.5;
    for (const line of this.lines.values()) {
      g.strokeStyle = colours[index++ % colours.length];
      g.beginPath();
      let drawing = false, lastX = -1;
      for (const [t, v] of line.points) {
        if (t < from || t > to || typeof v !== 'number' || !Number.isFinite(v)) { drawing = false; continue; }
        const px = x(t), py = y(v);
        if (drawing && px - lastX < 0.5) continue; // one vertex per half pixel
        if (drawing) g.lineTo(px, py); else g.moveTo(px, py);
        drawing = true; lastX = px;
      }
      g.stroke();
    }
    if (this.drag) {
      g.fillStyle = 'rgba(99,179,237,0.25)';
      g.fillRect(Math.min(this.drag.start, this.drag.end), top, Math.abs(this.drag.end - this.drag.start), height - top - bottom);
    }
    if (this.hover !== null) {
      g.strokeStyle = text; g.beginPath(); g.moveTo(this.hover + 0.5, top); g.lineTo(this.hover + 0.5, height - bottom); g.stroke();
    }
    this.frames++;
  }

  timeAt(px) { const s = this.scale; return s ? s.from + ((px - s.left) / (s.width - s.left - s.right)) * (s.to - s.from) : 0; }

  bindPointer() {
    const c = this.canvas;
    const offset = (event) => event.clientX - c.getBoundingClientRect().left;
    c.addEventListener('pointerdown', (event) => { this.drag = { start: offset(event), end: offset(event) }; c.setPointerCapture(event.pointerId); });
    c.addEventListener('pointermove', (event) => {
      const px = offset(event);
      if (this.drag) this.drag.end = px;
      this.hover = px;
      this.showValues(this.timeAt(px));
      this.draw();
    });
    c.addEventListener('pointerleave', () => { this.hover = null; this.readout.textContent = ''; this.draw(); });
    c.addEventListener('pointerup', () => {
      const drag = this.drag; this.drag = null;
      if (drag && Math.abs(drag.end - drag.start) > 8 && this.onZoom) {
        const a = this.timeAt(Math.min(drag.start, drag.end)), b = this.timeAt(Math.max(drag.start, drag.end));
        this.onZoom([Math.round(a), Math.round(b)]);
      }
      this.draw();
    });
    c.addEventListener('dblclick', () => this.onZoom && this.onZoom(null));
    c.addEventListener('keydown', (event) => {
      if (!this.onZoom || !this.scale) return;
      const { from, to } = this.scale, span = to - from;
      if (event.key === '-') this.onZoom([from - span / 2, to + span / 2]);
      else if (event.key === '+') this.onZoom([from + span / 4, to - span / 4]);
      else if (event.key === 'Escape') this.onZoom(null);
    });
  }

  showValues(t) {
    const parts = [];
    for (const line of this.lines.values()) {
      let best = null;
      for (const point of line.points) { if (point[0] <= t) best = point; else break; }
      if (best) parts.push(`${line.label ? line.label + ' ' : ''}${number(best[1], this.unit)}`);
      if (parts.length >= 3) break;
    }
    this.readout.textContent = parts.length ? `${time(t)} · ${parts.join(' · ')}` : '';
  }
}

/** Per-second rates of a counter's points, a reset counting from zero. */
export function rates(points) {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1], [t1, v1] = points[i];
    if (typeof v0 !== 'number' || typeof v1 !== 'number' || t1 <= t0) continue;
    out.push([t1, ((v1 >= v0 ? v1 - v0 : v1) * 1000) / (t1 - t0)]);
  }
  return out;
}

/** The step a range is read at: about 300 points, rounded to a step the store keeps (raw, 1 m and 1 h rollups). */
export function stepFor(spanMs) {
  const steps = [0, 10_000, 30_000, 60_000, 300_000, 900_000, 3600_000, 6 * 3600_000, 86400_000];
  const wanted = spanMs / 300;
  if (spanMs <= 2 * 3600_000) return 0; // raw samples
  return steps.find((s) => s >= wanted) ?? 86400_000;
}
