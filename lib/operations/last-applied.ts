/**
 * The annotation `kubectl apply` (client-side, also Argo CD's default sync) keeps on every object it
 * applies: the object's JSON as kubectl wrote it, without this annotation. The API server holds all
 * of an object's annotations together, keys and values, to 256 KiB
 * (apimachinery's TotalAnnotationSizeLimitB), so an object whose JSON is near that size cannot be
 * applied that way ("metadata.annotations: Too long: may not be more than 262144 bytes").
 */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The API server's limit of an object's annotations together (keys and values, in bytes). */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/*
 * kubectl writes the annotation with Go's json.Encoder: as JSON.stringify, plus a newline, except
 * that it escapes <, > and & (\u003c: 5 bytes more each) and U+2028 and U+2029 (\u2028 where
 * JSON.stringify writes the 3 bytes of UTF-8), and older Go versions write \b and \f as \u0008 and
 * \u000c (4 bytes more). Counted as the longer, so the estimate is never short.
 */
function goJsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  let extra = 0;
  for (const c of text) {
    if (c === '<' || c === '>' || c === '&') extra += 5;
    else if (c === '\u2028' || c === '\u2029') extra += 3;
  }
  const shortEscapes = (text.match(/\\[\\bf]/g) ?? []).filter((e) => e !== '\\\\').length;
  return Buffer.byteLength(text) + extra + 4 * shortEscapes + 1;
}

/**
 * The bytes of the annotations an object would have once applied client-side: its own, and the
 * last-applied one holding its JSON (as kubectl writes it).
 */
export function clientSideApplyAnnotationBytes(json: { metadata?: { annotations?: Record<string, string>; [key: string]: unknown }; [key: string]: unknown }): number {
  const own = { ...(json.metadata?.annotations ?? {}) };
  delete own[LAST_APPLIED_ANNOTATION];
  // kubectl sets the annotations it read, less its own, as a map even when empty: the copy holds "annotations":{} then.
  const metadata = { ...json.metadata, annotations: own };
  const ownBytes = Object.entries(own).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  return ownBytes + LAST_APPLIED_ANNOTATION.length + goJsonBytes({ ...json, metadata });
}

/**
 * Argo CD's tracking (argo-cd util/argo/resource_tracking.go): with annotation tracking (its
 * default since 3.0) it sets this annotation on every object before it applies it, as
 * `<application>:<group>/<kind>:<namespace>/<name>`; so the annotation counts twice, as itself and
 * in the last-applied copy. With label tracking (2.x's default), or both, it sets
 * ARGOCD_INSTANCE_LABEL to the application's name, cut to 63 characters, which lands in the copy.
 */
export const ARGOCD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

/** The label Argo CD's label tracking sets (its default `application.instanceLabelKey`). */
export const ARGOCD_INSTANCE_LABEL = 'app.kubernetes.io/instance';

/**
 * The longest application name Argo CD writes in a tracking id: an Application's name is a DNS
 * subdomain (253 characters), and one outside Argo CD's own namespace (apps in any namespace) is
 * written `<namespace>_<name>`, with a namespace of up to 63.
 */
export const ARGOCD_LONGEST_APPLICATION = 63 + 1 + 253;

/**
 * The object as Argo CD applies it at its longest tracking: the tracking-id annotation of an
 * application named `ARGOCD_LONGEST_APPLICATION` characters and the instance label at 63 (in place
 * of any the object has). Flux tracks with labels and applies server-side: no copy, no more bytes.
 */
export function withLongestArgoCdTracking<T extends { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, any>; [key: string]: unknown }>(json: T): T {
  const apiVersion = String(json.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const metadata = json.metadata ?? {};
  const id = `${'a'.repeat(ARGOCD_LONGEST_APPLICATION)}:${group}/${String(json.kind)}:${metadata.namespace ?? 'a'.repeat(63)}/${metadata.name}`;
  return {
    ...json,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, [ARGOCD_INSTANCE_LABEL]: 'a'.repeat(63) },
      annotations: { ...metadata.annotations, [ARGOCD_TRACKING_ANNOTATION]: id },
    },
  };
}
