import { Construct } from 'constructs';
import { DatabaseAccess, DatabaseAccessOptions, resolveDatabaseAccess } from './database-access';
import { Datastore, StoreRole } from './datastore';
import { DatastoreTlsOptions, DatastoreType } from './datastore-options';
import { DnsContext, isLoopbackHost, sameStore, StoreIdentity, storeIdentity } from './store-identity';
import { propError, plainProps } from '../validation';

export interface PersistenceProps {
  /** Where workflow state lives: PostgreSQL, MySQL or Cassandra. */
  readonly defaultStore: Datastore;
  /** Where visibility (list and search) records live: PostgreSQL, MySQL or Elasticsearch. */
  readonly visibilityStore: Datastore;
  /**
   * A second visibility store that receives every write, for migrating visibility between stores.
   * SQL beside SQL (PostgreSQL and MySQL in either order) or Elasticsearch beside Elasticsearch.
   * The server writes to it as the dynamic config `system.secondaryVisibilityWritingMode` says, whose
   * own default is "off" (nothing): the cluster writes "dual" unless its `dynamicConfig` sets the mode
   * ("on" writes the secondary store only, "off" only the visibility store).
   * @default - none
   */
  readonly secondaryVisibilityStore?: Datastore;
  /**
   * What every pod that talks to these databases needs besides the library's own containers: a
   * database proxy as a native sidecar, an init container that brings a token helper for
   * `passwordCommand`, and their volumes. It applies to the server pods of every role (their schema
   * waits included) and to the schema Jobs.
   * @default - nothing added
   */
  readonly databaseAccess?: DatabaseAccessOptions;
}

/** A store and the role it plays. */
export interface BoundStore {
  readonly role: StoreRole;
  readonly store: Datastore;
}

/**
 * The databases of one Temporal cluster. A `Persistence` belongs to exactly one `TemporalCluster`:
 * two deployments on the same database are, to Temporal, one cluster with two halves that fight
 * over shards and membership.
 */
export class Persistence extends Construct {
  public readonly defaultStore: Datastore;
  public readonly visibilityStore: Datastore;
  public readonly secondaryVisibilityStore?: Datastore;
  /** The containers and volumes added to every pod that talks to the databases, checked. */
  public readonly databaseAccess: DatabaseAccess;
  private boundTo?: string;
  private readonly owner: string;

  constructor(scope: Construct, id: string, props: PersistenceProps) {
    super(scope, id);
    props = plainProps(`Persistence '${id}'`, props, 'PersistenceProps');
    const owner = `Persistence '${id}'`;
    if (props === null || typeof props !== 'object') {
      throw propError(owner, 'props', props, '{ defaultStore, visibilityStore }');
    }
    // Every store, the optional one too: an untyped object could claim any type and pass the
    // checks below while carrying another store's settings.
    for (const [prop, store] of [['defaultStore', props.defaultStore], ['visibilityStore', props.visibilityStore],
      ['secondaryVisibilityStore', props.secondaryVisibilityStore]] as const) {
      if (!(store instanceof Datastore) && !(prop === 'secondaryVisibilityStore' && store === undefined)) {
        throw propError(owner, prop, store, 'a Datastore, for example Datastore.postgres({...})');
      }
    }
    if (props.defaultStore.type === DatastoreType.ELASTICSEARCH) {
      throw propError(owner, 'defaultStore', props.defaultStore.type, 'PostgreSQL, MySQL or Cassandra', 'Elasticsearch can only hold visibility records.');
    }
    for (const [prop, store] of [['visibilityStore', props.visibilityStore], ['secondaryVisibilityStore', props.secondaryVisibilityStore]] as const) {
      if (store?.type === DatastoreType.CASSANDRA) {
        throw propError(owner, prop, store.type, 'PostgreSQL, MySQL or Elasticsearch',
          'Cassandra cannot be a visibility store since Temporal 1.21; use Elasticsearch or a SQL database for visibility.');
      }
    }
    for (const [prop, store] of [['visibilityStore', props.visibilityStore], ['secondaryVisibilityStore', props.secondaryVisibilityStore]] as const) {
      // The server's MySQL plugin fails a visibility store with interpolateParams set, whatever its
      // value: "interpolateParams is not supported for mysql visibility stores".
      if (store?.type === DatastoreType.MYSQL && store._sql?.connectAttributes.interpolateParams !== undefined) {
        throw propError(owner, `${prop} connectAttributes["interpolateParams"]`, store._sql.connectAttributes.interpolateParams,
          'no interpolateParams on a MySQL visibility store', 'The server refuses to start with it there; remove the attribute from this store.');
      }
    }
    // The server refuses SQL beside Elasticsearch ("cannot set visibilityStore and
    // secondaryVisibilityStore with different datastore types", common/config/persistence.go), and
    // takes any two SQL stores: MySQL to PostgreSQL is a migration dual visibility is for.
    const isElasticsearch = (store: Datastore) => store.type === DatastoreType.ELASTICSEARCH;
    if (props.secondaryVisibilityStore && isElasticsearch(props.secondaryVisibilityStore) !== isElasticsearch(props.visibilityStore)) {
      throw propError(owner, 'secondaryVisibilityStore', props.secondaryVisibilityStore.type,
        isElasticsearch(props.visibilityStore) ? 'Elasticsearch, as visibilityStore is' : `PostgreSQL or MySQL, as visibilityStore (${props.visibilityStore.type}) is`,
        'The server refuses SQL and Elasticsearch visibility stores side by side; migrate within SQL, or within Elasticsearch.');
    }
    this.defaultStore = props.defaultStore;
    this.visibilityStore = props.visibilityStore;
    this.secondaryVisibilityStore = props.secondaryVisibilityStore;
    // Read-only at run time too: untyped code could otherwise put a Cassandra store where the
    // checks above saw a visibility store of another type.
    for (const prop of ['defaultStore', 'visibilityStore', 'secondaryVisibilityStore'] as const) {
      Object.defineProperty(this, prop, { writable: false, configurable: false });
    }
    this.owner = owner;
    checkSharedMysqlTls(owner, this.stores);
    const onLoopback = this.stores.filter(({ store }) => store.hosts.some(isLoopbackHost)).map(({ role, store }) => ({ role, port: store.port }));
    this.databaseAccess = resolveDatabaseAccess(owner, props.databaseAccess, onLoopback);
  }

