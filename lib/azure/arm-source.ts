/**
 * The live Azure source: ARM through `@azure/arm-network` with a `TokenCredential` (DefaultAzureCredential
 * by default). Each resource type of each resource group is listed on its own, so a 403 on firewalls
 * or a missing group becomes one source error while everything else loads. The SDK's pipeline retries
 * 429 responses after their Retry-After. Resources referenced from another group (AKS puts the node
 * NSG and scale-set NICs in the MC_ group) are fetched by id. Service tag ranges come from the Service
 * Tags API (`serviceTags.list`), so rules naming `AzureCloud.<region>` or `Storage` can be evaluated.
 */

import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { NetworkManagementClient, type NetworkManagementClientOptionalParams } from '@azure/arm-network';
import type { ResourceKind } from './resource-kind';
import { nameFromId, SnapshotAssembler } from './snapshot-assembler';
import type { AzureSnapshot, AzureSource, SourceError } from './types';

export interface ArmSourceOptions {
  subscriptionId: string;
  /** Resource groups to read; empty reads the whole subscription. */
  resourceGroups: string[];
  credential?: TokenCredential;
  /** ARM endpoint, e.g. https://management.usgovcloudapi.net for sovereign clouds. */
  endpoint?: string;
  /** Extra SDK client options (pipeline policies, retry options). */
  clientOptions?: NetworkManagementClientOptionalParams;
  /**
   * Region to ask the Service Tags API with; it selects the list's version, not which regions are
   * returned. Defaults to the location of the first VNet, NSG, firewall or policy loaded.
   */
  serviceTagsLocation?: string;
}

export const SIGN_IN_HELP =
  'sign in with `az login` (Azure CLI), or run where a managed identity is assigned, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE for workload identity)';

type Lister = (client: NetworkManagementClient, rg: string | undefined) => AsyncIterable<unknown>;

/** What we list per resource group (or per subscription when no group is given). */
const LISTS: { kind: ResourceKind; type: string; list: Lister }[] = [
  { kind: 'virtualNetwork', type: 'Microsoft.Network/virtualNetworks', list: (c, rg) => (rg ? c.virtualNetworks.list(rg) : c.virtualNetworks.listAll()) },
  { kind: 'networkSecurityGroup', type: 'Microsoft.Network/networkSecurityGroups', list: (c, rg) => (rg ? c.networkSecurityGroups.list(rg) : c.networkSecurityGroups.listAll()) },
  { kind: 'networkInterface', type: 'Microsoft.Network/networkInterfaces', list: (c, rg) => (rg ? c.networkInterfaces.list(rg) : c.networkInterfaces.listAll()) },
  { kind: 'routeTable', type: 'Microsoft.Network/routeTables', list: (c, rg) => (rg ? c.routeTables.list(rg) : c.routeTables.listAll()) },
  { kind: 'natGateway', type: 'Microsoft.Network/natGateways', list: (c, rg) => (rg ? c.natGateways.list(rg) : c.natGateways.listAll()) },
  { kind: 'azureFirewall', type: 'Microsoft.Network/azureFirewalls', list: (c, rg) => (rg ? c.azureFirewalls.list(rg) : c.azureFirewalls.listAll()) },
  { kind: 'firewallPolicy', type: 'Microsoft.Network/firewallPolicies', list: (c, rg) => (rg ? c.firewallPolicies.list(rg) : c.firewallPolicies.listAll()) },
];

function parseId(id: string): { resourceGroup: string; name: string } | undefined {
  const m = /\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)/i.exec(id);
  return m ? { resourceGroup: m[1], name: m[2] } : undefined;
}

export class ArmAzureSource implements AzureSource {
  readonly kind = 'arm' as const;
  constructor(private readonly options: ArmSourceOptions) {}

