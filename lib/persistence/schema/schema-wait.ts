import { StoreSchemaPlan } from './schema-steps';
import { Container, VolumeMount } from '../../../imports/k8s';
import { SCHEMA_RESOURCES } from '../../operations/tool-job';
import { CONTAINER_SECURITY_CONTEXT } from '../../pod/security-context';

/**
 * The init container that holds a server pod until its store reports the schema the release
 * needs, so that servers applied together with the schema Jobs wait for them instead of
 * crash-looping on "version mismatch".
 */
export function schemaWaitContainer(plan: StoreSchemaPlan, image: string, volumeMounts: VolumeMount[]): Container {
  return {
    name: `wait-for-${plan.role}-schema`,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', plan.waitScript!],
    env: plan.env,
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts,
    resources: SCHEMA_RESOURCES,
  };
}
