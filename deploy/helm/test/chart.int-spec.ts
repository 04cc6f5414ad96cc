/**
 * The Helm chart in deploy/helm/atrium, checked without a cluster:
 *  - `helm lint --strict` passes (default values and k8s/values-production.yaml);
 *  - `helm template` renders with default, override and production values, and EVERY rendered
 *    object validates against the Kubernetes OpenAPI schemas bundled in `kubernetes-models`
 *    (a kind the test does not know fails: nothing is skipped);
 *  - policies: probes, resources, security contexts, PDB/HPA/Service targets, the default-deny
 *    NetworkPolicy, the env each service needs, and the gRPC call graph the NetworkPolicies allow
 *    (evaluated by a small NetworkPolicy engine below);
 *  - values.schema.json rejects bad values;
 *  - the prerequisite examples in k8s/ parse and their core objects validate.
 *
 * Helm comes from scripts/tools/ensure-helm (built with `go install` on first use).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { ISecret } from 'kubernetes-models/v1/Secret';

const ROOT = resolve(__dirname, '..', '..', '..');
const CHART = join(ROOT, 'deploy', 'helm', 'atrium');
const PRODUCTION_VALUES = join(ROOT, 'k8s', 'values-production.yaml');
const RELEASE = 'atrium';
const NAMESPACE = 'atrium';

const SERVICES = ['gateway', 'directory', 'messaging', 'approval', 'report', 'audit'] as const;
type ServiceName = (typeof SERVICES)[number];

/** Who calls whom over gRPC (docs/architecture.md); the NetworkPolicies must allow exactly this. */
const CALLS: Record<ServiceName, ServiceName[]> = {
  gateway: ['directory', 'messaging', 'approval', 'report', 'audit'],
  directory: [],
  messaging: ['directory'],
  approval: ['directory', 'messaging'],
  report: ['directory'],
  audit: ['directory'],
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Every kind the chart or the examples may produce, mapped to its schema-checked model. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Throws (failing the test) for an unknown kind or a schema violation. */
function validateObject(obj: K8sObject): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no Kubernetes schema known for ${key} (${obj.metadata?.name}): add it to MODELS`);
  try {
    new Model(obj as never).validate();
  } catch (err) {
    throw new Error(`${key} ${obj.metadata?.name} is invalid: ${(err as Error).message}`);
  }
}

let helm = '';

function runHelm(args: string[]): string {
  return execFileSync(helm, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

function parseManifests(text: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // an empty document (comments only)
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: a document is not an object`);
    const obj = value as K8sObject;
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
      throw new Error(`${source}: an object lacks apiVersion, kind or metadata.name`);
    }
    objects.push(obj);
  }
  return objects;
}

function render(extraArgs: string[] = []): K8sObject[] {
  const out = runHelm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...extraArgs]);
  return parseManifests(out, 'helm template');
}

function ofKind<T>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as unknown as T[];
}

// ---- label selectors and a NetworkPolicy evaluator ------------------------------------------

type Labels = Record<string, string>;
type ILabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

function selectorMatches(selector: ILabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

function isEmptySelector(selector: ILabelSelector | undefined): boolean {
  return !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** A pod somewhere in the cluster (or nowhere: an address outside it, labels unknown). */
interface Endpoint {
  namespace: string;
  namespaceLabels: Labels;
  labels: Labels;
}

interface Traffic {
  port: number;
  protocol: 'TCP' | 'UDP';
}

function podAt(namespace: string, labels: Labels): Endpoint {
  return { namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels };
}

function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return false; // pod endpoints in these tests have no known IP
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, other.namespaceLabels)) return false;
  } else if (other.namespace !== policyNamespace) {
    return false; // a bare podSelector means the policy's own namespace
  }
  return peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
}

function portMatches(ports: INetworkPolicyPort[] | undefined, traffic: Traffic): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== traffic.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port !== 'number') throw new Error(`named NetworkPolicy port ${p.port} is not supported by this test`);
    return p.endPort === undefined ? p.port === traffic.port : traffic.port >= p.port && traffic.port <= p.endPort;
  });
}

