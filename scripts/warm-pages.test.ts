/** warm-pages.mjs: the pages the server asks itself for at start, over a real HTTP server on loopback. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfAddress, warmPages, WARM_PATHS } from './warm-pages.mjs';

let server: http.Server;
let port: number;
const asked: { path: string; agent: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    asked.push({ path: req.url ?? '', agent: String(req.headers['user-agent']) });
    if (req.url === '/hangs') return; // never answers
    if (req.url === '/drops') return void req.socket.destroy();
    res.writeHead(req.url === '/map' ? 200 : 307, { location: '/login' });
    res.end('x'.repeat(100_000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('warmPages', () => {
  it('asks for the first pages one after another, and skips one that hangs or drops the connection', async () => {
    asked.length = 0;
    const statuses = await warmPages({ host: '0.0.0.0', port, tls: false }, ['/', '/hangs', '/drops', '/map'], 300);
    expect(asked.map((a) => a.path)).toEqual(['/', '/hangs', '/drops', '/map']);
    expect(statuses).toEqual([307, 0, 0, 200]);
    expect(new Set(asked.map((a) => a.agent))).toEqual(new Set(['flowsight-warm-up']));
  });

  it('warms the overview, the map and flow search by default', async () => {
    asked.length = 0;
    await warmPages({ host: '127.0.0.1', port, tls: false });
    expect(asked.map((a) => a.path)).toEqual([...WARM_PATHS]);
    expect(WARM_PATHS).toEqual(['/', '/map', '/flows']);
  });

  it('reaches a wildcard listener on loopback', () => {
    expect(selfAddress('0.0.0.0')).toBe('127.0.0.1');
    expect(selfAddress('::')).toBe('::1');
    expect(selfAddress('[::1]')).toBe('::1');
    expect(selfAddress('10.1.2.3')).toBe('10.1.2.3');
  });
});
