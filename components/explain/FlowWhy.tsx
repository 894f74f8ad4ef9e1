'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { flowExplainParams } from '@/lib/policy-engine/flow-connection';
import { explainQuery } from '../api/queries';
import { WhyPanel, WhyState } from './WhyPanel';

/** "Why allowed / why denied" for one flow, from the policy engine. */
export function FlowWhy({ flow }: { flow: FlowRecord }) {
  const params = useMemo(() => flowExplainParams(flow), [flow]);
  const q = useQuery(explainQuery(params));
  if (!params) return <p className="text-xs text-slate-500">Why: no L4 protocol to evaluate policies on.</p>;
  if (!q.data) return <WhyState isLoading={q.isLoading} error={q.error} />;
  return <WhyPanel explanation={q.data} />;
}
