import { Duration } from 'cdk8s';
import { StoreSchemaPlan } from './schema-steps';
import { Container, VolumeMount } from '../../../imports/k8s';
import type { SchemaOptions } from './schema-options';
import { kubeletLiteralEnv, propError, requireDurationSeconds } from '../../validation';
import { DatastoreType } from '../datastore-options';
import type { Datastore } from '../datastore';
import { SCHEMA_RESOURCES } from '../../operations/tool-job';
import { CONTAINER_SECURITY_CONTEXT } from '../../pod/security-context';
import { libraryPullPolicy } from '../../pod/images';
import { SHELL_EXPAND } from '../../pod/shell-expand';

/** The legacy index template `temporal-elasticsearch-tool setup-schema` writes (tools/elasticsearch/tasks.go). */
export const ES_TEMPLATE = 'temporal_visibility_v1_template';

/*
 * The server never checks Elasticsearch at start (the client is made with health checks off), and
 * a missing index shows only later as failed visibility writes. So each server pod waits, like it
 * waits for a SQL schema, until the schema Job's work is there: the legacy template
 * (`/_template/<name>`, not `_index_template`, which the tool never writes) and then the index,
 * which must be created after the template for the template's mappings and index sort to apply.
 *
 * The admin-tools image has busybox `wget` and nothing else that speaks HTTP: `--spider` sends GET
 * (GNU wget sends HEAD), which Elasticsearch answers 200 or 404 on both paths; busybox prints the
 * status line of any other answer, which becomes the reason in the log. Busybox wget cannot present
 * a client certificate (TemporalCluster refuses the wait for a store that needs one). Every value
 * comes from env vars, never from this text.
 *
 * The image is Alpine, whose busybox wget hands https to Alpine's ssl_client, and that checks the
 * certificate and host name against the image's system roots unless given --no-check-certificate.
 * Nothing else can be given to it: a private CA (`tls.ca`), a `serverName` other than the URL's
 * host, or `enableHostVerification: false` would fail every attempt, and every server pod would
 * stay in its init container while the servers themselves connect fine. For those stores the wait
 * checks no certificate (WAIT_CHECK_CERTIFICATE false), which the credentials rule below covers.
 *
 * An index that exists may still have the previous release's mapping: on an upgrade the new
 * servers would find the template and index of the old one at once, and start before the Job's
 * `update-schema --index` adds the new release's fields. The index is "dynamic": false, so a field
 * written before then is kept in _source but never indexed, and searches on it miss those records
 * for good. So the wait also asks for a field the release's schema adds
 * (`/<index>/_mapping/field/<field>`, which answers 200 with or without it, naming it as its
 * full_name only when it is there).
 */
const SCRIPT = [
  'set -u',
  SHELL_EXPAND,
  'expand_param base \'ES_SERVER%/\'',
  'expand_param user \'ES_USER:-\'',
  'expand_param password \'ES_PWD:-\'',
  'set --',
  'if [ "$WAIT_CHECK_CERTIFICATE" = false ]; then set -- --no-check-certificate; fi',
  'if [ -n "$user" ]; then set -- "$@" --header "Authorization: Basic $(printf "%s:%s" "$user" "$password" | base64 | tr -d "\\n")"; fi',
  'attempt=1',
  'while [ "$attempt" -le "$WAIT_ATTEMPTS" ]; do',
  '  what="the index template $ES_TEMPLATE"',
  '  if out=$(timeout 15 wget -q --spider "$@" "$base/_template/$ES_TEMPLATE" 2>&1); then',
  '    what="the index $ES_VISIBILITY_INDEX"',
  '    if out=$(timeout 15 wget -q --spider "$@" "$base/$ES_VISIBILITY_INDEX" 2>&1); then',
  '      what="the field $ES_MAPPING_FIELD of the index $ES_VISIBILITY_INDEX"',
  '      if out=$(timeout 15 wget -q -O - "$@" "$base/$ES_VISIBILITY_INDEX/_mapping/field/$ES_MAPPING_FIELD" 2>&1); then',
  '        case "$out" in *"\\"full_name\\":\\"$ES_MAPPING_FIELD\\""*)',
  '          echo "Elasticsearch at $base has the index template $ES_TEMPLATE and the index $ES_VISIBILITY_INDEX, with the field $ES_MAPPING_FIELD"; exit 0;;',
  '        esac',
  '        out="its mapping has no $ES_MAPPING_FIELD yet (the schema job\'s update-schema adds it)"',
  '      fi',
  '    fi',
  '  fi',
  '  echo "waiting for the schema job: $what is missing on Elasticsearch at $base (attempt $attempt of $WAIT_ATTEMPTS): $(printf "%s\\n" "$out" | tail -n 1)"',
  '  attempt=$((attempt + 1))',
  '  sleep "$WAIT_INTERVAL"',
  'done',
  'echo "gave up: $what never appeared on Elasticsearch at $base; check the schema job\'s logs" >&2',
  'exit 1',
].join('\n');

