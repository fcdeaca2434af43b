import { isIPv4, isIPv6 } from 'net';

/**
 * The syntax rules the Kubernetes API server (and cert-manager) apply to the fields the library
 * writes, written independently of lib/validation so that the property test checks the library
 * against the API server's rules rather than against itself.
 * Sources: k8s.io/apimachinery/pkg/util/validation, pkg/api/resource (Quantity), core/v1 validation.
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN = '(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?';
const IMAGE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

export const isDns1123Label = (s: unknown) => typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
export const isDns1035Label = (s: unknown) => typeof s === 'string' && s.length <= 63 && DNS1035_LABEL.test(s);
export const isDns1123Subdomain = (s: unknown) => typeof s === 'string' && s.length <= 253 && s.split('.').every((l) => DNS1123_LABEL.test(l));
export function isQualifiedName(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const parts = s.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0] === '' || !isDns1123Subdomain(parts[0]))) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}
export const isLabelValue = (s: unknown) => typeof s === 'string' && (s === '' || (s.length <= 63 && QUALIFIED_NAME_PART.test(s)));
export const isEnvVarName = (s: unknown) => typeof s === 'string' && ENV_VAR_NAME.test(s);
export const isQuantity = (s: unknown) => typeof s === 'string' && QUANTITY.test(s) && !s.startsWith('-');
export const isImage = (s: unknown) => typeof s === 'string' && s.length <= 255 && IMAGE.test(s);
export const isInt32 = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 2147483647;
export const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
export function isWildcardDnsName(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const rest = s.startsWith('*.') ? s.slice(2) : s;
  return isDns1123Subdomain(rest);
}
export function isCidr(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const [ip, prefix, extra] = s.split('/');
  if (extra !== undefined || !/^\d+$/.test(prefix ?? '')) return false;
  const width = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : 0;
  const bits = Number(prefix);
  if (width === 0 || bits > width) return false;
  // The API server (since 1.31 strictly) wants the network address: no bits after the prefix.
  const value = width === 32 ? ip.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n) : ipv6Value(ip);
  return (value & ((1n << BigInt(width - bits)) - 1n)) === 0n;
}
function ipv6Value(ip: string): bigint {
  const [l, r] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Names Kubernetes holds to 63 characters: Services (DNS-1035), Jobs (their job-name label), Certificates (cert-manager's label). */
const LABEL_NAMED = new Set(['Service', 'Job', 'Certificate']);

