import { IConstruct } from 'constructs';

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
 */

/** The constructs of a tree and the number of children each had when it was taken. */
export interface TreeShape {
  readonly nodes: readonly IConstruct[];
  readonly childCounts: Uint32Array;
  /** Every node's children then, one node after another: `childCounts` says how many are whose. */
  readonly children: readonly IConstruct[];
}

/** Collects a shape node by node, in the order of a walk that also does other work. */
export class TreeShapeBuilder {
  private readonly nodes: IConstruct[] = [];
  private readonly counts: number[] = [];
  private readonly children: IConstruct[] = [];

  /** Records `node`, whose children (`node.node.children`, read once by the caller) are `children`. */
  public add(node: IConstruct, children: readonly IConstruct[]): void {
    this.nodes.push(node);
    this.counts.push(children.length);
    for (const child of children) this.children.push(child);
  }

  public build(): TreeShape {
    return { nodes: this.nodes, childCounts: Uint32Array.from(this.counts), children: this.children };
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

/** Whether no construct was added to, or removed from, any construct of `shape` since it was taken. */
export function sameShape(shape: TreeShape): boolean {
  const { nodes, childCounts, children: then } = shape;
  let at = 0;
  for (let i = 0; i < nodes.length; i++) {
    const children = nodes[i].node.children;
    if (children.length !== childCounts[i]) return false;
    for (const child of children) if (child !== then[at++]) return false;
  }
  return true;
}
