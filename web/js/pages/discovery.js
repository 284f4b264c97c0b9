// The discovery queue: new, changed and removed resources waiting for a decision (approve, ignore, defer).
import * as api from '../api.js';
import { h, fill, table, pill, time, resourceLink, load, action, toast, tabList } from '../dom.js';
import { session } from '../app.js';
import { go } from '../router.js';

export async function discoveryPage(main, params, query) {
  const status = query.status ?? 'pending';
  main.append(h('h1', {}, 'Discovery queue'), tabList('Queue by status', ['pending', 'deferred', 'approved', 'ignored'].map((name) => [name, name]), status,
    (name) => go(`#/discovery?status=${name}`)));
  const body = h('div');
  main.append(body);
  const refresh = () => load(body, async () => {
    const entries = await api.get('discoveries', { status, limit: 500 });
    const decide = (entry, decision, title, primary = false) => action(h('button', { class: primary ? 'primary' : '', dataset: { decision, entry: entry.id } }, title), async () => {
      await api.post(`discoveries/${entry.id}`, { decision }); toast(`${title}: ${entry.resourceName ?? entry.resourceId}`); await refresh();
    });
    const canDecide = session.can('acknowledge') && (status === 'pending' || status === 'deferred');
    fill(body, table([['When', (e) => time(e.createdMs)], ['Change', (e) => pill(e.change)], ['Kind', (e) => e.resourceKind ?? ''],
      ['Resource', (e) => resourceLink(e.resourceId, e.resourceName ?? e.resourceId)], ['What', (e) => e.summary],
      ['', (e) => (canDecide ? h('span', { class: 'row' }, decide(e, 'approve', 'Approve', true), decide(e, 'ignore', 'Ignore'), status === 'pending' ? decide(e, 'defer', 'Defer') : null) : (e.decidedBy ? `by ${e.decidedBy}` : ''))]],
    entries, status === 'pending' ? 'Nothing waits for a decision.' : 'Nothing here.'));
  });
  await refresh();
}
