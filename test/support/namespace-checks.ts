import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEPLOYMENT_POD_CHECK_SCRIPT, NAMESPACE_CHECK_CONTAINER_NAME, NAMESPACE_CHECK_THEN_EXEC_SCRIPT, POD_NAME_ENV, POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV,
} from '../../lib/pod/namespace-check';
import { SYNTHESIZED_NAMESPACE_FILE, SYNTHESIZED_SERVICE_ACCOUNT_FILE } from '../../lib/persistence/schema/schema-wait';
import { podTemplates } from './pod-security';

/*
 * The checks that stop a pod moved (kustomize `namespace:`) or renamed (`namePrefix:`,
 * `nameSuffix:`) out of what it was synthesized for, found in an output's objects and run with
 * `sh` as the kubelet would start them: POD_NAMESPACE and POD_SERVICE_ACCOUNT resolved from the
 * pod's own object, as the downward API resolves `metadata.namespace` and `spec.serviceAccountName`.
 */

/** The schema wait's script path in a container's command: its second word, or later when a password command wraps it. */
export const waitScriptPath = (c: any): string | undefined => (c.command ?? []).find((a: unknown) => typeof a === 'string' && a.endsWith('/wait-for-schema.sh'));
export const isSchemaWait = (c: any) => waitScriptPath(c) !== undefined;

/** What a check's run printed and how it ended. */
export interface CheckRun {
  readonly code: number | null;
  readonly out: string;
}

/** The `pod-template-hash` the Deployment controller would give the pods here: any one, the check reads it from the pod. */
export const POD_TEMPLATE_HASH = '7d9c5f6b8c';

/**
 * The name the API server gives a pod created with `generateName` (`base` cut to 58 characters,
 * then 5 random ones), as k8s.io/apiserver's SimpleNameGenerator does.
 */
export const generatedName = (base: string, random = 'x2b7q'): string => `${base.slice(0, 58)}${random}`;

/**
 * The kubelet's values of the downward API's fields, for a pod of `object` (its namespace; a
 * Deployment's pods' name, through its ReplicaSet's) whose spec is `pod` (its ServiceAccount).
 */
export function downwardEnv(object: any, pod: any): { POD_NAMESPACE: string; POD_SERVICE_ACCOUNT: string; POD_NAME: string; POD_TEMPLATE_HASH: string } {
  const deployment = object.kind === 'Deployment';
  return {
    POD_NAMESPACE: object.metadata.namespace,
    POD_SERVICE_ACCOUNT: pod.serviceAccountName,
    POD_NAME: generatedName(deployment ? `${object.metadata.name}-${POD_TEMPLATE_HASH}-` : `${object.metadata.name}-`),
    POD_TEMPLATE_HASH: deployment ? POD_TEMPLATE_HASH : '',
  };
}

/** Whether `container` is a check-namespace container that also checks its pod's name against its Deployment's. */
export const checksPodName = (c: any): boolean => c.command?.[2] === DEPLOYMENT_POD_CHECK_SCRIPT;

/** Whether `container` is a Job's first step that checks before it execs its own command. */
export const checksThenExecs = (c: any): boolean => c.command?.[2] === NAMESPACE_CHECK_THEN_EXEC_SCRIPT;

/**
 * Runs a check's command (a check-namespace container's, or a first step's) with sh and `env` as the
 * downward API's values. A first step execs `then` after the check instead of its own command.
 */
