// The API client: same-origin requests with the session cookie, the CSRF token on every write, typed errors.

/** An error the API answered (status, Prometheus-style type and message) or a network failure. */
export class APIError extends Error {
  constructor(status, type, message) { super(message); this.status = status; this.type = type; }
}

const csrfKey = 'strata.csrf';
let onUnauthorized = () => {};

/** Called when a request answers 401 (the session ended): the app shows the login form. */
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

/** Builds `/api/v1/PATH?query` from an object, leaving out empty values; arrays repeat the name. */
export function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  const text = params.toString();
  return (path.startsWith('/') ? path : '/api/v1/' + path) + (text ? '?' + text : '');
}

/** Sends a request; answers the envelope's `data` (or the raw response with `raw: true`). */
export async function request(method, path, { query, body, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    const csrf = localStorage.getItem(csrfKey);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new APIError(0, 'network', 'the server cannot be reached: ' + error.message);
  }
  if (raw && response.ok) return response;
  let envelope = null;
  const text = await response.text();
  try { envelope = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!response.ok || (envelope && envelope.status === 'error')) {
    if (response.status === 401 && path !== 'sessions') { localStorage.removeItem(csrfKey); onUnauthorized(); }
    throw new APIError(response.status, envelope?.errorType ?? 'http', envelope?.error ?? `${response.status} ${response.statusText}`);
  }
  return raw ? response : envelope?.data;
}

export const get = (path, query) => request('GET', path, { query });
export const post = (path, body, query) => request('POST', path, { body, query });
export const put = (path, body) => request('PUT', path, { body });
export const del = (path, query) => request('DELETE', path, { query });

/** Logs in and keeps the CSRF token for this tab. */
export async function login(username, password, tenant) {
  const session = await post('sessions', tenant ? { username, password, tenant } : { username, password });
  localStorage.setItem(csrfKey, session.csrfToken);
  return session;
}

/** Whether this browser holds a session's CSRF token (a session may still have ended on the server). */
export function hasSession() { return !!localStorage.getItem(csrfKey); }

/** Logs out (best effort) and forgets the CSRF token. */
export async function logout() {
  try { await del('sessions/current'); } finally { localStorage.removeItem(csrfKey); }
}

/** A list with its `X-Total-Count` (server-side paging). */
export async function page(path, query) {
  const response = await request('GET', path, { query, raw: true });
  const envelope = await response.json();
  return { items: envelope.data, total: Number(response.headers.get('X-Total-Count') ?? envelope.data.length) };
}

let reported = null;
/** The ids of the platforms an agent reports (live mode and control act through their agents), read at most once a
 *  minute (`fresh` reads it now); null when the list cannot be read. */
export function reportedPlatforms(fresh = false) {
  if (fresh || !reported || Date.now() - reported.at > 60_000) {
    reported = { at: Date.now(), ids: get('agents').then((agents) => new Set(agents.filter((a) => !a.revokedMs).map((a) => a.platformId))).catch(() => null) };
  }
  return reported.ids;
}

/** Opens a Server-Sent Events stream; `handlers` maps event names to functions of the parsed data. Returns a closer. */
export function stream(path, query, handlers) {
  const source = new EventSource(url(path, query), { withCredentials: true });
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => { try { handler(JSON.parse(event.data)); } catch { /* a malformed event is skipped */ } });
  }
  return () => source.close();
}
