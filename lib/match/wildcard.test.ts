import { describe, expect, it } from 'vitest';
import { ANY_CHAR, anyCharBut, charClass, compileGlob, literal, MAX_WILDCARD_PATTERN, one, run, Wildcard, WildcardError } from './wildcard';
import { compileSafeRegex, RegexError } from './re2';
import { PATHOLOGICAL, timeRatio } from './testing/time-ratio';

const glob = (p: string) => compileGlob(p, { star: ANY_CHAR, question: ANY_CHAR });

describe('Wildcard (linear-time glob)', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['a*', 'a', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbcd', false],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*a*b', 'xxaxxb', true],
    ['*a*b', 'xxbxxa', false],
    ['**', 'x', true],
  ];
  for (const [pattern, text, want] of cases) {
    it(`"${pattern}" ${want ? 'matches' : 'does not match'} "${text}"`, () => expect(glob(pattern).matches(text)).toBe(want));
  }

  it('a star limited to a class never crosses the excluded character', () => {
    const p = compileGlob('cluster/*', { star: anyCharBut('/') });
    expect(p.matches('cluster/node-1')).toBe(true);
    expect(p.matches('cluster/a/b')).toBe(false);
  });

  it('builds patterns from tokens (one-or-more runs, classes)', () => {
    const label = charClass('-', ['a', 'z']);
    const p = new Wildcard([...literal('x.'), one(label), run(label), ...literal('.io')]);
    expect(p.matches('x.eastus.io')).toBe(true);
    expect(p.matches('x..io')).toBe(false);
    expect(p.matches('x.a.b.io')).toBe(false);
  });

  it('refuses patterns longer than the cap', () => {
    expect(() => glob('a'.repeat(MAX_WILDCARD_PATTERN + 1))).toThrow(WildcardError);
  });

  it('costs about what a plain pattern costs on pathological input (no backtracking)', () => {
    const plain = glob('*.example.com');
    const stars = glob(PATHOLOGICAL.stars);
    const alternating = glob(PATHOLOGICAL.alternating);
    expect(alternating.matches(PATHOLOGICAL.text)).toBe(false);
    expect(timeRatio(() => stars.matches(PATHOLOGICAL.text), () => plain.matches(PATHOLOGICAL.text))).toBeLessThan(50);
    expect(timeRatio(() => alternating.matches(PATHOLOGICAL.text), () => plain.matches(PATHOLOGICAL.text))).toBeLessThan(100);
  });
});

describe('compileSafeRegex (RE2 semantics via re2js)', () => {
  it('find is a search, fullMatch anchors both ends', () => {
    const re = compileSafeRegex('api/v[0-9]+');
    expect(re.find('/api/v2/users')).toBe(true);
    expect(re.fullMatch('/api/v2/users')).toBe(false);
    expect(re.fullMatch('api/v2')).toBe(true);
  });

  it('rejects syntax RE2 does not have (backreferences, lookahead) and overlong patterns', () => {
    expect(() => compileSafeRegex('(a)\\1')).toThrow(RegexError);
    expect(() => compileSafeRegex('a(?=b)')).toThrow(RegexError);
    expect(() => compileSafeRegex('a'.repeat(5000))).toThrow(RegexError);
  });

  it('nested quantifiers cost about what a plain pattern costs', () => {
    const nested = compileSafeRegex(PATHOLOGICAL.nestedRegex);
    const plain = compileSafeRegex('^a+$');
    expect(nested.find(PATHOLOGICAL.text)).toBe(false);
    expect(timeRatio(() => nested.find(PATHOLOGICAL.text), () => plain.find(PATHOLOGICAL.text))).toBeLessThan(50);
  });
});
