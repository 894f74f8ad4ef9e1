/** Parsing and validating how to reach a relay: `host:port`, `tls://host:port`, `[v6]:port`. */

export interface RelayAddress {
  host: string;
  port: number;
  tls: boolean;
  /** grpc-js target string. */
  target: string;
}

export class RelayAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayAddressError';
  }
}

/** Parses a relay address; the error says what is wrong and what a valid value looks like. */
export function parseRelayAddress(value: string): RelayAddress {
  const raw = value.trim();
  const m = /^(?:(tls|grpc|grpcs|dns):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(raw);
  if (!m) {
    throw new RelayAddressError(`"${value}" is not a relay address; expected host:port, e.g. localhost:4245 or tls://hubble-relay.kube-system:443`);
  }
  const scheme = m[1];
  const host = m[2];
  const tls = scheme === 'tls' || scheme === 'grpcs';
  const port = m[3] ? Number(m[3]) : tls ? 443 : 4245;
  if (port < 1 || port > 65535) throw new RelayAddressError(`"${value}": port ${port} is out of range 1-65535`);
  return { host, port, tls, target: `${host}:${port}` };
}
