/**
 * The Helm chart in deploy/helm/flowsight, rendered as `helm template` would (go-template.ts: no helm
 * binary is installable in CI) with its default values and with every option on, and checked as a
 * reviewer would: the objects are well formed, the Deployment sets only variables Flowsight reads
 * (and the configuration loader accepts them), secrets come from Secrets, the RBAC is read-only,
 * the network policies deny by default, and values.schema.json catches a misspelt value.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import YAML, { isMap, isSeq, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { register as registerReport, reportBody } from '../../bin/commands/report';
import { loadConfig } from '../../lib/server/config';
import { parseTemplate, renderChart, TemplateError, type RenderOptions } from './go-template';

const root = path.resolve(__dirname, '../..');
const chartDir = path.join(__dirname, 'flowsight');
type Obj = Record<string, any>;

const readYaml = (file: string) => YAML.parse(fs.readFileSync(file, 'utf8')) as Obj;
const defaults = readYaml(path.join(chartDir, 'values.yaml'));
const everythingOn = readYaml(path.join(__dirname, 'testdata', 'everything-on.values.yaml'));

function render(values: Obj[] = [], options: Omit<RenderOptions, 'values'> = {}): { objects: Obj[]; files: Map<string, string> } {
  return renderChart(chartDir, { ...options, values });
}
const only = (objects: Obj[], kind: string, name?: string): Obj => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, name ? `${kind} ${name}` : kind).toHaveLength(1);
  return found[0];
};
const container = (objects: Obj[]): Obj => {
  const containers = only(objects, 'Deployment').spec.template.spec.containers as Obj[];
  expect(containers).toHaveLength(1);
  return containers[0];
};
const envOf = (objects: Obj[]): Obj[] => container(objects).env as Obj[];
const envValue = (objects: Obj[], name: string): string | undefined => envOf(objects).find((e) => e.name === name)?.value;

/** Every FLOWSIGHT_ variable the code reads today, plus those of the sign-in work landing beside this chart. */
function knownVariables(): Set<string> {
  const names = new Set(['PORT']);
  for (const file of ['lib/server/config.ts', 'lib/server/config-auth.ts', 'lib/azure/source-from-env.ts', 'scripts/start.mjs']) {
    if (!fs.existsSync(path.join(root, file))) continue;
    for (const m of fs.readFileSync(path.join(root, file), 'utf8').matchAll(/\bFLOWSIGHT_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
  }
  for (const v of [
    'FLOWSIGHT_SESSION_SECRET', 'FLOWSIGHT_OIDC_ISSUER', 'FLOWSIGHT_OIDC_CLIENT_ID', 'FLOWSIGHT_OIDC_CLIENT_SECRET',
    'FLOWSIGHT_OIDC_ALLOWED_GROUPS', 'FLOWSIGHT_OIDC_GROUPS_CLAIM', 'FLOWSIGHT_OIDC_USERNAME_CLAIM', 'FLOWSIGHT_OIDC_SCOPES',
    'FLOWSIGHT_PUBLIC_URL', 'FLOWSIGHT_TRUSTED_PROXIES', 'FLOWSIGHT_PROXY_USER_HEADER', 'FLOWSIGHT_PROXY_GROUPS_HEADER', 'FLOWSIGHT_AUTHZ',
  ]) names.add(v);
  return names;
}

/** Variables that hold a secret: they must come from a Secret, never a value in the manifest. */
const SECRET_VARIABLES = ['FLOWSIGHT_AUTH_TOKEN', 'FLOWSIGHT_SESSION_SECRET', 'FLOWSIGHT_OIDC_CLIENT_SECRET', 'FLOWSIGHT_CLICKHOUSE_URL'];

const NAMESPACED = new Set(['Deployment', 'CronJob', 'Service', 'ServiceAccount', 'PersistentVolumeClaim', 'NetworkPolicy', 'CiliumNetworkPolicy', 'Ingress', 'ServiceMonitor']);
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-chart-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * The pod's environment as the container would see it: values as given, Secrets replaced by sample
 * contents, and files under the mounted Secrets replaced by PEM-shaped files in a scratch folder.
 */
function podEnvironment(objects: Obj[]): Record<string, string> {
  const samples: Record<string, string> = {
    FLOWSIGHT_AUTH_TOKEN: 'sample-token-0123456789abcdef',
    FLOWSIGHT_SESSION_SECRET: 'sample-session-secret-0123456789',
    FLOWSIGHT_OIDC_CLIENT_SECRET: 'sample-client-secret',
    FLOWSIGHT_CLICKHOUSE_URL: 'https://user:pass@clickhouse.example.com:8443/',
  };
  const env: Record<string, string> = {};
  for (const e of envOf(objects)) {
    if (e.valueFrom) env[e.name] = samples[e.name] ?? 'sample';
    else env[e.name] = e.value;
  }
  for (const [name, value] of Object.entries(env)) {
    if (!value.startsWith('/etc/flowsight/')) continue;
    const file = path.join(scratch, value.replace(/\//g, '_'));
    fs.writeFileSync(file, value.endsWith('.key') ? '-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n' : '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
    env[name] = file;
  }
  return env;
}

/** apiVersion, kind, a valid name, the release namespace on namespaced objects, and Helm's labels. */
function expectWellFormed(objects: Obj[], namespace = 'flowsight'): void {
  for (const o of objects) {
    expect(typeof o.apiVersion, JSON.stringify(o)).toBe('string');
    expect(typeof o.kind).toBe('string');
    expect(o.metadata?.name, o.kind).toMatch(DNS_1123);
    expect(o.metadata.name.length).toBeLessThanOrEqual(63);
    if (NAMESPACED.has(o.kind)) expect(o.metadata.namespace, o.kind).toBe(namespace);
    else expect(o.metadata.namespace, o.kind).toBeUndefined();
    expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    for (const value of Object.values(o.metadata.labels as Record<string, string>)) expect(value.length, `a label of ${o.kind}`).toBeLessThanOrEqual(63);
  }
}

/** Whether a matchLabels selector picks a pod with these labels. */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string>) => Object.entries(matchLabels).every(([k, v]) => labels[k] === v);

/** Whether a CiliumNetworkPolicy endpoint selector picks a pod of this namespace with these labels. */
const ciliumSelects = (matchLabels: Record<string, string>, namespace: string, labels: Record<string, string>) =>
  Object.entries(matchLabels).every(([k, v]) => (k === 'k8s:io.kubernetes.pod.namespace' ? v === namespace : labels[k.replace(/^k8s:/, '')] === v));

describe('the chart with its default values', () => {
  const { objects, files } = render();

  it('renders well-formed objects, and only the expected kinds', () => {
    expectWellFormed(objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['CiliumNetworkPolicy', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'NetworkPolicy', 'PersistentVolumeClaim', 'Service', 'ServiceAccount'],
    );
    expect(files.get('NOTES.txt')).toContain('kubectl -n flowsight port-forward svc/flowsight 3000:3000');
  });

  it('makes no evidence report CronJob, nor its policies, until reports.schedule is set', () => {
    expect(objects.some((o) => o.kind === 'CronJob')).toBe(false);
    expect(objects.filter((o) => /NetworkPolicy$/.test(o.kind)).map((o) => o.metadata.name)).toEqual(['flowsight', 'flowsight']);
    expect(files.get('cronjob-reports.yaml')!.trim()).toBe('');
    expect(files.get('NOTES.txt')).not.toContain('Evidence reports');
  });

  it('runs one hardened container of node scripts/start.mjs on 0.0.0.0:3000', () => {
    const deployment = only(objects, 'Deployment');
    const pod = deployment.spec.template.spec;
    const c = container(objects);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector.matchLabels).toEqual(only(objects, 'Service').spec.selector);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(c.command).toEqual(['node', 'scripts/start.mjs']);
    expect(envValue(objects, 'FLOWSIGHT_HOST')).toBe('0.0.0.0');
    expect(envValue(objects, 'PORT')).toBe('3000');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http', scheme: 'HTTP' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('writes only to /tmp, the Next cache and the data volume, a claim of managed-csi', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    const volumes: Record<string, Obj> = Object.fromEntries((pod.volumes as Obj[]).map((v) => [v.name, v]));
    const mounts: Record<string, Obj> = Object.fromEntries((container(objects).volumeMounts as Obj[]).map((m) => [m.mountPath, m]));
    expect(volumes[mounts['/tmp'].name].emptyDir).toEqual({});
    expect(volumes[mounts['/app/.next/cache'].name].emptyDir).toEqual({});
    const pvc = only(objects, 'PersistentVolumeClaim');
    expect(volumes[mounts['/data'].name].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(pvc.spec).toMatchObject({ storageClassName: 'managed-csi', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(envValue(objects, 'FLOWSIGHT_DATA_DIR')).toBe('/data');
    // A ReadWriteOnce volume: the old pod must go before the new one mounts it.
    expect(only(objects, 'Deployment').spec.strategy.type).toBe('Recreate');
    for (const m of Object.values(mounts)) {
      if (m.mountPath.startsWith('/etc/flowsight/')) expect(m.readOnly, m.mountPath).toBe(true);
    }
  });

  it('mounts the relay client certificate from the copied Secret and points the variables at its files', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    const relayTls = (pod.volumes as Obj[]).find((v) => v.name === 'relay-tls')!;
    expect(relayTls.secret.secretName).toBe('hubble-relay-client-certs');
    expect(relayTls.secret.items).toEqual([
      { key: 'ca.crt', path: 'ca.crt' },
      { key: 'tls.crt', path: 'tls.crt' },
      { key: 'tls.key', path: 'tls.key' },
    ]);
    const mount = (container(objects).volumeMounts as Obj[]).find((m) => m.name === 'relay-tls')!;
    expect(envValue(objects, 'FLOWSIGHT_RELAY_TLS_CA')).toBe(`${mount.mountPath}/ca.crt`);
    expect(envValue(objects, 'FLOWSIGHT_RELAY_TLS_CERT')).toBe(`${mount.mountPath}/tls.crt`);
    expect(envValue(objects, 'FLOWSIGHT_RELAY_TLS_KEY')).toBe(`${mount.mountPath}/tls.key`);
    expect(envValue(objects, 'FLOWSIGHT_RELAY')).toBe('hubble-relay.kube-system.svc.cluster.local:443');
    expect(envValue(objects, 'FLOWSIGHT_RELAY_TLS_SERVER_NAME')).toBe('instance.hubble-relay.cilium.io');
  });

  it('sets only variables Flowsight reads, secrets only from Secrets, and the configuration loader accepts them', () => {
    const known = knownVariables();
    const names = envOf(objects).map((e) => e.name as string);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(known.has(n), `${n} is not a variable Flowsight reads`).toBe(true);
    for (const e of envOf(objects)) {
      if (SECRET_VARIABLES.includes(e.name)) {
        expect(e.value, e.name).toBeUndefined();
        expect(e.valueFrom.secretKeyRef.name, e.name).toBeTruthy();
      }
    }
    expect(envOf(objects).find((e) => e.name === 'FLOWSIGHT_AUTH_TOKEN')!.valueFrom.secretKeyRef).toEqual({ name: 'flowsight-auth', key: 'token', optional: false });
    const config = loadConfig(podEnvironment(objects));
    expect(config.host).toBe('0.0.0.0');
    expect(config.relay.mode).toBe('relay');
    expect(config.relay.tls?.serverName).toBe('instance.hubble-relay.cilium.io');
    expect(config.history).toMatchObject({ kind: 'chdb', dir: '/data', retentionDays: 7 });
    expect(config.datapath).toBe('cilium');
  });

  it('binds a ClusterRole that only reads, plus creating SubjectAccessReviews', () => {
    const role = only(objects, 'ClusterRole');
    const granted = new Set<string>();
    for (const rule of role.rules as Obj[]) {
      for (const group of rule.apiGroups as string[]) {
        for (const resource of rule.resources as string[]) {
          const id = `${group}/${resource}`;
          if (id === 'authorization.k8s.io/subjectaccessreviews') expect(rule.verbs).toEqual(['create']);
          else expect(rule.verbs, id).toEqual(['get', 'list', 'watch']);
          granted.add(id);
        }
      }
    }
    for (const id of [
      '/namespaces', '/pods', '/services', 'discovery.k8s.io/endpointslices',
      'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs', 'batch/cronjobs',
      'networking.k8s.io/networkpolicies', 'cilium.io/ciliumnetworkpolicies', 'cilium.io/ciliumclusterwidenetworkpolicies',
      'authorization.k8s.io/subjectaccessreviews',
    ]) expect(granted.has(id), id).toBe(true);
    const binding = only(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    const sa = only(objects, 'ServiceAccount');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'flowsight' }]);
    expect(only(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('denies by default with a NetworkPolicy: in only on 3000 from the ingress namespace; out to the relay and DNS', () => {
    const np = only(objects, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(only(objects, 'Deployment').spec.selector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-routing-system' } } }], ports: [{ port: 3000, protocol: 'TCP' }] },
    ]);
    expect(np.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'hubble-relay' } } }],
        ports: [{ port: 4245, protocol: 'TCP' }],
      },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
    ]);
  });

  it('denies by default with a CiliumNetworkPolicy: relay, kube-apiserver, and DNS through the DNS proxy', () => {
    const cnp = only(objects, 'CiliumNetworkPolicy');
    expect(cnp.apiVersion).toBe('cilium.io/v2');
    expect(cnp.spec.endpointSelector.matchLabels).toEqual(only(objects, 'Deployment').spec.selector.matchLabels);
    // Ingress and egress sections both present: Cilium denies everything else in both directions.
    expect(cnp.spec.ingress.length).toBeGreaterThan(0);
    for (const rule of cnp.spec.ingress as Obj[]) expect(rule.toPorts).toEqual([{ ports: [{ port: '3000', protocol: 'TCP' }] }]);
    expect(cnp.spec.ingress.map((r: Obj) => r.fromEntities ?? r.fromEndpoints)).toEqual([
      ['host'],
      [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'app-routing-system' } }],
    ]);
    const [relay, api, dns, ...rest] = cnp.spec.egress as Obj[];
    expect(relay).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'hubble-relay' } }],
      toPorts: [{ ports: [{ port: '4245', protocol: 'TCP' }] }],
    });
    expect(api).toEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(dns).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
    // Without OIDC or Azure reading, nothing leaves the cluster.
    expect(rest).toEqual([]);
  });
});

