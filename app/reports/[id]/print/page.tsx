import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { EvidenceDocument } from '@/components/reports/EvidenceDocument';
import { printableReport } from '@/lib/server/reports/report-api';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Evidence report · Flowsight' };

/**
 * The print view of one evidence report: what report.pdf is printed from (chromium renders this page),
 * and what a person sees opening the report in the browser. Read access is checked like the API's.
 */
export default async function EvidencePrintPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const h = await headers();
  const found = await printableReport(new Request(`http://flowsight.invalid/reports/${encodeURIComponent(id)}/print`, { headers: h }), id);
  if (!found) notFound();
  return <EvidenceDocument id={found.id} report={found.report} />;
}
