/**
 * The /simulate page's state as its URL says it: the window (`since` / `until`, RFC 3339 or a
 * duration back from now, as the API takes them; the last 24 h by default), which panel is open, and
 * the recommendation's question (namespace, workload, flavour). The change itself (its YAML) stays
 * out of the URL: it can be long, and a link should not carry policy text.
 */

/**
 * The server's default window (DEFAULT_REPLAY_WINDOW of lib/api/what-if-request, checked equal in
 * the test): not imported, as that module would bring zod and the recommender into the page.
 */
export const DEFAULT_SINCE = '24h';

export type Flavour = 'auto' | 'cilium' | 'kubernetes';
export const FLAVOUR_CHOICES: readonly Flavour[] = ['auto', 'cilium', 'kubernetes'];

export interface SimulateView {
  since: string;
  until: string;
  tab: 'change' | 'recommend';
  /** The recommendation's namespace ('' = not chosen yet). */
  namespace: string;
  workload: string;
  flavour: Flavour;
}

const MAX_BOUND_CHARS = 40;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const bound = (v: string | null) => (v ?? '').trim().slice(0, MAX_BOUND_CHARS);
const name = (v: string | null) => {
  const t = (v ?? '').trim();
  return t.length <= 253 && NAME.test(t) ? t : '';
};

/** The view a URL describes; anything it does not understand falls back to the default. */
export function readSimulateView(params: URLSearchParams): SimulateView {
  const since = bound(params.get('since'));
  const until = bound(params.get('until'));
  const flavour = params.get('flavour');
  return {
    since: since || (until ? '' : DEFAULT_SINCE),
    until,
    tab: params.get('tab') === 'recommend' ? 'recommend' : 'change',
    namespace: name(params.get('ns')),
    workload: name(params.get('workload')),
    flavour: FLAVOUR_CHOICES.includes(flavour as Flavour) ? (flavour as Flavour) : 'auto',
  };
}

/** The URL query of a view, defaults left out, in a fixed order. */
export function writeSimulateView(v: SimulateView): URLSearchParams {
  const p = new URLSearchParams();
  if (v.tab !== 'change') p.set('tab', v.tab);
  if (v.since && !(v.since === DEFAULT_SINCE && !v.until)) p.set('since', v.since);
  if (v.until) p.set('until', v.until);
  if (v.namespace) p.set('ns', v.namespace);
  if (v.workload) p.set('workload', v.workload);
  if (v.flavour !== 'auto') p.set('flavour', v.flavour);
  return p;
}

/** The window as the API's request body takes it (absent parts: the server's defaults). */
export function windowBody(v: Pick<SimulateView, 'since' | 'until'>): { since?: string; until?: string } {
  return { ...(v.since ? { since: v.since } : {}), ...(v.until ? { until: v.until } : {}) };
}
