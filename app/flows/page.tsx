import { Suspense } from 'react';
import { FlowsView } from '@/components/flows/FlowsView';

export const metadata = { title: 'Flows · Flowsight' };

export default function FlowsPage() {
  return (
    <Suspense>
      <FlowsView />
    </Suspense>
  );
}
