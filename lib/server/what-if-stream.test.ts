import { describe, expect, it } from 'vitest';
import { streamReplay } from './what-if';

const read = async (res: Response) => (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string });

describe('streamReplay', () => {
  it('streams progress, then the result', async () => {
    const res = await streamReplay(async (progress) => {
      progress({ phase: 'compile', done: 0, total: 2 });
      return 42;
    }, new AbortController().signal, () => undefined);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(await read(res)).toEqual([{ type: 'progress', phase: 'compile', done: 0, total: 2 }, { type: 'result', result: 42 }]);
  });

  it('aborts the work when the reader goes away, and a result finished after that is dropped quietly', async () => {
    let finish!: (v: number) => void;
    let workSignal!: AbortSignal;
    const res = await streamReplay(
      (_progress, signal) => {
        workSignal = signal;
        // Work that ends after the cancel without checking the signal (the last, synchronous phase).
        return new Promise<number>((resolve) => (finish = resolve));
      },
      new AbortController().signal,
      () => undefined,
    );
    await res.body!.cancel();
    expect(workSignal.aborted).toBe(true);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      finish(1);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
