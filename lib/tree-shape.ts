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
 * `tryRemoveChild` and another added under the same scope between two validations leave the counts
 * as they were; that escape hatch is not something an app does between two of cdk8s's validations.
 */

/** The constructs of a tree and the number of children each had when it was taken. */
export interface TreeShape {
  readonly nodes: readonly IConstruct[];
  readonly childCounts: Uint32Array;
}

/**
 * The shape of the tree under `root` now: every construct under it, itself included, in `findAll`'s
 * order. The cluster checks take theirs in the walk that reads the app's objects (scanApp).
 */
export function treeShape(root: IConstruct): TreeShape {
  const nodes: IConstruct[] = [];
  const counts: number[] = [];
  const visit = (c: IConstruct): void => {
    const children = c.node.children;
    nodes.push(c);
    counts.push(children.length);
    for (const child of children) visit(child);
  };
  visit(root);
  return { nodes, childCounts: Uint32Array.from(counts) };
}

/** Whether no construct was added to, or removed from, any construct of `shape` since it was taken. */
export function sameShape(shape: TreeShape): boolean {
  const { nodes, childCounts } = shape;
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i].node.children.length !== childCounts[i]) return false;
  }
  return true;
}
