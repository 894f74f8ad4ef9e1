import { Suspense } from 'react';
import { EgressView } from '@/components/egress/EgressView';

export const metadata = { title: 'Egress · Flowsight' };

export default function EgressPage() {
  return (
    <Suspense>
      <EgressView />
    </Suspense>
  );
}