  async load(): Promise<AzureSnapshot> {
    const { subscriptionId, resourceGroups } = this.options;
    const origin = `subscription ${subscriptionId}${resourceGroups.length ? `, resource groups ${resourceGroups.join(', ')}` : ''}`;
    const assembler = new SnapshotAssembler('arm', origin);
    const credential = this.options.credential ?? new DefaultAzureCredential();
    const endpoint = (this.options.endpoint ?? 'https://management.azure.com').replace(/\/$/, '');

    const signInError = await checkCredential(credential, `${endpoint}/.default`);
    if (signInError) {
      assembler.addError(signInError);
      return assembler.finish();
    }
    const client = new NetworkManagementClient(credential, subscriptionId, { ...this.options.clientOptions, endpoint, $host: endpoint });
    const collected: Partial<Record<ResourceKind, unknown[]>> = {};
    const collect = async (kind: ResourceKind, resource: string, iterable: () => AsyncIterable<unknown>) => {
      const items = await listSafely(iterable, resource, assembler);
      for (const item of items) assembler.addRaw(item, { resourceType: resource }, kind);
      (collected[kind] ??= []).push(...items);
    };

    const groups = resourceGroups.length ? resourceGroups : [undefined];
    await Promise.all(groups.flatMap((rg) => LISTS.map((l) => collect(l.kind, `${l.type}${rg ? ` in ${rg}` : ''}`, () => l.list(client, rg)))));

    // Rule collection groups are child resources: list them for every policy.
    await Promise.all(
      (collected.firewallPolicy ?? []).map((p) => {
        const ref = parseId((p as { id?: string }).id ?? '');
        if (!ref) return undefined;
        return collect('ruleCollectionGroup', `rule collection groups of ${ref.name}`, () => client.firewallPolicyRuleCollectionGroups.list(ref.resourceGroup, ref.name));
      }),
    );
    await this.fetchReferenced(client, collected, collect);
    await this.loadServiceTags(client, collected, assembler);
    return assembler.finish();
  }

  /** Azure's published service tags for the subscription's cloud; a failure is one source error. */
  private async loadServiceTags(client: NetworkManagementClient, collected: Partial<Record<ResourceKind, unknown[]>>, assembler: SnapshotAssembler): Promise<void> {
    const location = this.options.serviceTagsLocation ?? firstLocation(collected);
    if (!location) return; // nothing was loaded, so no rule needs a tag
    const resource = `service tags (Microsoft.Network/locations/${location}/serviceTags)`;
    try {
      const list = await client.serviceTags.list(location);
      assembler.addRaw(list, { resourceType: `Service Tags API (${location})` }, 'serviceTagList');
    } catch (err) {
      assembler.addError(armError(err, resource));
    }
  }

  /** NSGs, route tables, policies and scale-set NICs referenced from the loaded resources but living elsewhere. */
  private async fetchReferenced(
    client: NetworkManagementClient,
    collected: Partial<Record<ResourceKind, unknown[]>>,
    collect: (kind: ResourceKind, resource: string, iterable: () => AsyncIterable<unknown>) => Promise<void>,
  ): Promise<void> {
    const loaded = (kind: ResourceKind) => new Set((collected[kind] ?? []).map((r) => ((r as { id?: string }).id ?? '').toLowerCase()));
    const refs = collectReferences(collected);
    const nsgs = loaded('networkSecurityGroup');
    const tables = loaded('routeTable');
    const policies = loaded('firewallPolicy');
    const single = (id: string, kind: ResourceKind, get: (rg: string, name: string) => Promise<unknown>) =>
      collect(kind, id, async function* () {
        const ref = parseId(id);
        if (ref) yield await get(ref.resourceGroup, ref.name);
      });
    await Promise.all([
      ...refs.nsgIds.filter((id) => !nsgs.has(id.toLowerCase())).map((id) => single(id, 'networkSecurityGroup', (rg, n) => client.networkSecurityGroups.get(rg, n))),
      ...refs.routeTableIds.filter((id) => !tables.has(id.toLowerCase())).map((id) => single(id, 'routeTable', (rg, n) => client.routeTables.get(rg, n))),
      ...refs.policyIds
        .filter((id) => !policies.has(id.toLowerCase()))
        .map(async (id) => {
          await single(id, 'firewallPolicy', (rg, n) => client.firewallPolicies.get(rg, n));
          const ref = parseId(id);
          if (ref) await collect('ruleCollectionGroup', `rule collection groups of ${ref.name}`, () => client.firewallPolicyRuleCollectionGroups.list(ref.resourceGroup, ref.name));
        }),
      ...refs.scaleSets.map((s) => collect('networkInterface', `NICs of scale set ${s.name}`, () => client.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces(s.resourceGroup, s.name))),
    ]);
  }
}

interface References {
  nsgIds: string[];
  routeTableIds: string[];
  policyIds: string[];
  scaleSets: { resourceGroup: string; name: string }[];
}

