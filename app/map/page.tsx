import { Suspense } from 'react';
import { earlyStreamScript } from '@/components/live/early-stream';
import { MapView } from '@/components/map/MapView';

export const metadata = { title: 'Map · Flowsight' };

export default function MapPage() {
  return (
    <>
      {/* Opens the live stream while the page's code loads; the map's LiveStore takes it over (early-stream.ts). */}
      <script dangerouslySetInnerHTML={{ __html: earlyStreamScript() }} />
      <Suspense>
        <MapView />
      </Suspense>
    </>
  );
}
