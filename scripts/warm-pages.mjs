// The pages people open first, asked for once by the server itself as soon as it listens: Next
// loads a page's code on its first request, and on a busy 2-core server (a 5,000-workload cluster
// streaming) the first person to open /map waited 1.4-1.9 s for its HTML instead of ~20-70 ms.
// One page after another, bodies read and dropped; a page that fails or hangs is skipped, silently:
// it is only slower for the first person, as it was. Where sign-in is required the pages answer
// with the sign-in redirect, which still loads the router, the proxy and the sign-in page.
import http from 'node:http';
import https from 'node:https';

export const WARM_PATHS = ['/', '/map', '/flows'];

/** The address a listener on `host` answers on for this process (a wildcard host: loopback). */
export function selfAddress(host) {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[(.*)\]$/, '$1');
}

function get({ host, port, tls }, path, timeoutMs) {
  return new Promise((resolve) => {
    // Our own listener, on its own address: its certificate may name another host.
    // No keep-alive (agent: false): no idle socket of ours holds the server open at shutdown.
    const req = (tls ? https : http).get({ host: selfAddress(host), port, path, agent: false, rejectUnauthorized: false, headers: { 'user-agent': 'flowsight-warm-up' } }, (res) => {
      res.resume();
      // 'close' comes after the whole body, or after a cut (then the page did not load: 0).
      res.on('close', () => resolve(res.complete ? (res.statusCode ?? 0) : 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Asks for each path in turn; resolves with the status of each (0: failed or timed out). */
export async function warmPages(listener, paths = WARM_PATHS, timeoutMs = 30_000) {
  const statuses = [];
  for (const path of paths) statuses.push(await get(listener, path, timeoutMs));
  return statuses;
}
