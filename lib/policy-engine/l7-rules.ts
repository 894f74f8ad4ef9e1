/**
 * Cilium L7 rules on a port (`toPorts[].rules`): HTTP (method / path / host regexes, headers) and DNS
 * (matchName / matchPattern). A request passes if at least one rule of the port matches it.
 */

import { compileSafeRegex, type SafeRegex } from '../match/re2';
import { compileFqdnSelector, isMatchAll, type FqdnSelector } from './fqdn';
import type { PolicyErrorSink } from './policy-error';

export interface HttpRequest {
  method: string;
  path: string;
  host?: string;
  headers?: Record<string, string>;
}

/** What is known about the application layer of a connection, when anything is. */
export interface L7Request {
  http?: HttpRequest;
  dns?: { query: string };
}

export interface L7Rules {
  readonly type: 'http' | 'dns';
  /** How many rules the port has (for explanations). */
  readonly count: number;
  /** Index of the first rule that admits the request, or -1. Undefined when the request has no data of this type. */
  match(request: L7Request): number | undefined;
  /**
   * A rule admits every request (an HTTP rule with no method, path, host or header; a DNS `matchPattern: '*'`):
   * the verdict does not depend on request data, so a connection seen at L4 only is known to pass.
   */
  readonly admitsAll: boolean;
}

interface HttpRule {
  method?: SafeRegex;
  path?: SafeRegex;
  host?: SafeRegex;
  headers: { name: string; value?: string }[];
}

// Envoy matches these regexes against the whole value with RE2 (full match); re2js has the same
// syntax and, like RE2, never backtracks, so a hostile policy cannot stall the engine.
function fullMatch(pattern: string, field: string, errors: PolicyErrorSink): SafeRegex | undefined {
  try {
    return compileSafeRegex(pattern);
  } catch (e) {
    errors.error('invalid-rule', field, `${pattern.slice(0, 120)} is not a valid regular expression (${(e as Error).message})`);
    return undefined;
  }
}

function compileHttpRule(raw: unknown, field: string, errors: PolicyErrorSink): HttpRule | undefined {
  const r = (raw ?? {}) as { method?: unknown; path?: unknown; host?: unknown; headers?: unknown; headerMatches?: unknown };
  const rule: HttpRule = { headers: [] };
  for (const key of ['method', 'path', 'host'] as const) {
    const v = r[key];
    if (typeof v === 'string' && v !== '') {
      const re = fullMatch(v, `${field}.${key}`, errors);
      if (!re) return undefined;
      rule[key] = re;
    }
  }
  if (Array.isArray(r.headers)) {
    for (const h of r.headers) {
      const text = String(h);
      const colon = text.indexOf(':');
      rule.headers.push(colon < 0 ? { name: text.trim().toLowerCase() } : { name: text.slice(0, colon).trim().toLowerCase(), value: text.slice(colon + 1).trim() });
    }
  }
  if (r.headerMatches !== undefined) errors.warn('unsupported-field', `${field}.headerMatches`, 'headerMatches is not evaluated');
  return rule;
}

function httpRuleMatches(rule: HttpRule, req: HttpRequest): boolean {
  if (rule.method && !rule.method.fullMatch(req.method)) return false;
  if (rule.path && !rule.path.fullMatch(req.path)) return false;
  if (rule.host && !rule.host.fullMatch(req.host ?? '')) return false;
  for (const h of rule.headers) {
    const actual = lookupHeader(req.headers, h.name);
    if (actual === undefined || (h.value !== undefined && actual !== h.value)) return false;
  }
  return true;
}

function lookupHeader(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Compiles `rules:` of a Cilium port rule; undefined when absent or empty (then the port is L4-only). */
export function compileL7Rules(raw: unknown, field: string, errors: PolicyErrorSink): L7Rules | null | undefined {
  if (raw === undefined || raw === null) return null;
  const r = raw as { http?: unknown; dns?: unknown; kafka?: unknown; l7proto?: unknown };
  if (Array.isArray(r.http) && r.http.length > 0) {
    const rules: HttpRule[] = [];
    for (let i = 0; i < r.http.length; i++) {
      const rule = compileHttpRule(r.http[i], `${field}.http[${i}]`, errors);
      if (!rule) return undefined;
      rules.push(rule);
    }
    return {
      type: 'http',
      count: rules.length,
      admitsAll: rules.some((rule) => !rule.method && !rule.path && !rule.host && rule.headers.length === 0),
      match: (req) => (req.http ? rules.findIndex((rule) => httpRuleMatches(rule, req.http!)) : undefined),
    };
  }
  if (Array.isArray(r.dns) && r.dns.length > 0) {
    const selectors: FqdnSelector[] = [];
    for (let i = 0; i < r.dns.length; i++) {
      const s = compileFqdnSelector(r.dns[i], `${field}.dns[${i}]`, errors);
      if (!s) return undefined;
      selectors.push(s);
    }
    return {
      type: 'dns',
      count: selectors.length,
      admitsAll: r.dns.some((d) => typeof (d as { matchPattern?: unknown })?.matchPattern === 'string' && isMatchAll((d as { matchPattern: string }).matchPattern.trim())),
      match: (req) => (req.dns ? selectors.findIndex((s) => s.matches(req.dns!.query)) : undefined),
    };
  }
  if (r.kafka !== undefined || r.l7proto !== undefined) {
    errors.warn('unsupported-field', field, 'kafka and generic l7proto rules are not evaluated; the port is treated as allowing every request');
  }
  return null;
}
