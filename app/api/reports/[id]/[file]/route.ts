import { reportFile } from '@/lib/server/reports/report-api';

export const dynamic = 'force-dynamic';

/** One file of an evidence bundle (report.pdf, map.png, report.json, manifest.json); `?download=1` to save it. */
export async function GET(request: Request, context: { params: Promise<{ id: string; file: string }> }): Promise<Response> {
  const { id, file } = await context.params;
  return reportFile(request, id, file);
}
