/** Runs the `flowsight` CLI in-process for tests, capturing what it writes to stdout and stderr. */

import { vi } from 'vitest';
import { main } from '../../cli';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `main()` with `args`; process.exitCode is cleared before and after, so one run's exit code never leaks into the next. */
export async function runCli(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'flowsight', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}
