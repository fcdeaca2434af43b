import { Construct } from 'constructs';
import { ServiceRole } from './service-role';
import { TemporalService, TemporalServiceProps } from './temporal-service';

/**
 * A frontend for the cluster's own traffic only, used when an authorizer or claim mapper guards the public frontend. The worker role and other internal callers reach it through membership.
 */
export class InternalFrontendService extends TemporalService {
  constructor(scope: Construct, id: string, props: TemporalServiceProps) {
    super(scope, id, ServiceRole.INTERNAL_FRONTEND, props);
  }
}
