import { answer } from '@/lib/api/route-helpers';
import { createReport, listReports } from '@/lib/server/reports/report-api';

export const dynamic = 'force-dynamic';

/** Past evidence reports the user may read, newest first, and how many are being made now. */
export async function GET(request: Request): Promise<Response> {
  const list = await listReports(request);
  return list instanceof Response ? list : answer('/api/reports', list);
}

/**
 * Makes an evidence report for a range and scope (`{since, until, namespaces?}`): the answer streams
 * progress, then the bundle's summary (JSON lines). The report is made and listed even if the client leaves.
 */
export function POST(request: Request): Promise<Response> {
  return createReport(request);
}
