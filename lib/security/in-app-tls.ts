import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ResolvedTls, TlsClient } from './tls';
import { ownValidation } from '../own-validation';

/*
 * With ClusterTls.fromSecrets the library names Secrets it cannot read. When the app itself makes
 * one of them (a cert-manager Certificate whose secretName it is, or the Secret itself), what the
 * pods will find there is known at synth, and a mistake in it is one no pod survives:
 *  - the server names: every role dials its peers (and the membership port) with the internode
 *    server name, and the system workers, the UI, the tools and the Jobs dial the frontend by its
 *    full Service name. Go verifies DNS SANs only (never the common name) and a wildcard covers one
 *    leftmost label, so a certificate without the name fails every handshake of its dialers;
 *  - the extended key usages: the internode certificate is also each role's client certificate,
 *    and Go checks a peer's EKUs against its role in the handshake (none at all passes both);
 *  - the keys: the kubelet does not start a pod whose Secret volume lists a key the Secret lacks.
 */

/** What each of the cluster's Secrets must hold: the name it serves, the usages Go checks, the keys the pods mount. */
interface SecretNeeds {
  readonly what: string;
  readonly prop: string;
  readonly serverNames: readonly string[];
  readonly usages: readonly string[];
  readonly keys: readonly string[];
}

const ALL_KEYS = ['ca.crt', 'tls.crt', 'tls.key'];
const KEY_PAIR = ['tls.crt', 'tls.key'];

function needsOf(tls: ResolvedTls, names: { internodeServerName: string; frontendFqdn: string }): Map<string, SecretNeeds> {
  const needs = new Map<string, SecretNeeds>();
  // One Secret may serve two roles (internode and frontend, internode and the system workers'): it must do for both.
  const add = (secret: string | undefined, need: SecretNeeds) => {
    if (secret === undefined) return;
    const had = needs.get(secret);
    needs.set(secret, had === undefined ? need : {
      what: had.what, prop: had.prop, serverNames: [...had.serverNames, ...need.serverNames],
      usages: [...new Set([...had.usages, ...need.usages])], keys: [...new Set([...had.keys, ...need.keys])],
    });
  };
  add(tls.internodeSecret, { what: 'internode', prop: 'internode', serverNames: [names.internodeServerName], usages: ['server auth', 'client auth'], keys: ALL_KEYS });
  add(tls.frontendSecret, { what: 'frontend', prop: 'frontend', serverNames: [names.frontendFqdn], usages: ['server auth'], keys: ALL_KEYS });
  // The frontend mounts the system workers' ca.crt to trust their certificate.
  add(tls.systemWorkerSecret, { what: 'system workers\' client', prop: 'systemWorker', serverNames: [], usages: ['client auth'], keys: ALL_KEYS });
  for (const client of Object.values(TlsClient)) add(tls.clientSecrets[client], { what: `${client} client`, prop: `clients.${client}`, serverNames: [], usages: ['client auth'], keys: KEY_PAIR });
  return needs;
}

/**
 * Whether a DNS SAN covers `host` as Go's crypto/x509 matches them: case aside, exactly, or a `*.` wildcard for one
 * leftmost label. Go drops a trailing dot of the host dialed, never of the SAN: a SAN `a.svc.` is no pattern and
 * covers only the host spelled `a.svc.` (case aside), not `a.svc`.
 */
