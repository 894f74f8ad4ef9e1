import { Suspense } from 'react';
import { PoliciesView } from '@/components/policies/PoliciesView';

export const metadata = { title: 'Policies · Flowsight' };

export default function PoliciesPage() {
  return (
    <Suspense>
      <PoliciesView />
    </Suspense>
  );
}
