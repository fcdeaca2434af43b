import type { DynamicConfig } from './dynamic-config';
import { serverReadsAsTrue } from './setting-choices';
import { ownValidation } from '../own-validation';
import { SecretRef } from '../persistence/secret-ref';
import { secretVolume, VolumeSet } from '../pod/volumes';
import { hasUrlCredentials, isUnder, plainProps, propError, requireAbsolutePath, requireDns1123Subdomain, requireHostAsWritten, requireNonEmpty, requireUrl } from '../validation';

/*
 * The server starts with any region that is not empty, but its S3 client (aws-sdk-go-v2's
 * bindRegion, server 1.31 and 1.32) refuses every call whose region is not dot-separated host
 * labels ("invalid input region"): every archive would fail, long after the deploy. AWS signs for
 * the region as written, and its regions are lower case, so without an endpoint S3 refuses
 * "US-EAST-1" too; an S3-compatible store names its own regions.
 */
function checkS3Region(region: string, compatible: boolean): void {
  const labels = region.split('.');
  const hostLabels = labels.every((l) => /^[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/.test(l));
  if (!hostLabels || (!compatible && /[A-Z]/.test(region))) {
    throw propError('ArchivalProvider.s3', 'region', region,
      `a region name of ${compatible ? '' : 'lower-case '}letters, digits and '-' (not at either end of a dot-separated part, at most 63 characters each), such as "us-east-1"`,
      hostLabels ? 'AWS\'s region names are lower case and S3 refuses a request signed for another spelling, so every archive would fail; write the region as AWS does.'
        : 'The server starts with it, but its S3 client refuses every call with this region ("invalid input region"), so every archive would fail; give the region as the store names it.');
  }
}

/** Options of `ArchivalProvider.gcs`. */
export interface GcsArchivalOptions {
  /**
   * The service account key (JSON) in a Secret: mounted, that key only, in every server pod but
   * matching's (the roles that archive and read archives back), and named as the archiver's
   * credentials file. For clusters without workload identity. Without it (and without
   * `credentialsPath`) the archiver asks the metadata server for its token, which `restrictEgress`
   * then opens to history and the frontends.
   * @default - no key file: the archiver takes the pods' identity (GKE Workload Identity)
   */
  readonly credentials?: SecretRef;
  /**
   * A key file already in the server image (a custom image): the library mounts nothing there. A key
   * from a Secret goes in `credentials`.
   * @default - no key file
   */
  readonly credentialsPath?: string;
}

/** Where archived histories or visibility records go. */
export class ArchivalProvider {
  /**
   * Files on a volume. Needs a PersistentVolumeClaim that every history and frontend pod can mount
   * (ReadWriteMany); it is mounted at the URI's path.
   */
  public static filestore(options: { readonly claimName: string; readonly fileMode?: string; readonly dirMode?: string }): ArchivalProvider {
    options = plainProps('ArchivalProvider.filestore', options, 'ArchivalProvider.filestore.options', 'options');
    requireDns1123Subdomain('ArchivalProvider.filestore', 'claimName', options.claimName);
    // The server parses the modes with Go's base prefixes (strconv.ParseUint(mode, 0, 32)): "755" is
    // decimal, 0o1363, and "644" is 0o1204, which leave the server unable to read what it archived.
    // It reads and writes as the owner: files need the owner's read and write, directories its rwx too.
    for (const [prop, owner] of [['fileMode', /^0[67]/], ['dirMode', /^07/]] as const) {
      const mode = options[prop];
      if (mode !== undefined && (typeof mode !== 'string' || !/^0[0-7]{3}$/.test(mode) || !owner.test(mode))) {
        throw propError('ArchivalProvider.filestore', prop, mode, `an octal permission mode with its leading 0 that lets the owner (the server) ${prop === 'dirMode' ? 'read, write and enter' : 'read and write'}, such as "${prop === 'dirMode' ? '0755' : '0644'}"`,
          'The server reads a mode without the leading 0 as a decimal number.');
      }
    }
    return new ArchivalProvider('file', { filestore: { fileMode: options.fileMode ?? '0666', dirMode: options.dirMode ?? '0766' } }, options.claimName);
  }

  /** Amazon S3 or an S3-compatible store. Credentials come from the pods' identity (see `serviceAccount`) or env. */
  public static s3(options: { readonly region: string; readonly endpoint?: string; readonly forcePathStyle?: boolean }): ArchivalProvider {
    options = plainProps('ArchivalProvider.s3', options, 'ArchivalProvider.s3.options', 'options');
    requireNonEmpty('ArchivalProvider.s3', 'region', options.region);
    checkS3Region(options.region, options.endpoint !== undefined);
    let port = 443;
    if (options.endpoint !== undefined) {
      const url = requireUrl('ArchivalProvider.s3', 'endpoint', options.endpoint);
      requireHostAsWritten('ArchivalProvider.s3', 'endpoint', options.endpoint, url);
      // aws-sdk-go-v2's endpoint rules (smithy-go rulesfn.ParseURL) take no URL with a query.
      if (url.search !== '') {
        throw propError('ArchivalProvider.s3', 'endpoint', options.endpoint, 'the store\'s URL without a query, such as "https://minio.storage.svc:9000"',
          'The server starts with it, but its S3 client refuses the endpoint on every call ("Custom endpoint ... was not a valid URI"), so every archive would fail.');
      }
      port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    }
    return new ArchivalProvider('s3', { s3store: { region: options.region, endpoint: options.endpoint, s3ForcePathStyle: options.forcePathStyle } }, undefined, port);
  }

  /** Google Cloud Storage. Credentials come from workload identity, or a key file from a Secret (`credentials`). */
  public static gcs(options: GcsArchivalOptions = {}): ArchivalProvider {
    options = plainProps('ArchivalProvider.gcs', options, 'GcsArchivalOptions', 'options');
    if (options.credentialsPath !== undefined) requireAbsolutePath('ArchivalProvider.gcs', 'credentialsPath', options.credentialsPath);
    if (options.credentials !== undefined && !(options.credentials instanceof SecretRef)) {
      throw propError('ArchivalProvider.gcs', 'credentials', options.credentials, 'a SecretRef (SecretRef.of(secretName, key)) of the service account key');
    }
    if (options.credentials !== undefined && options.credentialsPath !== undefined) {
      throw propError('ArchivalProvider.gcs', 'credentialsPath', options.credentialsPath, 'no value beside credentials',
        'credentials mounts the key from its Secret and names that file; credentialsPath names a file of the image. Give one of them.');
    }
    return new ArchivalProvider('gs', { gstorage: { credentialsPath: options.credentialsPath } }, undefined, 443, options.credentials);
  }

  private constructor(
    /** The URI scheme this provider serves. */
    public readonly scheme: string,
    /** @internal */
    public readonly _config: Record<string, unknown>,
    /** The claim to mount, for the filestore. */
    public readonly claimName?: string,
    /** The TCP port the servers dial to archive, for a restricted egress; none for the filestore. */
    public readonly egressPort?: number,
    /** The key file to mount from a Secret, for GCS. */
    public readonly credentials?: SecretRef,
  ) {}
}

/** Archival of one kind of data. */
export interface ArchivalTarget {
  readonly provider: ArchivalProvider;
  /**
   * Where to archive, with the provider's scheme: `file:///archive/history`, `s3://bucket/prefix`,
   * `gs://bucket/prefix`. The host of an `s3://` or `gs://` URI is the bucket's name as the store
   * writes it (lower case), which the server asks the store for whenever a namespace with archival
   * on is created.
   */
  readonly uri: string;
  /**
   * Allow reading archived data back through the API.
   * @default true
   */
  readonly enableRead?: boolean;
  /**
   * New namespaces archive by default; and the namespace Job turns archival on in a listed
   * namespace that exists with it never enabled (created before archival was set).
   * @default true
   */
  readonly namespaceDefault?: boolean;
}

/** History and visibility archival. Each is either fully enabled or absent: the server accepts no half shape. */
export interface ArchivalOptions {
  /** @default - history archival off */
  readonly history?: ArchivalTarget;
  /** @default - visibility archival off */
  readonly visibility?: ArchivalTarget;
}

/** The `archival` and `namespaceDefaults.archival` sections, in one of the two shapes the server accepts. */
export function archivalConfig(owner: string, options: ArchivalOptions) {
  const archival: Record<string, unknown> = {};
  const defaults: Record<string, unknown> = {};
  for (const kind of ['history', 'visibility'] as const) {
    const target = options[kind];
    if (!target) continue;
    if (!(target.provider instanceof ArchivalProvider)) {
      throw propError(owner, `archival.${kind}.provider`, target.provider, 'an ArchivalProvider, such as ArchivalProvider.s3({ region })');
    }
    if (typeof target.uri !== 'string' || !target.uri.startsWith(`${target.provider.scheme}://`) || target.uri.length <= target.provider.scheme.length + 3) {
      throw propError(owner, `archival.${kind}.uri`, target.uri, `a ${target.provider.scheme}:// URI with a location`,
        'Enabled archival needs both a provider and a URI; remove the target to turn archival off.');
    }
    if (/\s/.test(target.uri)) throw propError(owner, `archival.${kind}.uri`, target.uri, 'a URI without spaces');
    // s3://KEY:SECRET@bucket/prefix: the URI is written into the server ConfigMap and every
    // namespace's archival settings, which any API caller can read; the archivers take their
    // credentials from the pods' identity or env, never from the URI.
    if (/^[^:]+:\/\/[^/?#]*@/.test(target.uri) || hasUrlCredentials(target.uri)) {
      throw propError(owner, `archival.${kind}.uri`, target.uri, 'a URI without a user or password',
        'It would be written in plain text into the server ConfigMap and the namespaces\' settings; the archivers take credentials from the pods\' identity (serviceAccount) or from Secrets.');
    }
    if (target.provider.claimName !== undefined) checkFilestorePath(owner, `archival.${kind}.uri`, target.uri);
    else checkBucketUri(owner, `archival.${kind}.uri`, target.uri, target.provider.scheme, legacyS3Names(target.provider));
    const provider = target.provider.credentials ? { gstorage: { credentialsPath: `${archivalCredentialsDir(kind)}/${CREDENTIALS_FILE}` } } : target.provider._config;
    archival[kind] = { state: 'enabled', enableRead: target.enableRead ?? true, provider };
    defaults[kind] = { state: (target.namespaceDefault ?? true) ? 'enabled' : 'disabled', URI: target.uri };
  }
  if (Object.keys(archival).length === 0) return undefined;
  const [history, visibility] = [options.history, options.visibility];
  // One directory of one claim can hold both (their file names differ) and is mounted once; two
  // claims cannot share a mount path: the API server refuses the pod for its duplicate mountPath.
  if (history?.provider.claimName !== undefined && visibility?.provider.claimName !== undefined
    && filestorePath(history.uri) === filestorePath(visibility.uri) && history.provider.claimName !== visibility.provider.claimName) {
    throw propError(owner, 'archival.visibility.uri', visibility.uri,
      `a path other than archival.history.uri's while the two filestores use different claims (${history.provider.claimName}, ${visibility.provider.claimName})`,
      'Each claim is mounted at its URI\'s path, and a pod cannot mount two volumes at one path; give visibility a path of its own, such as "file:///archival/visibility", or use one claim for both.');
  }
  return { archival, namespaceDefaults: { archival: defaults } };
}

/** The local path of a file:// URI, where a filestore claim is mounted. */
export function filestorePath(uri: string): string {
  return uri.replace(/^file:\/\//, '');
}

/** Filestore archival writes to a shared claim, mounted at the URI's path in every server pod. */
export function archivalClaimVolumes(archival: ArchivalOptions | undefined): VolumeSet {
  const targets = (['history', 'visibility'] as const).map((kind) => ({ kind, target: archival?.[kind] }))
    .filter((t) => t.target?.provider.claimName)
    // Both in one directory (archivalConfig has made sure it is one claim): one volume, mounted once.
    .filter((t, i, all) => i === 0 || filestorePath(t.target!.uri) !== filestorePath(all[0].target!.uri));
  return {
    volumes: targets.map(({ kind, target }) => ({ name: `archival-${kind}`, persistentVolumeClaim: { claimName: target!.provider.claimName! } })),
    mounts: targets.map(({ kind, target }) => ({ name: `archival-${kind}`, mountPath: filestorePath(target!.uri) })),
  };
}

const CREDENTIALS_FILE = 'credentials.json';
const archivalCredentialsDir = (kind: string) => `/etc/temporal/archival/${kind}`;

/** A key file from a Secret (GCS `credentials`), mounted alone at the path the config names, per archival target. */
export function archivalCredentialVolumes(archival: ArchivalOptions | undefined): VolumeSet {
  const targets = (['history', 'visibility'] as const).map((kind) => ({ kind, credentials: archival?.[kind]?.provider?.credentials }))
    .filter((t): t is { kind: 'history' | 'visibility'; credentials: SecretRef } => t.credentials !== undefined);
  return {
    volumes: targets.map(({ kind, credentials }) => secretVolume(`archival-${kind}-credentials`, credentials.secretName, [{ key: credentials.key, path: CREDENTIALS_FILE }])),
    mounts: targets.map(({ kind }) => ({ name: `archival-${kind}-credentials`, mountPath: archivalCredentialsDir(kind), readOnly: true })),
  };
}

/*
 * The GCE metadata server, where a gcs() archiver without a key file takes its token (Application
 * Default Credentials: with no key file, only the metadata server is left). The archiver dials
 * 169.254.169.254:80, which is what a NetworkPolicy sees under GKE Dataplane V2; under GKE's
 * Calico network policy the node first redirects it to the GKE metadata server's own address,
 * 169.254.169.252:988 (GKE 1.21 and later), and the policy sees that one instead.
 */
const GCE_METADATA_SERVER = [{ cidr: '169.254.169.254/32', port: 80 }, { cidr: '169.254.169.252/32', port: 988 }];

/**
 * @internal
 * The metadata server's addresses, for a restricted egress, when a gcs() archiver has no key file to take its token from.
 */
export function archivalMetadataEgress(archival: ArchivalOptions | undefined): Array<{ cidr: string; port: number }> {
  const keyless = (['history', 'visibility'] as const).some((kind) => {
    const provider = archival?.[kind]?.provider;
    return provider?.scheme === 'gs' && provider.credentials === undefined && (provider._config.gstorage as { credentialsPath?: string }).credentialsPath === undefined;
  });
  return keyless ? GCE_METADATA_SERVER : [];
}

/** The ports the servers dial to archive, for a restricted egress. */
export function archivalEgressPorts(archival: ArchivalOptions | undefined): number[] {
  return (['history', 'visibility'] as const).map((kind) => archival?.[kind]?.provider.egressPort).filter((p): p is number => p !== undefined);
}

/**
 * Directories a filestore archive may not be mounted at: the pod's own mounts (config, TLS files,
 * schema waits, /tmp) and the image's system directories, or any parent of them, which the claim
 * would hide.
 */
const RESERVED_DIRS = ['/etc/temporal', '/tmp', '/etc', '/usr', '/bin', '/sbin', '/lib', '/proc', '/sys', '/dev', '/var/run', '/run'];

/*
 * The server validates a namespace's archival URI when the namespace is created or its archival
 * turned on (the namespace Job and every `namespace create` would fail), and reads its host as the
 * bucket and, for GCS, needs a path (s3store softValidateURI, gcloud validateURI).
 */
function checkBucketUri(owner: string, prop: string, uri: string, scheme: string, legacyNames: boolean): void {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  const example = `${scheme}://temporal-archive/history`;
  if (!url || url.hostname === '' || url.port !== '') {
    throw propError(owner, prop, uri, `a ${scheme}:// URI whose host is the bucket's name, without a port, such as "${example}"`,
      `The server takes the URI's host as the bucket: without one it refuses the URI (no bucket specified), and every namespace with archival on fails to be created.${scheme === 's3' ? ' An S3-compatible store\'s address goes in ArchivalProvider.s3({ endpoint }).' : ''}`);
  }
  // As written: the server takes the host of Go's url.Parse as the bucket, not lower-cased or decoded.
  const bucket = uri.slice(scheme.length + 3).split(/[/?#]/)[0];
  const problem = legacyNames ? legacyBucketNameProblem(bucket) : bucketNameProblem(scheme, bucket);
  if (problem !== undefined) {
    throw propError(owner, prop, uri, `a ${scheme}:// URI whose host is ${scheme === 's3' ? 'an S3' : 'a Cloud Storage'} bucket name (${problem}), such as "${example}"`,
      `The server asks the store for the bucket "${bucket}" when a namespace with archival on is created, and the store refuses a name it could never have given a bucket, so every such namespace would fail to be created. Give the bucket's name as the store shows it.`);
  }
  if (scheme === 'gs' && url.pathname === '') {
    throw propError(owner, prop, uri, `a gs:// URI with a path after the bucket, such as "${example}"`,
      'The GCS archiver refuses a URI without a path (invalid URI), and every namespace with archival on fails to be created.');
  }
  // The text, not url.search and url.hash: a bare "?" or "#" parses to empty ones.
  if (/[?#]/.test(uri)) {
    throw propError(owner, prop, uri, 'a URI without a query or fragment', 'The archivers ignore them, so they do not say where the data goes; put the location in the path.');
  }
}

/**
 * Whether an S3 provider's buckets may have names outside today's rules: us-east-1 kept the names
 * of buckets created there before March 2018 (upper case, '_', up to 255 characters), which the
 * SDK reaches path-style, and an S3-compatible store (an endpoint, or path-style asked for) has
 * naming rules of its own.
 */
function legacyS3Names(provider: ArchivalProvider): boolean {
  const s3 = (provider._config as { s3store?: { region?: string; endpoint?: string; s3ForcePathStyle?: boolean } }).s3store;
  return s3 !== undefined && (s3.region === 'us-east-1' || s3.endpoint !== undefined || s3.s3ForcePathStyle === true);
}

/** Why `bucket` cannot be the name of a bucket under the legacy rules, or undefined when it can. */
function legacyBucketNameProblem(bucket: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(bucket)) return 'letters, digits, \'-\', \'_\' and \'.\' only';
  if (bucket.length < 3 || bucket.length > 255) return '3 to 255 characters';
  return undefined;
}

/**
 * Why `bucket` cannot be a bucket's name, by the store's naming rules (S3 and the S3-compatible
 * stores, Cloud Storage), or undefined when it can.
 */
function bucketNameProblem(scheme: string, bucket: string): string | undefined {
  const gcs = scheme === 'gs';
  if (!(gcs ? /^[a-z0-9._-]+$/ : /^[a-z0-9.-]+$/).test(bucket)) return `lower-case letters, digits, ${gcs ? '\'-\', \'_\'' : '\'-\''} and '.' only`;
  const longest = gcs && bucket.includes('.') ? 222 : 63;
  if (bucket.length < 3 || bucket.length > longest) return `3 to ${longest} characters`;
  if (gcs && bucket.split('.').some((part) => part.length > 63)) return 'at most 63 characters between dots';
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) return 'starting and ending with a letter or digit';
  if (bucket.includes('..')) return 'no two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'not an IP address';
  if (gcs && (bucket.startsWith('goog') || /g[o0]{2}gle/.test(bucket))) return 'not starting with "goog" nor containing "google"';
  return undefined;
}

function checkFilestorePath(owner: string, prop: string, uri: string): void {
  // The server decodes the URI's path and stops at "?" or "#"; the claim is mounted at the literal path, so the archiver would write beside it.
  if (/[%?#]/.test(uri)) {
    throw propError(owner, prop, uri, 'a file:// URI without "%", "?" or "#"',
      'The server reads the path decoded and without a query or fragment, while the claim is mounted at the path as written: the archives would go to the pod\'s own file system, not the claim.');
  }
  const path = filestorePath(uri);
  requireAbsolutePath(owner, `${prop} path`, path);
  const clash = RESERVED_DIRS.find((dir) => isUnder(path, dir) || isUnder(dir, path));
  if (clash !== undefined) {
    throw propError(owner, prop, uri, `a file:// URI whose path is a directory of its own, not ${clash === path ? clash : `${clash} or a directory above or under it`}`,
      'The claim is mounted there and would hide what the pod keeps in it; use a path such as "file:///archival/history".');
  }
}

/** The states the server reads from `system.<kind>ArchivalState`, trimmed and in lower case (archival_metadata.go). */
const CLUSTER_ARCHIVAL_STATES = ['', 'disabled', 'paused', 'enabled'];

/**
 * @internal
 * Refuses the dynamic config switches of archival that the server would ignore or read as off, over
 * the file as synthesized (`cluster.dynamicConfig.add()` puts values in after the props were read).
 * The server reads `system.historyArchivalState` and `system.visibilityArchivalState` only when the
 * static config enables that archival, which `archival` writes: without it no archiver exists, and
 * "enabled" there, or `system.enableReadFrom*Archival` true, turns nothing on. A state other than
 * "", disabled, paused or enabled (any case) is read as disabled: "on" or "true" stops archiving.
 * Returns `dynamicConfig`.
 */
export function guardArchivalSwitches(owner: string, archival: ArchivalOptions | undefined, dynamicConfig: DynamicConfig): DynamicConfig {
  dynamicConfig.node.addValidation(ownValidation({
    validate: () => (['history', 'visibility'] as const).flatMap((kind) => {
      const Kind = `${kind[0].toUpperCase()}${kind.slice(1)}`;
      const stateKey = `system.${kind}ArchivalState`;
      const off = !archival?.[kind];
      const errors: string[] = [];
      for (const v of dynamicConfig.valuesOf(stateKey)) {
        const state = typeof v.value === 'string' ? v.value.trim().toLowerCase() : undefined;
        if (state === undefined || !CLUSTER_ARCHIVAL_STATES.includes(state)) {
          errors.push(propError(owner, `dynamicConfig ${v.key}`, v.value, '"enabled", "paused" or "disabled"',
            'The server reads any other state as disabled, and archives nothing while it holds.').message);
        } else if (off && (state === 'enabled' || state === 'paused')) {
          errors.push(propError(owner, `dynamicConfig ${v.key}`, v.value, `no value other than "disabled" while archival.${kind} is off`,
            `The server reads it only when its static config enables ${kind} archival, which archival.${kind} (a provider and a URI) writes; without that it archives nothing whatever this says. Set archival.${kind}.`).message);
        }
      }
      for (const v of dynamicConfig.valuesOf(`system.enableReadFrom${Kind}Archival`).filter((r) => off && serverReadsAsTrue(r.value))) {
        errors.push(propError(owner, `dynamicConfig ${v.key}`, v.value, `no true value while archival.${kind} is off`,
          `The server reads it only when its static config enables ${kind} archival; set archival.${kind}, whose enableRead says the same.`).message);
      }
      return errors.slice(0, 2);
    }),
  }));
  return dynamicConfig;
}
