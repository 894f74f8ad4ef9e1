import { describe, expect, it } from 'vitest';
import { completeSearch, quoteValue, type Completion } from './complete';
import { parseSearch } from './parse';

/** Completion at the `^` marker of the text. */
function at(marked: string): Completion {
  const caret = marked.indexOf('^');
  return completeSearch(marked.slice(0, caret) + marked.slice(caret + 1), caret);
}

const names = (c: Completion) => (c.kind === 'field' ? c.fields.map((f) => f.name) : []);

describe('completeSearch: field names', () => {
  it('offers every field, described, in an empty box or between words', () => {
    const c = at('^');
    expect(c.kind).toBe('field');
    expect(names(c)).toContain('verdict');
    expect(names(c)).not.toContain('text');
    expect(names(c)).toHaveLength(35);
    if (c.kind === 'field') expect(c.fields.every((f) => f.description.length > 10 && f.example)).toBe(true);
    expect(at('ns:a ^')).toMatchObject({ kind: 'field', from: 5, to: 5, prefix: '' });
    expect(at('(^')).toMatchObject({ kind: 'field', from: 1, to: 1 });
  });

  it('narrows to the word typed, replacing the whole word', () => {
    const c = at('ns:a ver^d');
    expect(c).toMatchObject({ kind: 'field', from: 5, to: 9, prefix: 'ver' });
    expect(names(c)).toEqual(['verdict']);
    expect(names(at('from-^'))).toEqual(['from-ns', 'from-pod', 'from-label', 'from-workload', 'from-port', 'from-fqdn', 'from-ip', 'from-identity', 'from-namespace']);
    expect(names(at('HTTP-^'))).toEqual(['http-status', 'http-method', 'http-path', 'http-code']);
  });

  it('offers aliases being typed, described as their field', () => {
    const c = at('names^');
    expect(c.kind === 'field' && c.fields).toEqual([expect.objectContaining({ name: 'namespace', field: 'ns' })]);
  });

  it('replaces up to the colon when the caret is in a field name', () => {
    expect(at('ve^rdict:dropped')).toMatchObject({ kind: 'field', from: 0, to: 8, prefix: 've' });
  });

  it('completes after NOT and the - shorthand', () => {
    expect(at('NOT po^')).toMatchObject({ kind: 'field', from: 4, prefix: 'po' });
    expect(at('-po^')).toMatchObject({ kind: 'field', from: 1, to: 3, prefix: 'po' });
  });

  it('offers nothing for a word that is no field, a phrase, or right after ")"', () => {
    expect(at('checkou^t').kind).toBe('none');
    expect(at('"two wo^rds"').kind).toBe('none');
    expect(at('(a)^').kind).toBe('none');
  });
});

describe('completeSearch: values', () => {
  it('offers the fixed vocabulary of closed fields, narrowed to the prefix', () => {
    expect(at('verdict:^')).toMatchObject({ kind: 'value', field: 'verdict', from: 8, to: 8, prefix: '', options: ['forwarded', 'dropped', 'audit', 'error', 'redirected', 'traced', 'translated'] });
    expect(at('verdict:D^r')).toMatchObject({ kind: 'value', from: 8, to: 10, prefix: 'D', options: ['dropped'] });
    expect(at('proto:ic^')).toMatchObject({ options: ['icmp', 'icmpv4', 'icmpv6'] });
    expect(at('reply:^')).toMatchObject({ options: ['true', 'false'] });
    expect(at('http-status:5^')).toMatchObject({ options: ['5xx', '500', '502', '503', '504'] });
    expect(at('to-identity:wo^')).toMatchObject({ options: ['world', 'world-ipv4', 'world-ipv6'] });
  });

  it('completes the alternative under the caret', () => {
    expect(at('verdict:dropped|er^')).toMatchObject({ kind: 'value', from: 16, to: 18, prefix: 'er', options: ['error'] });
    expect(at('verdict:dro^p|error')).toMatchObject({ from: 8, to: 12, prefix: 'dro' });
  });

  it('asks the store for names it knows', () => {
    expect(at('ns:sh^')).toMatchObject({ kind: 'value', field: 'ns', storeField: 'namespace', prefix: 'sh', from: 3, to: 5 });
    expect(at('to-workload:^')).toMatchObject({ storeField: 'workload' });
    expect(at('from-pod:shop/w^')).toMatchObject({ storeField: 'pod', prefix: 'shop/w' });
    expect(at('fqdn:*.exa^')).toMatchObject({ storeField: 'fqdn' });
    expect(at('dns:^')).toMatchObject({ storeField: 'fqdn' });
    expect(at('label:app=^')).toMatchObject({ storeField: 'label', prefix: 'app=' });
    expect(at('node:^')).toMatchObject({ storeField: 'node' });
    expect(at('policy:^')).toMatchObject({ storeField: 'policy' });
    const reason = at('reason:POL^');
    expect(reason).toMatchObject({ storeField: 'reason', options: ['POLICY_DENIED', 'POLICY_DENY'] });
    expect(at('port:^')).toEqual({ kind: 'value', field: 'port', from: 5, to: 5, prefix: '' });
  });

  it('unquotes a quoted value typed so far, and replaces the whole quoted value', () => {
    expect(at('pod:"shop/a b^"')).toMatchObject({ kind: 'value', prefix: 'shop/a b', from: 4, to: 14 });
    expect(at('ns:"we \\"x^')).toMatchObject({ prefix: 'we "x' });
  });

  it('offers nothing after an unknown field', () => {
    expect(at('nope:^').kind).toBe('none');
  });
});

describe('quoteValue', () => {
  it('quotes only what the parser would split, and round-trips', () => {
    expect(quoteValue('shop')).toBe('shop');
    expect(quoteValue('k8s:app=api')).toBe('k8s:app=api');
    for (const v of ['a b', 'x)y', 'say "hi"', 'back\\slash', '(', 'tab\there']) {
      const q = quoteValue(v);
      expect(q.startsWith('"')).toBe(true);
      const parsed = parseSearch(`http-path:${q}`);
      expect(parsed.ok && parsed.ast?.kind === 'term' && parsed.ast.value).toBe(v);
    }
  });
});
