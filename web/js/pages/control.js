// Control: recent commands and their results, group runs and schedules.
import * as api from '../api.js';
import { h, fill, table, pill, time, resourceLink, load } from '../dom.js';

const finished = new Set(['succeeded', 'failed', 'timed-out', 'expired', 'refused', 'interrupted', 'canceled', 'cancelled']);

/** Shows one command and follows it until it ends (polling once a second, at most two minutes). */
export async function commandView(container, id) {
  for (let i = 0; i < 120; i++) {
    const command = await api.get(`control/commands/${encodeURIComponent(id)}`);
    fill(container, h('section', { class: 'panel', 'aria-label': 'Command result' }, h('h3', {}, `${command.action} `, pill(command.state)),
      h('dl', { class: 'props' }, h('dt', {}, 'Resource'), h('dd', {}, resourceLink(command.resourceId, command.resourceId)),
        h('dt', {}, 'Requested'), h('dd', {}, `${time(command.createdMs)} by ${command.requestedBy ?? ''}`),
        command.exitStatus !== undefined && command.exitStatus !== null ? [h('dt', {}, 'Exit status'), h('dd', {}, String(command.exitStatus))] : null,
        command.durationMs ? [h('dt', {}, 'Took'), h('dd', {}, `${command.durationMs} ms`)] : null,
        command.message ? [h('dt', {}, 'Message'), h('dd', {}, command.message)] : null),
      command.stdout ? [h('h3', {}, 'Output'), h('pre', { class: 'stdout' }, command.stdout)] : null,
      command.stderr ? [h('h3', {}, 'Errors'), h('pre', {}, command.stderr)] : null));
    if (finished.has(command.state)) return command;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (!container.isConnected) return command;
  }
}

export async function controlPage(main, params, query) {
  main.append(h('h1', {}, 'Control'));
  const body = h('div');
  main.append(body);
  await load(body, async () => {
    if (query.id) { const holder = h('div'); body.append(holder); await commandView(holder, query.id); return; }
    const [commands, runs, schedules] = await Promise.all([api.get('control/commands', { limit: 100 }), api.get('control/group-runs', { limit: 50 }).catch(() => []),
      api.get('control/schedules').catch(() => [])]);
    body.append(h('p', { class: 'muted' }, 'Run an action from a resource\'s Control tab; every command is checked against your permissions and audited.'),
      h('section', { class: 'panel' }, h('h2', {}, 'Commands'), table([['When', (c) => time(c.createdMs)], ['Action', (c) => h('a', { href: `#/control?id=${c.id}` }, c.action)],
        ['Resource', (c) => resourceLink(c.resourceId, c.resourceId)], ['State', (c) => pill(c.state)], ['By', (c) => c.requestedBy], ['Message', (c) => c.message ?? '']], commands, 'No command yet.')),
      h('section', { class: 'panel' }, h('h2', {}, 'Group runs'), table([['When', (r) => time(r.createdMs)], ['Action', (r) => r.action], ['State', (r) => pill(r.state ?? '')],
        ['Summary', (r) => JSON.stringify(r.summary ?? {})]], runs, 'No group run.')),
      h('section', { class: 'panel' }, h('h2', {}, 'Schedules'), table([['Name', (s) => s.name ?? s.id], ['Action', (s) => s.action], ['Next', (s) => time((s.nextRuns ?? [])[0])]], schedules, 'No schedule.')));
  });
}
