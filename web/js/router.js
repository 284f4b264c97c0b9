// Hash routes: '#/resource/ID?tab=stack' → the page registered for 'resource' with params ['ID'] and query {tab}.

const routes = new Map();
let current = null;

/** Registers a page: `render(main, params, query)` may return a cleanup function (streams, timers). */
export function route(name, render) { routes.set(name, render); }

/** The current location as {name, params, query}. */
export function location() {
  const [path, search = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  // Path parameters are ids: anything but letters, digits, . _ : - is dropped, so a link cannot steer the page's API calls.
  const [name = '', ...params] = path.split('/').filter(Boolean).map((part) => { try { return decodeURIComponent(part); } catch { return ''; } })
    .map((part) => (/^[\w.:-]+$/.test(part) ? part : ''));
  return { name, params, query: Object.fromEntries(new URLSearchParams(search)) };
}

/** Moves to a hash location. */
export function go(hash) { window.location.hash = hash; }

/** Ends the current page: its streams, timers and live watches stop (on leaving it, logging out, a session ending). */
export function leave() {
  if (typeof current === 'function') { try { current(); } catch { /* ignore */ } }
  current = null;
}

/** Renders the current location into `main`, cleaning up the previous page first. */
export async function render(main) {
  leave();
  const { name, params, query } = location();
  const page = routes.get(name) ?? routes.get('');
  for (const link of document.querySelectorAll('.top nav a')) {
    const target = link.getAttribute('href').replace(/^#\/?/, '');
    link.toggleAttribute('aria-current', target === name);
    if (target === name) link.setAttribute('aria-current', 'page');
  }
  main.replaceChildren();
  const started = performance.now();
  current = await page(main, params, query);
  // How long the page took, for the benchmark (bench/ui_bench.py) and the curious: performance.getEntriesByType('measure').
  performance.measure(`strata page ${name || 'overview'}`, { start: started, end: performance.now() });
  main.focus({ preventScroll: true });
}
