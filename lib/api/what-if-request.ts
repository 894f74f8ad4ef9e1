/**
 * The what-if API's request bodies (`POST /api/simulate`, `POST /api/recommend`) and the window
 * parameters of `GET /api/simulate/traffic`: strict JSON shapes, every problem naming its field, and
 * the time window read like the flow search's (`since`/`until` as RFC 3339 or a duration such as 24h).
 * Plain and browser-safe like the rest of lib/api.
 */

import { z } from 'zod';
import { POLICY_KINDS } from '../k8s/types';
import { parseTimeBound } from '../search/time-bound';
import { FLAVOURS, type Flavour } from '../what-if/recommend';
import { MAX_API_CHANGE_CHARS, type ProposedChange } from '../what-if/proposed-change';
import type { ParamProblem } from './problem';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** A Kubernetes object name (namespaces, policies, workloads), every problem naming what it should be. */
export const objectName = (what: string) => z.string().min(1).max(253).regex(NAME, `must be a ${what} name (lowercase letters, digits, - and .)`);
export const bound = z.string().min(1).max(64);

/** The window of a replay when none is given: the last day, the usual look-back before enforcing a policy. */
export const DEFAULT_REPLAY_WINDOW = '24h';

const changeSchema = z.strictObject({
  yaml: z.string().max(MAX_API_CHANGE_CHARS, `at most ${MAX_API_CHANGE_CHARS} characters over the API (flowsight simulate --manifests reads larger changes locally)`).optional(),
  delete: z
    .array(z.strictObject({ kind: z.enum(POLICY_KINDS), namespace: objectName('namespace').optional(), name: objectName('policy') }))
    .max(500)
    .optional(),
  presets: z
    .array(z.strictObject({ preset: z.literal('default-deny'), namespace: objectName('namespace'), directions: z.array(z.enum(['ingress', 'egress'])).min(1).max(2) }))
    .max(50)
    .optional(),
});

const simulateSchema = z.strictObject({ change: changeSchema, since: bound.optional(), until: bound.optional() });

const recommendSchema = z.strictObject({
  namespace: objectName('namespace'),
  workload: objectName('workload').optional(),
  flavour: z.enum(FLAVOURS as [Flavour, ...Flavour[]]).optional(),
  since: bound.optional(),
  until: bound.optional(),
});

export interface ReplayWindow {
  since: number;
  until: number;
}

export interface SimulateRequest {
  change: ProposedChange;
  window: ReplayWindow;
}

export interface RecommendRequest {
  namespace: string;
  workload?: string;
  /** Absent: the cluster's datapath decides (cilium where Cilium enforces, else kubernetes). */
  flavour?: Flavour;
  window: ReplayWindow;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: ParamProblem[] };

export function zodProblems(error: z.ZodError): ParamProblem[] {
  return error.issues.map((i) => ({ param: i.path.length ? i.path.join('.') : 'body', message: i.message }));
}

/** `since`/`until` to epoch ms (since defaults to 24 h before `until`, until to now); since must come first. */
export function parseWindow(since: string | undefined, until: string | undefined, nowMs: number): Parsed<ReplayWindow> {
  const problems: ParamProblem[] = [];
  const u = until === undefined ? { ok: true as const, ms: nowMs } : parseTimeBound(until, nowMs);
  if (!u.ok) problems.push({ param: 'until', message: u.message });
  // A duration given is back from now, as in the flow search and `--since 2h --until 1h`; only the default window ends at until.
  const s = since === undefined ? parseTimeBound(DEFAULT_REPLAY_WINDOW, u.ok ? u.ms : nowMs) : parseTimeBound(since, nowMs);
  if (!s.ok) problems.push({ param: 'since', message: s.message });
  if (problems.length || !s.ok || !u.ok) return { ok: false, problems };
  if (s.ms >= u.ms) return { ok: false, problems: [{ param: 'since', message: 'must be before until' }] };
  return { ok: true, value: { since: s.ms, until: u.ms } };
}

export function parseSimulateBody(body: unknown, nowMs: number): Parsed<SimulateRequest> {
  const r = simulateSchema.safeParse(body);
  if (!r.success) return { ok: false, problems: zodProblems(r.error) };
  const w = parseWindow(r.data.since, r.data.until, nowMs);
  if (!w.ok) return w;
  const change: ProposedChange = {
    ...(r.data.change.yaml !== undefined ? { yaml: r.data.change.yaml } : {}),
    ...(r.data.change.delete ? { delete: r.data.change.delete } : {}),
    ...(r.data.change.presets ? { presets: r.data.change.presets } : {}),
  };
  if (!change.yaml?.trim() && !change.delete?.length && !change.presets?.length) return { ok: false, problems: [{ param: 'change', message: 'the change is empty: give YAML, policies to delete or a preset' }] };
  return { ok: true, value: { change, window: w.value } };
}

export function parseRecommendBody(body: unknown, nowMs: number): Parsed<RecommendRequest> {
  const r = recommendSchema.safeParse(body);
  if (!r.success) return { ok: false, problems: zodProblems(r.error) };
  const w = parseWindow(r.data.since, r.data.until, nowMs);
  if (!w.ok) return w;
  return { ok: true, value: { namespace: r.data.namespace, ...(r.data.workload ? { workload: r.data.workload } : {}), ...(r.data.flavour ? { flavour: r.data.flavour } : {}), window: w.value } };
}

/** `GET /api/simulate/traffic?since=&until=`: the window only. */
export function parseTrafficParams(params: URLSearchParams, nowMs: number): Parsed<ReplayWindow> {
  const problems: ParamProblem[] = [];
  for (const key of new Set(params.keys())) {
    if (key !== 'since' && key !== 'until') problems.push({ param: key, message: 'unknown parameter' });
    else if (params.getAll(key).length > 1) problems.push({ param: key, message: 'given more than once' });
    else if ((params.get(key) ?? '').length > 64) problems.push({ param: key, message: 'at most 64 characters' });
  }
  if (problems.length) return { ok: false, problems };
  return parseWindow(params.get('since') || undefined, params.get('until') || undefined, nowMs);
}
