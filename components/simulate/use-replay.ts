'use client';

/**
 * One what-if endpoint as page state: `run(body)` starts a replay (cancelling the one before),
 * progress arrives from the stream, `cancel()` aborts the fetch (the server stops the replay), and
 * leaving the page cancels too.
 */

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { ApiError } from '@/lib/api/problem';
import { postReplay, type ReplayPath } from '../api/replay-stream';
import { initialReplay, replayReducer, type ReplayAction, type ReplayState } from './replay-state';

export interface Replay<R> {
  state: ReplayState<R>;
  /** The body of the last run (JSON), to tell whether the shown result is for what is on screen now. */
  lastBody: string | null;
  run(body: unknown): void;
  cancel(): void;
}

export function useReplay<R>(path: ReplayPath): Replay<R> {
  const [state, dispatch] = useReducer(replayReducer as (s: ReplayState<R>, a: ReplayAction<R>) => ReplayState<R>, undefined, () => initialReplay<R>());
  const current = useRef<AbortController | null>(null);
  const runs = useRef(0);
  const [lastBody, setLastBody] = useState<string | null>(null);

  const run = useCallback(
    (body: unknown) => {
      current.current?.abort();
      const ac = new AbortController();
      current.current = ac;
      const id = ++runs.current;
      setLastBody(JSON.stringify(body));
      dispatch({ type: 'start', run: id });
      postReplay<R>(path, body, { signal: ac.signal, onProgress: (progress) => dispatch({ type: 'progress', run: id, progress }) }).then(
        (result) => dispatch({ type: 'result', run: id, result }),
        (e: unknown) => {
          if (ac.signal.aborted) return;
          const error = e instanceof ApiError ? e : new ApiError({ type: 'about:blank', title: 'Error', status: 0, detail: e instanceof Error ? e.message : String(e) }, path);
          dispatch({ type: 'error', run: id, error });
        },
      );
    },
    [path],
  );

  const cancel = useCallback(() => {
    current.current?.abort();
    current.current = null;
    dispatch({ type: 'cancel' });
  }, []);

  useEffect(() => () => current.current?.abort(), []);
  return { state, lastBody, run, cancel };
}
