import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoRelay } from '../demo/demo-relay';
import { RelayClient } from './relay-client';
import { makeCerts, otherCa, type TestCerts } from './testing/certs';

const SERVER_NAME = 'relay.hubble-relay.cilium.io';
let certs: TestCerts;
let tlsRelay: DemoRelay;
let mtlsRelay: DemoRelay;
let tlsPort: number;
let mtlsPort: number;

beforeAll(async () => {
  certs = makeCerts(SERVER_NAME);
  tlsRelay = new DemoRelay({ rate: 100, historySeconds: 5, tls: { cert: certs.serverCert, key: certs.serverKey } });
  tlsPort = await tlsRelay.start();
  mtlsRelay = new DemoRelay({ rate: 100, historySeconds: 5, tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requireClientCert: true } });
  mtlsPort = await mtlsRelay.start();
}, 60_000);

afterAll(async () => {
  await tlsRelay.stop();
  await mtlsRelay.stop();
});

async function status(client: RelayClient) {
  try {
    return await client.serverStatus();
  } finally {
    client.close();
  }
}

describe('relay TLS and mTLS', () => {
  it('connects over TLS verifying the relay certificate by server name', async () => {
    const s = await status(new RelayClient({ address: `127.0.0.1:${tlsPort}`, tls: { ca: certs.caCert, serverName: SERVER_NAME }, requestTimeoutMs: 5000 }));
    expect(s.numConnectedNodes).toBe(3);
  });

  it('refuses a relay whose certificate is not signed by the given CA', async () => {
    await expect(status(new RelayClient({ address: `127.0.0.1:${tlsPort}`, tls: { ca: otherCa(), serverName: SERVER_NAME }, requestTimeoutMs: 3000 }))).rejects.toMatchObject({ code: 14 });
  });

  it('refuses a certificate issued for another name', async () => {
    await expect(status(new RelayClient({ address: `127.0.0.1:${tlsPort}`, tls: { ca: certs.caCert, serverName: 'evil.example.com' }, requestTimeoutMs: 3000 }))).rejects.toMatchObject({ code: 14 });
  });

  it('mTLS: the relay rejects a client without a certificate and accepts one with it', async () => {
    await expect(status(new RelayClient({ address: `127.0.0.1:${mtlsPort}`, tls: { ca: certs.caCert, serverName: SERVER_NAME }, requestTimeoutMs: 3000 }))).rejects.toMatchObject({ code: 14 });
    const s = await status(new RelayClient({ address: `127.0.0.1:${mtlsPort}`, tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey, serverName: SERVER_NAME }, requestTimeoutMs: 5000 }));
    expect(s.version).toContain('flowsight');
  });

  it('a plaintext client cannot talk to a TLS relay', async () => {
    await expect(status(new RelayClient({ address: `127.0.0.1:${tlsPort}`, requestTimeoutMs: 3000 }))).rejects.toBeTruthy();
  });
});

describe('relay TLS and mTLS for a stream on a thread of its own', () => {
  const flows = (client: RelayClient, n: number) =>
    new Promise<number>((resolve, reject) => {
      let got = 0;
      client.getFlows({ number: n }, { onFlow: () => got++, onEnd: (err) => (err ? reject(err) : resolve(got)) });
    });

  it('streams flows over mTLS, verifying the relay by server name', async () => {
    const client = new RelayClient({ address: `127.0.0.1:${mtlsPort}`, tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey, serverName: SERVER_NAME }, streamInWorker: true });
    try {
      expect(await flows(client, 20)).toBe(20);
    } finally {
      client.close();
    }
  });

  it('ends with UNAVAILABLE for a relay certificate the CA did not sign', async () => {
    const client = new RelayClient({ address: `127.0.0.1:${tlsPort}`, tls: { ca: otherCa(), serverName: SERVER_NAME }, streamInWorker: true });
    try {
      await expect(flows(client, 5)).rejects.toMatchObject({ code: 14 });
    } finally {
      client.close();
    }
  });
});
