import { ApiObject } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { ownValidation } from '../own-validation';
import { sameShape, TreeShape, treeShape } from '../tree-shape';
import { writtenIdentity } from '../cluster/written-objects';

/*
 * cdk8s validates the whole app once per chart it writes, and each fleet's checks compare it with
 * the app's other objects: a walk over the app per fleet per chart made a synth of 100 fleets, each
 * in its team's chart, cost seconds, cubic in the number of fleets. So the fleets' checks share an
 * index of the app from one walk, kept while no construct was added anywhere in it
 * (lib/tree-shape.ts), and a fleet visits only its candidates, in the app's order, so its errors
 * read as they did. Whether the app kept its shape is asked once per validation of the app: the
 * root comes first in cdk8s's walk, so its validation asks and lists the fleets whose checks may
 * trust the answer in this walk; a fleet validated on its own (fleet.node.validate()) asks itself.
 * The checks run at every validation: they read objects' contents (a Secret's keys), which change
 * without a construct being added.
 */

/** What a fleet's check gets to visit, besides its own objects. */
export interface FleetIndexMember {
  /**
   * The group of constructs whose checks visit it: undefined for every check (a cluster), or a key
   * that only the checks asking for that key visit (fleets of one Temporal namespace).
   */
  readonly group: string | undefined;
}

/** One fleet's app-wide check: it is given the constructs to visit, in the app's order, and the objects under its scope. */
export interface FleetAppCheck {
  readonly scope: IConstruct;
  /** The member group it visits besides the groupless members. */
  readonly group: string;
  /** The namespace whose objects of `renderedKinds` it visits. */
  readonly namespace: string;
  readonly run: (candidates: readonly IConstruct[], own: ReadonlySet<ApiObject>) => string[];
}

interface AppIndex {
  readonly shape: TreeShape;
  /** Each construct's place in the app's `findAll` order. */
  readonly position: ReadonlyMap<IConstruct, number>;
  /** The members for every check, then by group, each in the app's order. */
  readonly everyCheck: readonly IConstruct[];
  readonly byGroup: ReadonlyMap<string, readonly IConstruct[]>;
  /** Every object by `clashKey`. */
  readonly byKey: ReadonlyMap<string, readonly ApiObject[]>;
  /** The objects of `renderedKinds`, by namespace. */
  readonly renderedByNamespace: ReadonlyMap<string, readonly ApiObject[]>;
}

interface Registry {
  readonly member: (c: IConstruct) => FleetIndexMember | undefined;
  readonly renderedKinds: ReadonlySet<string>;
  index?: AppIndex;
  /** The checks that may still trust `index` in the validation of the app under way. */
  readonly trusted: Set<FleetAppCheck>;
  readonly checks: FleetAppCheck[];
}

const REGISTRIES = new WeakMap<IConstruct, Registry>();

/** How a fleet's clash check names an object, as its message shows it: `Kind namespace/name`. */
export function clashKey(o: ApiObject): string {
  // As written: a JSON patch may move an object to another namespace or name (lib/cluster/written-objects.ts).
  const { kind, namespace, name } = writtenIdentity(o);
  return `${kind} ${namespace ?? 'default'}/${name}`;
}

/**
 * Adds a fleet's app-wide check to the validations of its scope, and on the first one of an app the
 * index's refresh to the validations of the app's root. `member` says which constructs are visited
 * by whom (see FleetIndexMember); `renderedKinds`, which objects a check visits in its namespace.
 */
export function addFleetCheck(check: FleetAppCheck, member: (c: IConstruct) => FleetIndexMember | undefined,
  renderedKinds: ReadonlySet<string>): void {
  const root = Node.of(check.scope).root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    const created: Registry = { member, renderedKinds, trusted: new Set(), checks: [] };
    REGISTRIES.set(root, registry = created);
    Node.of(root).addValidation(ownValidation({
      validate: () => {
        refresh(root, created);
        created.checks.forEach((c) => created.trusted.add(c));
        return [];
      },
    }));
  }
  const own = registry;
  own.checks.push(check);
  Node.of(check.scope).addValidation(ownValidation({
    validate: () => {
      if (!own.trusted.delete(check)) refresh(root, own);
      const objects = new Set(Node.of(check.scope).findAll().filter((c): c is ApiObject => c instanceof ApiObject));
      return check.run(candidates(own.index!, check, objects), objects);
    },
  }));
}

function refresh(root: IConstruct, registry: Registry): void {
  if (!registry.index || !sameShape(registry.index.shape)) registry.index = buildIndex(root, registry.member, registry.renderedKinds);
}

function buildIndex(root: IConstruct, member: (c: IConstruct) => FleetIndexMember | undefined, renderedKinds: ReadonlySet<string>): AppIndex {
  const shape = treeShape(root);
  const position = new Map<IConstruct, number>();
  const everyCheck: IConstruct[] = [];
  const byGroup = new Map<string, IConstruct[]>();
  const byKey = new Map<string, ApiObject[]>();
  const renderedByNamespace = new Map<string, ApiObject[]>();
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  shape.nodes.forEach((c, i) => {
    position.set(c, i);
    const m = member(c);
    if (m && m.group === undefined) everyCheck.push(c);
    else if (m) add(byGroup, m.group!, c);
    if (!(c instanceof ApiObject)) return;
    add(byKey, clashKey(c), c);
    if (!renderedKinds.has(c.kind)) return;
    const { namespace } = writtenIdentity(c);
    if (namespace !== undefined) add(renderedByNamespace, namespace, c);
  });
  return { shape, position, everyCheck, byGroup, byKey, renderedByNamespace };
}

/**
 * What `check` visits, in the app's order: the members for every check and those of its group, every
 * object with the key of one of its scope's own (`own`), and the objects of the rendered kinds in its namespace.
 */
function candidates(index: AppIndex, check: FleetAppCheck, own: ReadonlySet<ApiObject>): IConstruct[] {
  const found = new Set<IConstruct>(index.everyCheck);
  for (const c of index.byGroup.get(check.group) ?? []) found.add(c);
  for (const o of own) for (const other of index.byKey.get(clashKey(o)) ?? []) found.add(other);
  for (const o of index.renderedByNamespace.get(check.namespace) ?? []) found.add(o);
  return [...found].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
}
