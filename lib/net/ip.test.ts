import { describe, expect, it } from 'vitest';
import { inRange, isIp, parseCidr, parseIp } from './ip';

describe('parseIp', () => {
  it('parses IPv4 and IPv6, and turns an IPv4-mapped IPv6 address into IPv4', () => {
    expect(parseIp('10.0.0.4')?.toString()).toBe('10.0.0.4');
    expect(parseIp('2001:db8::1')?.kind()).toBe('ipv6');
    const mapped = parseIp('::ffff:10.0.0.4');
    expect(mapped?.kind()).toBe('ipv4');
    expect(mapped?.toString()).toBe('10.0.0.4');
  });

  it('refuses what is not exactly an address', () => {
    for (const t of ['', '10.0.0.256', '10.0.0.0/8', ' 10.0.0.4', 'host', '1.2.3.4.5']) expect(parseIp(t), t).toBeUndefined();
    expect(isIp('10.1.2.3')).toBe(true);
    expect(isIp('api.github.com')).toBe(false);
  });

  it('returns the same parsed object for the same text (the memo), and undefined stays remembered', () => {
    expect(parseIp('192.0.2.7')).toBe(parseIp('192.0.2.7'));
    expect(parseIp('nope')).toBeUndefined();
    expect(parseIp('nope')).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('parses IPv4 and IPv6 networks, with spaces around', () => {
    const [base, bits] = parseCidr(' 10.0.0.0/8 ')!;
    expect([base.toString(), bits]).toEqual(['10.0.0.0', 8]);
    expect(parseCidr('2001:db8::/32')?.[1]).toBe(32);
  });

  it('needs a slash and a valid prefix length', () => {
    expect(parseCidr('10.0.0.1')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('x/8')).toBeUndefined();
  });

  it('an IPv4-mapped network of 96 bits or more is the IPv4 network inside it; a shorter one stays IPv6', () => {
    const [base, bits] = parseCidr('::ffff:10.0.0.0/104')!;
    expect([base.kind(), base.toString(), bits]).toEqual(['ipv4', '10.0.0.0', 8]);
    const wide = parseCidr('::ffff:0:0/80')!;
    expect([wide[0].kind(), wide[1]]).toEqual(['ipv6', 80]);
  });

  it('matches addresses of its own family only', () => {
    const net = parseCidr('10.0.0.0/8')!;
    expect(inRange(parseIp('10.200.1.1')!, net)).toBe(true);
    expect(inRange(parseIp('11.0.0.1')!, net)).toBe(false);
    expect(inRange(parseIp('::ffff:10.1.1.1')!, net)).toBe(true);
    expect(inRange(parseIp('2001:db8::1')!, net)).toBe(false);
  });
});
