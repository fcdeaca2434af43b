import { Construct } from 'constructs';
import { ServiceRole } from './service-role';
import { TemporalService, TemporalServiceProps } from './temporal-service';

/**
 * Runs the server's own system workflows (archival, batch operations, scheduled jobs, namespace deletion).
 */
export class WorkerService extends TemporalService {
  constructor(scope: Construct, id: string, props: TemporalServiceProps) {
    super(scope, id, ServiceRole.WORKER, props);
  }
}
