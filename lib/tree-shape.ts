import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { objectPatches } from './plain-to-json';

/*
 * cdk8s validates the whole app once per chart that `app.synth()` writes, and the checks that span
 * the app (lib/cluster/cluster-registry.ts) read every object of it: repeating them for every chart
 * makes a synth of N charts cost N times the checks. Their result can be reused while the app is
 * as it was, and the constructs package tells nobody when a construct is added (no hook, no
 * counter). What it does keep is each scope's children, and a construct is only ever added as the
 * child of another: every construct added since a snapshot, wherever in the tree and whoever made
 * it (a library construct or an object of the app's own), adds a child to a construct that was in
 * the tree then, or to one added since, which itself was added to one that was. So the child
 * counts of the constructs of the snapshot say whether anything was added, without building a
 * path or reading an object: a loop over them instead of the checks. A construct removed with
 * `tryRemoveChild` and another added under the same scope leave the count as it was, so the
 * children themselves are kept too, one list for the whole tree, and compared one by one: as
 * many comparisons as constructs.
 *
 * The checks also read where each object is written (its kind, namespace and name, after its JSON
 * patches: lib/cluster/written-objects.ts), which changes without a construct being added: a patch
 * added after a first validation (`ApiObject.of(o).addJsonPatch(...)` of /metadata/namespace), or
 * metadata set through a cast. So the shape keeps, for each object, what decides that, and is not
 * the same once any of it changed. An object whose placement may change on its own (a name that is
 * a Lazy, a patch that moves or copies a value into place) makes every shape of its tree differ:
 * the checks run again each time, for those rare apps.
 */

/** The constructs of a tree and the number of children each had when it was taken. */
export interface TreeShape {
  readonly nodes: readonly IConstruct[];
  readonly childCounts: Uint32Array;
  /** Every node's children then, one node after another: `childCounts` says how many are whose. */
  readonly children: readonly IConstruct[];
  /** Every object's placement then, in the order of `nodes`. */
  readonly placements: readonly Placement[];
  /** Whether an object's placement may change without any of `placements` changing. */
  readonly volatile: boolean;
}

/** What decides where an object is written: its own fields, and its patches (as text: a patch's value may be changed in place). */
interface Placement {
  readonly object: ApiObject;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: unknown;
  readonly namespace: unknown;
  readonly patches: string | undefined;
}

function placementOf(o: ApiObject): Placement {
  const patches = objectPatches(o);
  return {
    object: o, apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace,
    patches: patches === undefined || patches.length === 0 ? undefined : JSON.stringify(patches),
  };
}

/** Whether where `o` is written can change with nothing `placementOf` reads changing (see above). */
function placementVolatile(p: Placement): boolean {
  if (typeof p.name !== 'string' || (p.namespace !== undefined && typeof p.namespace !== 'string')) return true;
  return p.patches !== undefined && /"op":"(move|copy)"/.test(p.patches);
}

function samePlacement(p: Placement): boolean {
  const o = p.object;
  if (o.apiVersion !== p.apiVersion || o.kind !== p.kind || o.metadata.name !== p.name || o.metadata.namespace !== p.namespace) return false;
  const patches = objectPatches(o);
  return (patches === undefined || patches.length === 0) ? p.patches === undefined : p.patches === JSON.stringify(patches);
}

/** Collects a shape node by node, in the order of a walk that also does other work. */
export class TreeShapeBuilder {
  private readonly nodes: IConstruct[] = [];
  private readonly counts: number[] = [];
  private readonly children: IConstruct[] = [];
  private readonly placements: Placement[] = [];
  private volatile = false;

  /** Records `node`, whose children (`node.node.children`, read once by the caller) are `children`. */
  public add(node: IConstruct, children: readonly IConstruct[]): void {
    this.nodes.push(node);
    this.counts.push(children.length);
    for (const child of children) this.children.push(child);
    if (node instanceof ApiObject) {
      const placement = placementOf(node);
      this.placements.push(placement);
      if (!this.volatile && placementVolatile(placement)) this.volatile = true;
    }
  }

  public build(): TreeShape {
    return { nodes: this.nodes, childCounts: Uint32Array.from(this.counts), children: this.children, placements: this.placements, volatile: this.volatile };
  }
}

/**
 * The shape of the tree under `root` now: every construct under it, itself included, in `findAll`'s
 * order. The cluster checks take theirs in the walk that reads the app's objects (scanApp).
 */
export function treeShape(root: IConstruct): TreeShape {
  const builder = new TreeShapeBuilder();
  const visit = (c: IConstruct): void => {
    const children = c.node.children;
    builder.add(c, children);
    for (const child of children) visit(child);
  };
  visit(root);
  return builder.build();
}

/**
 * Whether no construct was added to, or removed from, any construct of `shape` since it was taken,
 * and no object of it was moved, renamed or patched.
 */
export function sameShape(shape: TreeShape): boolean {
  const { nodes, childCounts, children: then, placements } = shape;
  if (shape.volatile) return false;
  let at = 0;
  for (let i = 0; i < nodes.length; i++) {
    const children = nodes[i].node.children;
    if (children.length !== childCounts[i]) return false;
    for (const child of children) if (child !== then[at++]) return false;
  }
  for (let i = 0; i < placements.length; i++) if (!samePlacement(placements[i])) return false;
  return true;
}
