import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlowsResponse } from '@/lib/api/contract';
import { flow, pod } from '@/lib/testing/flow-fixtures';
import { flowSearchQuery } from '../api/queries';

const page = (ns: string, nextCursor: string | null): FlowsResponse => ({
  flows: [flow(pod(ns, 'a-0'), pod(ns, 'b-0'))],
  explanation: { combination: [], hints: [] },
  source: 'history',
  nextCursor,
  // The server answers the window as it resolved it (epoch ms).
  range: { since: Date.parse('2026-11-28T09:00:00Z'), until: null },
  tookMs: 1,
});

/** A fetch that answers `q=fast` at once and holds `q=slow` until its signal aborts; it records both. */
function fakeFetch() {
  const seen: { url: string; signal: AbortSignal | undefined }[] = [];
  const impl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    seen.push({ url, signal: init?.signal ?? undefined });
    if (url.includes('q=slow')) {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    return Response.json(page('fast', url.includes('cursor=') ? null : 'c1'));
  });
  return { impl, seen };
}

afterEach(() => vi.unstubAllGlobals());

describe('flowSearchQuery', () => {
  it('pages through cursors, asks with the search and its window, and stops on the last page', async () => {
    const { impl, seen } = fakeFetch();
    vi.stubGlobal('fetch', impl);
    const client = new QueryClient();
    const observer = new InfiniteQueryObserver(client, flowSearchQuery({ q: 'fast', since: '1h', until: '' }));
    const off = observer.subscribe(() => {});
    await vi.waitFor(() => expect(observer.getCurrentResult().status).toBe('success'));
    expect(new URL(seen[0].url, 'http://x').searchParams.toString()).toBe('q=fast&since=1h&limit=500');
    expect(observer.getCurrentResult().hasNextPage).toBe(true);
    await observer.fetchNextPage();
    const next = new URL(seen[1].url, 'http://x').searchParams;
    expect(next.get('cursor')).toBe('c1');
    // A relative window is resolved once: later pages keep the first page's start, so none is skipped.
    expect(next.get('since')).toBe('2026-11-28T09:00:00.000Z');
    expect(next.has('until')).toBe(false);
    expect(observer.getCurrentResult().data?.pages).toHaveLength(2);
    expect(observer.getCurrentResult().hasNextPage).toBe(false);
    off();
  });

  it('cancelling a slow search aborts its request and keeps the previous results on screen', async () => {
    const { impl, seen } = fakeFetch();
    vi.stubGlobal('fetch', impl);
    const client = new QueryClient();
    const observer = new InfiniteQueryObserver(client, flowSearchQuery({ q: 'fast', since: '1h', until: '' }));
    const off = observer.subscribe(() => {});
    await vi.waitFor(() => expect(observer.getCurrentResult().status).toBe('success'));
    const previous = observer.getCurrentResult().data;

    const slow = flowSearchQuery({ q: 'slow', since: '1h', until: '' });
    observer.setOptions(slow);
    await vi.waitFor(() => expect(observer.getCurrentResult().fetchStatus).toBe('fetching'));
    // While it runs, the previous search's rows are what the page shows.
    expect(observer.getCurrentResult().isPlaceholderData).toBe(true);
    expect(observer.getCurrentResult().data).toBe(previous);

    await client.cancelQueries({ queryKey: slow.queryKey });
    const request = seen.find((s) => s.url.includes('q=slow'))!;
    expect(request.signal?.aborted).toBe(true);
    const after = observer.getCurrentResult();
    expect(after.fetchStatus).toBe('idle');
    expect(after.error).toBeNull();
    expect(after.data).toBe(previous);
    // And nothing starts it again behind the person's back.
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((s) => s.url.includes('q=slow'))).toHaveLength(1);
    off();
  });
});
