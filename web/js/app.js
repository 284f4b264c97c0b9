// The app: theme, login, the signed-in user's permissions, and the routes of every page.
import * as api from './api.js';
import { h, fill, toast } from './dom.js';
import { route, render, leave } from './router.js';
import { overview } from './pages/overview.js';
import { inventory } from './pages/inventory.js';
import { resourcePage } from './pages/resource.js';
import { alertsPage } from './pages/alerts.js';
import { eventsPage } from './pages/events.js';
import { discoveryPage } from './pages/discovery.js';
import { controlPage } from './pages/control.js';
import { analysisPage } from './pages/analysis.js';
import { adminPage } from './pages/admin.js';

/** Who is signed in: {tenant, name, role, permissions: Set}. */
export const session = { me: null, can: (permission) => !!session.me?.permissions.has(permission) };

const main = document.getElementById('main');

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem('strata.theme', theme);
}
applyTheme(localStorage.getItem('strata.theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
document.getElementById('theme').addEventListener('click', () => {
  applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  for (const figure of document.querySelectorAll('figure.chart')) figure.chart?.draw();
});
document.getElementById('logout').addEventListener('click', async () => {
  leave();
  await api.logout().catch(() => {});
  session.me = null;
  showLogin();
});

function showLogin(message) {
  document.getElementById('top').hidden = true;
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, value: 'admin' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const tenant = h('input', { name: 'tenant', placeholder: 'default', autocomplete: 'organization' });
  const error = h('p', { class: 'failed', role: 'alert' }, message ?? '');
  const form = h('form', { class: 'panel login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to Strata'),
    h('label', {}, 'User', user), h('label', {}, 'Password', password), h('label', {}, 'Tenant (optional)', tenant),
    error, h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    h('p', { class: 'muted' }, 'make run prints the first login; the password is in DATA/initial-credentials.'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.login(user.value.trim(), password.value, tenant.value.trim() || undefined);
      await start();
    } catch (failure) {
      error.textContent = failure.status === 401 ? 'Wrong user, tenant or password.' : failure.message;
      password.select();
    }
  });
  fill(main, form);
  (user.value ? password : user).focus();
}

async function start() {
  // Without a session's token there is nothing to ask the server: the login form comes first (no 401 in the console).
  if (!api.hasSession()) { showLogin(); return; }
  let me;
  try { me = await api.get('whoami'); } catch (error) {
    if (error.status === 401) { showLogin(); return; }
    fill(main, h('p', { class: 'failed', role: 'alert' }, error.message)); return;
  }
  session.me = { ...me, permissions: new Set(me.permissions) };
  document.getElementById('top').hidden = false;
  document.getElementById('who').textContent = `${me.name}@${me.tenant} (${me.role ?? me.via})`;
  for (const link of document.querySelectorAll('[data-needs]')) link.hidden = !session.can(link.dataset.needs);
  await render(main);
}

api.setUnauthorizedHandler(() => { if (session.me) { leave(); session.me = null; toast('Your session ended; sign in again.', true); showLogin(); } });
route('', overview);
route('inventory', inventory);
route('resource', resourcePage);
route('alerts', alertsPage);
route('events', eventsPage);
route('discovery', discoveryPage);
route('control', controlPage);
route('analysis', analysisPage);
route('admin', adminPage);
window.addEventListener('hashchange', () => { if (session.me) render(main); });
// Tabs: arrow keys move between the tabs of a tablist, Home and End to its ends (Enter or Space opens one).
document.addEventListener('keydown', (event) => {
  const tab = event.target.closest?.('[role="tab"]');
  if (!tab || !['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
  const tabs = [...tab.parentElement.querySelectorAll('[role="tab"]')];
  const index = tabs.indexOf(tab);
  const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: tabs.length - 1 }[event.key];
  tabs[(next + tabs.length) % tabs.length].focus();
  event.preventDefault();
});
start();
