// Administration: users and roles, tenants, tokens, agents and the audit log (permission administer).
import * as api from '../api.js';
import { h, fill, table, time, ago, pill, resourceLink, load, action, toast, tabList } from '../dom.js';
import { session } from '../app.js';
import { go } from '../router.js';

const views = [['users', 'Users'], ['tokens', 'Tokens'], ['agents', 'Agents'], ['audit', 'Audit'], ['tenants', 'Tenants']];

export async function adminPage(main, params, query) {
  const view = query.view ?? 'users';
  main.append(h('h1', {}, 'Administration'), tabList('Administration views', views.filter(([name]) => name !== 'tenants' || session.can('tenants')), view,
    (name) => go(`#/admin?view=${name}`)));
  const body = h('div');
  main.append(body);
  if (!session.can('administer')) { body.append(h('p', { class: 'muted' }, 'Administration needs the administer permission.')); return; }
  const again = () => go(`#/admin?view=${view}&t=${Date.now()}`);
  await load(body, async () => {
    if (view === 'tokens') return tokens(body, again);
    if (view === 'agents') return agents(body, again);
    if (view === 'audit') return audit(body);
    if (view === 'tenants' && session.can('tenants')) return tenants(body, again);
    return users(body, again);
  });
}

async function users(body, again) {
  const list = await api.get('users');
  const name = h('input', { name: 'username', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9._-]{1,64}' });
  const password = h('input', { name: 'password', type: 'password', minlength: 10, required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)));
  const form = h('form', { class: 'row panel', 'aria-label': 'New user' }, h('label', {}, 'User name', name), h('label', {}, 'Password (10+)', password), h('label', {}, 'Role', role),
    h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try { await api.post('users', { username: name.value, password: password.value, role: role.value }); toast(`Added ${name.value}`); again(); } catch (error) { toast(error.message, true); }
  });
  const grants = h('div', { 'aria-live': 'polite' });
  const roleOf = (u) => {
    const select = h('select', { 'aria-label': `Role of ${u.username}` }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r, selected: r === u.role }, r)));
    select.addEventListener('change', async () => {
      try { await api.request('PATCH', `users/${u.id}`, { body: { role: select.value } }); toast(`${u.username} is now ${select.value}`); } catch (error) { toast(error.message, true); select.value = u.role; }
    });
    return select;
  };
  const enable = (u) => action(h('button', { class: u.disabledMs ? '' : 'danger' }, u.disabledMs ? 'Enable' : 'Disable'), async () => {
    await api.request('PATCH', `users/${u.id}`, { body: { disabled: !u.disabledMs } }); toast(`${u.username} ${u.disabledMs ? 'enabled' : 'disabled'}`); again();
  });
  const reset = (u) => action(h('button', {}, 'New password'), async () => {
    const password = window.prompt(`New password for ${u.username} (10 characters or more); their sessions end`);
    if (!password) return;
    await api.request('PATCH', `users/${u.id}`, { body: { password } }); toast(`Password of ${u.username} changed`);
  });
  fill(body, table([['User', (u) => u.username], ['Role', roleOf], ['Created', (u) => time(u.createdMs)], ['State', (u) => (u.disabledMs ? pill('down') : pill('up'))],
    ['', (u) => h('span', { class: 'row' }, action(h('button', {}, 'Group roles'), () => userGrants(grants, u)), reset(u), enable(u))]], list), grants, form);
}

/** A user's roles on groups (on top of the tenant role), with a form to give or take one (docs/security.md). */
async function userGrants(box, user) {
  const [grants, groups] = await Promise.all([api.get(`users/${user.id}/grants`), api.get('groups').catch(() => [])]);
  const groupName = (id) => groups.find((g) => (g.group?.id ?? g.id) === id)?.group?.name ?? groups.find((g) => (g.group?.id ?? g.id) === id)?.name ?? id;
  const group = h('select', { name: 'group', 'aria-label': 'Group' }, groups.map((g) => h('option', { value: g.group?.id ?? g.id }, g.group?.name ?? g.name ?? g.id)));
  const role = h('select', { name: 'role', 'aria-label': 'Role on the group' }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)));
  const form = h('form', { class: 'row', 'aria-label': `Give ${user.username} a role on a group` }, h('label', {}, 'Group', group), h('label', {}, 'Role', role),
    h('button', { type: 'submit', class: 'primary', disabled: !groups.length }, 'Give role'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try { await api.put(`users/${user.id}/grants/${group.value}`, { role: role.value }); toast('Role given'); await userGrants(box, user); } catch (error) { toast(error.message, true); }
  });
  fill(box, h('section', { class: 'panel' }, h('h2', {}, `${user.username}'s roles on groups`),
    table([['Group', (g) => groupName(g.groupId)], ['Role', (g) => g.role],
      ['', (g) => action(h('button', { class: 'danger' }, 'Take back'), async () => { await api.del(`users/${user.id}/grants/${g.groupId}`); toast('Role taken back'); await userGrants(box, user); })]],
    grants, 'Only the tenant role.'), groups.length ? form : h('p', { class: 'muted' }, 'No group yet: create groups through the API (docs/security.md).')));
}

