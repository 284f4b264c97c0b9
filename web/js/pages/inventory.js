// Inventory: a virtualised list paged by the server (search, kind, availability, property), the tree
// host → hypervisor → vm → guest → server → service, and the topology graph.
import * as api from '../api.js';
import { h, fill, pill, ago, load, tabList } from '../dom.js';
import { go } from '../router.js';
import { topology } from './topology.js';

const kinds = ['', 'platform', 'hypervisor', 'vm', 'server', 'service', 'container', 'application', 'group', 'source'];
const rowHeight = 32, pageSize = 200;

export async function inventory(main, params, query) {
  const view = query.view ?? 'list';
  const tabs = tabList('Inventory views', [['list', 'List'], ['tree', 'Tree'], ['topology', 'Topology']], view,
    (name) => go(`#/inventory?${new URLSearchParams({ ...query, view: name })}`));
  main.append(h('h1', {}, 'Inventory'), tabs);
  const body = h('div');
  main.append(body);
  if (view === 'tree') await tree(body);
  else if (view === 'topology') await topology(body, query);
  else await list(body, query);
}

function list(body, query) {
  const search = h('input', { type: 'search', name: 'q', value: query.q ?? '', placeholder: 'name, key or id', 'aria-label': 'Search' });
  const kind = h('select', { name: 'kind', 'aria-label': 'Kind' }, kinds.map((k) => h('option', { value: k, selected: k === (query.kind ?? '') }, k || 'any kind')));
  const availability = h('select', { name: 'availability', 'aria-label': 'Availability' },
    ['', 'up', 'down', 'unknown', 'retired'].map((a) => h('option', { value: a, selected: a === (query.availability ?? '') }, a || 'any state')));
  const property = h('input', { name: 'property', value: query.property ?? '', placeholder: 'label=value, e.g. arch=x86_64', 'aria-label': 'Property filter' });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const form = h('form', { class: 'row', role: 'search' }, h('label', {}, 'Search', search), h('label', {}, 'Kind', kind),
    h('label', {}, 'Availability', availability), h('label', {}, 'Property', property), h('button', { type: 'submit' }, 'Filter'), count);
  const viewport = h('div', { class: 'vlist', role: 'list', 'aria-label': 'Resources', tabindex: '0' });
  const spacer = h('div');
  viewport.append(spacer);
  body.append(form, viewport);
  const filters = () => ({ q: search.value.trim(), kind: kind.value, availability: availability.value, property: property.value.trim() });
  form.addEventListener('submit', (event) => { event.preventDefault(); go('#/inventory?' + new URLSearchParams(Object.entries(filters()).filter(([, v]) => v))); });
  for (const select of [kind, availability]) select.addEventListener('change', () => form.requestSubmit());

  const pages = new Map(); // page index → Promise of items
  let total = 0;
  const fetchPage = (index) => {
    if (!pages.has(index)) pages.set(index, api.page('resources', { ...filters(), limit: pageSize, offset: index * pageSize }).then((result) => {
      total = result.total; return result.items;
    }));
    return pages.get(index);
  };
  const rows = new Map();
  async function paint() {
    const first = Math.floor(viewport.scrollTop / rowHeight), last = first + Math.ceil(viewport.clientHeight / rowHeight) + 5;
    const wanted = new Set();
    for (let index = Math.floor(first / pageSize); index <= Math.floor(last / pageSize); index++) {
      const items = await fetchPage(index);
      items.forEach((resource, i) => {
        const position = index * pageSize + i;
        if (position < first - 5 || position > last) return;
        wanted.add(position);
        if (rows.has(position)) return;
        const row = h('div', { class: 'row', role: 'listitem' },
          h('span', { class: 'muted' }, resource.kind), h('a', { href: `#/resource/${resource.id}` }, resource.name),
          pill(resource.availability), h('span', { class: 'muted' }, ago(resource.updatedMs)));
        row.style.top = position * rowHeight + 'px';
        rows.set(position, row); viewport.append(row);
      });
    }
    for (const [position, row] of rows) if (!wanted.has(position)) { row.remove(); rows.delete(position); }
  }
  let scheduled = false;
  viewport.addEventListener('scroll', () => { if (!scheduled) { scheduled = true; requestAnimationFrame(() => { scheduled = false; paint(); }); } });
  return load(viewport, async () => {
    await fetchPage(0);
    spacer.style.height = total * rowHeight + 'px';
    count.textContent = `${total} resources`;
    if (total === 0) viewport.append(h('p', { class: 'muted' }, 'No resource matches.'));
    await paint();
  });
}

async function tree(body) {
  const root = h('ul', { role: 'tree', 'aria-label': 'Resources by where they run' });
  body.append(h('div', { class: 'panel tree' }, root));
  await load(body, async () => { await branch(root, 'none', 0); });
}

/** Lists the children of `parent` ('none' for the roots) under `list`, each expandable. */
async function branch(list, parent, depth) {
  const { items, total } = await api.page('resources', { parent, limit: 500 });
  for (const resource of items) {
    const children = h('ul', { role: 'group', hidden: true });
    const toggle = h('button', { class: 'toggle', 'aria-label': `Show what runs in ${resource.name}`, 'aria-expanded': 'false' }, '▸');
    let loaded = false;
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open)); toggle.textContent = open ? '▾' : '▸';
      children.hidden = !open;
      if (open && !loaded) { loaded = true; await branch(children, resource.id, depth + 1); if (!children.children.length) children.append(h('li', { class: 'muted' }, 'nothing below')); }
    });
    list.append(h('li', { role: 'treeitem' }, toggle, ' ', h('span', { class: 'muted' }, resource.kind), ' ',
      h('a', { href: `#/resource/${resource.id}` }, resource.name), ' ', pill(resource.availability), children));
  }
  if (total > items.length) list.append(h('li', { class: 'muted' }, `${total - items.length} more: use the list view's search`));
  if (depth === 0 && !items.length) list.append(h('li', { class: 'muted' }, 'The inventory is empty.'));
}