  /** Every store with its role, default first. */
  public get stores(): BoundStore[] {
    return [
      { role: StoreRole.DEFAULT, store: this.defaultStore },
      { role: StoreRole.VISIBILITY, store: this.visibilityStore },
      ...(this.secondaryVisibilityStore ? [{ role: StoreRole.SECONDARY_VISIBILITY, store: this.secondaryVisibilityStore }] : []),
    ];
  }

  /**
   * @internal Claims this persistence for one cluster, whose namespace resolves the stores' hosts:
   * two stores that are one database however their hosts are written are refused.
   */
  public _bind(clusterName: string, dns: DnsContext): void {
    const seen: Array<BoundStore & { identity: StoreIdentity }> = [];
    for (const bound of this.stores) {
      const identity = storeIdentity(bound.store, dns);
      const twin = seen.find((s) => sameStore(s.identity, identity));
      if (twin) {
        throw propError(this.owner, `${bound.role} store`, bound.store.uri,
          `a database different from the ${twin.role} store's (${twin.store.uri})`, 'Each store keeps its own schema_version row; give each its own database or index.');
      }
      seen.push({ ...bound, identity });
    }
    // Claimed by namespace and name: clusters of one name in two namespaces are two clusters.
    const key = `${dns.namespace}/${clusterName}`;
    if (this.boundTo !== undefined && this.boundTo !== key) {
      throw propError(`TemporalCluster '${clusterName}'`, 'persistence', this.node.path,
        `a Persistence of its own; it is already used by TemporalCluster '${this.boundTo}'`,
        'Two clusters on the same databases become one cluster. Create a second Persistence with its own databases.');
    }
    this.boundTo = key;
  }
}

/** What the MySQL plugin registers for a store's TLS (auth.NewTLSConfigForServer and the files' contents). */
function mysqlTlsSettings(tls: DatastoreTlsOptions): string {
  const ref = (r: { secretName: string; key: string } | undefined) => (r ? `Secret ${r.secretName} key ${r.key}` : 'none');
  return `ca ${ref(tls.ca)}, client certificate ${ref(tls.clientCertificate)}, client key ${ref(tls.clientKey)}, `
    + `serverName ${tls.serverName ?? 'none'}, enableHostVerification ${tls.enableHostVerification !== false}`;
}

/*
 * The server's MySQL plugin registers every store's TLS config with the driver under one name,
 * "tls-custom" (sqlplugin/mysql/session.go), process-wide: the last store to connect or reconnect
 * wins. A store with a password connects once and keeps the copy it got; a store with a
 * passwordCommand parses its DSN again for every new connection (RefreshingConnector), so after
 * startup it dials with whichever store registered last: its CA, server name and client certificate.
 * Connections then fail to verify (or to log in) as the pool renews them, long after the rollout.
 */
function checkSharedMysqlTls(owner: string, stores: ReadonlyArray<{ role: string; store: Datastore }>): void {
  const withTls = stores.filter(({ store }) => store.type === DatastoreType.MYSQL && store.tls !== undefined);
  const command = withTls.find(({ store }) => store.passwordCommand !== undefined);
  if (!command) return;
  for (const { role, store } of withTls) {
    if (mysqlTlsSettings(store.tls!) !== mysqlTlsSettings(command.store.tls!)) {
      throw propError(owner, `${role} store tls`, mysqlTlsSettings(store.tls!),
        `the ${command.role} store's TLS settings (${mysqlTlsSettings(command.store.tls!)}): both are MySQL with TLS and the ${command.role} store has a passwordCommand`,
        'The server registers one TLS config for all its MySQL stores, and a store with a passwordCommand reads it again for every new connection, so it would dial with the other store\'s. '
        + 'Give the MySQL stores the same tls (one CA Secret, no serverName or the same one, the same client certificate), or a password instead of the passwordCommand.');
    }
  }
}
