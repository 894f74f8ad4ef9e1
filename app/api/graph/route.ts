import { answer } from '@/lib/api/route-helpers';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return answer('/api/graph', (await runtime().hub()).graphSnapshot());
}
