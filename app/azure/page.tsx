import { Suspense } from 'react';
import { AzureView } from '@/components/azure/AzureView';

export const metadata = { title: 'Azure · Flowsight' };

export default function AzurePage() {
  return (
    <Suspense>
      <AzureView />
    </Suspense>
  );
}
