import { IConstruct, IValidation } from 'constructs';

/*
 * cdk8s validates the whole app once in `app.synth()` and once more for every chart it writes
 * (`chart.toJson()`). The fast synth (lib/yaml-output.ts) validates once: that is the same output
 * only when no validation changes anything. The library's own validations only read; a user's
 * validation may change the app (add a label or a finalizer each time it runs), so an app with one
 * gets cdk8s's rendering, which runs it as often as cdk8s does.
 */
const OWN = new WeakSet<IValidation>();

/** Marks a validation of the library's, which reads the app and changes nothing; returns it. */
export function ownValidation(validation: IValidation): IValidation {
  OWN.add(validation);
  return validation;
}

/**
 * Whether every validation under `root` is the library's own; false as well when the constructs
 * package keeps them where this does not look (another version), since it cannot tell then.
 */
export function onlyOwnValidations(root: IConstruct): boolean {
  for (const c of root.node.findAll()) {
    const validations = (c.node as unknown as { _validations?: unknown })._validations;
    if (validations === undefined) continue;
    if (!Array.isArray(validations) || !validations.every((v) => OWN.has(v))) return false;
  }
  return true;
}
