/**
 * Sign-outs that outlive a restart: the revoked session ids are kept in a small JSON file under
 * FLOWSIGHT_DATA_DIR, written whole (temporary file, then rename) at each sign-out and read at
 * start. Without it, a rollout would bring every signed-out cookie back for the rest of its 12 h.
 * Replicas each keep their own file: with several behind one URL, sign-out is per replica.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { SecurityLog } from './security-log';
import { RevokedSessions, type RevocationState } from './session';

const SID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
/** Ten thousand entries of ~40 bytes: far below this. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The revocations kept in `file` (a missing, unreadable or malformed file is a fresh start, logged), kept there from now on. */
export function revokedSessionsFromFile(file: string, log: SecurityLog, nowMs = Date.now(), capacity = 10_000): RevokedSessions {
  return new RevokedSessions(capacity, readState(file, log, nowMs), (state) => writeState(file, state, log));
}

function readState(file: string, log: SecurityLog, nowMs: number): RevocationState | undefined {
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ event: 'auth.revocations-unreadable', file, reason: (e as Error).message }, 'the sign-outs kept from before cannot be read: starting without them');
    return undefined;
  }
  try {
    const data = JSON.parse(text) as Partial<RevocationState>;
    const now = Math.floor(nowMs / 1000);
    if (!Array.isArray(data.ids) || (data.notAfter !== null && typeof data.notAfter !== 'number')) throw new Error('not a revocation list');
    const ids = data.ids.filter((e): e is [string, number] => Array.isArray(e) && typeof e[0] === 'string' && SID_SHAPE.test(e[0]) && Number.isSafeInteger(e[1]) && e[1] > now);
    return { ids, notAfter: data.notAfter ?? null };
  } catch (e) {
    log.warn({ event: 'auth.revocations-unreadable', file, reason: (e as Error).message }, 'the sign-outs kept from before cannot be read: starting without them');
    return undefined;
  }
}

function writeState(file: string, state: RevocationState, log: SecurityLog): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (e) {
    log.warn({ event: 'auth.revocations-not-kept', file, reason: (e as Error).message }, 'a sign-out could not be written to disk: it holds until Flowsight restarts');
  }
}
