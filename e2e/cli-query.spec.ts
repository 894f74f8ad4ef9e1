/**
 * `flowsight query` against a running dashboard: the README's lines as written (their URL pointed at
 * the e2e dashboard), through the real entry point, plus the paging, the output formats and the
 * history a second search reads. The CLI runs as a child process, exactly as a responder runs it.
 */

import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { readmeCommands } from '../bin/commands/testing/readme-commands';
import { runCli } from './fixtures/run-cli';

/** The CLI with the README's URL pointed at the e2e dashboard. */
const cli = (args: string[], baseURL: string) => runCli(args.map((a) => a.replace('http://127.0.0.1:3000', baseURL)));

const readme = readmeCommands(fs.readFileSync('README.md', 'utf8')).filter((c) => c.args[0] === 'query');

test.describe('flowsight query', () => {
  test.describe.configure({ timeout: 120_000 });

  test.beforeAll(async ({ request }) => {
    // The demo relay has been feeding the history since the dashboard started; wait for dropped payments flows.
    await expect
      .poll(async () => (await (await request.get('/api/flows?q=from-ns:payments%20verdict:dropped&since=1h&limit=1')).json()).flows.length, { timeout: 60_000 })
      .toBeGreaterThan(0);
  });

  test('the README lists query examples, including a bad one', () => {
    expect(readme.length).toBeGreaterThanOrEqual(3);
    expect(readme.some((c) => c.exitCode === 2)).toBe(true);
  });

  for (const c of readme) {
    test(`README: ${c.line}`, async ({ baseURL }) => {
      const r = await cli(c.args, baseURL!);
      expect(r.code, r.err).toBe(c.exitCode);
      if (c.exitCode === 0) expect(r.out.trim().length).toBeGreaterThan(0);
      else expect(r.err).toMatch(/column \d+[\s\S]*\^/);
    });
  }

  test('json lines are the stored flows the query asks for, newest first, across pages', async ({ baseURL }) => {
    const r = await cli(['query', 'ns:payments', '--since', '1h', '--limit', '2500', '-o', 'json', '--url', baseURL!], baseURL!);
    expect(r.code, r.err).toBe(0);
    const flows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { uuid: string; time: number; source: { namespace: string }; destination: { namespace: string } });
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect([f.source.namespace, f.destination.namespace]).toContain('payments');
    for (let i = 1; i < flows.length; i++) expect(flows[i].time).toBeLessThanOrEqual(flows[i - 1].time);
    expect(new Set(flows.map((f) => f.uuid)).size).toBe(flows.length);
  });

  test('csv has the header and one row per flow; a bad time exits 2 naming the flag', async ({ baseURL }) => {
    const csv = await cli(['query', 'verdict:dropped', '--since', '1h', '--limit', '5', '-o', 'csv', '--url', baseURL!], baseURL!);
    expect(csv.code, csv.err).toBe(0);
    const lines = csv.out.trim().split('\r\n');
    expect(lines[0]).toMatch(/^time,verdict,/);
    expect(lines.length).toBe(6);
    for (const l of lines.slice(1)) expect(l).toContain(',DROPPED,');
    const bad = await cli(['query', 'ns:x', '--since', 'yesterday-ish', '--url', baseURL!], baseURL!);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since');
  });
});