describe('the chart with everything on', () => {
  const { objects, files } = render([everythingOn]);

  it('adds the Ingress and the ServiceMonitor, and keeps the history in ClickHouse instead of a claim', () => {
    expectWellFormed(objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'ClusterRole', 'ClusterRoleBinding', 'CronJob', 'Deployment', 'Ingress', 'NetworkPolicy', 'NetworkPolicy', 'Service', 'ServiceAccount', 'ServiceMonitor'],
    );
    const data = (only(objects, 'Deployment').spec.template.spec.volumes as Obj[]).find((v) => v.name === 'data')!;
    expect(data.emptyDir).toEqual({});
    expect(only(objects, 'Deployment').spec.strategy.type).toBe('RollingUpdate');
    expect(envOf(objects).find((e) => e.name === 'FLOWSIGHT_CLICKHOUSE_URL')!.valueFrom.secretKeyRef).toEqual({ name: 'flowsight-clickhouse', key: 'url' });
    expect(files.get('NOTES.txt')).toContain('Open https://flowsight.example.com/');
    // With OIDC signing people in, the shared token is optional (the CLI's and the scraper's key when present).
    expect(envOf(objects).find((e) => e.name === 'FLOWSIGHT_AUTH_TOKEN')!.valueFrom.secretKeyRef.optional).toBe(true);
  });

  it('sets the OIDC, trusted proxy, authorization, Azure and TLS variables, secrets from Secrets', () => {
    const known = knownVariables();
    for (const e of envOf(objects)) {
      expect(known.has(e.name), `${e.name} is not a variable Flowsight reads`).toBe(true);
      if (SECRET_VARIABLES.includes(e.name)) {
        expect(e.value, e.name).toBeUndefined();
        expect(e.valueFrom.secretKeyRef.name, e.name).toBeTruthy();
      }
    }
    expect(envOf(objects).find((e) => e.name === 'FLOWSIGHT_OIDC_CLIENT_SECRET')!.valueFrom.secretKeyRef).toEqual({ name: 'flowsight-oidc', key: 'client-secret' });
    expect(envValue(objects, 'FLOWSIGHT_OIDC_ISSUER')).toBe('https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0');
    expect(envValue(objects, 'FLOWSIGHT_OIDC_CLIENT_ID')).toBe('66666666-7777-8888-9999-000000000000');
    expect(envValue(objects, 'FLOWSIGHT_OIDC_ALLOWED_GROUPS')).toBe('aaaaaaaa-0000-0000-0000-000000000001,aaaaaaaa-0000-0000-0000-000000000002');
    expect(envValue(objects, 'FLOWSIGHT_OIDC_GROUPS_CLAIM')).toBe('groups');
    expect(envValue(objects, 'FLOWSIGHT_OIDC_USERNAME_CLAIM')).toBe('email');
    expect(envValue(objects, 'FLOWSIGHT_OIDC_SCOPES')).toBe('openid profile email offline_access');
    expect(envValue(objects, 'FLOWSIGHT_PUBLIC_URL')).toBe('https://flowsight.example.com');
    expect(envValue(objects, 'FLOWSIGHT_TRUSTED_PROXIES')).toBe('10.0.5.4,10.0.5.5');
    expect(envValue(objects, 'FLOWSIGHT_PROXY_USER_HEADER')).toBe('X-Forwarded-User');
    expect(envValue(objects, 'FLOWSIGHT_PROXY_GROUPS_HEADER')).toBe('X-Forwarded-Groups');
    expect(envValue(objects, 'FLOWSIGHT_AUTHZ')).toBe('namespaces');
    expect(envValue(objects, 'FLOWSIGHT_AZURE_RESOURCE_GROUPS')).toBe('rg-aks,rg-network');
    expect(envValue(objects, 'FLOWSIGHT_WINDOW_SECONDS')).toBe('600');
    const config = loadConfig(podEnvironment(objects));
    expect(config.listenTls).not.toBeNull();
    expect(config.history.kind).toBe('clickhouse');
    expect(config.azureArm).toEqual({ subscriptionId: '12345678-aaaa-bbbb-cccc-1234567890ab', resourceGroups: ['rg-aks', 'rg-network'] });
    expect(config.windowSeconds).toBe(600);
  });

  it('serves HTTPS from the TLS Secret: probes, Service, Ingress and ServiceMonitor follow', () => {
    const c = container(objects);
    expect(c.ports[0].name).toBe('https');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    const tls = (only(objects, 'Deployment').spec.template.spec.volumes as Obj[]).find((v) => v.name === 'tls')!;
    expect(tls.secret.secretName).toBe('flowsight-tls');
    const mount = (c.volumeMounts as Obj[]).find((m) => m.name === 'tls')!;
    expect(mount.subPath).toBeUndefined(); // a renewed certificate must reach the pod
    expect(envValue(objects, 'FLOWSIGHT_TLS_CERT')).toBe(`${mount.mountPath}/tls.crt`);
    expect(envValue(objects, 'FLOWSIGHT_TLS_KEY')).toBe(`${mount.mountPath}/tls.key`);
    const service = only(objects, 'Service');
    expect(service.spec.ports).toEqual([{ name: 'https', port: 3000, targetPort: 'https', protocol: 'TCP' }]);
    const ingress = only(objects, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: service.metadata.name, port: { name: 'https' } });
    expect(ingress.spec.tls).toEqual([{ hosts: ['flowsight.example.com'], secretName: 'flowsight-example-com' }]);
    const monitor = only(objects, 'ServiceMonitor');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'https',
        path: '/metrics',
        scheme: 'https',
        interval: '30s',
        scrapeTimeout: '10s',
        authorization: { type: 'Bearer', credentials: { name: 'flowsight-auth', key: 'token' } },
        tlsConfig: { insecureSkipVerify: true },
      },
    ]);
  });

  it('gives workload identity its ServiceAccount annotation and pod label', () => {
    expect(only(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '99999999-8888-7777-6666-555555555555' });
    const labels = only(objects, 'Deployment').spec.template.metadata.labels;
    expect(labels['azure.workload.identity/use']).toBe('true');
    expect(labels.team).toBe('platform');
  });

  it('lists every egress of the NetworkPolicy explicitly: relay, API server, DNS, then the extra rules', () => {
    const np = only(objects, 'NetworkPolicy', 'flowsight');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egress = np.spec.egress as Obj[];
    expect(egress.map((r) => r.ports)).toEqual([
      [{ port: 4245, protocol: 'TCP' }],
      [{ port: 443, protocol: 'TCP' }],
      [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      [{ port: 8443, protocol: 'TCP' }],
    ]);
    expect(egress[1].to).toEqual([{ ipBlock: { cidr: '20.50.1.2/32' } }]);
    expect(egress.some((r) => (r.to as Obj[] | undefined)?.some((p) => p.ipBlock?.cidr === '0.0.0.0/0') || !r.to)).toBe(false);
    expect(np.spec.ingress[0].from[1]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    });
  });

  it('opens the OIDC issuer and ARM by name in the CiliumNetworkPolicy, with the DNS rule that makes toFQDNs work', () => {
    const egress = only(objects, 'CiliumNetworkPolicy', 'flowsight').spec.egress as Obj[];
    const fqdns = egress.filter((r) => r.toFQDNs).map((r) => [r.toFQDNs.map((f: Obj) => f.matchName), r.toPorts[0].ports[0].port]);
    expect(fqdns).toEqual([
      [['login.microsoftonline.com'], '443'],
      [['management.azure.com', 'login.microsoftonline.com'], '443'],
      [['clickhouse.example.com'], '8443'],
    ]);
    expect(egress.find((r) => r.toPorts?.[0].rules?.dns)!.toPorts[0].rules.dns).toEqual([{ matchPattern: '*' }]);
    expect(egress.some((r) => r.toEntities?.includes('world') || r.toCIDR?.includes('0.0.0.0/0'))).toBe(false);
  });
});

