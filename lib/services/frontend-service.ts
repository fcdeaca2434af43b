import { Construct } from 'constructs';
import { appProtocols } from './probes';
import { ServiceRole } from './service-role';
import { TemporalService, TemporalServiceProps } from './temporal-service';
import { IntOrString, KubeService } from '../../imports/k8s';
import { serviceIpFamilies } from '../pod/ip-family';

/**
 * The frontend: the gRPC and HTTP gateway clients and workers talk to. Besides its Deployment and
 * headless Service it gets a ClusterIP Service with a stable name, `<cluster>-frontend`.
 */
export class FrontendService extends TemporalService {
  /** The ClusterIP Service clients use. */
  public readonly serviceName: string;
  /** `host:port` of the gRPC endpoint, for SDK clients inside the cluster. */
  public readonly grpcAddress: string;
  /** `host:port` of the HTTP API. */
  public readonly httpAddress: string;

  constructor(scope: Construct, id: string, props: TemporalServiceProps) {
    super(scope, id, ServiceRole.FRONTEND, props);
    this.serviceName = this.name;
    const host = `${this.serviceName}.${this.context.namespace}.svc.${this.context.clusterDomain}`;
    this.grpcAddress = `${host}:${this.ports.grpc}`;
    this.httpAddress = `${host}:${this.ports.http}`;
    const protocols = appProtocols(this.context.readinessCheck(this.role));
    new KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.context.namespace, labels: { ...this.context.labels, 'app.kubernetes.io/component': this.role } },
      spec: {
        type: 'ClusterIP',
        ...serviceIpFamilies(this.context.ipFamily, false),
        selector: this.selectorLabels,
        ports: [
          { name: 'grpc', port: this.ports.grpc, targetPort: IntOrString.fromString('grpc'), appProtocol: protocols.grpc },
          { name: 'http', port: this.ports.http!, targetPort: IntOrString.fromString('http'), appProtocol: protocols.http },
        ],
      },
    });
  }
}
