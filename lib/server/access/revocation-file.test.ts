import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { revokedSessionsFromFile } from './revocation-file';
import { issueSession } from './session';

const SECRET = 'a-session-secret-that-is-long-enough-123';
const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function place(): { file: string; warnings: Record<string, unknown>[]; log: { info(): void; warn(e: Record<string, unknown>): void } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-revoked-'));
  dirs.push(dir);
  const warnings: Record<string, unknown>[] = [];
  return { file: path.join(dir, 'sessions', 'revoked.json'), warnings, log: { info: () => {}, warn: (e) => warnings.push(e) } };
}

const session = async (now: number) => (await issueSession(SECRET, now, undefined, { via: 'oidc', user: 'alice', groups: [] })).session;

describe('sign-outs kept across a restart', () => {
  it('a session signed out before the restart stays refused after it; others do not', async () => {
    const { file, log } = place();
    const out = await session(NOW);
    const still = await session(NOW);
    revokedSessionsFromFile(file, log, NOW).revoke(out, NOW);
    const after = revokedSessionsFromFile(file, log, NOW + HOUR);
    expect(after.isRevoked(out)).toBe(true);
    expect(after.isRevoked(still)).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('forgets entries that have expired by the next start', async () => {
    const { file, log } = place();
    revokedSessionsFromFile(file, log, NOW).revoke(await session(NOW), NOW);
    expect(revokedSessionsFromFile(file, log, NOW + 13 * HOUR).size).toBe(0);
  });

  it('keeps the refuse-everything-so-far mark of a full list', async () => {
    const { file, log } = place();
    const list = revokedSessionsFromFile(file, log, NOW, 3);
    const bystander = await session(NOW);
    for (let i = 0; i < 4; i++) list.revoke(await session(NOW), NOW);
    expect(revokedSessionsFromFile(file, log, NOW, 3).isRevoked(bystander)).toBe(true);
    expect(revokedSessionsFromFile(file, log, NOW + 2000, 3).isRevoked(await session(NOW + 2000))).toBe(false);
  });

  it('starts without them, and says so, when the file is damaged; a later sign-out writes a good one', async () => {
    const { file, log, warnings } = place();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"ids": [["../../etc", 1]], "notAfter": "x"');
    const list = revokedSessionsFromFile(file, log, NOW);
    expect(list.size).toBe(0);
    expect(warnings[0]).toMatchObject({ event: 'auth.revocations-unreadable' });
    const out = await session(NOW);
    list.revoke(out, NOW);
    expect(revokedSessionsFromFile(file, log, NOW).isRevoked(out)).toBe(true);
  });

  it('a sign-out that cannot be written still holds in memory, and is logged', async () => {
    const { file, log, warnings } = place();
    fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.dirname(file), 'a file where the folder should be');
    const list = revokedSessionsFromFile(file, log, NOW);
    const out = await session(NOW);
    list.revoke(out, NOW);
    expect(list.isRevoked(out)).toBe(true);
    expect(warnings.at(-1)).toMatchObject({ event: 'auth.revocations-not-kept' });
  });
});
