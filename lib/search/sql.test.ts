import { describe, expect, it } from 'vitest';
import type { SearchField } from './ast';
import { parseSearch } from './parse';
import { searchToSql } from './sql';
import { quoteValue } from './complete';

function sql(query: string) {
  const p = parseSearch(query);
  if (!p.ok) throw new Error(`${query}: ${p.error.message}`);
  return searchToSql(p.ast);
}

/** Placeholders named in the SQL text. */
const placeholders = (where: string) => [...where.matchAll(/\{(\w+):([^}]+)\}/g)].map((m) => m[1]);

/** Fixed fragments only: identifiers, function names, operators, digits and placeholders. No quotes, no comments, no `;`. */
const SAFE_SQL = /^[A-Za-z0-9_ (),.=!<>+\-{}:]*$/;

describe('searchToSql', () => {
  it('is every row for the empty search', () => {
    expect(searchToSql(null)).toEqual({ where: '1', params: {} });
  });

  it('binds every value, with a typed placeholder per distinct value', () => {
    const c = sql('ns:shop to-port:8000-8100 identity:world verdict:dropped');
    expect(c.where).toContain('src_ns = {p0:String}');
    expect(c.params.p0).toBe('shop');
    expect(c.where).toMatch(/dst_port BETWEEN \{p\d+:UInt16\} AND \{p\d+:UInt16\}/);
    expect(Object.values(c.params)).toEqual(expect.arrayContaining([8000, 8100, 2, 'DROPPED']));
    expect(c.where).toMatch(/src_identity = \{p\d+:UInt32\}/);
    // The same value is bound once.
    expect(sql('ns:a OR ns:a').params).toEqual({ p0: 'a' });
  });

  it('names exactly the placeholders it binds', () => {
    const c = sql('(pod:shop/web- OR fqdn:*.example.com) NOT label:app=api http-path:/a* policy:x dns:*.local text ip:10.0.0.0/8 ip:fd00::/8 proto:icmp');
    expect(new Set(placeholders(c.where))).toEqual(new Set(Object.keys(c.params)));
  });

  it('turns globs into escaped LIKE patterns, or RE2 regexes where * is narrower', () => {
    const like = sql('ns:a%b_c*');
    expect(like.where).toMatch(/src_ns LIKE \{p\d+:String\}/);
    expect(Object.values(like.params)).toContain('a\\%b\\_c%');
    expect(Object.values(sql('pod:x\\y').params)).toContain('x\\\\y%');
    const re = sql('node:aks-?/n.1*');
    expect(re.where).toMatch(/match\(node, \{p\d+:String\}\)/);
    expect(Object.values(re.params)).toContain('^aks\\-[^/]\\/n\\.1[^/]*$');
    expect(Object.values(sql('fqdn:*.example.com').params)).toContain('^[-_.a-z0-9]*\\.example\\.com$');
  });

  it('asks for a value when a glob could match the empty string', () => {
    expect(sql('ns:*').where).toMatch(/notEmpty\(src_ns\) AND src_ns LIKE/);
    expect(sql('ns:a*').where).not.toMatch(/notEmpty\(src_ns\)/);
  });

  describe('keeps what a user types out of the SQL text', () => {
    const evil = [
      "x' OR 1=1 --",
      'a\\',
      "a'); DROP TABLE flows; --",
      'p) OR (1=1',
      '{p0:String}',
      '{p1:UInt16}',
      '%',
      '_',
      'a"b',
      '/* c */',
      'x\nSELECT 1',
    ];
    const fields: SearchField[] = ['ns', 'pod', 'workload', 'label', 'http-path', 'policy', 'node', 'text', 'to-workload', 'from-label'];
    for (const field of fields) {
      it.each(evil)(`${field}: %s`, (value) => {
        const text = field === 'text' ? quoteValue(value) : `${field}:${quoteValue(value)}`;
        const p = parseSearch(text);
        // Values a field refuses never reach SQL at all; the others only as parameters.
        if (!p.ok) return;
        const c = searchToSql(p.ast);
        expect(c.where).toMatch(SAFE_SQL);
        expect(c.where).not.toContain("'");
        expect(c.where).not.toContain('--');
        expect(c.where).not.toContain(';');
        expect(new Set(placeholders(c.where))).toEqual(new Set(Object.keys(c.params)));
        // The value's words are in the parameters (escaped for LIKE or RE2 where a glob needs it).
        const bound = Object.values(c.params).flat().map((b) => String(b).toLowerCase());
        for (const word of value.toLowerCase().match(/[a-z0-9]+/g) ?? []) expect(bound.some((b) => b.includes(word)), word).toBe(true);
      });
    }

    it('refuses malformed values in fields that cannot hold them', () => {
      for (const q of ["port:1'", "ip:1.1.1.1'--", 'identity:{p0:String}', "verdict:x'", "uuid:a';", 'http-status:5xx;', 'reply:1=1']) {
        expect(parseSearch(q).ok, q).toBe(false);
      }
    });
  });
});
