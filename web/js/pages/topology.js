// The topology graph: resources in columns by layer (host → hypervisor → VM → guest → server → service), with
// runs-in edges (solid), current placements of VMs (dashed) and depends-on relations (orange). SVG, laid out here.
import * as api from '../api.js';
import { h, load } from '../dom.js';

const svgNS = 'http://www.w3.org/2000/svg';
const s = (tag, attributes = {}, ...children) => {
  const element = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
};

/** The column of a resource: its layer. */
function layer(resource, byID) {
  const parent = resource.parentId ? byID.get(resource.parentId) : null;
  switch (resource.kind) {
    case 'platform': return parent && parent.kind === 'vm' ? 3 : 0;
    case 'hypervisor': return 1;
    case 'vm': return 2;
    case 'container': return 4;
    case 'server': return 4;
    case 'service': return 5;
    default: return 6;
  }
}

export async function topology(body, query) {
  const note = h('p', { class: 'muted' }, 'Solid: runs in · dashed: VM placed on hypervisor · orange: depends on. Click a box to open it.');
  const holder = h('div', { class: 'topology' });
  body.append(note, holder);
  await load(holder, async () => {
    const { items, total } = await api.page('resources', { limit: 400 });
    const byID = new Map(items.map((r) => [r.id, r]));
    const columns = new Map();
    for (const resource of items) {
      const column = layer(resource, byID);
      if (!columns.has(column)) columns.set(column, []);
      columns.get(column).push(resource);
    }
    // Order each column by its parents' order so edges cross little.
    const position = new Map();
    for (const column of [...columns.keys()].sort((a, b) => a - b)) {
      const list = columns.get(column);
      list.sort((a, b) => (position.get(a.parentId) ?? 1e9) - (position.get(b.parentId) ?? 1e9) || a.name.localeCompare(b.name));
      list.forEach((resource, index) => position.set(resource.id, index));
    }
    const width = 170, gap = 60, rowGap = 34, boxHeight = 24;
    const xy = new Map();
    for (const [column, list] of columns) list.forEach((resource, index) => xy.set(resource.id, [20 + column * (width + gap), 20 + index * rowGap]));
    const rows = Math.max(1, ...[...columns.values()].map((list) => list.length));
    const used = Math.max(0, ...columns.keys()) + 1;
    const [svgWidth, svgHeight] = [40 + used * (width + gap), 40 + rows * rowGap];
    const svg = s('svg', { viewBox: `0 0 ${svgWidth} ${svgHeight}`, width: svgWidth, height: svgHeight, role: 'img', 'aria-label': `Topology of ${items.length} resources` });
    const edges = s('g'), nodes = s('g');
    svg.append(edges, nodes);
    const edge = (from, to, kind) => {
      const a = xy.get(from), b = xy.get(to);
      if (!a || !b) return;
      const [x1, y1] = [a[0] + width, a[1] + boxHeight / 2], [x2, y2] = [b[0], b[1] + boxHeight / 2];
      const [sx, tx] = x1 <= x2 ? [x1, x2] : [a[0], b[0] + width];
      edges.append(s('path', { class: `edge ${kind}`, d: `M${sx},${y1} C${(sx + tx) / 2},${y1} ${(sx + tx) / 2},${y2} ${tx},${y2}` }));
    };
    for (const resource of items) if (resource.parentId && byID.has(resource.parentId)) edge(resource.parentId, resource.id, 'runs-in');
    for (const hypervisor of items.filter((r) => r.kind === 'hypervisor').slice(0, 50)) {
      const placements = await api.get('placements', { hypervisor: hypervisor.id }).catch(() => []);
      for (const placement of placements ?? []) if (!placement.toMs) edge(placement.hypervisorId, placement.vmId, 'placement');
    }
    // depends-on relations come with each resource's detail: read those of servers and services (at most 150).
    const related = items.filter((r) => r.kind === 'server' || r.kind === 'service' || r.kind === 'application').slice(0, 150);
    for (let i = 0; i < related.length; i += 8) {
      const details = await Promise.all(related.slice(i, i + 8).map((r) => api.get(`resources/${r.id}`).catch(() => null)));
      for (const detail of details) for (const relation of detail?.relations ?? []) {
        if (relation.direction === 'out' && relation.active !== false) edge(detail.id, relation.resourceId, 'depends');
      }
    }
    for (const resource of items) {
      const [x, y] = xy.get(resource.id);
      const link = s('a', { href: `#/resource/${resource.id}`, class: 'node' },
        s('title', {}, `${resource.kind} ${resource.name} (${resource.availability})`),
        s('rect', { x, y, width, height: boxHeight, rx: 5, class: resource.availability }),
        s('text', { x: x + 6, y: y + 16 }, `${resource.kind === 'platform' ? '▣' : '·'} ${resource.name}`.slice(0, 26)));
      nodes.append(link);
    }
    holder.append(svg);
    if (total > items.length) holder.append(h('p', { class: 'muted' }, `Showing the first ${items.length} of ${total} resources.`));
  });
}
