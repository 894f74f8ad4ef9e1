/**
 * The map's live stream, opened by a few lines of script in the page's HTML instead of after the
 * page's code has loaded and hydrated: on a large cluster the server builds the snapshot (a second
 * or more) while the browser is still fetching and running the page's JavaScript, which took 2-3 s
 * of the first render in `npm run bench:ui`. The script keeps the events it receives until the
 * LiveStore takes the stream over (`adoptEarlyStream`) and replays them, so none is lost and the
 * stream is opened once. Bounded: past MAX_EVENTS kept or MAX_WAIT_MS without a taker, the script
 * closes the stream and drops what it kept; the store then opens its own, as it would without it.
 */

import type { StreamSource } from './live-store';

/** The URL the map's LiveStore asks for (`useLive('')`: graph and counters, no flow samples). */
export const MAP_STREAM_URL = '/api/stream?sample=0';

/** What the LiveStore handles; flow samples are not asked for (sample=0). */
const KEPT_EVENTS = ['snapshot', 'snapshot-part', 'delta', 'counters', 'bye'];
const MAX_EVENTS = 400;
const MAX_WAIT_MS = 60_000;
const GLOBAL = '__flowsightEarlyStream';
/** The moment the snapshot's head reached the page (first-marks.ts; marked here, before the page's code runs). */
const STREAM_SNAPSHOT_MARK = 'flowsight:stream-snapshot';
/** EventSource.CLOSED. */
const CLOSED = 2;

/** A stream the page opened, with the events it received so far ([type, data], oldest first). */
export interface EarlyStream {
  source: StreamSource;
  events: [string, string][];
}

interface EarlyStreamGlobal {
  url: string;
  source: EventSource;
  events: [string, string][];
  stop(): void;
}

/** The inline script for the page's HTML. The URL is a constant of ours, never user input. */
export function earlyStreamScript(url: string = MAP_STREAM_URL): string {
  return `(function(){try{if(!window.EventSource)return;var s=new EventSource(${JSON.stringify(url)}),k=${JSON.stringify(KEPT_EVENTS)},q=[],t,
h=function(e){q.push([e.type,e.data]);if(e.type==='snapshot'&&!m){m=1;try{performance.mark(${JSON.stringify(STREAM_SNAPSHOT_MARK)})}catch(x){}}if(q.length>${MAX_EVENTS})g.drop()},m=0,
g={url:${JSON.stringify(url)},source:s,events:q,stop:function(){clearTimeout(t);k.forEach(function(n){s.removeEventListener(n,h)})},
drop:function(){g.stop();s.close();q.length=0;delete window.${GLOBAL}}};
k.forEach(function(n){s.addEventListener(n,h)});t=setTimeout(g.drop,${MAX_WAIT_MS});window.${GLOBAL}=g}catch(e){}})();`;
}

/**
 * Takes over the stream the page's HTML opened, once: when it is to `url` and still open (or
 * reconnecting), its buffering stops and it is returned with the events kept; otherwise it is
 * closed and null returned (the caller opens its own).
 */
export function adoptEarlyStream(url: string): EarlyStream | null {
  if (typeof window === 'undefined') return null;
  const holder = window as unknown as Record<string, EarlyStreamGlobal | undefined>;
  const early = holder[GLOBAL];
  if (!early) return null;
  delete holder[GLOBAL];
  early.stop();
  if (early.url !== url || early.source.readyState === CLOSED) {
    early.source.close();
    return null;
  }
  return { source: early.source, events: early.events };
}