export interface ElasticsearchWaitOptions {
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/**
 * Whether the wait's wget can check the store's certificate as the server does: only when the
 * server trusts the system roots for the URL's own host name, all ssl_client knows.
 */
export function waitChecksCertificate(store: Datastore): boolean {
  const tls = store.tls;
  return tls === undefined || (tls.ca === undefined && tls.serverName === undefined && tls.enableHostVerification !== false);
}

/** The init container that holds a server pod until the Elasticsearch store has its template and index. */
export function elasticsearchWaitContainer(plan: StoreSchemaPlan, image: string, volumeMounts: VolumeMount[], options: ElasticsearchWaitOptions): Container {
  return {
    name: `wait-for-${plan.role}-elasticsearch`,
    image,
    imagePullPolicy: libraryPullPolicy(image),
    command: ['sh', '-c', SCRIPT],
    env: [
      ...kubeletLiteralEnv(plan.waitEnv),
      { name: 'ES_TEMPLATE', value: ES_TEMPLATE },
      { name: 'ES_MAPPING_FIELD', value: plan.mappingField! },
      { name: 'WAIT_CHECK_CERTIFICATE', value: String(waitChecksCertificate(plan.store)) },
      { name: 'WAIT_ATTEMPTS', value: String(options.attempts) },
      { name: 'WAIT_INTERVAL', value: String(options.intervalSeconds) },
    ],
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}

/** How often and how long the servers' schema waits try: every 5 s, for `schema.waitTimeout`. */
export function waitSchedule(schema: SchemaOptions | undefined): ElasticsearchWaitOptions {
  const intervalSeconds = 5;
  const timeout = requireDurationSeconds('TemporalCluster', 'schema.waitTimeout', schema?.waitTimeout ?? Duration.minutes(10), 1);
  return { attempts: Math.max(1, Math.ceil(timeout / intervalSeconds)), intervalSeconds };
}

/** The Elasticsearch stores the servers wait for, unless the waits are off; a store that needs a client certificate cannot be waited for. */
export function elasticsearchWaits(owner: string, schema: SchemaOptions | undefined, plans: StoreSchemaPlan[]): StoreSchemaPlan[] {
  if (schema?.waitForElasticsearch === false) return [];
  const es = plans.filter((p) => p.store.type === DatastoreType.ELASTICSEARCH);
  for (const { role, store } of es) {
    // The wait checks no certificate for a store with a private CA (waitChecksCertificate): with
    // credentials over https, anything that answers at the store's address (a spoofed Service, DNS,
    // a node on the path) would receive them every 5 s of every server pod's start, where the
    // servers themselves verify the CA (the wait sends Basic credentials only with a user). Sending
    // them anyway takes saying so.
    const credentials = store.user !== undefined;
    if (credentials && store._elasticsearch?.scheme === 'https' && schema?.waitForElasticsearch !== true) {
      throw propError(owner, 'schema.waitForElasticsearch', schema?.waitForElasticsearch,
        `true or false: the ${role} store is https with credentials, and the wait (busybox wget) would send them without checking the server's certificate`,
        'Set schema.waitForElasticsearch: false to start the servers without waiting, or true to send the credentials to whatever answers at the store\'s address.');
    }
    if (store.tls?.clientCertificate) {
      throw propError(owner, `persistence ${role} store tls.clientCertificate`, store.tls.clientCertificate.secretName, 'no client certificate while the servers wait for Elasticsearch',
        'The wait uses the admin-tools image\'s busybox wget, which cannot present one. Set schema.waitForElasticsearch: false to start the servers without waiting.');
    }
  }
  return es;
}
