/** Test PKI made on the fly: a CA, a relay certificate for a server name, and a client certificate. */

import forge from 'node-forge';

export interface TestCerts {
  caCert: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
}

let serial = 1;

function issue(
  subjectCN: string,
  issuer: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } | null,
  extensions: object[],
): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subjectCN }]);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : [{ name: 'commonName', value: subjectCN }]);
  cert.setExtensions(extensions);
  // SHA-256: OpenSSL's default security level rejects SHA-1 signatures ("ca md too weak").
  cert.sign(issuer ? issuer.key : keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

const pem = (c: forge.pki.Certificate) => Buffer.from(forge.pki.certificateToPem(c));
const keyPem = (k: forge.pki.rsa.PrivateKey) => Buffer.from(forge.pki.privateKeyToPem(k));

export function makeCa(name = 'flowsight test CA') {
  return issue(name, null, [
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
}

export function makeCerts(serverName: string): TestCerts {
  const ca = makeCa();
  const server = issue(serverName, ca, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: serverName }] },
  ]);
  const client = issue('flowsight-test-client', ca, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  return { caCert: pem(ca.cert), serverCert: pem(server.cert), serverKey: keyPem(server.key), clientCert: pem(client.cert), clientKey: keyPem(client.key) };
}

/** A CA unrelated to the relay's (the "wrong CA" case). */
export function otherCa(): Buffer {
  return pem(makeCa('someone else').cert);
}
