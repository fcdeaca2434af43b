import * as grpc from '@grpc/grpc-js';

/**
 * grpc.health.v1.Health/Check with a generic client and hand-encoded protobuf, so no .proto files
 * are needed. HealthCheckRequest is `string service = 1`; HealthCheckResponse is
 * `ServingStatus status = 1` with UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3.
 */
export const SERVING = 1;
const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? `status ${status}`;
}

/** How a TLS client of the health service verifies the server, and the certificate it presents. */
export interface HealthTls {
  /** The CA that must have signed the server's certificate, PEM. */
  readonly ca: string;
  /** The name the server's certificate must carry (sent as SNI and verified instead of the address). */
  readonly serverName: string;
  /** Client certificate and key, PEM. @default - none */
  readonly cert?: string;
  readonly key?: string;
}

export class HealthClient {
  /** A client over TLS, as `tls` says; plaintext when it is undefined. */
  public static connect(address: string, tls?: HealthTls): HealthClient {
    if (!tls) return new HealthClient(address);
    const credentials = grpc.credentials.createSsl(Buffer.from(tls.ca), tls.key ? Buffer.from(tls.key) : null, tls.cert ? Buffer.from(tls.cert) : null);
    return new HealthClient(address, credentials, { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName });
  }

  private readonly client: grpc.Client;

  constructor(public readonly address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}) {
    this.client = new grpc.Client(address, credentials, options);
  }

  /** The serving status of `service`; rejects when the server does not answer within `timeoutMs`. */
  public check(service: string, timeoutMs = 3_000): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (value: string) => encodeRequest(value),
        (bytes: Buffer) => decodeStatus(bytes),
        service,
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, status?: number) => (err ? reject(err) : resolve(status ?? 0)),
      );
    });
  }

  public close(): void {
    this.client.close();
  }
}

function encodeRequest(service: string): Buffer {
  const body = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([(1 << 3) | 2]), encodeVarint(body.length), body]);
}

function decodeStatus(bytes: Buffer): number {
  let status = 0; // proto3 leaves a zero value off the wire
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    offset = tag.next;
    const field = tag.value >>> 3;
    const wireType = tag.value & 7;
    if (wireType === 0) {
      const v = readVarint(bytes, offset);
      offset = v.next;
      if (field === 1) status = v.value;
    } else if (wireType === 2) {
      const len = readVarint(bytes, offset);
      offset = len.next + len.value;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      throw new Error(`HealthCheckResponse: unsupported wire type ${wireType}`);
    }
  }
  return status;
}

function encodeVarint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function readVarint(bytes: Buffer, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let offset = start;
  for (;;) {
    if (offset >= bytes.length) throw new Error('HealthCheckResponse: truncated varint');
    const b = bytes[offset++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: offset };
    shift += 7;
  }
}