async function tokens(body, again) {
  const list = await api.get('tokens');
  const output = h('div', { 'aria-live': 'polite' });
  const name = h('input', { name: 'name', required: true, placeholder: 'what it is for' });
  const kind = h('select', { name: 'kind' }, [['api', 'API token'], ['enrollment', 'Agent enrollment']].map(([v, t]) => h('option', { value: v }, t)));
  const form = h('form', { class: 'row panel', 'aria-label': 'New token' }, h('label', {}, 'Name', name), h('label', {}, 'Kind', kind), h('button', { type: 'submit', class: 'primary' }, 'Create'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const token = await api.post('tokens', { name: name.value, kind: kind.value });
      fill(output, h('p', {}, 'The secret is shown once:'), h('pre', {}, token.kind === 'enrollment'
        ? `STRATA_AGENT_TOKEN=${token.token} strata agent --server ${window.location.origin} --data /var/lib/strata-agent` : token.token));
    } catch (error) { toast(error.message, true); }
  });
  fill(body, form, output, table([['Name', (t) => t.name], ['Kind', (t) => t.kind], ['Created', (t) => time(t.createdMs)], ['Last used', (t) => ago(t.lastUsedMs)],
    ['Expires', (t) => time(t.expiresMs)], ['State', (t) => (t.revokedMs ? 'revoked' : 'active')],
    ['', (t) => (t.revokedMs || t.kind === 'session' ? '' : action(h('button', { class: 'danger' }, 'Revoke'), async () => { await api.del(`tokens/${t.id}`); toast('Revoked'); again(); }))]], list));
}

async function agents(body, again) {
  const list = await api.get('agents');
  fill(body, table([['Agent', (a) => h('code', {}, a.id)], ['Platform', (a) => resourceLink(a.platformId, a.platformId)], ['Interval', (a) => `${(a.intervalMs ?? 0) / 1000} s`],
    ['Last seen', (a) => ago(a.lastSeenMs)], ['State', (a) => (a.revokedMs ? 'revoked' : pill(a.available ? 'up' : 'down'))],
    ['', (a) => (a.revokedMs ? '' : action(h('button', { class: 'danger' }, 'Revoke'), async () => { await api.del(`agents/${a.id}`); toast('Agent revoked'); again(); }))]], list, 'No agent enrolled.'));
}

async function audit(body) {
  const list = await api.get('audit', { limit: 300 });
  fill(body, table([['When', (r) => time(r.timeMs)], ['Actor', (r) => r.actor], ['Action', (r) => r.action], ['Target', (r) => r.target],
    ['Outcome', (r) => pill(r.outcome === 'ok' ? 'up' : 'down')], ['Detail', (r) => r.detail ?? ''], ['From', (r) => r.remote ?? '']], list));
}

async function tenants(body, again) {
  const list = await api.get('tenants').catch((error) => { body.append(h('p', { class: 'muted' }, error.message)); return null; });
  if (!list) return;
  const id = h('input', { name: 'id', required: true, pattern: '[a-z][a-z0-9-]{0,31}' });
  const form = h('form', { class: 'row panel', 'aria-label': 'New tenant' }, h('label', {}, 'Tenant id', id), h('button', { type: 'submit', class: 'primary' }, 'Create tenant'));
  const output = h('div');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try { const created = await api.post('tenants', { id: id.value }); fill(output, h('pre', {}, JSON.stringify(created, null, 2))); } catch (error) { toast(error.message, true); }
  });
  fill(body, table([['Tenant', (t) => t.id], ['Name', (t) => t.name ?? ''], ['Created', (t) => time(t.createdMs)]], list), form, output);
}
