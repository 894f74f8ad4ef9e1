import { describe, expect, it } from 'vitest';
import { clientKey, isCrossSiteWrite, isHttps, readBodyCapped, readCookie, readJsonBody } from './request-guard';

const h = (init: Record<string, string>) => new Headers(init);

describe('isCrossSiteWrite', () => {
  it('refuses a write whose Origin names another host', () => {
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example:3000', origin: 'http://evil.example' }))).toBe(true);
    expect(isCrossSiteWrite('DELETE', h({ host: 'flowsight.example:3000', origin: 'http://flowsight.example:3001' }))).toBe(true);
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example', origin: 'null' }))).toBe(true);
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example', 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example:3000', 'sec-fetch-site': 'same-site', origin: 'http://flowsight.example:3001' }))).toBe(true);
  });

  it('lets same-origin writes, writes without Origin (API clients) and reads through', () => {
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example:3000', origin: 'http://flowsight.example:3000' }))).toBe(false);
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example:443', origin: 'https://flowsight.example' }))).toBe(false);
    expect(isCrossSiteWrite('POST', h({ host: '10.0.0.5:3000', 'x-forwarded-host': 'flowsight.example', origin: 'https://flowsight.example' }))).toBe(false);
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example' }))).toBe(false);
    // Our own form under a no-referrer policy: Origin null, but the browser says same-origin.
    expect(isCrossSiteWrite('POST', h({ host: 'flowsight.example', origin: 'null', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(isCrossSiteWrite('GET', h({ host: 'flowsight.example', origin: 'http://evil.example' }))).toBe(false);
  });
});

function streamOf(chunks: number[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(c) {
      const n = chunks.shift();
      if (n === undefined) c.close();
      else c.enqueue(new Uint8Array(n));
    },
  });
}

describe('readBodyCapped', () => {
  it('reads a body within the limit', async () => {
    const body = await readBodyCapped(new Request('http://x/', { method: 'POST', body: 'token=abc' }), 4096);
    expect(new TextDecoder().decode(body!)).toBe('token=abc');
  });

  it('refuses an announced length over the limit without reading', async () => {
    const r = new Request('http://x/', { method: 'POST', body: 'a', headers: { 'content-length': '1048576' } });
    expect(await readBodyCapped(r, 4096)).toBeNull();
  });

  it('stops a chunked body (no Content-Length) at the limit', async () => {
    const chunks = Array(1000).fill(1024);
    const r = new Request('http://x/', { method: 'POST', body: streamOf(chunks), duplex: 'half' } as RequestInit);
    expect(await readBodyCapped(r, 4096)).toBeNull();
    expect(chunks.length).toBeGreaterThan(990); // it did not read the rest
  });
});

describe('request facts', () => {
  it('keys clients on the last X-Forwarded-For address', () => {
    expect(clientKey(h({ 'x-forwarded-for': '203.0.113.9, 10.1.2.3' }))).toBe('10.1.2.3');
    expect(clientKey(h({ 'x-forwarded-for': '::ffff:127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientKey(h({ 'x-forwarded-for': 'not-an-ip' }))).toBe('unknown');
    expect(clientKey(h({}))).toBe('unknown');
  });

  it('knows TLS from the URL or the ingress', () => {
    expect(isHttps(new Request('https://x/'))).toBe(true);
    expect(isHttps(new Request('http://x/', { headers: { 'x-forwarded-proto': 'https' } }))).toBe(true);
    expect(isHttps(new Request('http://x/'))).toBe(false);
  });

  it('reads one cookie', () => {
    expect(readCookie(h({ cookie: 'a=1; flowsight_session=v.w; b=2' }), 'flowsight_session')).toBe('v.w');
    expect(readCookie(h({ cookie: 'xflowsight_session=1' }), 'flowsight_session')).toBeUndefined();
  });
});

describe('readJsonBody', () => {
  const post = (body: string, type = 'application/json') => new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body });
  it('answers the parsed body', async () => {
    expect(await readJsonBody(post('{"a":[1]}'))).toEqual({ a: [1] });
  });
  it('refuses another media type (415), a body over the cap (413) and text that is not JSON (400), naming why', async () => {
    const other = (await readJsonBody(post('a=1', 'application/x-www-form-urlencoded'))) as Response;
    expect(other.status).toBe(415);
    const big = (await readJsonBody(post(JSON.stringify({ yaml: 'x'.repeat(100) })), 64)) as Response;
    expect(big.status).toBe(413);
    const bad = (await readJsonBody(post('{"a":'))) as Response;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/not JSON/);
  });
});
