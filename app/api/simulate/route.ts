import { invalidParamsResponse, problemResponse } from '@/lib/api/problem';
import { readJsonBody } from '@/lib/server/access/request-guard';
import { parseSimulateBody } from '@/lib/api/what-if-request';
import { requestScope } from '@/lib/server/request-scope';
import { runtime } from '@/lib/server/runtime';
import { readChange, refusalResponse, replaysBusy, requireHistory, runSimulation, streamReplay } from '@/lib/server/what-if';

export const dynamic = 'force-dynamic';

/**
 * What a policy change would do to the traffic of a window: the body names the change (YAML, deletions,
 * presets) and the window; the answer streams progress, then the verdict diff (JSON lines). A change
 * that does not parse is a 400 naming line and column; nothing runs.
 */
export async function POST(request: Request): Promise<Response> {
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  const parsed = parseSimulateBody(body, Date.now());
  if (!parsed.ok) return invalidParamsResponse(parsed.problems);
  try {
    const change = readChange(parsed.value, scope);
    await requireHistory(rt);
    const release = rt.replays.tryAcquire();
    if (!release) return replaysBusy();
    const log = rt.logger.child({ component: 'what-if' });
    return streamReplay((progress, signal) => runSimulation(rt, parsed.value, change, scope, progress, signal), request.signal, (err) => log.error({ err }, 'simulation failed'), release);
  } catch (err) {
    const refused = refusalResponse(err);
    if (refused) return refused;
    return problemResponse(500, 'Internal error', 'the simulation could not start');
  }
}
