// Small DOM helpers: element building, formatting, tables, messages. No framework.
import * as api from './api.js';

/** Creates an element: h('a', {href: '#/'}, 'text', child…). `on*` attributes become listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) { element.replaceChildren(); append(element, children); return element; }

/** Local time of Unix milliseconds: the time alone today, else the date too. */
export function time(ms) {
  if (ms === undefined || ms === null) return '';
  const date = new Date(ms), today = new Date();
  const clock = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (date.toDateString() === today.toDateString()) return clock;
  return date.toLocaleDateString(undefined, { year: date.getFullYear() === today.getFullYear() ? undefined : 'numeric', month: 'short', day: 'numeric' }) + ' ' + clock;
}

/** "3 min ago" of Unix milliseconds. */
export function ago(ms) {
  if (!ms) return '';
  const seconds = Math.round((Date.now() - ms) / 1000);
  if (seconds < 60) return `${Math.max(0, seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** A number with SI or binary suffixes by its unit (bytes get KiB, MiB…). */
export function number(value, unit = '') {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  const binary = /bytes/.test(unit);
  const base = binary ? 1024 : 1000;
  const suffixes = binary ? ['', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'] : ['', 'k', 'M', 'G', 'T', 'P'];
  let scaled = value, index = 0;
  while (Math.abs(scaled) >= base && index < suffixes.length - 1) { scaled /= base; index++; }
  const digits = Math.abs(scaled) >= 100 || Number.isInteger(scaled) ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
  return scaled.toFixed(digits) + suffixes[index];
}

/** A pill showing a state (up, down, firing…) with its colour class. */
export function pill(text) { return h('span', { class: `pill ${text}` }, text); }

/** A table of `rows` with `columns` of [header, (row) => cell]. */
export function table(columns, rows, empty = 'Nothing yet.') {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', {}, h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))));
}

/** A row of tabs ([[name, title]…]) with `current` selected; `select(name)` opens one (arrow keys: app.js). */
export function tabList(label, tabs, current, select) {
  return h('div', { class: 'tabs', role: 'tablist', 'aria-label': label },
    tabs.map(([name, title]) => h('button', { role: 'tab', id: `tab-${name}`, 'aria-selected': String(name === current), onclick: () => select(name) }, title)));
}

/** Shows a short message in the corner for a few seconds. */
export function toast(message, error = false) {
  const box = h('div', { class: error ? 'error' : '' }, message);
  document.getElementById('toast').append(box);
  setTimeout(() => box.remove(), error ? 8000 : 4000);
}

/** Runs an async action from a button: disables it meanwhile, reports errors as a toast. */
export function action(button, work) {
  button.addEventListener('click', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try { await work(); } catch (error) { toast(error.message, true); } finally { button.disabled = false; }
  });
  return button;
}

/** A link to a resource page; without a name, the name is looked up (batched, cached) and filled in. */
export function resourceLink(id, name) {
  if (!id) return '';
  const link = h('a', { href: `#/resource/${id}`, dataset: { resource: id } }, name && name !== id ? name : names.get(id) ?? id);
  if ((!name || name === id) && !names.has(id)) lookUp(id);
  return link;
}

const names = new Map();
const wanted = new Set();
let lookup = null;

function lookUp(id) {
  wanted.add(id);
  lookup ??= setTimeout(async () => {
    const ids = [...wanted].slice(0, 100);
    for (const id of ids) { wanted.delete(id); names.set(id, id); }
    lookup = null;
    if (wanted.size) lookUp([...wanted][0]);
    for (let i = 0; i < ids.length; i += 6) {
      await Promise.all(ids.slice(i, i + 6).map(async (one) => {
        const resource = await api.get(`resources/${one}`).catch(() => null);
        names.set(one, resource ? resource.name : one);
        if (resource) for (const link of document.querySelectorAll(`a[data-resource="${one}"]`)) if (link.textContent === one) link.textContent = resource.name;
      }));
    }
  }, 30);
}

/** Loads `work` into `container`, showing its error in place of the content when it fails. */
export async function load(container, work) {
  try { await work(); } catch (error) { fill(container, h('p', { class: 'failed', role: 'alert' }, error.message)); }
}
