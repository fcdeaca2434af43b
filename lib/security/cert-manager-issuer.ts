import { Duration } from 'cdk8s';
import { goDuration } from '../config/go-duration';
import { propError, requireDns1123Subdomain, requireDurationSeconds, requireNonEmpty } from '../validation';

/** Kind of a cert-manager issuer: namespaced (`Issuer`) or cluster-wide (`ClusterIssuer`). */
export enum IssuerKind {
  ISSUER = 'Issuer',
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** A cert-manager issuer that signs the cluster's certificates. */
export interface CertManagerIssuer {
  readonly name: string;
  /**
   * Whether the issuer is namespaced (`ISSUER`, in the namespace of the certificates it signs) or
   * cluster-wide (`CLUSTER_ISSUER`). For an external issuer it says the scope of `externalKind`,
   * and must agree with its name: a kind with "Cluster" in it is cluster-wide.
   * @default IssuerKind.ISSUER, or for an external issuer the scope its `externalKind` names
   */
  readonly kind?: IssuerKind;
  /**
   * API group, for external issuers; another group than cert-manager.io needs `externalKind`.
   * @default 'cert-manager.io'
   */
  readonly group?: string;
  /**
   * The resource kind of an external issuer, which has kinds of its own (`AWSPCAClusterIssuer`,
   * `GoogleCASIssuer`, `StepIssuer`, `OriginIssuer`): written as the certificates' `issuerRef.kind`,
   * with `group`. `kind` still says whether it is namespaced or cluster-wide.
   * @default - `kind`, for cert-manager's own issuers
   */
  readonly externalKind?: string;
}

/** cert-manager's own API group, whose issuers are only Issuer and ClusterIssuer. */
const CERT_MANAGER_GROUP = 'cert-manager.io';

/**
 * A cert-manager issuer reference, checked; `kind` defaults to Issuer.
 * @internal
 */
export function checkIssuer(owner: string, issuer: CertManagerIssuer | undefined): CertManagerIssuer & { kind: IssuerKind } {
  if (issuer === null || typeof issuer !== 'object' || Array.isArray(issuer)) {
    throw propError(owner, 'issuer', issuer, '{ name: \'<issuer>\', kind?: IssuerKind.CLUSTER_ISSUER }');
  }
  requireNonEmpty(owner, 'issuer.name', issuer.name);
  requireDns1123Subdomain(owner, 'issuer.name', issuer.name);
  if (issuer.group !== undefined) requireDns1123Subdomain(owner, 'issuer.group', issuer.group);
  // External issuers name their cluster-wide kind with "Cluster" (AWSPCAClusterIssuer, GoogleCASClusterIssuer,
  // StepClusterIssuer, ClusterOriginIssuer) and their namespaced one without: the default scope follows the kind.
  const externalScope = typeof issuer.externalKind === 'string' && issuer.externalKind.includes('Cluster') ? IssuerKind.CLUSTER_ISSUER : IssuerKind.ISSUER;
  const kind = issuer.kind ?? (issuer.externalKind !== undefined ? externalScope : IssuerKind.ISSUER);
  if (!Object.values(IssuerKind).includes(kind)) {
    throw propError(owner, 'issuer.kind', kind, `one of ${Object.values(IssuerKind).join(', ')}`,
      Object.values(IssuerKind).some((k) => k.toLowerCase() === String(kind).toLowerCase()) ? undefined
        : 'An external issuer\'s own kind goes in issuer.externalKind, with its group; kind says whether it is namespaced or cluster-wide.');
  }
  if (issuer.externalKind === undefined && issuer.group !== undefined && issuer.group !== CERT_MANAGER_GROUP) {
    // cert-manager looks up <kind>.<group>: an external group's own kinds are rarely Issuer or ClusterIssuer, and the Certificates would wait for an issuer that is not there.
    throw propError(owner, 'issuer.externalKind', undefined, `the external issuer's resource kind beside group "${issuer.group}", such as "AWSPCAClusterIssuer"`,
      `cert-manager would look for a ${kind} of group ${issuer.group}, and every Certificate would wait for it. Write the kind its CRD names; give externalKind: '${kind}' if that really is its name.`);
  }
  if (issuer.externalKind !== undefined) {
    // cert-manager's webhook refuses a Certificate whose issuerRef names another kind of its own group.
    if (issuer.group === undefined || issuer.group.toLowerCase() === CERT_MANAGER_GROUP) {
      throw propError(owner, 'issuer.group', issuer.group, `the external issuer's API group (not ${CERT_MANAGER_GROUP}) beside externalKind`,
        'cert-manager\'s own issuers are Issuer and ClusterIssuer (issuer.kind); an external issuer names its group, such as awspca.cert-manager.io.');
    }
    // A Kubernetes kind: an UpperCamelCase identifier, as its CRD names it.
    if (typeof issuer.externalKind !== 'string' || !/^[A-Z][A-Za-z0-9]{0,62}$/.test(issuer.externalKind)) {
      throw propError(owner, 'issuer.externalKind', issuer.externalKind, 'a resource kind, such as "AWSPCAClusterIssuer": a capital letter, then letters and digits');
    }
    if (issuer.kind !== undefined && issuer.kind !== externalScope) {
      throw propError(owner, 'issuer.kind', issuer.kind, `${externalScope === IssuerKind.CLUSTER_ISSUER ? 'IssuerKind.CLUSTER_ISSUER' : 'IssuerKind.ISSUER'}, the scope externalKind "${issuer.externalKind}" names`,
        'kind says where a Certificate may find the issuer: a fleet in another namespace borrows a cluster-wide issuer only, and would wait for a namespaced one that is not in its namespace. '
        + 'Drop kind (it follows externalKind), or give the kind of the scope the issuer has.');
    }
  }
  return { ...issuer, kind };
}

/** The `issuerRef` of a cert-manager Certificate. @internal */
export function issuerRef(issuer: CertManagerIssuer): { name: string; kind: string; group?: string } {
  return { name: issuer.name, kind: issuer.externalKind ?? issuer.kind ?? IssuerKind.ISSUER, group: issuer.group };
}

/**
 * A certificate's lifetime as cert-manager's webhook accepts it: whole seconds, at least an hour,
 * renewed at least five minutes before expiry and after issuance. The defaults are 90 and 30 days.
 * @internal
 */
export function certManagerLifetime(owner: string, options: { duration?: Duration; renewBefore?: Duration }): { duration: Duration; renewBefore: Duration } {
  const duration = options.duration ?? Duration.days(90);
  const renewBefore = options.renewBefore ?? Duration.days(30);
  const durationSeconds = requireDurationSeconds(owner, 'duration', duration, 3600);
  const renewSeconds = requireDurationSeconds(owner, 'renewBefore', renewBefore, 300);
  if (renewSeconds >= durationSeconds) {
    throw propError(owner, 'renewBefore', goDuration(renewBefore), `less than duration (${goDuration(duration)})`);
  }
  return { duration, renewBefore };
}
