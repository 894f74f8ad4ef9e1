/**
 * The what-if API's request bodies and window parameters: strict shapes (an unknown field is an
 * error, not ignored), Kubernetes object names (kubernetes.io "Object Names and IDs": lowercase
 * RFC 1123 names), a change that is not empty, and a window read like the flow search's (RFC 3339 or
 * a duration back from now, `since` before `until`).
 */

import { describe, expect, it } from 'vitest';
import { MAX_API_CHANGE_CHARS, MAX_CHANGE_CHARS } from '../what-if/proposed-change';
import { DEFAULT_REPLAY_WINDOW, parseRecommendBody, parseSimulateBody, parseTrafficParams, parseWindow } from './what-if-request';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const H = 3_600_000;
const params = (r: { ok: boolean; problems?: { param: string }[] }) => (r.ok ? [] : r.problems!.map((p) => p.param));

describe('parseWindow', () => {
  it('defaults to the last 24 hours', () => {
    expect(DEFAULT_REPLAY_WINDOW).toBe('24h');
    expect(parseWindow(undefined, undefined, NOW)).toEqual({ ok: true, value: { since: NOW - 24 * H, until: NOW } });
  });

  it('reads durations back from now (like the flow search); only the default window ends at until', () => {
    expect(parseWindow('2h', '30m', NOW)).toEqual({ ok: true, value: { since: NOW - 2 * H, until: NOW - 30 * 60_000 } });
    expect(parseWindow(undefined, '2h', NOW)).toEqual({ ok: true, value: { since: NOW - 26 * H, until: NOW - 2 * H } });
    expect(parseWindow('now', undefined, NOW)).toEqual({ ok: false, problems: [{ param: 'since', message: 'must be before until' }] });
    expect(parseWindow('2026-11-28T09:00:00Z', '2026-11-28T11:00:00+01:00', NOW)).toEqual({ ok: true, value: { since: NOW - 3 * H, until: NOW - 2 * H } });
  });

  it('refuses since at or after until', () => {
    expect(parseWindow('2026-11-28T11:00:00Z', '2026-11-28T10:00:00Z', NOW)).toEqual({ ok: false, problems: [{ param: 'since', message: 'must be before until' }] });
    expect(parseWindow('2026-11-28T10:00:00Z', '2026-11-28T10:00:00Z', NOW).ok).toBe(false);
    expect(parseWindow('2026-11-28T10:00:00Z', '2026-11-28T10:00:01Z', NOW)).toEqual({ ok: true, value: { since: NOW - 2 * H, until: NOW - 2 * H + 1000 } });
  });

  it('names each bad bound', () => {
    const r = parseWindow('yesterday', '5 minutes', NOW);
    expect(params(r)).toEqual(['until', 'since']);
    expect(params(parseWindow('3x', undefined, NOW))).toEqual(['since']);
    expect(params(parseWindow('1h', '2026-13-01T00:00:00Z', NOW))).toEqual(['until']);
    expect(params(parseWindow('20y', undefined, NOW))).toEqual(['since']);
  });
});

describe('parseSimulateBody', () => {
  const yaml = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec: {podSelector: {}}\n';

  it('accepts YAML, deletions and presets, with the window', () => {
    const r = parseSimulateBody(
      {
        change: { yaml, delete: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend-egress' }, { kind: 'CiliumClusterwideNetworkPolicy', name: 'world' }], presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['egress'] }] },
        since: '1h',
      },
      NOW,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        change: { yaml, delete: [{ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-frontend-egress' }, { kind: 'CiliumClusterwideNetworkPolicy', name: 'world' }], presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['egress'] }] },
        window: { since: NOW - H, until: NOW },
      },
    });
  });

  it('refuses unknown fields at every level', () => {
    expect(params(parseSimulateBody({ change: { yaml }, dryRun: true }, NOW))).toEqual(['body']);
    expect(params(parseSimulateBody({ change: { yaml, apply: 'x' } }, NOW))).toEqual(['change']);
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'a', name: 'b', force: true }] } }, NOW))).toEqual(['change.delete.0']);
    expect(params(parseSimulateBody({ change: { presets: [{ preset: 'default-deny', namespace: 'a', directions: ['egress'], extra: 1 }] } }, NOW))).toEqual(['change.presets.0']);
    expect(params(parseSimulateBody({ change: { yaml }, constructor: {} }, NOW))).toEqual(['body']);
  });

  it('refuses bad names, kinds, presets and directions, naming the field', () => {
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'Prod', name: 'a' }] } }, NOW))).toEqual(['change.delete.0.namespace']);
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'a', name: 'bad_name' }] } }, NOW))).toEqual(['change.delete.0.name']);
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'a', name: '-a' }] } }, NOW))).toEqual(['change.delete.0.name']);
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'a', name: 'x'.repeat(254) }] } }, NOW))).toEqual(['change.delete.0.name']);
    expect(params(parseSimulateBody({ change: { delete: [{ kind: 'Pod', namespace: 'a', name: 'b' }] } }, NOW))).toEqual(['change.delete.0.kind']);
    expect(params(parseSimulateBody({ change: { presets: [{ preset: 'allow-all', namespace: 'a', directions: ['egress'] }] } }, NOW))).toEqual(['change.presets.0.preset']);
    expect(params(parseSimulateBody({ change: { presets: [{ preset: 'default-deny', namespace: 'a', directions: [] }] } }, NOW))).toEqual(['change.presets.0.directions']);
    expect(params(parseSimulateBody({ change: { presets: [{ preset: 'default-deny', namespace: 'a', directions: ['sideways'] }] } }, NOW))).toEqual(['change.presets.0.directions.0']);
    const bad = parseSimulateBody({ change: { delete: [{ kind: 'NetworkPolicy', namespace: 'a', name: 'Bad' }] } }, NOW);
    expect(bad.ok ? '' : bad.problems[0].message).toMatch(/must be a policy name/);
  });

  it('refuses an empty change', () => {
    for (const change of [{}, { yaml: '' }, { yaml: '  \n\t' }, { delete: [] }, { presets: [] }, { yaml: ' ', delete: [], presets: [] }]) {
      const r = parseSimulateBody({ change }, NOW);
      expect(r, JSON.stringify(change)).toEqual({ ok: false, problems: [{ param: 'change', message: 'the change is empty: give YAML, policies to delete or a preset' }] });
    }
    expect(params(parseSimulateBody({}, NOW))).toEqual(['change']);
    expect(params(parseSimulateBody(null, NOW))).toEqual(['body']);
  });

  it('refuses oversized YAML and too many entries', () => {
    // The API's cap (the request body is capped at 64 KB), below what the CLI reads locally.
    expect(MAX_API_CHANGE_CHARS).toBeLessThan(MAX_CHANGE_CHARS);
    expect(params(parseSimulateBody({ change: { yaml: 'x'.repeat(MAX_API_CHANGE_CHARS + 1) } }, NOW))).toEqual(['change.yaml']);
    expect(parseSimulateBody({ change: { yaml: 'x'.repeat(MAX_API_CHANGE_CHARS) } }, NOW).ok).toBe(true);
    const many = Array.from({ length: 501 }, (_, i) => ({ kind: 'NetworkPolicy', namespace: 'a', name: `p${i}` }));
    expect(params(parseSimulateBody({ change: { delete: many } }, NOW))).toEqual(['change.delete']);
  });

  it('checks the window: since after until, bad durations, overlong bounds', () => {
    expect(parseSimulateBody({ change: { yaml }, since: '1h', until: '2h' }, NOW)).toEqual({ ok: false, problems: [{ param: 'since', message: 'must be before until' }] });
    expect(params(parseSimulateBody({ change: { yaml }, since: '1 hour' }, NOW))).toEqual(['since']);
    expect(params(parseSimulateBody({ change: { yaml }, until: 'x'.repeat(65) }, NOW))).toEqual(['until']);
    expect(params(parseSimulateBody({ change: { yaml }, since: '' }, NOW))).toEqual(['since']);
    expect(params(parseSimulateBody({ change: { yaml }, since: 3600 }, NOW))).toEqual(['since']);
  });
});

