import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSummary, loadConfig } from './config';
import { historySettings } from './runtime';
import { problemsOf } from './testing/config-problems';

describe('loadConfig', () => {
  it('defaults to the demo relay on loopback', () => {
    const c = loadConfig({});
    expect(c.relay.mode).toBe('demo');
    expect(c.host).toBe('127.0.0.1');
    expect(c.authToken).toBeNull();
  });

  it('parses a relay address, implying TLS from tls://', () => {
    expect(loadConfig({ FLOWSIGHT_RELAY: 'localhost:4245' }).relay).toMatchObject({ mode: 'relay', address: 'localhost:4245', tls: null });
    expect(loadConfig({ FLOWSIGHT_RELAY: 'tls://hubble-relay.kube-system:443' }).relay.tls).not.toBeNull();
  });

  it.each([
    [{ FLOWSIGHT_RELAY: 'http://relay:80/x' }, 'FLOWSIGHT_RELAY'],
    [{ FLOWSIGHT_RELAY: 'relay:99999' }, 'FLOWSIGHT_RELAY'],
    [{ FLOWSIGHT_RELAY: 'relay:4245', FLOWSIGHT_RELAY_TLS_CA: '/nonexistent/ca.pem' }, 'FLOWSIGHT_RELAY_TLS_CA'],
    [{ FLOWSIGHT_RELAY: 'relay:4245', FLOWSIGHT_RELAY_TLS_CERT: '/nonexistent/c.pem' }, 'FLOWSIGHT_RELAY_TLS_KEY'],
    [{ FLOWSIGHT_RELAY_TLS_CA: '/x' }, 'FLOWSIGHT_RELAY_TLS_CA'],
    [{ FLOWSIGHT_DEMO_RATE: 'fast' }, 'FLOWSIGHT_DEMO_RATE'],
    [{ FLOWSIGHT_HOST: '0.0.0.0' }, 'FLOWSIGHT_AUTH_TOKEN'],
    [{ FLOWSIGHT_AUTH_TOKEN: 'short' }, 'FLOWSIGHT_AUTH_TOKEN'],
    [{ FLOWSIGHT_AZURE_SUBSCRIPTION: 'not-a-guid' }, 'FLOWSIGHT_AZURE_SUBSCRIPTION'],
  ])('%o is rejected naming %s', (env, variable) => {
    expect(problemsOf(env as Record<string, string | undefined>).map((p) => p.variable)).toContain(variable);
  });

  it('rejects a TLS file that is not PEM, naming the file but not echoing its content', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-'));
    const file = path.join(dir, 'ca.pem');
    fs.writeFileSync(file, 'secret-looking-garbage');
    const problems = problemsOf({ FLOWSIGHT_RELAY: 'relay:4245', FLOWSIGHT_RELAY_TLS_CA: file });
    expect(problems).toEqual([{ variable: 'FLOWSIGHT_RELAY_TLS_CA', message: `${file} is not a PEM certificate` }]);
    expect(JSON.stringify(problems)).not.toContain('garbage');
  });

  it('serves HTTPS with FLOWSIGHT_TLS_CERT and FLOWSIGHT_TLS_KEY together, and names what is missing or wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-'));
    const cert = path.join(dir, 'tls.crt');
    const key = path.join(dir, 'tls.key');
    fs.writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    fs.writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    expect(loadConfig({}).listenTls).toBeNull();
    expect(loadConfig({ FLOWSIGHT_TLS_CERT: cert, FLOWSIGHT_TLS_KEY: key }).listenTls).toEqual({ certFile: cert, keyFile: key });
    expect(problemsOf({ FLOWSIGHT_TLS_CERT: cert })).toEqual([{ variable: 'FLOWSIGHT_TLS_KEY', message: 'HTTPS needs both FLOWSIGHT_TLS_CERT and FLOWSIGHT_TLS_KEY' }]);
    expect(problemsOf({ FLOWSIGHT_TLS_CERT: key, FLOWSIGHT_TLS_KEY: cert })).toEqual([
      { variable: 'FLOWSIGHT_TLS_CERT', message: `${key} is not a PEM certificate` },
      { variable: 'FLOWSIGHT_TLS_KEY', message: `${cert} is not a PEM private key` },
    ]);
    expect(problemsOf({ FLOWSIGHT_TLS_CERT: path.join(dir, 'missing.crt'), FLOWSIGHT_TLS_KEY: key }).map((p) => p.variable)).toEqual(['FLOWSIGHT_TLS_CERT']);
  });

  it('allows a non-loopback bind with a token', () => {
    expect(loadConfig({ FLOWSIGHT_HOST: '0.0.0.0', FLOWSIGHT_AUTH_TOKEN: 'a'.repeat(32) }).host).toBe('0.0.0.0');
  });
});

describe('FLOWSIGHT_HISTORY_FLUSH_MS', () => {
  it('writes a block every 5 s by default, and the store gets what the variable says', () => {
    expect(loadConfig({}).history.flushMs).toBe(5000);
    expect(configSummary(loadConfig({})).history).toMatchObject({ store: 'chdb', flushMs: 5000 });
    const config = loadConfig({ FLOWSIGHT_HISTORY_FLUSH_MS: '1000' });
    expect(historySettings(config).batching).toEqual({ flushMs: 1000 });
    expect(historySettings(loadConfig({ FLOWSIGHT_CLICKHOUSE_URL: 'http://127.0.0.1:8123', FLOWSIGHT_HISTORY_FLUSH_MS: '250' })).batching).toEqual({ flushMs: 250 });
  });

  it.each(['99', '60001', '1s', '-5', '2.5'])('"%s" is reported naming the variable', (value) => {
    expect(problemsOf({ FLOWSIGHT_HISTORY_FLUSH_MS: value })).toEqual([{ variable: 'FLOWSIGHT_HISTORY_FLUSH_MS', message: `"${value}" is not an integer from 100 to 60000` }]);
  });
});
