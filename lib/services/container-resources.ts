import type { ContainerResources } from 'cdk8s-plus-27';
import { RoleSizing } from './sizing';
import { Quantity } from '../../imports/k8s';
import { propError } from '../validation';

/** Requests and limits of a server container: the role's own props over the size preset. */
export function renderResources(owner: string, sizing: RoleSizing, resources: ContainerResources | undefined) {
  const cpu = resources?.cpu;
  const memory = resources?.memory;
  const storage = resources?.ephemeralStorage;
  // The root filesystem is read-only, so ephemeral storage is the container's logs and the /tmp
  // emptyDir; the kubelet rotates logs at 50Mi by default.
  const requests = {
    'cpu': Quantity.fromString(cpu?.request?.amount ?? sizing.cpu),
    'memory': Quantity.fromString(memory?.request ? `${memory.request.toMebibytes()}Mi` : sizing.memory),
    'ephemeral-storage': Quantity.fromString(storage?.request ? `${storage.request.toMebibytes()}Mi` : '64Mi'),
  };
  const limits = {
    'cpu': Quantity.fromString(cpu?.limit?.amount ?? sizing.cpuLimit),
    'memory': Quantity.fromString(memory?.limit ? `${memory.limit.toMebibytes()}Mi` : sizing.memoryLimit),
    'ephemeral-storage': Quantity.fromString(storage?.limit ? `${storage.limit.toMebibytes()}Mi` : '512Mi'),
  };
  if (toMillis(limits.cpu.value as string) < toMillis(requests.cpu.value as string)) {
    throw propError(owner, 'resources.cpu.limit', limits.cpu.value, `at least the CPU request (${requests.cpu.value})`);
  }
  if (toMebibytes(limits.memory.value as string) < toMebibytes(requests.memory.value as string)) {
    throw propError(owner, 'resources.memory.limit', limits.memory.value, `at least the memory request (${requests.memory.value})`);
  }
  return { requests, limits };
}

function toMillis(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
}

function toMebibytes(memory: string): number {
  const units: Record<string, number> = { Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(memory);
  return match ? Number(match[1]) * units[match[2]] : Number.NaN;
}
