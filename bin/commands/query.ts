import { type Command, Option } from 'commander';
import type { FlowsResponse } from '../../lib/api/contract';
import { isProblemDetails } from '../../lib/api/problem';
import { flowsToCsv } from '../../lib/flows/flow-export';
import type { FlowRecord } from '../../lib/flows/flow-record';
import { parseSearch } from '../../lib/search/parse';
import { parseTimeBound } from '../../lib/search/time-bound';
import { flowTableLine } from './observe';

interface QueryOptions {
  since?: string;
  until?: string;
  limit: string;
  output: 'json' | 'table' | 'csv';
  url: string;
}

/** Largest page the server gives (FLOWS_MAX_LIMIT); longer answers are fetched page by page. */
const PAGE = 2000;
const MAX_LIMIT = 1_000_000;

export class QueryUsageError extends Error {}

/** The search as typed, with a caret under the column a parse error names. */
export function pointAt(query: string, column: number, message: string): string {
  return `${message}\n  ${query}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
}

/** The request's URL parameters for one page (since/until resolved here, so the CLI's clock decides). */
export function queryParams(query: string, o: Pick<QueryOptions, 'since' | 'until'>, now = Date.now()): URLSearchParams {
  const parsed = parseSearch(query);
  if (!parsed.ok) throw new QueryUsageError(pointAt(query, parsed.error.column, `invalid query: ${parsed.error.message}`));
  const params = new URLSearchParams({ q: query });
  for (const [flag, value] of [['since', o.since], ['until', o.until]] as const) {
    if (value === undefined) continue;
    const t = parseTimeBound(value, now);
    if (!t.ok) throw new QueryUsageError(`--${flag}: ${t.message}`);
    params.set(flag, new Date(t.ms).toISOString());
  }
  if (params.has('since') && params.has('until') && Date.parse(params.get('since')!) >= Date.parse(params.get('until')!)) throw new QueryUsageError('--until must be later than --since');
  return params;
}

/** Every page of a search, newest first, up to `limit` flows. */
export async function fetchFlows(base: string, params: URLSearchParams, limit: number, token: string | undefined, onPage?: (r: FlowsResponse) => void): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = new URLSearchParams(params);
    page.set('limit', String(Math.min(PAGE, limit - flows.length)));
    if (cursor) page.set('cursor', cursor);
    const res = await fetch(new URL(`/api/flows?${page}`, base), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const detail = isProblemDetails(body) ? body.detail : `HTTP ${res.status}`;
      if (res.status === 400) throw new QueryUsageError(detail);
      if (res.status === 401) throw new Error(`${detail} (set FLOWSIGHT_AUTH_TOKEN)`);
      throw new Error(detail);
    }
    const r = body as FlowsResponse;
    onPage?.(r);
    flows.push(...r.flows);
    cursor = r.nextCursor;
  } while (cursor && flows.length < limit);
  return flows;
}

/** `flowsight query`: a search of a running Flowsight's flow history, like the /flows page. */
export function register(program: Command): void {
  program
    .command('query')
    .description("search the flow history of a running Flowsight (the /flows page's query language)")
    .argument('[query]', 'e.g. \'from-ns:shop verdict:dropped NOT port:53\' (empty: every flow)', '')
    .option('--since <time>', 'from a time (RFC 3339) or a duration ago (15m, 1h, 7d)')
    .option('--until <time>', 'until a time or a duration ago')
    .option('--limit <n>', 'at most this many flows, newest first', '100')
    .addOption(new Option('-o, --output <format>', 'table, json (one flow per line) or csv').choices(['table', 'json', 'csv']).default('table'))
    .option('--url <url>', 'the Flowsight server (token from FLOWSIGHT_AUTH_TOKEN)', process.env.FLOWSIGHT_URL || 'http://127.0.0.1:3000')
    .action(async (query: string, o: QueryOptions) => {
      const fail = (message: string, code: number) => {
        process.stderr.write(`flowsight query: ${message}\n`);
        process.exitCode = code;
      };
      let params: URLSearchParams;
      const limit = /^\d+$/.test(o.limit) ? Number(o.limit) : NaN;
      try {
        if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new QueryUsageError(`--limit: "${o.limit}" is not an integer from 1 to ${MAX_LIMIT}`);
        try {
          new URL(o.url);
        } catch {
          throw new QueryUsageError(`--url: "${o.url}" is not a URL`);
        }
        params = queryParams(query, o);
      } catch (e) {
        if (e instanceof QueryUsageError) return fail(e.message, 2);
        throw e;
      }
      let flows: FlowRecord[];
      try {
        flows = await fetchFlows(o.url, params, limit, process.env.FLOWSIGHT_AUTH_TOKEN, (r) => {
          if (r.source === 'live') process.stderr.write('flowsight query: the server has no flow history (FLOWSIGHT_HISTORY=off?): these are the latest flows in its memory\n');
        });
      } catch (e) {
        if (e instanceof QueryUsageError) return fail(e.message, 2);
        // fetch() rejects with a TypeError for anything below HTTP (refused, reset, DNS); the cause says which.
        if (e instanceof TypeError) {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          return fail(`no Flowsight answers at ${o.url} (${cause?.code ?? cause?.message ?? e.message}): start it with npm start, or pass --url`, 1);
        }
        return fail((e as Error).message, 1);
      }
      if (o.output === 'csv') process.stdout.write(flowsToCsv(flows));
      else for (const f of flows) process.stdout.write(`${o.output === 'json' ? JSON.stringify(f) : flowTableLine(f)}\n`);
    });
}
