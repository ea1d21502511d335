import { useEffect, useState } from 'preact/hooks';

/** A console page and its parameters, read from the URL's hash (`#/runs/{runId}`). */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'new-group' }
  | { readonly page: 'group'; readonly groupId: string }
  | { readonly page: 'edit-group'; readonly groupId: string }
  | { readonly page: 'runs'; readonly groupId?: string }
  | { readonly page: 'run'; readonly runId: string }
  | { readonly page: 'dead-letters'; readonly groupId?: string; readonly runId?: string }
  | { readonly page: 'data-sources' }
  | { readonly page: 'not-found'; readonly hash: string };

/** Parses `#/path?query`. Hash routes never reach the server, so no console page can shadow an API route. */
export function routeOf(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    // A malformed escape (`%E0`) is a page that does not exist, not a console that does not start.
    return { page: 'not-found', hash };
  }
  const optional = (name: string) => {
    const value = query.get(name);
    return value === null || value === '' ? {} : { [name]: value };
  };
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (first === 'groups' && second === 'new' && parts.length === 2) return { page: 'new-group' };
  if (first === 'groups' && second !== undefined && parts.length === 2) return { page: 'group', groupId: second };
  if (first === 'groups' && second !== undefined && third === 'edit') return { page: 'edit-group', groupId: second };
  if (first === 'runs' && parts.length === 1) return { page: 'runs', ...optional('groupId') };
  if (first === 'runs' && second !== undefined && parts.length === 2) return { page: 'run', runId: second };
  if (first === 'dead-letters') return { page: 'dead-letters', ...optional('groupId'), ...optional('runId') };
  if (first === 'data-sources') return { page: 'data-sources' };
  return { page: 'not-found', hash };
}

/** The hash of a console page: `href(['runs', runId])` → `#/runs/<runId>`. */
export function href(parts: readonly string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${search === '' ? '' : `?${search}`}`;
}

/** Goes to a console page. */
export function navigate(target: string): void {
  window.location.hash = target;
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
