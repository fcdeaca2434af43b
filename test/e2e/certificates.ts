import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Test certificates made with the machine's `openssl`: ECDSA P-256 keys (PKCS#8, which Go,
 * Node and rustls all read), valid for one day, with every extension written out explicitly
 * (no defaults from openssl.cnf), so what the server and the SDKs verify is exactly what is here.
 */

/** What a certificate is for: its extended key usages, and the subjectAltNames it carries. */
export interface LeafOptions {
  readonly usages: ReadonlyArray<'serverAuth' | 'clientAuth'>;
  /** @default - none */
  readonly dnsNames?: readonly string[];
  /** @default - none */
  readonly ipAddresses?: readonly string[];
}

/** A certificate, its key, and the certificate of the CA that signed it, all PEM. */
export interface IssuedCertificate {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
  readonly caCert: string;
}

/** A self-signed CA whose key stays in its folder. */
export class CertificateAuthority {
  /** A new CA, in a folder of its own under `dir`. */
  public static create(dir: string, name: string): CertificateAuthority {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    const config = path.join(folder, 'ca.cnf');
    fs.writeFileSync(config, [
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', `CN = ${name}`,
      '[ext]',
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'));
    openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(folder, 'ca.key'), '-out', path.join(folder, 'ca.crt'), '-days', '1',
      '-config', config, '-extensions', 'ext', '-set_serial', serial()]);
    return new CertificateAuthority(name, folder);
  }

  /** The CA certificate, PEM. */
  public readonly cert: string;

  private constructor(public readonly name: string, private readonly dir: string) {
    this.cert = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  }

  /** A certificate for `name` (its CN), signed by this CA. */
  public issue(name: string, options: LeafOptions): IssuedCertificate {
    const base = path.join(this.dir, name);
    const sans = [...(options.dnsNames ?? []).map((n) => `DNS:${n}`), ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
    const ext = `${base}.ext`;
    fs.writeFileSync(ext, [
      '[ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      `extendedKeyUsage = ${options.usages.join(', ')}`,
      ...(sans.length ? [`subjectAltName = ${sans.join(', ')}`] : []),
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'));
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
    openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', path.join(this.dir, 'ca.crt'), '-CAkey', path.join(this.dir, 'ca.key'),
      '-set_serial', serial(), '-days', '1', '-extfile', ext, '-extensions', 'ext', '-out', `${base}.crt`]);
    return { name, cert: fs.readFileSync(`${base}.crt`, 'utf8'), key: fs.readFileSync(`${base}.key`, 'utf8'), caCert: this.cert };
  }
}

/** The keys of a `kubernetes.io/tls` Secret as cert-manager writes it: the certificate, its key and its issuer's CA. */
export function tlsSecret(issued: IssuedCertificate): Record<string, string> {
  return { 'tls.crt': issued.cert, 'tls.key': issued.key, 'ca.crt': issued.caCert };
}

/** `openssl x509 -text` of a PEM certificate, for messages. */
export function describeCertificate(pem: string): string {
  return openssl(['x509', '-noout', '-subject', '-issuer', '-ext', 'subjectAltName,extendedKeyUsage'], pem);
}

function serial(): string {
  return `0x${randomBytes(16).toString('hex').replace(/^./, '1')}`;
}

function openssl(args: string[], input?: string): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: 'pipe', timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not on PATH; install it (Debian: apt-get install -y openssl)');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}