describe('the chart with scheduled evidence reports', () => {
  const schedule = { reports: { schedule: '0 6 * * *' } };
  const { objects, files } = render([schedule]);
  const cronJob = only(objects, 'CronJob');
  const jobPod = cronJob.spec.jobTemplate.spec.template as Obj;
  const reportContainer = (pod: Obj): Obj => {
    expect(pod.spec.containers).toHaveLength(1);
    return pod.spec.containers[0];
  };
  const serverPodLabels = only(objects, 'Deployment').spec.template.metadata.labels as Record<string, string>;
  const reportPodLabels = jobPod.metadata.labels as Record<string, string>;

  it('adds a CronJob that runs flowsight report on the schedule, one run at a time', () => {
    expectWellFormed(objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'ClusterRole', 'ClusterRoleBinding', 'CronJob', 'Deployment', 'NetworkPolicy', 'NetworkPolicy', 'PersistentVolumeClaim', 'Service', 'ServiceAccount'],
    );
    expect(cronJob.apiVersion).toBe('batch/v1');
    expect(cronJob.metadata.name).toBe('flowsight-reports');
    expect(cronJob.spec).toMatchObject({ schedule: '0 6 * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(cronJob.spec.jobTemplate.spec.backoffLimit).toBe(1);
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(jobPod.spec.restartPolicy).toBe('Never');
    expect(reportContainer(jobPod).command).toEqual(['node', 'bin/flowsight.mjs', 'report', '--out', '/evidence', '--since', '24h', '--url', 'http://flowsight.flowsight.svc:3000', '--quiet']);
    expect(files.get('NOTES.txt')).toContain('kubectl -n flowsight create job --from=cronjob/flowsight-reports flowsight-reports-now');
  });

  it("points the CLI at the release's Service, with options the report command has", () => {
    const command = reportContainer(jobPod).command as string[];
    const service = only(objects, 'Service');
    const url = new URL(command[command.indexOf('--url') + 1]);
    expect(url.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    expect(url.port).toBe(String(service.spec.ports[0].port));
    expect(url.protocol).toBe(`${service.spec.ports[0].name}:`);
    // The command line as the CLI parses it: every flag is one of `flowsight report`'s.
    const program = new Command();
    registerReport(program);
    const report = program.commands.find((c) => c.name() === 'report')!;
    const flags = new Set(report.options.flatMap((o) => [o.long, o.short].filter(Boolean)));
    expect(command.slice(0, 3)).toEqual(['node', 'bin/flowsight.mjs', 'report']);
    for (const arg of command.slice(3)) if (arg.startsWith('-')) expect(flags.has(arg), arg).toBe(true);
    expect(fs.existsSync(path.join(root, command[1]))).toBe(true);
  });

  it('passes --since and one --namespace per namespace, in a form the CLI accepts', () => {
    const { objects: scoped } = render([{ reports: { schedule: '@daily', since: '7d', namespaces: ['payments', 'production'] } }]);
    const command = reportContainer(only(scoped, 'CronJob').spec.jobTemplate.spec.template).command as string[];
    expect(command.slice(5)).toEqual(['--since', '7d', '--namespace', 'payments', '--namespace', 'production', '--url', 'http://flowsight.flowsight.svc:3000', '--quiet']);
    expect(reportBody({ since: '7d', namespace: ['payments', 'production'] }).namespaces).toEqual(['payments', 'production']);
    // An empty since is the CLI's default range.
    const { objects: empty } = render([{ reports: { schedule: '@daily', since: '' } }]);
    expect(reportContainer(only(empty, 'CronJob').spec.jobTemplate.spec.template).command).toContain('24h');
  });

  it("signs in with the access token from the server's Secret and key, which the CronJob cannot do without", () => {
    const env = reportContainer(jobPod).env as Obj[];
    expect(env).toEqual([{ name: 'FLOWSIGHT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'flowsight-auth', key: 'token' } } }]);
    const server = envOf(objects).find((e) => e.name === 'FLOWSIGHT_AUTH_TOKEN')!.valueFrom.secretKeyRef;
    expect(env[0].valueFrom.secretKeyRef).toEqual({ name: server.name, key: server.key });
    const { objects: custom } = render([schedule, { auth: { existingSecret: 'dashboard-auth', tokenKey: 'api-token' } }]);
    expect(reportContainer(only(custom, 'CronJob').spec.jobTemplate.spec.template).env[0].valueFrom.secretKeyRef).toEqual({ name: 'dashboard-auth', key: 'api-token' });
  });

  it('runs hardened as the server does: same image and security contexts, no API token, no service links', () => {
    const server = only(objects, 'Deployment').spec.template.spec;
    const c = reportContainer(jobPod);
    expect(c.image).toBe(container(objects).image);
    expect(c.imagePullPolicy).toBe(container(objects).imagePullPolicy);
    expect(jobPod.spec.securityContext).toEqual(server.securityContext);
    expect(c.securityContext).toEqual(container(objects).securityContext);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(jobPod.spec.automountServiceAccountToken).toBe(false);
    expect(jobPod.spec.enableServiceLinks).toBe(false);
    expect(jobPod.spec.nodeSelector).toEqual(server.nodeSelector);
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  });

  it('writes only to /tmp and /evidence: emptyDirs, or the claim named for the evidence', () => {
    const volumes = (pod: Obj): Record<string, Obj> => Object.fromEntries((pod.spec.volumes as Obj[]).map((v) => [v.name, v]));
    const mounts = (pod: Obj): Record<string, Obj> => Object.fromEntries((reportContainer(pod).volumeMounts as Obj[]).map((m) => [m.mountPath, m]));
    expect(Object.keys(mounts(jobPod)).sort()).toEqual(['/evidence', '/tmp']);
    expect(volumes(jobPod)[mounts(jobPod)['/tmp'].name].emptyDir).toEqual({});
    expect(volumes(jobPod)[mounts(jobPod)['/evidence'].name].emptyDir).toEqual({});
    const kept = only(render([{ reports: { schedule: '@daily', persistentVolumeClaim: 'flowsight-evidence' } }]).objects, 'CronJob').spec.jobTemplate.spec.template;
    expect(volumes(kept)[mounts(kept)['/evidence'].name]).toEqual({ name: 'evidence', persistentVolumeClaim: { claimName: 'flowsight-evidence' } });
  });

  it("labels its pods so that the Deployment, the Service and the server's policies never select them", () => {
    expect(reportPodLabels['app.kubernetes.io/component']).toBe('reports');
    expect(reportPodLabels['app.kubernetes.io/instance']).toBe('flowsight');
    expect(cronJob.metadata.labels['app.kubernetes.io/component']).toBe('reports');
    expect(selects(only(objects, 'Deployment').spec.selector.matchLabels, reportPodLabels)).toBe(false);
    expect(selects(only(objects, 'Service').spec.selector, reportPodLabels)).toBe(false);
    expect(selects(only(objects, 'NetworkPolicy', 'flowsight').spec.podSelector.matchLabels, reportPodLabels)).toBe(false);
    expect(ciliumSelects(only(objects, 'CiliumNetworkPolicy', 'flowsight').spec.endpointSelector.matchLabels, 'flowsight', reportPodLabels)).toBe(false);
    // ... and the report pods' own policies do not select the server.
    expect(selects(only(objects, 'NetworkPolicy', 'flowsight-reports').spec.podSelector.matchLabels, serverPodLabels)).toBe(false);
    expect(ciliumSelects(only(objects, 'CiliumNetworkPolicy', 'flowsight-reports').spec.endpointSelector.matchLabels, 'flowsight', serverPodLabels)).toBe(false);
  });

  it("NetworkPolicy: the report pod reaches DNS and the server's port only, and the server admits it", () => {
    const serverPort = container(objects).ports[0].containerPort;
    const mine = only(objects, 'NetworkPolicy', 'flowsight-reports');
    expect(selects(mine.spec.podSelector.matchLabels, reportPodLabels)).toBe(true);
    expect(mine.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(mine.spec.ingress).toBeUndefined();
    const [toServer, dns, ...rest] = mine.spec.egress as Obj[];
    expect(toServer.to).toHaveLength(1);
    expect(toServer.to[0].namespaceSelector).toBeUndefined(); // the policy's own namespace
    expect(selects(toServer.to[0].podSelector.matchLabels, serverPodLabels)).toBe(true);
    expect(toServer.ports).toEqual([{ port: serverPort, protocol: 'TCP' }]);
    expect(dns).toEqual(only(objects, 'NetworkPolicy', 'flowsight').spec.egress.find((r: Obj) => r.ports[0].port === 53));
    expect(rest).toEqual([]);
    const server = only(objects, 'NetworkPolicy', 'flowsight');
    const admits = (server.spec.ingress as Obj[]).filter((r) => r.from.some((f: Obj) => !f.namespaceSelector && f.podSelector && selects(f.podSelector.matchLabels, reportPodLabels)));
    expect(admits).toHaveLength(1);
    expect(admits[0].ports).toEqual([{ port: serverPort, protocol: 'TCP' }]);
    // The configured sources still come first, unchanged.
    expect(server.spec.ingress[0]).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'app-routing-system' } } }], ports: [{ port: 3000, protocol: 'TCP' }] });
    // With no configured source, the report pod alone is admitted.
    const closed = render([schedule, { networkPolicy: { ingressFrom: [] } }]).objects;
    expect(only(closed, 'NetworkPolicy', 'flowsight').spec.ingress).toEqual([admits[0]]);
  });

  it("CiliumNetworkPolicy: the report pod reaches DNS through the proxy and the server's port only, and the server admits it", () => {
    const mine = only(objects, 'CiliumNetworkPolicy', 'flowsight-reports');
    expect(ciliumSelects(mine.spec.endpointSelector.matchLabels, 'flowsight', reportPodLabels)).toBe(true);
    // An empty ingress rule: default deny at ingress, nothing admitted.
    expect(mine.spec.ingress).toEqual([{}]);
    const [toServer, dns, ...rest] = mine.spec.egress as Obj[];
    expect(toServer.toEndpoints).toHaveLength(1);
    expect(ciliumSelects(toServer.toEndpoints[0].matchLabels, 'flowsight', serverPodLabels)).toBe(true);
    expect(ciliumSelects(toServer.toEndpoints[0].matchLabels, 'other', serverPodLabels)).toBe(false);
    expect(toServer.toPorts).toEqual([{ ports: [{ port: '3000', protocol: 'TCP' }] }]);
    expect(dns).toEqual(only(objects, 'CiliumNetworkPolicy', 'flowsight').spec.egress.find((r: Obj) => r.toPorts[0].rules?.dns));
    expect(rest).toEqual([]);
    const server = only(objects, 'CiliumNetworkPolicy', 'flowsight');
    const admits = (server.spec.ingress as Obj[]).filter((r) => r.fromEndpoints?.some((e: Obj) => ciliumSelects(e.matchLabels, 'flowsight', reportPodLabels)));
    expect(admits).toHaveLength(1);
    expect(admits[0].toPorts).toEqual([{ ports: [{ port: '3000', protocol: 'TCP' }] }]);
    expect(admits[0].fromEndpoints.some((e: Obj) => ciliumSelects(e.matchLabels, 'other', reportPodLabels))).toBe(false);
  });

  it('leaves out the policy of a kind that is off', () => {
    const kubernetesOnly = render([schedule, { networkPolicy: { cilium: { enabled: false }, kubernetes: { apiServerCIDRs: ['10.1.0.4/32'] } } }]).objects;
    expect(kubernetesOnly.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(2);
    expect(kubernetesOnly.some((o) => o.kind === 'CiliumNetworkPolicy')).toBe(false);
    const none = render([schedule, { networkPolicy: { cilium: { enabled: false }, kubernetes: { enabled: false } } }]).objects;
    expect(none.some((o) => /NetworkPolicy$/.test(o.kind))).toBe(false);
    expect(only(none, 'CronJob').metadata.name).toBe('flowsight-reports');
  });

  it("follows the server's TLS (https URL) and keeps the pod port in the policies whatever the Service's port", () => {
    const tls = render([schedule, { tls: { existingSecret: 'flowsight-tls' }, service: { port: 443 } }]).objects;
    const command = reportContainer(only(tls, 'CronJob').spec.jobTemplate.spec.template).command as string[];
    expect(command[command.indexOf('--url') + 1]).toBe('https://flowsight.flowsight.svc:443');
    expect(only(tls, 'NetworkPolicy', 'flowsight-reports').spec.egress[0].ports).toEqual([{ port: 3000, protocol: 'TCP' }]);
    expect(only(tls, 'CiliumNetworkPolicy', 'flowsight-reports').spec.egress[0].toPorts).toEqual([{ ports: [{ port: '3000', protocol: 'TCP' }] }]);
  });

  it('with everything on: scheduling, pull secrets, the evidence claim, a CA for NODE_EXTRA_CA_CERTS; the token required though OIDC signs people in', () => {
    const all = render([everythingOn, { imagePullSecrets: [{ name: 'acr-pull' }] }]).objects;
    const pod = only(all, 'CronJob').spec.jobTemplate.spec.template;
    const server = only(all, 'Deployment').spec.template.spec;
    const c = reportContainer(pod);
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'acr-pull' }]);
    expect(pod.spec.imagePullSecrets).toEqual(server.imagePullSecrets);
    expect(pod.spec.tolerations).toEqual(server.tolerations);
    expect(pod.spec.nodeSelector).toEqual(server.nodeSelector);
    expect(c.image).toBe('myregistry.azurecr.io/flowsight:0.1.0-test');
    expect(c.command).toEqual(['node', 'bin/flowsight.mjs', 'report', '--out', '/evidence', '--since', '7d', '--namespace', 'payments', '--namespace', 'production', '--url', 'https://flowsight.flowsight.svc:3000', '--quiet']);
    expect(c.env).toEqual([
      { name: 'FLOWSIGHT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'flowsight-auth', key: 'token' } } },
      { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/flowsight/ca/ca.crt' },
    ]);
    // The server may run without the token here (OIDC); the CronJob's reference is not optional.
    expect(envOf(all).find((e) => e.name === 'FLOWSIGHT_AUTH_TOKEN')!.valueFrom.secretKeyRef.optional).toBe(true);
    expect(c.volumeMounts).toContainEqual({ name: 'ca', mountPath: '/etc/flowsight/ca', readOnly: true });
    expect(pod.spec.volumes).toContainEqual({ name: 'evidence', persistentVolumeClaim: { claimName: 'flowsight-evidence' } });
    expect(pod.spec.volumes).toContainEqual({ name: 'ca', secret: { secretName: 'flowsight-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    // The server's pod labels (podLabels, workload identity) stay the server's.
    expect(pod.metadata.labels.team).toBeUndefined();
    expect(pod.metadata.labels['azure.workload.identity/use']).toBeUndefined();
  });

  it('refuses a schedule without the access token or without the history', () => {
    expect(() => render([schedule, { auth: { existingSecret: '' } }])).toThrow(/reports\.schedule: the report CronJob signs in with the access token/);
    expect(() => render([schedule, { auth: { tokenKey: '' } }])).toThrow(/set auth\.existingSecret and auth\.tokenKey/);
    expect(() => render([schedule, { history: { enabled: false } }])).toThrow(/reports\.schedule: an evidence report reads the flow history/);
  });

  it('keeps the names within Kubernetes limits for a long release name', () => {
    const release = 'a-very-long-release-name-for-the-network-security-dashboard';
    const { objects: long } = render([schedule], { releaseName: release, namespace: 'observability' });
    expectWellFormed(long.filter((o) => o.metadata.labels['app.kubernetes.io/component'] === 'reports'), 'observability');
    const job = only(long, 'CronJob');
    // A CronJob's Jobs add 11 characters to its name, and names stay within 63.
    expect(job.metadata.name.length).toBeLessThanOrEqual(52);
    expect(job.metadata.name).toMatch(/-reports$/);
    const command = reportContainer(job.spec.jobTemplate.spec.template).command as string[];
    expect(command[command.indexOf('--url') + 1]).toBe(`http://${only(long, 'Service').metadata.name}.observability.svc:3000`);
  });
});

describe('the chart with other values', () => {
  it('refuses a NetworkPolicy alone without the API server address, and uses it when given', () => {
    const npOnly = { networkPolicy: { cilium: { enabled: false } } };
    expect(() => render([npOnly])).toThrow(/networkPolicy\.kubernetes\.apiServerCIDRs/);
    const { objects } = render([npOnly, { networkPolicy: { kubernetes: { apiServerCIDRs: ['10.1.0.4/32'] } } }]);
    expect(objects.some((o) => o.kind === 'CiliumNetworkPolicy')).toBe(false);
    expect(only(objects, 'NetworkPolicy').spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.1.0.4/32' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });

  it('refuses OIDC without the public URL, and namespace-scoped access without named users', () => {
    expect(() => render([{ oidc: { issuer: 'https://login.microsoftonline.com/t/v2.0', clientId: 'c' } }])).toThrow(/publicUrl/);
    expect(() => render([{ authz: 'namespaces' }])).toThrow(/authz: namespaces needs named users/);
    expect(envValue(render([{ authz: 'namespaces', trustedProxy: { cidrs: ['10.0.5.4'] } }]).objects, 'FLOWSIGHT_AUTHZ')).toBe('namespaces');
  });

  it('leaves both policies out when asked, and denies all ingress when no source is allowed', () => {
    const off = render([{ networkPolicy: { kubernetes: { enabled: false }, cilium: { enabled: false } } }]).objects;
    expect(off.some((o) => o.kind === 'NetworkPolicy' || o.kind === 'CiliumNetworkPolicy')).toBe(false);
    const closed = render([{ networkPolicy: { ingressFrom: [] } }]).objects;
    expect(only(closed, 'NetworkPolicy').spec.ingress).toBeUndefined();
    expect(only(closed, 'NetworkPolicy').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(only(closed, 'CiliumNetworkPolicy').spec.ingress.map((r: Obj) => r.fromEntities)).toEqual([['host']]);
  });

  it('runs without history or relay TLS', () => {
    const { objects } = render([{ history: { enabled: false }, relay: { address: 'hubble-relay.kube-system.svc.cluster.local:80', tls: { enabled: false, serverName: '' } } }]);
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(envValue(objects, 'FLOWSIGHT_HISTORY')).toBe('off');
    const names = envOf(objects).map((e) => e.name);
    expect(names).not.toContain('FLOWSIGHT_RETENTION_DAYS');
    expect(names.filter((n) => n.startsWith('FLOWSIGHT_RELAY_TLS'))).toEqual([]);
    expect((only(objects, 'Deployment').spec.template.spec.volumes as Obj[]).map((v) => v.name)).toEqual(['tmp', 'next-cache', 'data']);
    const config = loadConfig(podEnvironment(objects));
    expect(config.relay.tls).toBeNull();
    expect(config.history.kind).toBe('off');
  });

  it('names objects after the release, and cluster-wide ones after its namespace too', () => {
    const mine = render([], { releaseName: 'netsec', namespace: 'observability' }).objects;
    expect(only(mine, 'Deployment').metadata.name).toBe('netsec-flowsight');
    expect(only(mine, 'ClusterRole').metadata.name).toBe('observability-netsec-flowsight');
    expect(only(mine, 'ClusterRoleBinding').subjects[0]).toEqual({ kind: 'ServiceAccount', name: 'netsec-flowsight', namespace: 'observability' });
    const named = render([], { releaseName: 'flowsight-prod' }).objects;
    expect(only(named, 'Deployment').metadata.name).toBe('flowsight-prod');
  });

  it('renders an ingress source without podLabels as Helm does (a missing key is empty)', () => {
    const { objects } = render([{ networkPolicy: { ingressFrom: [{ namespace: 'ingress-nginx' }] } }], { strict: false });
    expect(only(objects, 'NetworkPolicy').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
  });
});

describe('values.yaml, values.schema.json and Chart.yaml', () => {
  const schema = z.fromJSONSchema(JSON.parse(fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8')));

  it('accepts the default values and the everything-on values', () => {
    expect(schema.safeParse(defaults).error?.issues).toBeUndefined();
    expect(schema.safeParse(everythingOn).error?.issues).toBeUndefined();
  });

  it('rejects a misspelt key at any level, and values of the wrong kind', () => {
    const cases: [string, (v: Obj) => void][] = [
      ['persistance', (v) => (v.persistance = { enabled: false })],
      ['relay.tls.existingSecrett', (v) => (v.relay.tls.existingSecrett = 'x')],
      ['oidc.clientSecret.name', (v) => (v.oidc.clientSecret.name = 'x')],
      ['networkPolicy.cilium.enable', (v) => (v.networkPolicy.cilium.enable = false)],
      ['networkPolicy.ingressFrom[0].namespaces', (v) => (v.networkPolicy.ingressFrom[0].namespaces = 'x')],
      ['history.retentionDays 7.5', (v) => (v.history.retentionDays = 7.5)],
      ['authz all', (v) => (v.authz = 'all')],
      ['datapath calico', (v) => (v.datapath = 'calico')],
      ['azure.subscription not a GUID', (v) => (v.azure.subscription = 'my-subscription')],
      ['publicUrl with a path', (v) => (v.publicUrl = 'https://example.com/flowsight')],
      ['oidc.scopes without openid', (v) => (v.oidc.scopes = 'profile email')],
      ['auth.existingSecret empty', (v) => (v.auth.existingSecret = '')],
      ['extraEnv number value', (v) => (v.extraEnv = [{ name: 'FLOWSIGHT_WINDOW_SECONDS', value: 600 }])],
      ['reports.shedule', (v) => (v.reports.shedule = '@daily')],
      ['reports.schedule of four fields', (v) => (v.reports.schedule = '0 6 * *')],
      ['reports.since with a space', (v) => (v.reports.since = '24 h')],
      ['reports.since a date', (v) => (v.reports.since = '2026-11-28T10:00:00Z')],
      ['reports.namespaces not a name', (v) => (v.reports.namespaces = ['Payments'])],
      ['reports.namespaces a string', (v) => (v.reports.namespaces = 'payments')],
      ['reports.persistentVolumeClaim not a name', (v) => (v.reports.persistentVolumeClaim = 'Evidence Claim')],
      ['reports.extraVolumeMounts without a path', (v) => (v.reports.extraVolumeMounts = [{ name: 'ca' }])],
    ];
    for (const [what, change] of cases) {
      const v = structuredClone(defaults);
      change(v);
      expect(schema.safeParse(v).success, what).toBe(false);
    }
  });

  it('documents every value with a comment and holds no secret', () => {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
    const undocumented: string[] = [];
    const walk = (node: YamlNode | null, at: string, inherited: boolean) => {
      if (isMap(node)) {
        node.items.forEach((pair, i) => {
          const key = String((pair.key as { value: unknown }).value);
          const comment = (pair.key as YamlNode).commentBefore || (i === 0 && (node.commentBefore || inherited));
          if (!comment) undocumented.push(`${at}${key}`);
          walk(pair.value as YamlNode, `${at}${key}.`, false);
        });
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item as YamlNode, `${at}${i}.`, !!((item as YamlNode).commentBefore || (i === 0 && node.commentBefore))));
      }
    };
    walk(doc.contents as YamlNode, '', false);
    expect(undocumented).toEqual([]);
    // Secrets are referenced by Secret name and key, never given.
    const leaves = (v: unknown, at: string): [string, unknown][] =>
      v && typeof v === 'object' ? Object.entries(v).flatMap(([k, c]) => leaves(c, at ? `${at}.${k}` : k)) : [[at, v]];
    for (const [at, value] of leaves(defaults, '')) {
      if (/token|secret|password|credential/i.test(at) && value !== '' && typeof value === 'string') {
        expect(at, `${at} looks like a secret value`).toMatch(/(existingSecret|Key|\.key|tokenKey)$/);
      }
    }
    expect(render().objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('has a Chart.yaml Helm accepts, versioned like the app, and an image that agrees with the chart', () => {
    const chart = readYaml(path.join(chartDir, 'Chart.yaml'));
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe(path.basename(chartDir));
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart.appVersion).toBe(readYaml(path.join(root, 'package.json')).version);
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "scripts\/start\.mjs"\]$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production FLOWSIGHT_HOST=0\.0\.0\.0 /m);
    // The runtime stage has the Chromium that renders evidence reports where the server looks for it,
    // installed before the sources are copied (a source change keeps that layer).
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const install = runtime.search(/apt-get install -y --no-install-recommends chromium fonts-dejavu-core/);
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(runtime.indexOf('\nCOPY '));
    expect(runtime).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
    expect(runtime).toMatch(new RegExp(`^ENV CHROMIUM_PATH=${loadConfig({}).chromiumPath} `, 'm'));
  });
});

describe('the template renderer (go-template.ts)', () => {
  const run = (source: string, values: Obj = {}) => {
    const dir = fs.mkdtempSync(path.join(scratch, 'chart-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: t\nversion: 1.0.0\nappVersion: "1"\n');
    fs.writeFileSync(path.join(dir, 'values.yaml'), YAML.stringify(values));
    fs.writeFileSync(path.join(dir, 'templates', 't.txt'), source);
    return renderChart(dir).files.get('t.txt');
  };

  it('trims around {{- and -}}, and keeps text otherwise', () => {
    expect(run('a  {{- "b" -}}  c {{ "d" }} e')).toBe('abc d e');
    expect(run('x\n{{- /* gone */}}\ny')).toBe('x\ny');
  });

  it('follows Go for if / else if / else, range, variables and and/or', () => {
    const values = { n: 0, list: ['a', 'b'], map: { z: 1, a: 2 }, s: 'x' };
    expect(run('{{ if .Values.n }}1{{ else if .Values.s }}2{{ else }}3{{ end }}', values)).toBe('2');
    expect(run('{{ range .Values.list }}[{{ . }}]{{ end }}', values)).toBe('[a][b]');
    expect(run('{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }};{{ end }}', values)).toBe('a=2;z=1;');
    expect(run('{{ range .Values.none }}x{{ else }}empty{{ end }}', { none: [] })).toBe('empty');
    expect(run('{{ $a := "1" }}{{ if true }}{{ $a = "2" }}{{ end }}{{ $a }}', values)).toBe('2');
    expect(run('{{ or .Values.n .Values.s }}|{{ and .Values.s .Values.n }}', values)).toBe('x|0');
    expect(run('{{ range .Values.list }}{{ $.Values.s }}{{ end }}', values)).toBe('xx');
  });

  it('implements the Sprig functions the chart uses', () => {
    expect(run('{{ .Values.m | toYaml | nindent 2 }}', { m: { b: 1, a: [true] } })).toBe('\n  a:\n  - true\n  b: 1');
    expect(run('{{ default "d" .Values.e }} {{ default "d" .Values.s }} {{ .Values.n | quote }}', { e: '', s: 's', n: 7 })).toBe('d s "7"');
    expect(run('{{ printf "%s-%s" "a" "b" | trunc 3 | trimSuffix "-" }} {{ join "," .Values.l }} {{ contains "b" "abc" }}', { l: ['x', 'y'] })).toBe('a-b x,y true');
    expect(run('{{ define "n" }}<{{ . }}>{{ end }}{{ include "n" "v" }}')).toBe('<v>');
  });

  it('refuses what is outside the subset or what Helm would render differently', () => {
    expect(() => run('{{ upper "x" }}')).toThrow(TemplateError);
    expect(() => run('{{ with .Values }}x{{ end }}')).toThrow(/outside the supported subset/);
    expect(() => run('{{ eq .Values.n "1" }}', { n: 1 })).toThrow(/incompatible types/);
    expect(() => run('{{ .Values.missing }}')).toThrow(/not defined/);
    expect(() => run('{{ .Values.m }}', { m: { a: 1 } })).toThrow(/toYaml/);
    expect(() => run('{{ .Values.n }}', { n: 1000000 })).toThrow(/exponent/);
    expect(() => run('{{ fail "no" }}')).toThrow(/fail: no/);
    expect(() => parseTemplate('{{ if true }}', 'x')).toThrow(/without end/);
  });
});
