import { describe, expect, it } from 'vitest';
import { compileFqdnSelector, DnsNames } from './fqdn';
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
  ];
  it.each(cases)('%j vs %s', (raw, name, expected) => {
    const errors = sink();
    const sel = compileFqdnSelector(raw, 'spec.egress[0].toFQDNs[0]', errors);
    expect(errors.errors).toEqual([]);
    expect(sel!.matches(name)).toBe(expected);
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
