import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openSseStream, type SseSink } from './sse';
import { connectWithoutReading, startRouteServer } from './testing/route-server';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An SSE route whose sink the test drives. */
async function sseServer(closeGraceMs?: number) {
  const sinks: SseSink[] = [];
  const server = await startRouteServer((request) => openSseStream(request, (sink) => (sinks.push(sink), () => {}), { closeGraceMs }));
  cleanups.push(() => server.close());
  return { server, sinks };
}

const BIG = JSON.stringify('x'.repeat(64 * 1024));

/** Sends until the queue stays full: the kernel buffers of both ends are full and the writer waits for a drain. */
async function fill(sink: SseSink): Promise<number> {
  let sent = 0;
  let fullSince = 0;
  while (true) {
    if (sink.send('delta', BIG)) {
      sent++;
      fullSince = 0;
    } else if (!fullSince) fullSince = Date.now();
    else if (Date.now() - fullSince > 300) return sent;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A client that reads the stream and calls `onSeen` once `marker` has arrived; what it read, when the response ends. */
function readUntil(port: number, marker: string, onSeen: () => void): Promise<{ text: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/stream' }, (res) => {
      let text = '';
      let seen = false;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
        if (!seen && text.includes(marker)) {
          seen = true;
          onSeen();
        }
      });
      res.on('end', () => resolve({ text, complete: res.complete }));
      res.on('error', reject);
    });
  });
}

describe('openSseStream under Next’s response writer', () => {
  it('closing a stream the client never reads drops the connection, releasing its socket and send queue', async () => {
    const { server, sinks } = await sseServer();
    const client = await connectWithoutReading(server.port, '/api/stream');
    cleanups.push(() => client.destroy());
    await until(() => sinks.length === 1);
    const sent = await fill(sinks[0]);
    expect(sent).toBeGreaterThan(32); // megabytes went into socket buffers before the queue filled
    expect(await server.connections()).toBe(1);

    sinks[0].close('client too slow');
    await until(async () => (await server.connections()) === 0, 3000);
    // The writer's pipe settles too (nothing keeps the stream and its queue alive).
    await expect(Promise.race([server.pipesSettled().then(() => 'settled'), new Promise((r) => setTimeout(() => r('stuck'), 2000))])).resolves.toBe('settled');
    // The client sees the connection end once it looks.
    const ended = new Promise((resolve) => client.once('close', resolve));
    client.resume();
    await ended;
  });

  it('a reading client gets a goodbye and a normal end of the response', async () => {
    const { server, sinks } = await sseServer();
    const body = readUntil(server.port, 'event: hello', () => sinks[0].close('server stopping'));
    await until(() => sinks.length === 1);
    expect(sinks[0].send('hello', '{}')).toBe(true);
    const { text, complete } = await body;
    expect(complete).toBe(true);
    expect(text).toContain('event: bye\ndata: {"reason":"server stopping"}');
  });

  it('sends several events in one write, each its own event to the reader; a full queue takes none of them', async () => {
    const { server, sinks } = await sseServer();
    const body = readUntil(server.port, 'event: last', () => sinks[0].close('done'));
    await until(() => sinks.length === 1);
    expect(sinks[0].sendAll([['snapshot-part', '{"n":1}'], ['snapshot-part', '{"n":2}'], ['last', '{}']])).toBe(true);
    const events = (await body).text.split('\n\n').filter((block) => block.startsWith('event: '));
    expect(events.slice(0, 3)).toEqual(['event: snapshot-part\ndata: {"n":1}', 'event: snapshot-part\ndata: {"n":2}', 'event: last\ndata: {}']);

    const stalled = await sseServer();
    const client = await connectWithoutReading(stalled.server.port, '/api/stream');
    cleanups.push(() => client.destroy());
    await until(() => stalled.sinks.length === 1);
    await fill(stalled.sinks[0]);
    expect(stalled.sinks[0].sendAll([['snapshot-part', '{}']])).toBe(false);
  });

  it('drops a closed stream that does not drain within the grace period', async () => {
    const { server, sinks } = await sseServer(200);
    const client = await connectWithoutReading(server.port, '/api/stream');
    cleanups.push(() => client.destroy());
    await until(() => sinks.length === 1);
    // Fill the socket buffers until the writer waits for a drain, leaving room in the queue.
    const res = server.responses[0];
    while (!res.writableNeedDrain) {
      expect(sinks[0].send('delta', BIG)).toBe(true);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(sinks[0].send('delta', '{}')).toBe(true);
    sinks[0].close('server stopping'); // a goodbye is queued: the client might still read it
    await new Promise((r) => setTimeout(r, 100));
    expect(await server.connections()).toBe(1);
    await until(async () => (await server.connections()) === 0, 3000);
  });
});
