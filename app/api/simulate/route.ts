import { parseSimulateBody } from '@/lib/api/what-if-request';
import { answerReplay, readChange, runSimulation } from '@/lib/server/what-if';

export const dynamic = 'force-dynamic';

/**
 * What a policy change would do to the traffic of a window: the body names the change (YAML, deletions,
 * presets) and the window; the answer streams progress, then the verdict diff (JSON lines). A change
 * that does not parse is a 400 naming line and column; nothing runs.
 */
export function POST(request: Request): Promise<Response> {
  return answerReplay(request, 'simulation', parseSimulateBody, readChange, (rt, req, change, scope, progress, signal) => runSimulation(rt, req, change, scope, progress, signal));
}
