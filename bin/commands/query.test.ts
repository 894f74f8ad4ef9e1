import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointAt, queryParams, QueryUsageError } from './query';
import { runCli } from './testing/run-cli';

describe('flowsight query: input', () => {
  it('a bad query exits 2 with a caret under the column, before any request', async () => {
    const r = await runCli(['query', 'verdict:dropped port:', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected a value after "port:" at column 22');
    expect(r.err).toContain(`\n  verdict:dropped port:\n  ${' '.repeat(21)}^`);
  });

  it('bad --since, --limit and --url exit 2 naming the flag', async () => {
    expect((await runCli(['query', 'ns:a', '--since', 'soon'])).err).toContain('--since');
    expect((await runCli(['query', 'ns:a', '--limit', '0'])).code).toBe(2);
    const url = await runCli(['query', 'ns:a', '--url', 'not a url']);
    expect(url.code).toBe(2);
    expect(url.err).toContain('--url');
  });

  it('resolves durations with its own clock and sends RFC 3339', () => {
    const p = queryParams('ns:a', { since: '1h', until: '30m' }, Date.parse('2026-11-28T12:00:00Z'));
    expect(p.get('since')).toBe('2026-11-28T11:00:00.000Z');
    expect(p.get('until')).toBe('2026-11-28T11:30:00.000Z');
    expect(() => queryParams('ns:a', { since: '10m', until: '1h' })).toThrow(QueryUsageError);
  });

  it('pointAt puts the caret under the column', () => {
    expect(pointAt('abc def', 5, 'x')).toBe('x\n  abc def\n      ^');
  });
});

describe('flowsight query: against a server', () => {
  let server: http.Server;
  let base = '';
  const seen: URL[] = [];
  beforeAll(async () => {
    // Two pages: the first gives a cursor, the second ends the search.
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push(url);
      if (req.headers.authorization !== 'Bearer secret-token-0123456789') {
        res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'authentication required' }));
        return;
      }
      const cursor = url.searchParams.get('cursor');
      const flow = (uuid: string, time: number) => ({ uuid, time, verdict: 'DROPPED', dropReason: '', direction: 'EGRESS', isReply: false, protocol: 'UDP', tcpFlags: [], source: { ip: '10.0.0.1', port: 1, identity: 0, namespace: 'a', pod: 'p', labels: [], workloads: [], names: [], service: '', cluster: '' }, destination: { ip: '10.0.0.2', port: 53, identity: 0, namespace: 'kube-system', pod: 'dns', labels: [], workloads: [], names: [], service: '', cluster: '' }, node: 'n', type: 'L3_L4', eventType: 1, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '' });
      const body = cursor ? { flows: [flow('c', 1)], nextCursor: null } : { flows: [flow('a', 3), flow('b', 2)], nextCursor: 'next1' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...body, explanation: {}, source: 'history', range: { since: null, until: null }, tookMs: 1 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('pages through the cursor up to --limit and sends the token from FLOWSIGHT_AUTH_TOKEN', async () => {
    process.env.FLOWSIGHT_AUTH_TOKEN = 'secret-token-0123456789';
    try {
      const r = await runCli(['query', 'verdict:dropped', '--limit', '3', '-o', 'json', '--url', base]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.trim().split('\n').map((l) => JSON.parse(l).uuid)).toEqual(['a', 'b', 'c']);
      expect(seen.at(-1)!.searchParams.get('cursor')).toBe('next1');
      expect(seen.at(-1)!.searchParams.get('q')).toBe('verdict:dropped');
    } finally {
      delete process.env.FLOWSIGHT_AUTH_TOKEN;
    }
  });

  it('without the token: exit 1 saying to set it; nothing listening: exit 1 saying so', async () => {
    const denied = await runCli(['query', 'ns:a', '--url', base]);
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('FLOWSIGHT_AUTH_TOKEN');
    const nobody = await runCli(['query', 'ns:a', '--url', 'http://127.0.0.1:9']);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('no Flowsight answers');
  });
});
