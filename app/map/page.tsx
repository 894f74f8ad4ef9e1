import { Suspense } from 'react';
import { MapView } from '@/components/map/MapView';

export const metadata = { title: 'Map · Flowsight' };

export default function MapPage() {
  return (
    <Suspense>
      <MapView />
    </Suspense>
  );
}