export function sanCovers(san: string, host: string): boolean {
  if (san.endsWith('.')) return san.toLowerCase() === host.toLowerCase();
  const [pattern, name] = [san.toLowerCase(), host.toLowerCase().replace(/\.$/, '')];
  if (pattern === name) return true;
  if (!pattern.startsWith('*.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
}

/**
 * Registers, on `cluster`, the check of the Certificates and Secrets of the app that fill the
 * cluster's Secrets (fromSecrets only: cert-manager's are the library's own), once the app is complete.
 */
export function checkInAppTlsObjects(cluster: IConstruct, owner: string, tls: ResolvedTls | undefined, namespace: string,
  names: { internodeServerName: string; frontendFqdn: string }): void {
  if (!tls || tls.issuer) return;
  cluster.node.addValidation(ownValidation({ validate: () => inAppTlsErrors(cluster, owner, needsOf(tls, names), namespace, names.internodeServerName) }));
}

function inAppTlsErrors(cluster: IConstruct, owner: string, needs: Map<string, SecretNeeds>, namespace: string, internodeServerName: string): string[] {
  const errors: string[] = [];
  for (const c of cluster.node.root.node.findAll()) {
    if (!(c instanceof ApiObject) || (c.kind !== 'Secret' && c.kind !== 'Certificate')) continue;
    // A kind of that name in another API group (a CRD's own Secret) is not the Secret the pods mount.
    if (c.kind === 'Certificate' ? !c.apiVersion.startsWith('cert-manager.io/') : c.apiVersion !== 'v1') continue;
    const json = c.toJson();
    if ((json.metadata?.namespace ?? 'default') !== namespace) continue;
    const secret: string | undefined = c.kind === 'Secret' ? json.metadata?.name : json.spec?.secretName;
    const need = secret === undefined ? undefined : needs.get(secret);
    if (!need) continue;
    const at = `${c.kind} ${json.metadata?.name} (${c.node.path})`;
    if (c.kind === 'Secret') {
      const keys = Object.keys({ ...json.data, ...json.stringData });
      // A Secret the app makes empty but annotated is filled by a controller (kubernetes-replicator's replicate-from, reflector's reflects): its keys are not the app's.
      if (keys.length === 0 && Object.keys(json.metadata?.annotations ?? {}).length > 0) continue;
      const missing = need.keys.filter((k) => !keys.includes(k));
      if (missing.length) {
        errors.push(`${owner}: tls.${need.prop} is "${secret}", which ${at} fills with the keys ${JSON.stringify(keys.sort())}; expected ${need.keys.join(', ')}. `
          + `The kubelet starts no pod whose Secret volume lists a key the Secret lacks (${missing.join(', ')}), so the pods that mount the ${need.what} certificate would never start. `
          + 'Write the certificate as tls.crt, its key as tls.key and the CA that signed it (and its peers) as ca.crt.');
      }
      continue;
    }
    const dnsNames: string[] = Array.isArray(json.spec?.dnsNames) ? json.spec.dnsNames : [];
    for (const serverName of need.serverNames) {
      if (dnsNames.some((san) => typeof san === 'string' && sanCovers(san, serverName))) continue;
      const cn = (json.spec?.commonName === serverName ? ' Its commonName is the name, but Go checks the DNS SANs only.' : '')
        + (dnsNames.some((san) => typeof san === 'string' && san.endsWith('.') && sanCovers(san.slice(0, -1), serverName)) ? ' A SAN with a trailing dot matches no name dialed without one in Go.' : '');
      const dialers = serverName === internodeServerName ? 'role dials its peers (and their membership ports)' : 'system worker, UI, admin tools pod and Job dials the frontend';
      errors.push(`${owner}: tls.${need.prop} is "${secret}", whose ${at} has dnsNames ${JSON.stringify(dnsNames)}; expected one that covers ${serverName}. `
        + `Every ${dialers} verifying that name, and each handshake would fail.${cn} Add "${serverName}" to spec.dnsNames.`);
    }
    const usages: string[] = Array.isArray(json.spec?.usages) ? json.spec.usages : [];
    const lacking = need.usages.filter((u) => !usages.includes(u));
    // No extended key usage at all passes every role in Go, as does "any".
    if (lacking.length && usages.some((u) => !KEY_USAGES.has(u)) && !usages.includes('any')) {
      errors.push(`${owner}: tls.${need.prop} is "${secret}", whose ${at} has usages ${JSON.stringify(usages)}; expected ${need.usages.map((u) => `"${u}"`).join(' and ')} among them, or no extended key usage. `
        + `Go refuses a peer certificate whose extended key usages leave out its role: the ${need.what} certificate is presented as ${need.usages.map((u) => u.replace(' auth', '')).join(' and ')}. Add ${lacking.map((u) => `"${u}"`).join(' and ')} to spec.usages.`);
    }
  }
  return errors;
}

/** cert-manager's key usages that are not extended key usages (pkg/api/util: KeyUsageType). */
const KEY_USAGES: ReadonlySet<string> = new Set(['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only']);
