// The resource page's lists: events, configuration versions and diffs, alerts, control actions, placement history.
import * as api from '../api.js';
import { h, fill, table, pill, time, ago, resourceLink, load, action, toast } from '../dom.js';
import { session } from '../app.js';
import { go } from '../router.js';
import { acknowledgeButton } from './alerts.js';
import { commandView } from './control.js';

export async function eventsTab(body, resource) {
  await load(body, async () => {
    const events = await api.get('events', { resource: resource.id, subtree: true, limit: 200 });
    body.append(h('p', { class: 'muted' }, 'Events of this resource and everything below it, newest first.'),
      table([['Time', (e) => time(e.timeMs)], ['Severity', (e) => pill(e.severity)], ['Kind', (e) => e.kind],
        ['Resource', (e) => resourceLink(e.resourceId, e.resourceId === resource.id ? resource.name : e.resourceId)], ['Message', (e) => e.message]], events));
  });
}

/** A unified diff as lines coloured by their sign. */
export function diffView(text) {
  if (!text) return h('p', { class: 'muted' }, 'The two versions are equal.');
  return h('pre', { class: 'diff', 'aria-label': 'Unified diff' }, text.split('\n').map((line) =>
    h('span', { class: line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : '' }, line + '\n')));
}

export async function configsTab(body, resource, query) {
  await load(body, async () => {
    const files = await api.get(`resources/${resource.id}/configs`);
    if (!files.length) { body.append(h('p', { class: 'muted' }, 'No configuration file is tracked for this resource.')); return; }
    const path = query.path ?? files[0].path;
    const detail = h('div');
    body.append(h('div', { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Tracked files'), table([['File', (f) => h('a', { href: `#/resource/${resource.id}?tab=configs&path=${encodeURIComponent(f.path)}` }, f.path)],
        ['Version', (f) => f.version], ['State', (f) => f.state], ['Changed', (f) => ago(f.observedMs)]], files)),
      h('section', { class: 'panel' }, detail)));
    const versions = await api.get(`resources/${resource.id}/configs/versions`, { path });
    const from = h('select', { 'aria-label': 'Older version' }, versions.map((v, i) => h('option', { value: v.version, selected: i === 1 }, `v${v.version} · ${time(v.observedMs)}`)));
    const to = h('select', { 'aria-label': 'Newer version' }, versions.map((v, i) => h('option', { value: v.version, selected: i === 0 }, `v${v.version} · ${time(v.observedMs)}`)));
    const output = h('div');
    const show = async () => {
      if (versions.length < 2) {
        const content = await api.get(`resources/${resource.id}/configs/content`, { path, version: versions[0].version });
        fill(output, h('p', { class: 'muted' }, 'Only one version so far.'), h('pre', {}, content.content ?? ''));
        return;
      }
      const diff = await api.get(`resources/${resource.id}/configs/diff`, { path, from: from.value, to: to.value });
      fill(output, diffView(diff.diff));
    };
    from.addEventListener('change', show); to.addEventListener('change', show);
    fill(detail, h('h2', {}, path), h('div', { class: 'row' }, h('label', {}, 'From', from), h('label', {}, 'To', to)),
      table([['Version', (v) => `v${v.version}`], ['When', (v) => time(v.observedMs)], ['Change', (v) => `+${v.added ?? 0} −${v.removed ?? 0}`], ['State', (v) => v.state]], versions),
      h('h3', {}, 'Diff'), output);
    await show();
  });
}

export async function alertsTab(body, resource) {
  await load(body, async () => {
    const alerts = await api.get('alerts', { resource: resource.id, limit: 100 });
    fill(body, table([['Alert', (a) => h('a', { href: `#/alerts?id=${a.id}` }, a.definitionName)], ['State', (a) => pill(a.state)],
      ['Severity', (a) => pill(a.severity)], ['Since', (a) => time(a.startsMs)], ['', (a) => acknowledgeButton(a, () => alertsTab(body, resource))]], alerts,
    'No alert on this resource.'));
  });
}

export async function controlTab(body, resource, parents = []) {
  await load(body, async () => {
    const [actions, permissions, commands, platforms] = await Promise.all([
      api.get(`resources/${resource.id}/actions`), api.get(`resources/${resource.id}/permissions`).catch(() => ({ permissions: [] })),
      api.get('control/commands', { resource: resource.id, limit: 20 }), api.reportedPlatforms(true)]);
    // Actions run through the agent of the platform the resource is on (or is); without one they would be refused.
    const reported = platforms === null || [resource, ...parents].some((r) => r.kind === 'platform' && platforms.has(r.id));
    const allowed = (permissions.permissions ?? []).includes('control') && reported;
    if (!reported) body.append(h('p', { class: 'muted' }, 'No agent reports this resource (imported or remote-written), so no action can run on it.'));
    let refreshRecent = async () => {};
    const result = h('div', { 'aria-live': 'polite' });
    if (!allowed && reported) body.append(h('p', { class: 'muted' }, 'You may look at this resource but not act on it (permission control).'));
    else if (!actions.length) body.append(h('p', { class: 'muted' }, 'This resource offers no action.'));
    for (const one of allowed ? actions : []) {
      const inputs = (one.parameters ?? []).map((p) => {
        const input = p.choices?.length ? h('select', { name: p.name }, p.choices.map((c) => h('option', { value: c }, c)))
          : h('input', { name: p.name, required: p.required, type: p.type === 'integer' ? 'number' : 'text', min: p.min ?? undefined, max: p.max ?? undefined, maxlength: p.maxLength ?? undefined });
        return h('label', { title: p.summary }, `${p.name}${p.required ? ' *' : ''}`, input);
      });
      const form = h('form', { class: 'row panel', 'aria-label': `Action ${one.name}` }, h('div', {}, h('strong', {}, one.name), h('div', { class: 'muted' }, one.summary)), inputs);
      const run = h('button', { type: 'submit', class: 'primary', dataset: { action: one.name } }, `Run ${one.name}`);
      form.append(run);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const parameters = {};
        for (const input of form.querySelectorAll('input, select')) if (input.value !== '') parameters[input.name] = input.value;
        run.disabled = true;
        try {
          const command = await api.post('control/commands', { resource: resource.id, action: one.name, parameters });
          toast(`${one.name} sent`);
          await commandView(result, command.id);
          await refreshRecent();
        } catch (error) { toast(error.message, true); } finally { run.disabled = false; }
      });
      body.append(form);
    }
    const recent = h('div');
    const showRecent = (list) => fill(recent, table([['When', (c) => time(c.createdMs)], ['Action', (c) => h('a', { href: `#/control?id=${c.id}` }, c.action)],
      ['State', (c) => pill(c.state)], ['By', (c) => c.requestedBy], ['Message', (c) => c.message ?? '']], list, 'No command yet.'));
    showRecent(commands);
    refreshRecent = async () => showRecent(await api.get('control/commands', { resource: resource.id, limit: 20 }));
    body.append(result, h('h2', {}, 'Recent commands'), recent);
  });
}

export async function placementsTab(body, resource) {
  await load(body, async () => {
    const placements = await api.get('placements', { vm: resource.id });
    body.append(table([['Host', (p) => resourceLink(p.hostId, p.hostName)], ['Hypervisor', (p) => resourceLink(p.hypervisorId, p.hypervisorName)],
      ['From', (p) => time(p.fromMs)], ['To', (p) => (p.toMs ? time(p.toMs) : 'now')]], placements, 'No placement recorded.'));
  });
}
