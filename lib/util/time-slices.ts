/**
 * Long computations written as generators (`yield` where it is safe to pause) run either in one go
 * (the CLI, tests) or in short slices with the event loop free between them (the server), so seconds
 * of work at 5,000 workloads never hold the requests and the live stream the process serves.
 */

/** A computation that pauses at each `yield` and returns its result at the end. */
export type Steps<T> = Generator<void, T, void>;

/** Runs the steps to their end in the calling task. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same steps, adding the time each stretch between pauses takes to `spend`: what a computation
 * cost, without the pauses a sliced run puts between its steps.
 */
export function* measured<T>(steps: Steps<T>, spend: (ms: number) => void, now: () => number = () => performance.now()): Steps<T> {
  for (;;) {
    const started = now();
    const r = steps.next();
    spend(now() - started);
    if (r.done) return r.value;
    yield;
  }
}

export interface SliceOptions {
  /** Longest stretch run before the event loop gets a turn (ms); one step may run past it. A function is asked at the start of each slice. */
  sliceMs?: number | (() => number);
  /** Waits for the event loop's turn; setImmediate by default (I/O callbacks run before it). */
  pause?: () => Promise<void>;
  now?: () => number;
}

export interface SlicedResult<T> {
  value: T;
  /** Time spent computing, without the pauses (ms). */
  busyMs: number;
  slices: number;
}

/** Slices of this length keep a request or SSE write waiting behind one at about a frame. */
export const DEFAULT_SLICE_MS = 12;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the steps in slices of about `sliceMs`, giving the event loop a turn between slices. */
export async function runInSlices<T>(steps: Steps<T>, options: SliceOptions = {}): Promise<SlicedResult<T>> {
  const slice = options.sliceMs ?? DEFAULT_SLICE_MS;
  const pause = options.pause ?? nextTurn;
  const now = options.now ?? (() => performance.now());
  let busyMs = 0;
  let slices = 0;
  for (;;) {
    const sliceMs = typeof slice === 'function' ? slice() : slice;
    const started = now();
    slices++;
    for (;;) {
      const r = steps.next();
      if (r.done) {
        busyMs += now() - started;
        return { value: r.value, busyMs, slices };
      }
      if (now() - started >= sliceMs) break;
    }
    busyMs += now() - started;
    await pause();
  }
}
