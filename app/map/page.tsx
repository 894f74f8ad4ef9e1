import { headers } from 'next/headers';
import { after } from 'next/server';
import { Suspense } from 'react';
import { earlyStreamScript } from '@/components/live/early-stream';
import { MapView } from '@/components/map/MapView';
import { prepareStreamSnapshot } from '@/lib/server/request-scope';

export const metadata = { title: 'Map · Flowsight' };

/**
 * Rendered per request: once its HTML is out, it starts the snapshot its stream will ask for
 * (prepareStreamSnapshot; started before, its first slice held the HTML back ~400 ms).
 */
export default async function MapPage() {
  const request = new Headers(await headers());
  after(() => prepareStreamSnapshot(request));
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
