import { ConfigError, loadConfig } from '../config';

/** The problems loadConfig reports for an environment (none when it loads). */
export function problemsOf(env: Record<string, string | undefined>, options?: Parameters<typeof loadConfig>[1]): { variable: string; message: string }[] {
  try {
    loadConfig(env, options);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
