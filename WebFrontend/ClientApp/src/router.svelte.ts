/**
 * The client's routes (history API). The front end serves index.html for these paths, and never for the API's
 * own prefixes, so a reload or a shared link opens the same page.
 */
export interface Route {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

const patterns: Array<[string, RegExp]> = [
  ['home', /^\/$/],
  ['signin', /^\/signin$/],
  ['signup', /^\/signup$/],
  ['account', /^\/account$/],
  ['device', /^\/device$/],
  ['devices', /^\/devices$/],
  ['thread', /^\/devices\/threads\/(?<threadId>[^/]+)$/],
  ['jobs', /^\/pipeline$/],
  ['job', /^\/pipeline\/jobs\/(?<jobId>[^/]+)$/],
  ['rooms', /^\/rooms$/],
  ['room', /^\/rooms\/(?<sessionId>[^/]+)$/],
  ['agents', /^\/agents$/],
  ['agent', /^\/agents\/(?<agentId>[^/]+)$/],
  ['instances', /^\/cloud$/],
  ['instance', /^\/cloud\/instances\/(?<instanceId>[^/]+)$/],
  ['admin', /^\/admin$/],
];

function match(): Route {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  for (const [name, pattern] of patterns) {
    const found = pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(Object.entries(found.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      return { name, params, query: new URLSearchParams(location.search) };
    }
  }
  return { name: 'not-found', params: {}, query: new URLSearchParams(location.search) };
}

export const router = $state({ route: match() });

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  router.route = match();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  router.route = match();
});

/** Lets ordinary links (<a href="/pipeline">) move inside the client without reloading the page. */
export function interceptLinks(event: MouseEvent) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin) return;
  const route = url.pathname;
  if (!patterns.some(([, pattern]) => pattern.test(route.replace(/\/+$/, '') || '/'))) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
