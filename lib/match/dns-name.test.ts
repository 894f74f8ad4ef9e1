import { describe, expect, it } from 'vitest';
import { displayDnsName, normalizeDnsName } from './dns-name';

describe('normalizeDnsName', () => {
  it('lower-cases, trims and drops the trailing dot of a fully qualified name', () => {
    expect(normalizeDnsName(' API.Stripe.com. ')).toBe('api.stripe.com');
    expect(normalizeDnsName('pypi.org')).toBe('pypi.org');
  });

  it('drops one trailing dot only, so a malformed name stays visibly malformed', () => {
    expect(normalizeDnsName('example.com..')).toBe('example.com.');
    expect(normalizeDnsName('.')).toBe('');
  });

  it('keeps wildcards and inner characters as they are', () => {
    expect(normalizeDnsName('*.Example.COM.')).toBe('*.example.com');
    expect(normalizeDnsName('_sip._tcp.example.com')).toBe('_sip._tcp.example.com');
  });

  it('trims before it looks for the dot, and a name already normal is unchanged', () => {
    expect(normalizeDnsName('a.example.com.\t')).toBe('a.example.com');
    expect(normalizeDnsName('a.example.com')).toBe('a.example.com');
    expect(normalizeDnsName('')).toBe('');
  });
});

describe('displayDnsName', () => {
  it('drops the trailing dot and spaces but keeps the case a person typed or a server sent', () => {
    expect(displayDnsName(' API.Stripe.com. ')).toBe('API.Stripe.com');
    expect(displayDnsName('=cmd|\' /C calc\'!A0')).toBe('=cmd|\' /C calc\'!A0');
    expect(displayDnsName('.')).toBe('');
  });
});
