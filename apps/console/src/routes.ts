// The page's places, in the URL's hash (#/players?query=…, #/players/42, #/dashboards): the server serves one
// index.html at /console/ and needs to know nothing of them.
import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'players'; query: string } | { page: 'player'; accountId: number } | { page: 'dashboards' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const player = /^\/players\/(\d+)$/.exec(path);
  if (player) return { page: 'player', accountId: Number(player[1]) };
  if (path === '/dashboards') return { page: 'dashboards' };
  return { page: 'players', query: new URLSearchParams(search).get('query') ?? '' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'player':
      return `#/players/${route.accountId}`;
    case 'dashboards':
      return '#/dashboards';
    case 'players':
      return route.query ? `#/players?${new URLSearchParams({ query: route.query }).toString()}` : '#/players';
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