/** Kubernetes semantics: policies are additive; a pod selected by none of a type is open for it. */
function allowed(policies: INetworkPolicy[], from: Endpoint, to: Endpoint, traffic: Traffic): boolean {
  const types = (p: INetworkPolicy): string[] => p.spec?.policyTypes ?? ['Ingress'];
  const selects = (p: INetworkPolicy, ep: Endpoint): boolean =>
    (p.metadata?.namespace ?? NAMESPACE) === ep.namespace &&
    (isEmptySelector(p.spec?.podSelector) || selectorMatches(p.spec?.podSelector, ep.labels));

  const egressPolicies = policies.filter((p) => types(p).includes('Egress') && selects(p, from));
  const egressOk =
    egressPolicies.length === 0 ||
    egressPolicies.some((p) =>
      (p.spec?.egress ?? []).some(
        (rule) =>
          portMatches(rule.ports, traffic) &&
          (!rule.to || rule.to.length === 0 || rule.to.some((peer) => peerMatches(peer, p.metadata?.namespace ?? NAMESPACE, to))),
      ),
    );

  const ingressPolicies = policies.filter((p) => types(p).includes('Ingress') && selects(p, to));
  const ingressOk =
    ingressPolicies.length === 0 ||
    ingressPolicies.some((p) =>
      (p.spec?.ingress ?? []).some(
        (rule) =>
          portMatches(rule.ports, traffic) &&
          (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerMatches(peer, p.metadata?.namespace ?? NAMESPACE, from))),
      ),
    );
  return egressOk && ingressOk;
}

// ---- fixtures -----------------------------------------------------------------------------------

const LONG_SECRET = 'x'.repeat(40);

/** Overrides exercising the optional paths: generated Secret, Ingress, OTel, fixed replicas... */
const OVERRIDES = `
image:
  repository: registry.internal/atrium
  tag: "1.2.3"
  digest: "sha256:${'a'.repeat(64)}"
replicaCount: 3
logLevel: debug
otel:
  endpoint: http://otel-collector.observability:4318
kafka:
  brokers: [kafka-0.kafka:9092, kafka-1.kafka:9092, kafka-2.kafka:9092]
  topicPrefix: staging.
secrets:
  create: true
  identityKey: "${LONG_SECRET}"
  jwtSecret: "${LONG_SECRET}"
  redisUrl: redis://:pw@redis.data:6379/0
  databaseUrls:
    gateway: postgres://gateway:pw@pg:5432/gateway
    directory: postgres://directory:pw@pg:5432/directory
    messaging: postgres://messaging:pw@pg:5432/messaging
    approval: postgres://approval:pw@pg:5432/approval
    report: postgres://report:pw@pg:5432/report
    audit: postgres://audit:pw@pg:5432/audit
ingress:
  enabled: true
  className: nginx
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"
  hosts:
    - host: chat.example.org
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: chat-tls
      hosts: [chat.example.org]
networkPolicy:
  ingressFrom:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: ingress-nginx
extraEnv:
  - name: KAFKA_SSL
    value: "true"
services:
  gateway:
    calls: [directory, messaging, approval, report, audit]
    resources:
      requests: { cpu: 300m, memory: 300Mi }
      limits: { cpu: 1500m, memory: 600Mi }
    autoscaling:
      enabled: false
    podDisruptionBudget:
      maxUnavailable: 1
  directory:
    calls: []
    replicaCount: 4
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
    autoscaling:
      enabled: false
  messaging:
    calls: [directory]
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
    autoscaling:
      minReplicas: 3
      maxReplicas: 20
      targetMemoryUtilizationPercentage: 80
  approval:
    calls: [directory, messaging]
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
  report:
    calls: [directory]
    logLevel: warn
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
  audit:
    calls: [directory]
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
`;

let workDir = '';
let overridesFile = '';
const rendered: Record<'default' | 'overrides' | 'production', K8sObject[]> = { default: [], overrides: [], production: [] };