export function runCheckContainer(container: any, env: Record<string, string>, then: string[] = ['true']): CheckRun {
  expect(container.command.slice(0, 2)).toEqual(['sh', '-c']);
  if (checksPodName(container)) expect([container.name, container.env]).toEqual([NAMESPACE_CHECK_CONTAINER_NAME, [POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV, ...POD_NAME_ENV]]);
  else expect(container.env.slice(-2)).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV]);
  if (!checksThenExecs(container) && !checksPodName(container)) expect([container.name, container.env.length]).toEqual([NAMESPACE_CHECK_CONTAINER_NAME, 2]);
  const args = checksThenExecs(container) ? [...container.command.slice(1, 6), ...then] : container.command.slice(1);
  const r = spawnSync('sh', args, { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}

/**
 * Runs a server pod's schema wait from its ConfigMap's files (`data`), with `env` as the downward
 * API's values and a schema tool that answers "at that version": it passes unless a check stops it.
 */
export function runSchemaWait(container: any, data: Record<string, string>, env: Record<string, string>): CheckRun {
  expect(container.env.slice(0, 2)).toEqual([POD_NAMESPACE_ENV, POD_SERVICE_ACCOUNT_ENV]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-wait-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    for (const [key, value] of Object.entries(data)) fs.writeFileSync(path.join(dir, key), value);
    for (const [key, tool] of Object.entries(data)) {
      if (key.endsWith('.SCHEMA_WAIT_TOOL')) fs.writeFileSync(path.join(dir, 'bin', tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    }
    const stores = container.command.slice(container.command.indexOf(waitScriptPath(container)) + 1);
    const r = spawnSync('sh', [path.join(dir, 'wait-for-schema.sh'), ...stores], { encoding: 'utf8', env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, TMPDIR: dir, ...env } });
    return { code: r.status, out: r.stdout + r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A pod's check: its container, where in the init containers, and the namespace and ServiceAccount it compares with. */
export interface PodCheck {
  readonly container: any;
  readonly index: number;
  readonly synthesizedFor: string;
  readonly serviceAccount: string;
  /** The Deployment whose pods' names the check also compares with, when it does (a fleet's of a ServiceAccount of its props). */
  readonly deployment?: string;
  /** The schema wait's ConfigMap files; none for a check-namespace container. */
  readonly data?: Record<string, string>;
}

/**
 * The container that checks the pod's namespace and ServiceAccount, or undefined when it has none;
 * `index` counts the init containers, then the containers (a Job of one step has no init container).
 */
export function podCheck(object: any, pod: any, objects: any[]): PodCheck | undefined {
  const all: any[] = [...pod.initContainers ?? [], ...pod.containers];
  const index = all.findIndex((c) => c.name === NAMESPACE_CHECK_CONTAINER_NAME || checksThenExecs(c) || isSchemaWait(c));
  if (index < 0) return undefined;
  const container = all[index];
  if (!isSchemaWait(container)) {
    return { container, index, synthesizedFor: container.command[4], serviceAccount: container.command[5], ...checksPodName(container) ? { deployment: container.command[6] } : {} };
  }
  const volume = pod.volumes.find((v: any) => v.name === container.volumeMounts.find((m: any) => waitScriptPath(container)!.startsWith(`${m.mountPath}/`)).name);
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name && o.metadata.namespace === object.metadata.namespace);
  return { container, index, synthesizedFor: configMap.data[SYNTHESIZED_NAMESPACE_FILE], serviceAccount: configMap.data[SYNTHESIZED_SERVICE_ACCOUNT_FILE], data: configMap.data };
}

/** Runs every pod's check of `objects` as the kubelet would start the pod from its object. */
export function runPodChecks(objects: any[]): Array<{ where: string; check: PodCheck; env: Record<string, string> } & CheckRun> {
  return podTemplates(objects).flatMap(({ where, object, pod }) => {
    const check = podCheck(object, pod, objects);
    if (!check) return [];
    const env = downwardEnv(object, pod);
    return [{ where, check, env, ...(check.data ? runSchemaWait(check.container, check.data, env) : runCheckContainer(check.container, env)) }];
  });
}

/**
 * A Job's step as its own: the command and env it runs after the namespace check that a first step
 * runs before it (tested in test/namespace-check.test.ts), or the container as it is.
 */
export function ownStep(container: any): any {
  return checksThenExecs(container) ? { ...container, command: container.command.slice(6), env: container.env.slice(0, -2) } : container;
}
