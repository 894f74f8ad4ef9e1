import { describe, expect, it } from 'vitest';
import { PATHOLOGICAL, timeRatio } from '../match/testing/time-ratio';
import { compileFqdnSelector, DnsNames } from './fqdn';
import { compileL7Rules } from './l7-rules';
import { PolicyErrorSink } from './policy-error';

const sink = () => new PolicyErrorSink({ kind: 'CiliumNetworkPolicy', namespace: 'ns', name: 'p' });

describe('FQDN selectors', () => {
  const cases: [unknown, string, boolean][] = [
    [{ matchName: 'api.stripe.com' }, 'api.stripe.com', true],
    [{ matchName: 'api.stripe.com' }, 'API.Stripe.com.', true],
    [{ matchName: 'api.stripe.com' }, 'x.api.stripe.com', false],
    [{ matchPattern: '*.stripe.com' }, 'api.stripe.com', true],
    [{ matchPattern: '*.stripe.com' }, 'stripe.com', false],
    [{ matchPattern: '*.stripe.com' }, 'a.b.stripe.com', false],
    [{ matchPattern: '**.stripe.com' }, 'a.b.stripe.com', true],
    [{ matchPattern: '**.stripe.com' }, 'stripe.com', false],
    [{ matchPattern: 'api-*.example.com' }, 'api-eu.example.com', true],
    [{ matchPattern: 'api-*.example.com' }, 'apieu.example.com', false],
    [{ matchPattern: '*' }, 'anything.at.all', true],
    [{ matchPattern: '*.com' }, 'stripe.com.evil.net', false],
    // Cilium pkg/fqdn/matchpattern (ToAnchoredRegexp): a pattern of stars only (optionally with a trailing
    // dot) is isDNSWildcard and matches every name; 2+ leading stars and a dot match one or more labels
    // (Cilium 1.19 upgrade notes: "**." selects all cascaded subdomains); other star runs stay in one label.
    [{ matchPattern: '**' }, 'a.b.example.com', true],
    [{ matchPattern: '***' }, 'example.com', true],
    [{ matchPattern: '**.' }, 'a.b.example.com', true],
    [{ matchPattern: '*.' }, 'a.b.example.com', true],
    [{ matchPattern: '***.stripe.com' }, 'a.b.stripe.com', true],
    [{ matchPattern: '***.stripe.com' }, 'api.stripe.com', true],
    [{ matchPattern: '***.stripe.com' }, 'stripe.com', false],
    [{ matchPattern: '**.stripe.com' }, 'a.b.c.stripe.com.', true],
    [{ matchPattern: '**.stripe.com' }, 'evilstripe.com', false],
    [{ matchPattern: 'api.**.com' }, 'api.stripe.com', true],
    [{ matchPattern: 'api.**.com' }, 'api.a.b.com', false],
    [{ matchPattern: 'a**b.example.com' }, 'ab.example.com', true],
    [{ matchPattern: '*.example.com' }, '_srv.example.com', true],
    [{ matchPattern: '*.Example.COM.' }, 'www.example.com', true],
    [{ matchPattern: ' *.example.com ' }, 'www.example.com', true],
  ];
  it.each(cases)('%j vs %s', (raw, name, expected) => {
    const errors = sink();
    const sel = compileFqdnSelector(raw, 'spec.egress[0].toFQDNs[0]', errors);
    expect(errors.errors).toEqual([]);
    expect(sel!.matches(name)).toBe(expected);
  });

  it.each([
    [{ matchName: 'api.stripe.com.' }, 'api.stripe.com'],
    [{ matchPattern: '*.stripe.com' }, 'x.stripe.com'],
    [{ matchPattern: '**.stripe.com' }, 'x.stripe.com'],
    [{ matchPattern: 'api-*.example.com' }, 'api-x.example.com'],
    [{ matchPattern: '*' }, 'example.com'],
  ])('%j: example %s is a name it matches', (raw, example) => {
    const sel = compileFqdnSelector(raw, 'spec.egress[0].toFQDNs[0]', sink())!;
    expect(sel.example).toBe(example);
    expect(sel.matches(sel.example)).toBe(true);
  });

  it('rejects a pattern with regex characters, naming the field', () => {
    const errors = sink();
    expect(compileFqdnSelector({ matchPattern: 'api.(stripe|evil).com' }, 'spec.egress[0].toFQDNs[0]', errors)).toBeUndefined();
    expect(errors.errors[0].where.field).toBe('spec.egress[0].toFQDNs[0].matchPattern');
  });

  it('maps IPs back to every name that resolved to them', () => {
    const dns = new DnsNames([['a.example.com.', ['1.2.3.4']], ['b.example.com', ['1.2.3.4', '5.6.7.8']]]);
    expect(dns.namesOf('1.2.3.4')).toEqual(['a.example.com', 'b.example.com']);
    expect(dns.namesOf('9.9.9.9')).toEqual([]);
  });
});

// Issue 8 (hardening), item 1: policies come from users (a manifests directory, the cluster); a
// matchPattern must match in linear time (docs.cilium.io, Policy Language, "DNS based": matchPattern
// allows `*` for DNS characters only, so it compiles to a wildcard, never to a backtracking regex).
describe('FQDN selectors on pathological patterns', () => {
  const name = `${'a'.repeat(60)}c.example.com`;
  const compile = (matchPattern: string) => compileFqdnSelector({ matchPattern }, 'spec.egress[0].toFQDNs[0]', sink())!;

  it.each([`${'*a'.repeat(24)}*b.example.com`, `**.${'*a'.repeat(24)}*b.example.com`])('%s costs about a plain pattern', (pattern) => {
    const hostile = compile(pattern);
    const plain = compile('*.example.com');
    expect(hostile.matches(name)).toBe(false);
    expect(timeRatio(() => hostile.matches(name), () => plain.matches(name))).toBeLessThan(100);
  });

  it('refuses a pattern longer than a DNS name, naming the field', () => {
    const errors = sink();
    expect(compileFqdnSelector({ matchPattern: `${'*'.repeat(300)}.com` }, 'spec.egress[0].toFQDNs[0]', errors)).toBeUndefined();
    expect(errors.errors[0].where.field).toBe('spec.egress[0].toFQDNs[0].matchPattern');
  });

  it('names with empty labels never match a ** pattern', () => {
    expect(compile('**.example.com').matches('a..example.com')).toBe(false);
  });
});

// Cilium L7 HTTP rules are RE2 regexes that Envoy full-matches (docs.cilium.io, Layer 7 examples:
// "path: Extended POSIX regex matched against the path"); re2js keeps a hostile one linear.
describe('L7 HTTP rules on pathological regexes', () => {
  const compile = (path: string) => compileL7Rules({ http: [{ method: 'GET', path }] }, 'spec.ingress[0].toPorts[0].rules', sink())!;
  const request = { http: { method: 'GET', path: `/${'a'.repeat(60)}c` } };

  it.each([PATHOLOGICAL.nestedRegex, `/${PATHOLOGICAL.shortTextRegex}`, '/(a|a)*$'])('path %s costs about a plain regex', (path) => {
    const hostile = compile(path);
    const plain = compile('/a+');
    expect(hostile.match(request)).toBe(-1);
    expect(timeRatio(() => hostile.match(request), () => plain.match(request))).toBeLessThan(100);
  });

  it('full-matches like Envoy: a path regex covers the whole path', () => {
    expect(compile('/api/.*').match({ http: { method: 'GET', path: '/api/v1' } })).toBe(0);
    expect(compile('/api').match({ http: { method: 'GET', path: '/api/v1' } })).toBe(-1);
  });
});