/** Every violation of the API server's syntax rules in `objects`, as "Kind/name: path: problem". */
export function k8sViolations(objects: any[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.name}`;
    const bad = (path: string, problem: string) => out.push(`${where}: ${path}: ${problem}`);
    const name = o.metadata?.name;
    if (o.kind === 'Service' ? !isDns1035Label(name) : LABEL_NAMED.has(o.kind) ? !isDns1123Label(name) : !isDns1123Subdomain(name)) bad('metadata.name', `bad name ${JSON.stringify(name)}`);
    if (o.metadata?.namespace !== undefined && !isDns1123Label(o.metadata.namespace)) bad('metadata.namespace', JSON.stringify(o.metadata.namespace));
    // ValidateIngressCreate: the legacy class annotation and the field must agree when both are set.
    const legacyClass = o.kind === 'Ingress' ? o.metadata?.annotations?.['kubernetes.io/ingress.class'] : undefined;
    if (legacyClass !== undefined && o.spec?.ingressClassName !== undefined && legacyClass !== o.spec.ingressClassName) {
      bad('metadata.annotations.kubernetes.io/ingress.class', `${JSON.stringify(legacyClass)} must match ingressClassName ${JSON.stringify(o.spec.ingressClassName)}`);
    }
    walk(o, '', bad);
  }
  return out;
}

function labels(map: unknown, path: string, bad: (p: string, m: string) => void): void {
  if (!map || typeof map !== 'object') return;
  for (const [k, v] of Object.entries(map)) {
    if (!isQualifiedName(k)) bad(path, `label key ${JSON.stringify(k)}`);
    if (!isLabelValue(v)) bad(`${path}.${k}`, `label value ${JSON.stringify(v)}`);
  }
}

function walk(node: any, path: string, bad: (p: string, m: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, `${path}[${i}]`, bad));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries<any>(node)) {
    const at = path ? `${path}.${key}` : key;
    // A PrometheusRule's alert labels and annotations are Prometheus's, not Kubernetes': any string value.
    if ((key === 'labels' || key === 'annotations') && /\.rules\[\d+\]$/.test(path)) continue;
    switch (key) {
      case 'labels': case 'matchLabels': case 'nodeSelector': labels(value, at, bad); break;
      case 'annotations':
        for (const k of Object.keys(value ?? {})) if (!isQualifiedName(k)) bad(at, `annotation key ${JSON.stringify(k)}`);
        break;
      case 'env':
        if (Array.isArray(value)) value.forEach((e, i) => { if (!isEnvVarName(e?.name)) bad(`${at}[${i}]`, `env name ${JSON.stringify(e?.name)}`); });
        break;
      case 'requests': case 'limits':
        for (const [r, q] of Object.entries<any>(value ?? {})) if (!isQuantity(q)) bad(`${at}.${r}`, `quantity ${JSON.stringify(q)}`);
        break;
      case 'sizeLimit': if (!isQuantity(value)) bad(at, `quantity ${JSON.stringify(value)}`); break;
      case 'containerPort': case 'port': case 'targetPort':
        if (typeof value === 'number' && !isPort(value)) bad(at, `port ${value}`);
        break;
      case 'replicas': case 'minReplicas': case 'maxReplicas': case 'backoffLimit': case 'ttlSecondsAfterFinished': case 'terminationGracePeriodSeconds':
      case 'maxUnavailable': case 'minAvailable': case 'activeDeadlineSeconds':
        if (typeof value === 'number' && !isInt32(value)) bad(at, `int32 ${value}`);
        break;
      case 'image': if (typeof value === 'string' && !isImage(value)) bad(at, `image ${JSON.stringify(value)}`); break;
      case 'priorityClassName': if (!isDns1123Subdomain(value)) bad(at, JSON.stringify(value)); break;
      case 'topologyKey': if (!isQualifiedName(value)) bad(at, JSON.stringify(value)); break;
      case 'cidr': if (!isCidr(value)) bad(at, `CIDR ${JSON.stringify(value)}`); break;
      case 'dnsNames': if (Array.isArray(value)) value.forEach((n, i) => { if (!isWildcardDnsName(n)) bad(`${at}[${i}]`, `DNS name ${JSON.stringify(n)}`); }); break;
      case 'commonName': if (typeof value !== 'string' || value.length > 64) bad(at, JSON.stringify(value)); break;
      case 'host': case 'hosts':
        if (path.includes('rules') || path.includes('tls')) for (const h of [value].flat()) if (!isWildcardDnsName(h)) bad(at, `host ${JSON.stringify(h)}`);
        break;
      case 'ingressClassName': if (!isDns1123Subdomain(value)) bad(at, JSON.stringify(value)); break;
      case 'tolerations':
        if (Array.isArray(value)) {
          value.forEach((t, i) => {
            if (t.operator !== undefined && !['Exists', 'Equal'].includes(t.operator)) bad(`${at}[${i}].operator`, JSON.stringify(t.operator));
            if (t.effect !== undefined && !['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) bad(`${at}[${i}].effect`, JSON.stringify(t.effect));
            if (t.key !== undefined && t.key !== '' && !isQualifiedName(t.key)) bad(`${at}[${i}].key`, JSON.stringify(t.key));
            if (t.value !== undefined && !isLabelValue(t.value)) bad(`${at}[${i}].value`, JSON.stringify(t.value));
            if (t.tolerationSeconds !== undefined && (t.effect !== 'NoExecute' || !Number.isSafeInteger(t.tolerationSeconds))) bad(`${at}[${i}].tolerationSeconds`, String(t.tolerationSeconds));
            if ((t.key ?? '') === '' && t.operator !== 'Exists') bad(`${at}[${i}]`, 'empty key without Exists');
          });
        }
        break;
      case 'secretKeyRef': case 'configMapKeyRef':
        if (!CONFIG_MAP_KEY.test(value?.key ?? '')) bad(`${at}.key`, JSON.stringify(value?.key));
        if (!isDns1123Subdomain(value?.name)) bad(`${at}.name`, JSON.stringify(value?.name));
        break;
      case 'data':
        if (path === '' ) for (const k of Object.keys(value ?? {})) if (!CONFIG_MAP_KEY.test(k) || k.length > 253) bad(at, `data key ${JSON.stringify(k)}`);
        break;
      default:
    }
    if (key !== 'data' && key !== 'annotations') walk(value, at, bad);
  }
}
