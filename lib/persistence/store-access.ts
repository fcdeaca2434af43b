import { Datastore, serverCredentialEnvNames, StoreRole } from './datastore';
import { withPasswordCommand } from './password-command';
import { Persistence } from './persistence';
import { isLoopbackHost } from './store-identity';
import { onePerSecretKey } from './secret-env';
import { Container, EnvVar } from '../../imports/k8s';
import { joinVolumes, NO_VOLUMES, SECRET_FILE_MODE, VolumeSet } from '../pod/volumes';
import { propError } from '../validation';
import { TemporalVersion } from '../versions';

const DATASTORE_TLS_VOLUME_PREFIX = 'datastore-tls';

/**
 * The env vars through which the server config reads each store's credentials from Secrets: one per
 * Secret key, named after the first store that reads it (`onePerSecretKey`).
 */
export function serverStoreCredentialEnv(persistence: Persistence): EnvVar[] {
  return serverCredentialEnv(persistence).env;
}

/**
 * The names of the env vars a store's config reads its credentials from: its own
 * (`serverCredentialEnvNames`), or an earlier store's that reads the same Secret key (a visibility
 * store's password kept in the default store's Secret reads TEMPORAL_DEFAULT_STORE_PASSWORD).
 */
export function serverCredentialEnvNamesOf(persistence: Persistence): (role: StoreRole) => { readonly user: string; readonly password: string } {
  const { sources } = serverCredentialEnv(persistence);
  return (role) => {
    const own = serverCredentialEnvNames(role);
    return { user: sources.get(own.user) ?? own.user, password: sources.get(own.password) ?? own.password };
  };
}

function serverCredentialEnv(persistence: Persistence): ReturnType<typeof onePerSecretKey> {
  return onePerSecretKey(persistence.stores.flatMap(({ role, store }) => store.credentialEnv(serverCredentialEnvNames(role), false)));
}

/**
 * The projected volume of one store's TLS files, mounted at the store's TLS folder, at
 * SECRET_FILE_MODE; none without files.
 */
export function storeTlsVolume(role: StoreRole, store: Datastore): VolumeSet {
  if (store.tlsFiles.length === 0) return NO_VOLUMES;
  const name = `${DATASTORE_TLS_VOLUME_PREFIX}-${role}`;
  return {
    volumes: [{ name, projected: { defaultMode: SECRET_FILE_MODE, sources: store.tlsFiles.map((f) => ({ secret: { name: f.ref.secretName, items: [{ key: f.ref.key, path: f.fileName }] } })) } }],
    mounts: [{ name, mountPath: store.tlsDirectory(role), readOnly: true }],
  };
}

/** Every store's TLS volume: the servers talk to all of them. */
export function storeTlsVolumes(persistence: Persistence): VolumeSet {
  return joinVolumes(...persistence.stores.map(({ role, store }) => storeTlsVolume(role, store)));
}

/**
 * What a pod needs to reach the databases beyond their TLS files: the user's `databaseAccess`
 * volumes (a proxy's socket, a token helper).
 */
export function databaseAccessVolumes(persistence: Persistence): VolumeSet {
  return persistence.databaseAccess;
}

/**
 * A SQL tool container (a schema step, a schema wait) of `store`: as it is, or, when the store's
 * password comes from a command, wrapped so that it runs the command first and hands the output to
 * the tool as SQL_PASSWORD (temporal-sql-tool has no password command of its own). A schema Job
 * with `schemaCredentials` uses those instead: the command gives the servers' password.
 */
export function withStorePassword<T extends Pick<Container, 'name' | 'command' | 'args' | 'env'>>(store: Datastore, container: T,
  usesSchemaCredentials = false): T {
  const command = store.passwordCommand;
  return command && !(usesSchemaCredentials && store.schemaCredentials) ? withPasswordCommand(container, command, 'SQL_PASSWORD') : container;
}

/** Refuses a password command on a release that does not read it (before 1.31), where the server would connect without a password. */
export function checkPasswordCommands(owner: string, persistence: Persistence, version: TemporalVersion): void {
  for (const { role, store } of persistence.stores) {
    if (store.passwordCommand && !version.supportsPasswordCommand) {
      throw propError(owner, `persistence ${role} store passwordCommand`, store.passwordCommand.command, 'a server release that reads it (1.31.0 or newer)',
        `Release ${version.version} has no sql.passwordCommand and would connect without a password; upgrade, or use password.`);
    }
  }
}

/** The names the server containers give their ports; Services, probes and monitors find the ports by them. */
const SERVER_PORT_NAMES = ['grpc', 'membership', 'http', 'metrics'];

/**
 * Refuses a databaseAccess sidecar port that a server container declares too, by number or by name,
 * and returns `ports`. A sidecar shares the server pod's network, so one of the two processes could
 * not listen on the number (the server fails to start, or the proxy does and the pod never gets
 * ready); and a Service, PodMonitor or NetworkPolicy that names `grpc` or `metrics` could resolve
 * to the sidecar's port of that name. Every port of every role counts, as the cluster's roles
 * already keep their ports apart.
 */
export function checkAccessPorts<T extends Partial<Record<string, { grpc: number; membership: number; http?: number }>>>(owner: string, persistence: Persistence,
  ports: T, metricsPort: number): T {
  const access = persistence.databaseAccess;
  const server = new Map<number, string>([[metricsPort, 'metricsPort']]);
  for (const [role, p] of Object.entries(ports)) {
    for (const [kind, number] of Object.entries(p ?? {})) if (typeof number === 'number') server.set(number, `the ${role} ${kind} port`);
  }
  const inits = access.containers.filter((c) => c.restartPolicy !== 'Always').length;
  access.containers.forEach((c, k) => {
    // Init containers end before the servers start, and no Service resolves a port name to theirs.
    if (c.restartPolicy !== 'Always') return;
    (Array.isArray(c.ports) ? c.ports : []).forEach((port, j) => {
      const prop = `persistence databaseAccess.sidecars[${k - inits}].ports[${j}]`;
      const taken = (port?.protocol ?? 'TCP') === 'TCP' ? server.get(port?.containerPort) : undefined;
      if (taken) {
        throw propError(owner, `${prop}.containerPort`, port.containerPort, `a port the server containers do not listen on; ${taken} is ${port.containerPort}`,
          'The sidecar shares the server pod\'s network, so one of the two could not listen; move the sidecar (or the server port, with ports or metricsPort).');
      }
      if (port?.name !== undefined && SERVER_PORT_NAMES.includes(port.name)) {
        throw propError(owner, `${prop}.name`, port.name, `a port name the server containers do not use (${SERVER_PORT_NAMES.join(', ')})`,
          'The Services, probes and monitors find the server\'s ports by these names; give the sidecar\'s port another.');
      }
    });
  });
  // A store on the pod's loopback is reached through a sidecar listening at its port in every server
  // pod, where a server port of that number would leave the sidecar, or the server, unable to listen:
  // the server would then dial its own gRPC or membership port as its database.
  for (const { role, store } of persistence.stores) {
    const taken = store.hosts.some(isLoopbackHost) ? server.get(store.port) : undefined;
    if (taken) {
      throw propError(owner, `persistence ${role} store`, store.uri, `a port on the pod's loopback the server containers do not listen on; ${taken} is ${store.port}`,
        'Every server pod shares its loopback with the sidecar that carries the store\'s connections; move the sidecar\'s port (and the store\'s), or the server port, with ports or metricsPort.');
    }
  }
  return ports;
}
