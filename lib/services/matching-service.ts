import { Construct } from 'constructs';
import { ServiceRole } from './service-role';
import { TemporalService, TemporalServiceProps } from './temporal-service';

/**
 * Hosts task queue partitions and matches tasks to polling workers. Never autoscaled: partitions move when pods come and go.
 */
export class MatchingService extends TemporalService {
  constructor(scope: Construct, id: string, props: TemporalServiceProps) {
    super(scope, id, ServiceRole.MATCHING, props);
  }
}
