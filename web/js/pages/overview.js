// Overview: firing alerts, problem resources, counts per layer, recent events; on a new install, how to add an agent.
import * as api from '../api.js';
import { h, fill, table, pill, time, ago, resourceLink, load, action, toast } from '../dom.js';
import { session } from '../app.js';

const layers = [['host', 'Hosts'], ['hypervisor', 'Hypervisors'], ['vm', 'VMs'], ['guest', 'Guest platforms'], ['container', 'Containers'],
  ['server', 'Servers'], ['service', 'Services'], ['application', 'Applications'], ['source', 'Remote sources']];

export async function overview(main) {
  main.append(h('h1', {}, 'Overview'));
  const body = h('div');
  main.append(body);
  await load(body, async () => {
    const [summary, alerts, problems, events] = await Promise.all([
      api.get('inventory/summary'), api.get('alerts', { state: 'firing', limit: 20 }),
      api.get('resources', { availability: 'down', limit: 20 }), api.get('events', { limit: 15 })]);
    const kinds = summary.kinds ?? {};
    const total = Object.values(kinds).reduce((n, byState) => n + Object.values(byState).reduce((a, b) => a + b, 0), 0);
    if (total === 0) { fill(body, emptyState()); return; }
    const cards = layers.filter(([kind]) => kinds[kind]).map(([kind, title]) => {
      const byState = kinds[kind], count = Object.values(byState).reduce((a, b) => a + b, 0);
      const kindParameter = kind === 'host' || kind === 'guest' ? 'platform' : kind;
      return h('a', { class: 'card', href: `#/inventory?kind=${kindParameter}` }, h('span', { class: 'muted' }, title), h('b', {}, count),
        count === (byState.up ?? 0) ? h('span', { class: 'up' }, 'all up')
          : h('span', {}, ['down', 'unknown', 'retired'].filter((state) => byState[state]).map((state) => h('span', { class: state }, `${byState[state]} ${state} `))));
    });
    fill(body,
      h('section', { 'aria-label': 'Inventory counts', class: 'cards' }, cards),
      h('div', { class: 'grid wide' },
        h('section', { class: 'panel' }, h('h2', {}, `Firing alerts (${alerts.length})`),
          table([['Alert', (a) => h('a', { href: `#/alerts?id=${a.id}` }, a.definitionName)], ['Severity', (a) => pill(a.severity)],
            ['Resource', (a) => resourceLink(a.resourceId, a.resourceId)], ['Since', (a) => ago(a.startsMs)]], alerts, 'No alert is firing.')),
        h('section', { class: 'panel' }, h('h2', {}, `Problem resources (${problems.length})`),
          table([['Resource', (r) => resourceLink(r.id, r.name)], ['Kind', (r) => r.kind], ['State', (r) => pill(r.availability)], ['Changed', (r) => ago(r.updatedMs)]],
            problems, 'Nothing is down.'))),
      h('section', { class: 'panel' }, h('h2', {}, 'Recent events'),
        table([['Time', (e) => time(e.timeMs)], ['', (e) => pill(e.severity)], ['Resource', (e) => resourceLink(e.resourceId, e.resourceId)], ['Message', (e) => e.message]],
          events)));
  });
}

function emptyState() {
  const box = h('section', { class: 'panel' }, h('h2', {}, 'Nothing is monitored yet'),
    h('p', {}, 'Install the agent on a host or guest and enroll it with a token:'),
    h('pre', {}, 'strata agent --server ' + window.location.origin + ' --data /var/lib/strata-agent  # with STRATA_AGENT_TOKEN=<token>'));
  if (session.can('administer')) {
    const output = h('div');
    box.append(action(h('button', { class: 'primary' }, 'Create an enrollment token'), async () => {
      const token = await api.post('tokens', { name: 'enrollment ' + new Date().toISOString().slice(0, 10), kind: 'enrollment' });
      fill(output, h('p', {}, 'Shown once:'), h('pre', {}, `STRATA_AGENT_TOKEN=${token.token} strata agent --server ${window.location.origin} --data /var/lib/strata-agent`));
      toast('Enrollment token created');
    }), output);
  } else {
    box.append(h('p', { class: 'muted' }, 'Ask an administrator of this tenant for an enrollment token.'));
  }
  return box;
}
