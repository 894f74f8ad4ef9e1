import { Suspense } from 'react';
import { ReportsView } from '@/components/reports/ReportsView';

export const metadata = { title: 'Reports · Flowsight' };

export default function ReportsPage() {
  return (
    <Suspense>
      <ReportsView />
    </Suspense>
  );
}