describe('parseRecommendBody', () => {
  it('accepts a namespace, optionally a workload and a flavour', () => {
    expect(parseRecommendBody({ namespace: 'production' }, NOW)).toEqual({ ok: true, value: { namespace: 'production', window: { since: NOW - 24 * H, until: NOW } } });
    expect(parseRecommendBody({ namespace: 'production', workload: 'api-server', flavour: 'kubernetes', since: '7d', until: '1d' }, NOW)).toEqual({
      ok: true,
      value: { namespace: 'production', workload: 'api-server', flavour: 'kubernetes', window: { since: NOW - 7 * 24 * H, until: NOW - 24 * H } },
    });
  });

  it('refuses a missing or bad namespace, a bad workload or flavour, unknown fields and a bad window', () => {
    expect(params(parseRecommendBody({}, NOW))).toEqual(['namespace']);
    expect(params(parseRecommendBody({ namespace: 'Production' }, NOW))).toEqual(['namespace']);
    expect(params(parseRecommendBody({ namespace: 'a', workload: 'api_server' }, NOW))).toEqual(['workload']);
    expect(params(parseRecommendBody({ namespace: 'a', flavour: 'calico' }, NOW))).toEqual(['flavour']);
    expect(params(parseRecommendBody({ namespace: 'a', scope: 'all' }, NOW))).toEqual(['body']);
    expect(params(parseRecommendBody({ namespace: 'a', since: '2026-11-28T11:00:00Z', until: '2026-11-28T10:00:00Z' }, NOW))).toEqual(['since']);
  });
});

describe('parseTrafficParams', () => {
  it('reads since and until', () => {
    expect(parseTrafficParams(new URLSearchParams('since=2h&until=1h'), NOW)).toEqual({ ok: true, value: { since: NOW - 2 * H, until: NOW - H } });
    expect(parseTrafficParams(new URLSearchParams(''), NOW)).toEqual({ ok: true, value: { since: NOW - 24 * H, until: NOW } });
    // An empty value is the default.
    expect(parseTrafficParams(new URLSearchParams('since='), NOW)).toEqual({ ok: true, value: { since: NOW - 24 * H, until: NOW } });
  });

  it('refuses unknown, repeated and overlong parameters, and a reversed window', () => {
    expect(parseTrafficParams(new URLSearchParams('since=1h&namespace=a&constructor=x'), NOW)).toEqual({
      ok: false,
      problems: [
        { param: 'namespace', message: 'unknown parameter' },
        { param: 'constructor', message: 'unknown parameter' },
      ],
    });
    expect(parseTrafficParams(new URLSearchParams('since=1h&since=2h'), NOW)).toEqual({ ok: false, problems: [{ param: 'since', message: 'given more than once' }] });
    expect(parseTrafficParams(new URLSearchParams(`until=${'1'.repeat(65)}`), NOW)).toEqual({ ok: false, problems: [{ param: 'until', message: 'at most 64 characters' }] });
    expect(params(parseTrafficParams(new URLSearchParams('since=1h&until=2h'), NOW))).toEqual(['since']);
  });
});
