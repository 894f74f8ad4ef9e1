import { Suspense } from 'react';
import { SimulateView } from '@/components/simulate/SimulateView';

export const metadata = { title: 'Simulate · Flowsight' };

export default function SimulatePage() {
  return (
    <Suspense>
      <SimulateView />
    </Suspense>
  );
}