/** Ids the loaded resources point at; duplicates removed case-insensitively. */
function collectReferences(collected: Partial<Record<ResourceKind, unknown[]>>): References {
  const nsg = new Map<string, string>();
  const rt = new Map<string, string>();
  const pol = new Map<string, string>();
  const vmss = new Map<string, { resourceGroup: string; name: string }>();
  const add = (m: Map<string, string>, id: unknown) => {
    if (typeof id === 'string' && id) m.set(id.toLowerCase(), id);
  };
  const idOf = (o: unknown) => (o && typeof o === 'object' ? (o as { id?: unknown }).id : undefined);
  for (const v of collected.virtualNetwork ?? []) {
    for (const s of ((v as { subnets?: unknown[] }).subnets ?? []) as Record<string, unknown>[]) {
      const props = (s.properties ?? s) as Record<string, unknown>;
      add(nsg, idOf(props.networkSecurityGroup));
      add(rt, idOf(props.routeTable));
      for (const c of (props.ipConfigurations ?? []) as unknown[]) {
        const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)\//i.exec(String(idOf(c) ?? ''));
        if (m) vmss.set(`${m[1]}/${m[2]}`.toLowerCase(), { resourceGroup: m[1], name: m[2] });
      }
    }
  }
  for (const n of collected.networkInterface ?? []) add(nsg, idOf((n as Record<string, unknown>).networkSecurityGroup));
  for (const f of collected.azureFirewall ?? []) add(pol, idOf((f as Record<string, unknown>).firewallPolicy));
  for (const p of collected.firewallPolicy ?? []) add(pol, idOf((p as Record<string, unknown>).basePolicy));
  return { nsgIds: [...nsg.values()], routeTableIds: [...rt.values()], policyIds: [...pol.values()], scaleSets: [...vmss.values()] };
}

function firstLocation(collected: Partial<Record<ResourceKind, unknown[]>>): string | undefined {
  for (const kind of ['virtualNetwork', 'networkSecurityGroup', 'azureFirewall', 'firewallPolicy'] as const) {
    for (const r of collected[kind] ?? []) {
      const location = (r as { location?: unknown }).location;
      if (typeof location === 'string' && location) return location;
    }
  }
  return undefined;
}

/** Drains a paged list; on failure records one error for this resource type and returns what arrived. */
async function listSafely(iterable: () => AsyncIterable<unknown>, resource: string, assembler: SnapshotAssembler): Promise<unknown[]> {
  const items: unknown[] = [];
  try {
    for await (const item of iterable()) items.push(item);
  } catch (err) {
    assembler.addError(armError(err, resource));
  }
  return items;
}

/** Maps an SDK error to a source error a person can act on. */
export function armError(err: unknown, resource: string): SourceError {
  const e = err as { statusCode?: number; code?: string; message?: string };
  const detail = e.message ?? String(err);
  switch (e.statusCode) {
    case 401:
      return { code: 'no-credential', message: `ARM rejected the credential for ${resource} (${detail}); ${SIGN_IN_HELP}`, where: { resource } };
    case 403:
      return { code: 'forbidden', message: `no permission to read ${resource}: grant the identity the Reader role (or Network Reader) on it. ARM said: ${detail}`, where: { resource } };
    case 404:
      return { code: 'not-found', message: `${resource} was not found (${e.code ?? 'NotFound'}); check the subscription and resource group names`, where: { resource } };
    case 429:
      return { code: 'throttled', message: `ARM kept throttling ${resource} after retries; try again later. ARM said: ${detail}`, where: { resource } };
    default:
      return { code: 'request-failed', message: `reading ${resource} failed: ${detail}`, where: { resource } };
  }
}

async function checkCredential(credential: TokenCredential, scope: string): Promise<SourceError | undefined> {
  try {
    const token = await credential.getToken(scope);
    if (token) return undefined;
    return { code: 'no-credential', message: `no Azure credential returned a token; ${SIGN_IN_HELP}`, where: { resource: 'Azure credential' } };
  } catch (err) {
    const detail = (err as Error).message?.split('\n')[0] ?? String(err);
    return { code: 'no-credential', message: `no Azure credential is available (${detail}); ${SIGN_IN_HELP}`, where: { resource: 'Azure credential' } };
  }
}

/** Name of an ARM resource from its id (exported for callers that show ids). */
export const resourceNameFromId = nameFromId;
