import { Construct } from 'constructs';
import { ServiceRole } from './service-role';
import { TemporalService, TemporalServiceProps } from './temporal-service';

/**
 * Owns the history shards: workflow state, timers and transfer queues. Never autoscaled: every change of pod count moves shards.
 */
export class HistoryService extends TemporalService {
  constructor(scope: Construct, id: string, props: TemporalServiceProps) {
    super(scope, id, ServiceRole.HISTORY, props);
  }
}
