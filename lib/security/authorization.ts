import { Duration } from 'cdk8s';
import { goDuration } from '../config/go-duration';
import { AuthorizationConfig } from '../config/server-config';
import { propError } from '../validation';

/** Authorizers the server ships. The server refuses any name but `default` (or none). */
export enum Authorizer {
  DEFAULT = 'default',
}

/** Claim mappers the server ships. The server refuses any name but `default` (or none). */
export enum ClaimMapper {
  DEFAULT = 'default',
}

/**
 * JWT authorization on the frontend (`global.authorization`). It needs an internal frontend:
 * the worker role's system workers carry no JWT and would be locked out of the public one.
 */
export interface AuthorizationOptions {
  /** URIs of the JSON Web Key Sets that sign the tokens. */
  readonly jwtKeySources: string[];
  /**
   * How often the key sets are re-read.
   * @default Duration.minutes(1)
   */
  readonly keyRefreshInterval?: Duration;
  /**
   * Claim holding the permissions (`<namespace>:<read|write|worker|admin>`).
   * @default 'permissions'
   */
  readonly permissionsClaimName?: string;
  /**
   * Expected audience of the tokens.
   * @default - not checked
   */
  readonly audience?: string;
  /** @default Authorizer.DEFAULT */
  readonly authorizer?: Authorizer;
  /** @default ClaimMapper.DEFAULT */
  readonly claimMapper?: ClaimMapper;
}

/** The `global.authorization` section, checked. */
export function authorizationConfig(owner: string, options: AuthorizationOptions): AuthorizationConfig {
  if (!Array.isArray(options.jwtKeySources) || options.jwtKeySources.length === 0) {
    throw propError(owner, 'authorization.jwtKeySources', options.jwtKeySources, 'at least one JWKS URI');
  }
  options.jwtKeySources.forEach((uri, i) => {
    if (!/^(https?|file):\/\/\S+$/.test(String(uri))) throw propError(owner, `authorization.jwtKeySources[${i}]`, uri, 'an http(s) or file URI');
  });
  const authorizer = options.authorizer ?? Authorizer.DEFAULT;
  const claimMapper = options.claimMapper ?? ClaimMapper.DEFAULT;
  if (!Object.values(Authorizer).includes(authorizer)) {
    throw propError(owner, 'authorization.authorizer', authorizer, '"default", the only authorizer the server ships');
  }
  if (!Object.values(ClaimMapper).includes(claimMapper)) {
    throw propError(owner, 'authorization.claimMapper', claimMapper, '"default", the only claim mapper the server ships');
  }
  return {
    jwtKeyProvider: { keySourceURIs: [...options.jwtKeySources], refreshInterval: goDuration(options.keyRefreshInterval ?? Duration.minutes(1)) },
    permissionsClaimName: options.permissionsClaimName ?? 'permissions',
    audience: options.audience,
    authorizer,
    claimMapper,
  };
}