beforeAll(
  () => {
    helm = execFileSync(join(ROOT, 'scripts', 'tools', 'ensure-helm'), [], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    expect(helm).toMatch(/\/\.tools\/bin\/helm$/);

    workDir = mkdtempSync(join(tmpdir(), 'atrium-chart-'));
    overridesFile = join(workDir, 'overrides.yaml');
    writeFileSync(overridesFile, OVERRIDES);

    rendered.default = render();
    rendered.overrides = render(['-f', overridesFile]);
    rendered.production = render(['-f', PRODUCTION_VALUES]);
  },
  10 * 60 * 1000,
);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// ---- lint ------------------------------------------------------------------------------------------

describe('helm lint --strict', () => {
  it('passes with the default values', () => {
    const out = runHelm(['lint', '--strict', CHART]);
    expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('passes with k8s/values-production.yaml', () => {
    const out = runHelm(['lint', '--strict', CHART, '-f', PRODUCTION_VALUES]);
    expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('passes with the overrides file', () => {
    const out = runHelm(['lint', '--strict', CHART, '-f', overridesFile]);
    expect(out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

// ---- schema validation of every object ----------------------------------------------------------

describe('the Kubernetes schema check itself', () => {
  it('rejects an invalid object and an unknown kind (so the checks below can fail)', () => {
    const bad: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: { replicas: 'two', selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ image: 'x' }] } } },
    };
    expect(() => validateObject(bad)).toThrow(/invalid/);
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(
      /no Kubernetes schema known/,
    );
  });
});

describe.each(['default', 'overrides', 'production'] as const)('rendered with %s values', (set) => {
  const objects = (): K8sObject[] => rendered[set];
  const deployments = (): IDeployment[] => ofKind<IDeployment>(objects(), 'Deployment');
  const deploymentOf = (name: ServiceName): IDeployment => {
    const d = deployments().find((x) => x.metadata?.name === `${RELEASE}-${name}`);
    if (!d) throw new Error(`no Deployment ${RELEASE}-${name}`);
    return d;
  };
  const containerOf = (name: ServiceName): IContainer => {
    const containers = deploymentOf(name).spec?.template.spec?.containers ?? [];
    expect(containers).toHaveLength(1);
    return containers[0];
  };
  const podLabels = (d: IDeployment): Labels => d.spec?.template.metadata?.labels ?? {};

  it('renders objects, each valid against its Kubernetes schema', () => {
    expect(objects().length).toBeGreaterThan(30);
    for (const obj of objects()) validateObject(obj);
  });

  it('gives every object a unique kind/name in the release namespace', () => {
    const keys = objects().map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of objects()) expect(o.metadata.namespace).toBe(NAMESPACE);
  });

  it('has exactly six Deployments, one per service, all from one image', () => {
    const names = deployments()
      .map((d) => d.metadata?.name)
      .sort();
    expect(names).toEqual(SERVICES.map((s) => `${RELEASE}-${s}`).sort());
    const images = new Set(deployments().map((d) => d.spec?.template.spec?.containers[0].image));
    expect(images.size).toBe(1);
    for (const s of SERVICES) {
      const c = containerOf(s);
      expect(c.command).toEqual(['node']);
      expect(c.args).toEqual([`dist/services/${s}/src/main.js`]);
      expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([
        ['http', 8080],
        ['grpc', 50051],
      ]);
    }
  });

  it('probes every container: liveness /healthz, readiness /readyz, startup, on port http', () => {
    for (const s of SERVICES) {
      const c = containerOf(s);
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.startupProbe?.httpGet?.port).toBe('http');
    }
  });

  it('sets cpu and memory requests and limits on every container', () => {
    for (const s of SERVICES) {
      const r = containerOf(s).resources;
      for (const kind of ['requests', 'limits'] as const) {
        expect(r?.[kind]?.cpu).toBeDefined();
        expect(r?.[kind]?.memory).toBeDefined();
      }
    }
  });

  it('runs every pod locked down: non-root, read-only root, no escalation, drop ALL, writable /tmp', () => {
    for (const s of SERVICES) {
      const d = deploymentOf(s);
      const pod = d.spec?.template.spec;
      const c = containerOf(s);
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBe(10001);
      expect(pod?.securityContext?.fsGroup).toBeDefined();
      expect(pod?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(pod?.automountServiceAccountToken).toBe(false);
      expect(pod?.serviceAccountName).toBe(`${RELEASE}-${s}`);
      expect(pod?.terminationGracePeriodSeconds).toBe(30);
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      expect(c.securityContext?.privileged ?? false).toBe(false);
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(tmp).toBeDefined();
      const vol = pod?.volumes?.find((v) => v.name === tmp?.name);
      expect(vol?.emptyDir).toBeDefined();
      expect(pod?.topologySpreadConstraints?.length ?? 0).toBeGreaterThan(0);
      for (const tsc of pod?.topologySpreadConstraints ?? []) expect(selectorMatches(tsc.labelSelector, podLabels(d))).toBe(true);
      const annotations = d.spec?.template.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/port']).toBe('8080');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    }
    for (const sa of objects().filter((o) => o.kind === 'ServiceAccount')) {
      expect(sa.automountServiceAccountToken).toBe(false);
    }
  });

  it('gives each service the env it needs, secrets by reference', () => {
    const secretNames = new Set(ofKind<ISecret>(objects(), 'Secret').map((x) => x.metadata?.name));
    for (const s of SERVICES) {
      const env = containerOf(s).env ?? [];
      const byName = new Map(env.map((e) => [e.name, e]));
      expect(env.filter((e) => e.name === 'DATABASE_URL')).toHaveLength(1);
      expect(byName.get('HTTP_PORT')?.value).toBe('8080');
      expect(byName.get('GRPC_PORT')?.value).toBe('50051');
      expect(byName.get('ATRIUM_EVENT_BUS')?.value).toBe('kafka');
      expect(byName.get('ATRIUM_PUBSUB')?.value).toBe('redis');
      expect(byName.get('KAFKA_BROKERS')?.value).toMatch(/^[A-Za-z0-9_.-]+:\d+(,[A-Za-z0-9_.-]+:\d+)*$/);
      expect(byName.get('LOG_LEVEL')?.value).toBeTruthy();
      expect(byName.has('REDIS_URL')).toBe(true);
      expect(byName.get('DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(`${s}-database-url`);
      expect(byName.get('ATRIUM_IDENTITY_KEY')?.valueFrom?.secretKeyRef?.key).toBe('identity-key');
      expect(byName.get('PORT')?.value).toBe(s === 'gateway' ? '8080' : undefined);
      expect(byName.has('JWT_SECRET')).toBe(s === 'gateway');
      // Exactly the gRPC clients the service needs, each at <release>-<service>:50051.
      const grpcUrls = env.filter((e) => e.name.endsWith('_GRPC_URL'));
      expect(grpcUrls.map((e) => e.name).sort()).toEqual(CALLS[s].map((c) => `${c.toUpperCase()}_GRPC_URL`).sort());
      for (const e of grpcUrls) {
        const callee = e.name.replace(/_GRPC_URL$/, '').toLowerCase();
        expect(e.value).toBe(`${RELEASE}-${callee}:50051`);
      }
      // No secret in plain text; a secretKeyRef to a Secret the chart renders must exist.
      for (const e of env) {
        if (/SECRET|KEY|PASSWORD|DATABASE_URL/.test(e.name)) expect(e.value).toBeUndefined();
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && set === 'overrides') expect(secretNames.has(ref.name)).toBe(true);
      }
    }
    const gw = new Map((containerOf('gateway').env ?? []).map((e) => [e.name, e]));
    expect(gw.get('JWT_SECRET')?.valueFrom?.secretKeyRef?.key).toBe('jwt-secret');
    expect(gw.get('JWT_ISSUER')?.value).toBeTruthy();
    expect(gw.get('JWT_AUDIENCE')?.value).toBeTruthy();
    // Behind an Ingress the gateway trusts X-Forwarded-For (per-IP limits); exposed directly it must not.
    expect(gw.get('TRUST_PROXY')?.value).toBe(set === 'default' ? 'false' : 'true');
  });

  it('points every HorizontalPodAutoscaler at an existing Deployment, one per Deployment', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    const targets = hpas.map((h) => h.spec?.scaleTargetRef);
    for (const t of targets) {
      expect(t?.kind).toBe('Deployment');
      expect(t?.apiVersion).toBe('apps/v1');
      expect(deployments().some((d) => d.metadata?.name === t?.name)).toBe(true);
    }
    expect(new Set(targets.map((t) => t?.name)).size).toBe(hpas.length);
    for (const h of hpas) {
      expect(h.spec?.minReplicas ?? 1).toBeLessThanOrEqual(h.spec?.maxReplicas ?? 0);
      expect(h.spec?.metrics?.some((m) => m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization')).toBe(true);
      // The HPA owns the replica count: the Deployment must not fight it on every upgrade.
      expect(deployments().find((d) => d.metadata?.name === h.spec?.scaleTargetRef.name)?.spec?.replicas).toBeUndefined();
    }
  });

  it('points every PodDisruptionBudget at exactly one Deployment, never blocking all evictions', () => {
    const pdbs = ofKind<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(SERVICES.length);
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler');
    for (const pdb of pdbs) {
      const spec = pdb.spec;
      expect((spec?.minAvailable === undefined) !== (spec?.maxUnavailable === undefined)).toBe(true);
      const matched = deployments().filter((d) => selectorMatches(spec?.selector, podLabels(d)));
      expect(matched.map((d) => d.metadata?.name)).toHaveLength(1);
      const d = matched[0];
      const hpa = hpas.find((h) => h.spec?.scaleTargetRef.name === d.metadata?.name);
      const minReplicas = hpa ? (hpa.spec?.minReplicas ?? 1) : (d.spec?.replicas ?? 1);
      if (typeof spec?.minAvailable === 'number') expect(spec.minAvailable).toBeLessThan(minReplicas);
      if (typeof spec?.maxUnavailable === 'number') expect(spec.maxUnavailable).toBeGreaterThan(0);
    }
  });

  it('selects an existing Deployment with every Service (ClusterIP, http 8080 and grpc 50051)', () => {
    const services = ofKind<IService>(objects(), 'Service');
    expect(services).toHaveLength(SERVICES.length);
    for (const svc of services) {
      const selector = svc.spec?.selector ?? {};
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      const matched = deployments().filter((d) => selectorMatches({ matchLabels: selector }, podLabels(d)));
      expect(matched).toHaveLength(1);
      expect(svc.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
      expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([
        ['http', 8080],
        ['grpc', 50051],
      ]);
      const containerPorts = new Set((matched[0].spec?.template.spec?.containers[0].ports ?? []).map((p) => p.name));
      for (const p of svc.spec?.ports ?? []) expect(containerPorts.has(String(p.targetPort))).toBe(true);
    }
  });

  it('has a default-deny NetworkPolicy (ingress and egress) covering every pod', () => {
    const policies = ofKind<INetworkPolicy>(objects(), 'NetworkPolicy');
    const denyAll = policies.filter(
      (p) =>
        (p.spec?.policyTypes ?? []).includes('Ingress') &&
        (p.spec?.policyTypes ?? []).includes('Egress') &&
        (p.spec?.ingress ?? []).length === 0 &&
        (p.spec?.egress ?? []).length === 0,
    );
    expect(denyAll).toHaveLength(1);
    for (const d of deployments()) {
      const selector = denyAll[0].spec?.podSelector;
      expect(isEmptySelector(selector) || selectorMatches(selector, podLabels(d))).toBe(true);
    }
  });

  describe('network reachability (NetworkPolicies evaluated)', () => {
    const policies = (): INetworkPolicy[] => ofKind<INetworkPolicy>(objects(), 'NetworkPolicy');
    const pod = (s: ServiceName): Endpoint => podAt(NAMESPACE, podLabels(deploymentOf(s)));
    const grpc: Traffic = { port: 50051, protocol: 'TCP' };
    const http: Traffic = { port: 8080, protocol: 'TCP' };

    it('allows gRPC between two services exactly along the call graph', () => {
      for (const from of SERVICES) {
        for (const to of SERVICES) {
          if (from === to) continue;
          const expected = CALLS[from].includes(to);
          expect({ from, to, allowed: allowed(policies(), pod(from), pod(to), grpc) }).toEqual({ from, to, allowed: expected });
        }
      }
    });

    it('keeps the services apart on http and from pods outside the release', () => {
      const stranger = podAt(NAMESPACE, { app: 'something-else' });
      const otherNamespace = podAt('default', { app: 'curl' });
      for (const to of SERVICES) {
        for (const from of SERVICES) if (from !== to) expect(allowed(policies(), pod(from), pod(to), http)).toBe(false);
        expect(allowed(policies(), stranger, pod(to), grpc)).toBe(false);
        expect(allowed(policies(), otherNamespace, pod(to), grpc)).toBe(false);
        if (to !== 'gateway') expect(allowed(policies(), otherNamespace, pod(to), http)).toBe(false);
      }
    });

    it('lets the public (or only the ingress controller) reach the gateway on 8080', () => {
      const controller = podAt('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
      const anyone = podAt('default', { app: 'curl' });
      expect(allowed(policies(), controller, pod('gateway'), http)).toBe(true);
      expect(allowed(policies(), anyone, pod('gateway'), http)).toBe(set === 'default');
      expect(allowed(policies(), controller, pod('gateway'), grpc)).toBe(false);
    });

    it('lets Prometheus in the monitoring namespace scrape 8080 on every service', () => {
      const prometheus = podAt('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
      for (const s of SERVICES) {
        expect(allowed(policies(), prometheus, pod(s), http)).toBe(true);
        expect(allowed(policies(), prometheus, pod(s), grpc)).toBe(false);
      }
    });

    it('lets every service resolve DNS and reach PostgreSQL, Kafka and Redis, and nothing else', () => {
      const dns = podAt('kube-system', { 'k8s-app': 'kube-dns' });
      const deps: Array<[Endpoint, Traffic]> =
        set === 'production'
          ? [
              [podAt('atrium-data', { 'cnpg.io/cluster': 'atrium-pg' }), { port: 5432, protocol: 'TCP' }],
              [podAt('kafka', { 'strimzi.io/cluster': 'atrium-kafka', 'strimzi.io/broker-role': 'true' }), { port: 9092, protocol: 'TCP' }],
              [podAt('atrium-data', { 'app.kubernetes.io/instance': 'atrium-redis' }), { port: 6379, protocol: 'TCP' }],
            ]
          : [
              [podAt('databases', { app: 'postgres' }), { port: 5432, protocol: 'TCP' }],
              [podAt('kafka', { app: 'kafka' }), { port: 9092, protocol: 'TCP' }],
              [podAt('databases', { app: 'redis' }), { port: 6379, protocol: 'TCP' }],
            ];
      const elsewhere = podAt('default', { app: 'web' });
      for (const s of SERVICES) {
        expect(allowed(policies(), pod(s), dns, { port: 53, protocol: 'UDP' })).toBe(true);
        expect(allowed(policies(), pod(s), dns, { port: 53, protocol: 'TCP' })).toBe(true);
        for (const [target, traffic] of deps) expect(allowed(policies(), pod(s), target, traffic)).toBe(true);
        expect(allowed(policies(), pod(s), elsewhere, { port: 443, protocol: 'TCP' })).toBe(false);
        expect(allowed(policies(), pod(s), elsewhere, { port: 53, protocol: 'UDP' })).toBe(false);
      }
    });
  });
});

// ---- what the overrides must change ---------------------------------------------------------------

describe('override values', () => {
  const objects = (): K8sObject[] => rendered.overrides;
  const deployment = (s: ServiceName): IDeployment => {
    const d = ofKind<IDeployment>(objects(), 'Deployment').find((x) => x.metadata?.name === `${RELEASE}-${s}`);
    if (!d) throw new Error(`no Deployment for ${s}`);
    return d;
  };
  const env = (s: ServiceName): Map<string, { value?: string; secretName?: string; key?: string }> =>
    new Map(
      (deployment(s).spec?.template.spec?.containers[0].env ?? []).map((e) => [
        e.name,
        { value: e.value, secretName: e.valueFrom?.secretKeyRef?.name, key: e.valueFrom?.secretKeyRef?.key },
      ]),
    );

  it('renders the generated Secret with every key and points every reference at it', () => {
    const secrets = ofKind<ISecret>(objects(), 'Secret');
    expect(secrets.map((s) => s.metadata?.name)).toEqual([`${RELEASE}-secrets`]);
    const data = secrets[0].stringData ?? {};
    expect(Object.keys(data).sort()).toEqual(
      ['identity-key', 'jwt-secret', 'redis-url', ...SERVICES.map((s) => `${s}-database-url`)].sort(),
    );
    for (const s of SERVICES) {
      const e = env(s);
      expect(e.get('DATABASE_URL')).toEqual({ value: undefined, secretName: `${RELEASE}-secrets`, key: `${s}-database-url` });
      expect(e.get('REDIS_URL')).toEqual({ value: undefined, secretName: `${RELEASE}-secrets`, key: 'redis-url' });
      expect(e.get('ATRIUM_IDENTITY_KEY')?.secretName).toBe(`${RELEASE}-secrets`);
      // A changed secret rolls the pods.
      expect(deployment(s).spec?.template.metadata?.annotations?.['checksum/secrets']).toMatch(/^[a-f0-9]{64}$/);
    }
  });

  it('applies image, brokers, topic prefix, OTel, log levels and extra env', () => {
    for (const s of SERVICES) {
      const e = env(s);
      expect(deployment(s).spec?.template.spec?.containers[0].image).toBe(`registry.internal/atrium:1.2.3@sha256:${'a'.repeat(64)}`);
      expect(e.get('KAFKA_BROKERS')?.value).toBe('kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092');
      expect(e.get('KAFKA_TOPIC_PREFIX')?.value).toBe('staging.');
      expect(e.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value).toBe('http://otel-collector.observability:4318');
      expect(e.get('KAFKA_SSL')?.value).toBe('true');
      expect(e.get('LOG_LEVEL')?.value).toBe(s === 'report' ? 'warn' : 'debug');
    }
  });

  it('switches autoscaling off per service (fixed replicas) and keeps it elsewhere', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec?.scaleTargetRef.name).sort()).toEqual(
      ['approval', 'audit', 'messaging', 'report'].map((s) => `${RELEASE}-${s}`),
    );
    expect(deployment('gateway').spec?.replicas).toBe(3); // the top-level replicaCount
    expect(deployment('directory').spec?.replicas).toBe(4); // its own
    const messaging = hpas.find((h) => h.spec?.scaleTargetRef.name === `${RELEASE}-messaging`);
    expect([messaging?.spec?.minReplicas, messaging?.spec?.maxReplicas]).toEqual([3, 20]);
    expect(messaging?.spec?.metrics?.map((m) => m.resource?.name)).toEqual(['cpu', 'memory']);
  });

  it('uses maxUnavailable for the gateway PDB', () => {
    const pdb = ofKind<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget').find((p) => p.metadata?.name === `${RELEASE}-gateway`);
    expect(pdb?.spec?.maxUnavailable).toBe(1);
    expect(pdb?.spec?.minAvailable).toBeUndefined();
  });

  it('routes the Ingress (with TLS) to the gateway http port', () => {
    const ingresses = ofKind<IIngress>(objects(), 'Ingress');
    expect(ingresses).toHaveLength(1);
    const spec = ingresses[0].spec;
    expect(spec?.ingressClassName).toBe('nginx');
    expect(spec?.tls).toEqual([{ secretName: 'chat-tls', hosts: ['chat.example.org'] }]);
    expect(spec?.rules?.[0].host).toBe('chat.example.org');
    const path = spec?.rules?.[0].http?.paths[0];
    // A Prefix "/" covers /api/v1, /ws and /cgi-bin.
    expect([path?.path, path?.pathType]).toEqual(['/', 'Prefix']);
    expect(path?.backend.service).toEqual({ name: `${RELEASE}-gateway`, port: { name: 'http' } });
  });

  it('renders no Ingress and no Secret with the default values', () => {
    expect(rendered.default.filter((o) => o.kind === 'Ingress' || o.kind === 'Secret')).toEqual([]);
  });
});

// ---- values.schema.json --------------------------------------------------------------------------

describe('values.schema.json', () => {
  function templateStatus(args: string[]): { status: number | null; stderr: string } {
    const r = spawnSync(helm, ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { status: r.status, stderr: r.stderr };
  }

  it('accepts the same command line without the bad value (control)', () => {
    expect(templateStatus(['--set', 'replicaCount=3']).status).toBe(0);
  });

  it.each([
    ['a non-integer replicaCount', ['--set', 'replicaCount=abc'], /replicaCount/],
    ['an unknown top-level key', ['--set', 'replicaCont=2'], /replicaCont/],
    ['an unknown key in a service', ['--set', 'services.gateway.replica=2'], /replica/],
    ['an unknown service', ['--set', 'services.web.calls={}'], /web/],
    ['a malformed cpu quantity', ['--set', 'services.audit.resources.limits.cpu=lots'], /cpu/],
    ['an unknown pull policy', ['--set', 'image.pullPolicy=Sometimes'], /pullPolicy/],
    ['a call to an unknown service', ['--set', 'services.gateway.calls={web}'], /calls/],
    ['a Kafka broker without a port', ['--set', 'kafka.brokers={kafka}'], /brokers/],
    ['an unknown log level', ['--set', 'logLevel=loud'], /logLevel/],
    ['secrets.create without the secrets', ['--set', 'secrets.create=true'], /identityKey|jwtSecret/],
  ])('rejects %s', (_label, args, mentions) => {
    const { status, stderr } = templateStatus(args);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(stderr).toMatch(mentions);
  });

  it('rejects secrets.create with a short identity key, and a missing database URL', () => {
    const base = ['--set', 'secrets.create=true', '--set', `secrets.jwtSecret=${LONG_SECRET}`];
    const short = templateStatus([...base, '--set', 'secrets.identityKey=short']);
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/identityKey/);
    const missingUrl = templateStatus([...base, '--set', `secrets.identityKey=${LONG_SECRET}`]);
    expect(missingUrl.status).not.toBe(0);
    expect(missingUrl.stderr).toMatch(/secrets\.databaseUrls\.\w+ is required/);
  });
});

// ---- k8s/ examples ----------------------------------------------------------------------------------

describe('k8s/ prerequisite examples', () => {
  const dir = join(ROOT, 'k8s');
  const load = (): K8sObject[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && f !== 'values-production.yaml')
      .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), `k8s/${f}`));

  /** Operator CRDs: kubernetes-models has no schema for them, so their key fields are checked here. */
  const CRDS = new Set([
    'kafka.strimzi.io/v1beta2/Kafka',
    'kafka.strimzi.io/v1beta2/KafkaNodePool',
    'kafka.strimzi.io/v1beta2/KafkaTopic',
    'postgresql.cnpg.io/v1/Cluster',
  ]);

  it('parses, and every core object validates (operator CRs are the only other kinds)', () => {
    const objects = load();
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      if (CRDS.has(`${o.apiVersion}/${o.kind}`)) continue;
      validateObject(o);
    }
  });

  it('declares a KRaft Kafka with 3 brokers and every domain topic plus its .dlq', () => {
    const objects = load();
    const pools = objects.filter((o) => o.kind === 'KafkaNodePool') as Array<K8sObject & { spec: { replicas: number; roles: string[] } }>;
    const brokers = pools.filter((p) => p.spec.roles.includes('broker')).reduce((n, p) => n + p.spec.replicas, 0);
    expect(brokers).toBe(3);
    expect(pools.some((p) => p.spec.roles.includes('controller'))).toBe(true);
    const kafka = objects.filter((o) => o.kind === 'Kafka');
    expect(kafka).toHaveLength(1);
    expect((kafka[0] as unknown as { spec: { zookeeper?: unknown } }).spec.zookeeper).toBeUndefined();
    const topics = objects
      .filter((o) => o.kind === 'KafkaTopic')
      .map((o) => o.metadata.name)
      .sort();
    const domains = ['directory.events', 'messaging.messages', 'approval.events', 'report.events', 'audit.events'];
    expect(topics).toEqual([...domains, ...domains.map((t) => `${t}.dlq`)].sort());
  });

  it('creates one PostgreSQL database per service in a 3-instance cluster, with the chart Secret keys', () => {
    const objects = load();
    const clusters = objects.filter((o) => o.kind === 'Cluster') as Array<
      K8sObject & { spec: { instances: number; bootstrap: { initdb: { database: string; postInitSQL: string[] } } } }
    >;
    expect(clusters).toHaveLength(1);
    const { instances, bootstrap } = clusters[0].spec;
    expect(instances).toBe(3);
    const created = [
      bootstrap.initdb.database,
      ...bootstrap.initdb.postInitSQL.map((sql) => /^CREATE DATABASE (\w+)/.exec(sql)?.[1]).filter((x): x is string => !!x),
    ];
    expect(created.sort()).toEqual([...SERVICES].sort());
    const chartSecret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'atrium-postgresql') as ISecret | undefined;
    expect(Object.keys(chartSecret?.stringData ?? {}).sort()).toEqual(SERVICES.map((s) => `${s}-database-url`).sort());
  });
});
