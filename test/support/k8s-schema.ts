import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { editDistance } from '../../lib/validation';

/**
 * A strict, offline validator for Kubernetes manifests against the OpenAPI v2 definitions that
 * cdk8s publishes (vendored in schemas/k8s; see schemas/SOURCES.md).
 *
 * It is stricter than the API server's default on purpose: every object schema that declares
 * `properties` is treated as CLOSED, so a misspelt field is an error here instead of being silently
 * dropped at apply time. Written by hand (no dependency) because the definitions use only a small
 * subset of JSON Schema: type, format, properties, required, items, additionalProperties, enum,
 * $ref and, for the two patched types IntOrString and Quantity, oneOf.
 */

/** The vendored Kubernetes definitions (schemas/SOURCES.md). */
export const SCHEMA_ROOT = path.resolve(__dirname, '..', '..', 'schemas', 'k8s');
/** The CRDs the library emits objects of (Prometheus operator, cert-manager). */
export const CRD_ROOT = path.resolve(__dirname, '..', '..', 'schemas', 'crds');
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

interface Schema {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  oneOf?: Schema[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * The Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 * a signed decimal (`1`, `1.5`, `.5`, `1.`) followed by nothing, a binary SI suffix (Ki..Ei), a
 * decimal SI suffix (m, k, M..E) or a decimal exponent (`e3`, `E-2`). No spaces anywhere.
 */
const QUANTITY_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** Standard base64, as Go decodes `[]byte` fields (Secret.data); it skips CR/LF. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

export class K8sSchema {
  private static readonly cache = new Map<string, K8sSchema>();

  /** The definitions for one Kubernetes release, e.g. `v1.30.0`; loaded once per process. */
  public static load(version: string): K8sSchema {
    let schema = K8sSchema.cache.get(version);
    if (!schema) {
      schema = new K8sSchema(version);
      K8sSchema.cache.set(version, schema);
    }
    return schema;
  }

  private readonly definitions: Record<string, Schema>;
  /** `group/version/Kind` (group '' for core) to a definition name. */
  private readonly byGvk = new Map<string, string>();

  private constructor(public readonly version: string) {
    const file = path.join(SCHEMA_ROOT, version, '_definitions.json');
    if (!fs.existsSync(file)) {
      throw new Error(`Kubernetes ${version} schema not found at ${file}. `
        + 'The repository vendors the definitions it supports under schemas/k8s (see schemas/SOURCES.md); restore the file from git.');
    }
    this.definitions = JSON.parse(fs.readFileSync(file, 'utf8')).definitions;
    for (const [name, def] of Object.entries(this.definitions)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        this.byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      }
    }
    this.addCrds();
  }

  /**
   * Custom resources validate against their CRD's structural schema (served versions only), which
   * the API server also treats as closed: unknown fields are pruned or, with strict validation,
   * refused. Their metadata gets the real ObjectMeta schema; CRDs leave it open.
   */
  private addCrds(): void {
    const files = fs.readdirSync(CRD_ROOT).filter((f) => f.endsWith('.yaml')).sort();
    if (files.length === 0) throw new Error(`no CRD files in ${CRD_ROOT}; restore schemas/crds from git`);
    for (const file of files) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRD_ROOT, file), 'utf8'))) {
        const crd = doc.toJSON();
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions ?? []) {
          if (!version.served) continue;
          const schema = version.schema?.openAPIV3Schema as Schema;
          const name = `crd:${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
          this.definitions[name] = { ...schema, properties: { ...schema.properties, metadata: { $ref: `#/definitions/${OBJECT_META}` } } };
          this.byGvk.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, name);
        }
      }
    }
  }

  /**
   * Every schema error in one top-level object, each as `<Kind> <name>: <path>: <message>`.
   * An empty list means the API server of this release would accept the object's shape.
   */
  public validate(obj: any): string[] {
    const label = `${obj?.kind ?? '<no kind>'} ${obj?.metadata?.name ?? '<no name>'}`;
    const errors: string[] = [];
    const report = (p: string, message: string) => errors.push(`${label}: ${p || '<root>'}: ${message}`);

    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      report('', 'not a Kubernetes object (apiVersion and kind must be strings)');
      return errors;
    }
    const definition = this.definitionFor(obj.apiVersion, obj.kind);
    if (!definition) {
      report('', `${obj.apiVersion} ${obj.kind} does not exist in Kubernetes ${this.version}${this.alternatives(obj.kind)}`);
      return errors;
    }
    this.check(obj, { $ref: `#/definitions/${definition}` }, '', report);
    return errors;
  }

  /** The definition name for an apiVersion (`apps/v1`, or `v1` for the core group) and kind. */
  public definitionFor(apiVersion: string, kind: string): string | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.byGvk.get(`${group}/${version}/${kind}`);
  }

  /** A hint for an unknown apiVersion: where this kind does live in this release, if anywhere. */
  private alternatives(kind: string): string {
    const found = [...this.byGvk.keys()]
      .filter((k) => k.endsWith(`/${kind}`))
      .map((k) => { const [g, v] = k.split('/'); return g ? `${g}/${v}` : v; });
    return found.length ? ` (it has ${kind} in: ${found.join(', ')})` : '';
  }

  private resolve(ref: string): [string, Schema] {
    const name = ref.replace(/^#\/definitions\//, '');
    const def = this.definitions[name];
    if (!def) throw new Error(`schema ${this.version}: unresolved $ref ${ref}`);
    return [name, def];
  }

  private check(value: unknown, schema: Schema, p: string, report: (p: string, m: string) => void): void {
    if (schema.$ref) {
      const [name, def] = this.resolve(schema.$ref);
      // Quantity is patched to oneOf string|number; a string must also parse as a quantity,
      // which the API server enforces when decoding (e.g. `1 Gi` is rejected).
      if (name === QUANTITY && typeof value === 'string' && !QUANTITY_RE.test(value)) {
        report(p, `invalid quantity ${JSON.stringify(value)}`);
        return;
      }
      this.check(value, def, p, report);
      return;
    }

    // The patched IntOrString and Quantity: accept the value if any alternative accepts it.
    if (schema.oneOf) {
      const fits = schema.oneOf.some((alt) => {
        let ok = true;
        this.check(value, alt, p, () => { ok = false; });
        return ok;
      });
      if (!fits) report(p, `expected ${schema.oneOf.map((a) => a.type ?? '?').join(' or ')}, got ${typeOf(value)}`);
      return;
    }
    if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string']) {
      if (!Number.isInteger(value) && typeof value !== 'string') report(p, `expected integer or string, got ${typeOf(value)}`);
      return;
    }

    switch (schema.type) {
      case undefined:
        return; // No type (e.g. apiextensions JSON): any value is allowed.
      case 'string':
        if (typeof value !== 'string') return report(p, `expected string, got ${typeOf(value)}`);
        if (schema.format === 'byte' && !BASE64_RE.test(value.replace(/[\r\n]/g, ''))) {
          return report(p, 'expected base64-encoded data');
        }
        break;
      case 'integer':
        if (!Number.isInteger(value)) return report(p, `expected integer, got ${typeOf(value)}`);
        if (schema.format === 'int32' && ((value as number) < INT32.min || (value as number) > INT32.max)) {
          return report(p, `${value} does not fit in int32`);
        }
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) return report(p, `expected number, got ${typeOf(value)}`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return report(p, `expected boolean, got ${typeOf(value)}`);
        break;
      case 'array':
        if (!Array.isArray(value)) return report(p, `expected array, got ${typeOf(value)}`);
        if (schema.items) value.forEach((item, i) => this.check(item, schema.items!, `${p}[${i}]`, report));
        break;
      case 'object':
        if (!isPlainObject(value)) return report(p, `expected object, got ${typeOf(value)}`);
        this.checkObject(value, schema, p, report);
        break;
      default:
        throw new Error(`schema ${this.version}: unsupported type ${schema.type} at ${p}`);
    }

    if (schema.enum && !schema.enum.includes(value)) {
      report(p, `${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
  }

  private checkObject(value: Record<string, unknown>, schema: Schema, p: string, report: (p: string, m: string) => void): void {
    const props = schema.properties;
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    // Closed unless the schema says otherwise: declared properties without an additionalProperties
    // schema or x-kubernetes-preserve-unknown-fields means any other key is a mistake.
    // Objects with neither properties nor additionalProperties (RawExtension, FieldsV1) are free-form.
    const open = schema['x-kubernetes-preserve-unknown-fields'] === true || (!props && !extra);

    for (const field of schema.required ?? []) {
      if (value[field] === undefined) report(join(p, field), 'required field is missing');
    }
    for (const [key, v] of Object.entries(value)) {
      const sub = props?.[key] ?? extra;
      if (sub) this.check(v, sub, join(p, key), report);
      else if (!open) report(join(p, key), `unknown field${props ? suggestion(key, Object.keys(props)) : ''}`);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** `a.b`, or `a["app.kubernetes.io/name"]` for keys that are not plain identifiers (labels). */
function join(p: string, key: string): string {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${p}[${JSON.stringify(key)}]`;
  return p ? `${p}.${key}` : key;
}

/** ` (did you mean "replicas"?)` when one declared field is within edit distance 2 of a typo. */
function suggestion(key: string, known: string[]): string {
  const near = known.filter((k) => editDistance(key.toLowerCase(), k.toLowerCase()) <= 2);
  return near.length === 1 ? ` (did you mean ${JSON.stringify(near[0])}?)` : '';
}
