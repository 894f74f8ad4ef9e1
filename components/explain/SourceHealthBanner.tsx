'use client';

import Link from 'next/link';
import type { SourceHealth } from '@/lib/posture/posture-report';

/** Warns when the cluster data is stale (the live source lost the API server) and when sources had errors. */
export function SourceHealthBanner({ source, showErrorsLink = true }: { source: SourceHealth | undefined; showErrorsLink?: boolean }) {
  if (!source) return null;
  const problems = source.errorCount + source.policyErrorCount;
  return (
    <>
      {source.stale && (
        <div role="alert" data-testid="stale-warning" className="border-b border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
          Cluster data is stale: the connection to the Kubernetes API server was lost.{' '}
          {source.lastSyncAt ? (
            <>
              Showing the state of the last sync at <time dateTime={new Date(source.lastSyncAt).toISOString()}>{new Date(source.lastSyncAt).toLocaleString()}</time>.
            </>
          ) : (
            'No successful sync yet.'
          )}
        </div>
      )}
      {showErrorsLink && problems > 0 && (
        <div data-testid="source-errors-note" className="border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-700">
          {problems} problem{problems === 1 ? '' : 's'} loading policies and objects —{' '}
          <Link prefetch={false} href="/policies#source-errors" className="text-sky-700 hover:underline">
            see the policies page
          </Link>
        </div>
      )}
    </>
  );
}
