// Custom resources as the API server's discovery describes them, which is where upstream's
// RESTMapper (custom-metrics-apiserver's dynamicmapper over client-go's discovery RESTMapper)
// takes kind, scope and version from: `GET /apis/<group>` names the group's versions, preferred
// first, and `GET /apis/<group>/<version>` lists its resources (APIResourceList: `name`,
// `singularName`, `namespaced`, `kind`). A resource is looked up in the preferred version, then
// in the others in the order the group lists them, as the RESTMapper orders its mappings.
// Answers are kept until something says they are stale: a 404 (the CRD now serves another
// version, or was installed since), or a lookup that failed; the group is then asked again.
import { KubeApiError, type KubeApi } from './api';
import { builtInResource, splitResource, type ApiResource } from './resources';

/** meta/v1 APIGroup, as `GET /apis/<group>` answers. */
interface ApiGroup {
  readonly versions?: readonly { readonly version?: string }[];
  readonly preferredVersion?: { readonly version?: string };
}

/** meta/v1 APIResource, one entry of an APIResourceList (`scaledobjects/status` included). */
interface ApiResourceEntry {
  readonly name: string;
  readonly singularName?: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

/** meta/v1 APIResourceList, as `GET /apis/<group>/<version>` answers. */
interface ApiResourceList {
  readonly resources?: readonly ApiResourceEntry[];
}

/** The versions to look a resource up in: the preferred one first, then the rest as listed. */
function versionsOf(group: string, doc: ApiGroup): string[] {
  const preferred = doc.preferredVersion?.version;
  if (!preferred) throw new Error(`GET /apis/${group}: no preferredVersion`);
  const rest = (doc.versions ?? []).map((v) => v.version ?? '').filter((v) => v && v !== preferred);
  return [preferred, ...rest];
}

/**
 * An APIResourceList's entry for `name`, plural or singular as the RESTMapper matches it, as an
 * ApiResource. Subresources (`scaledobjects/status`) are not resources of their own; a missing
 * singularName is the lower-case kind, as client-go's NewDiscoveryRESTMapper makes it.
 */
function entryFor(
  group: string,
  version: string,
  list: ApiResourceList,
  name: string,
): ApiResource | undefined {
  const entry = (list.resources ?? []).find(
    (r) => !r.name.includes('/') && (r.name === name || r.singularName === name),
  );
  if (!entry) return undefined;
  return {
    group,
    version,
    kind: entry.kind,
    resource: entry.name,
    singular: entry.singularName || entry.kind.toLowerCase(),
    namespaced: entry.namespaced,
    key: `${entry.name}.${group}`,
  };
}

export class ResourceDiscovery {
  private readonly found = new Map<string, Promise<ApiResource>>();
  private readonly groups = new Map<string, Promise<ApiGroup>>();
  private readonly lists = new Map<string, Promise<ApiResourceList>>();

  constructor(private readonly api: KubeApi) {}

  /**
   * What discovery says of the custom resource `resource` (`scaledobjects.keda.sh`): its kind,
   * scope, the version it is served at. Undefined for a built-in resource, which the table in
   * resources.ts holds. Rejects when discovery cannot say (with a 404 when the group or the
   * resource is not there); the next lookup asks the API server again.
   */
  lookup(resource: string): Promise<ApiResource> | undefined {
    const { group, resource: name } = splitResource(resource);
    if (!group || builtInResource(group, name)) return undefined;
    let found = this.found.get(resource);
    if (!found) {
      found = this.find(group, name);
      this.found.set(resource, found);
      const asked = found;
      asked.catch(() => {
        if (this.found.get(resource) === asked) this.forgetGroup(group);
      });
    }
    return found;
  }

  /** Drops what is known of `resource`'s group: after a 404, its next lookup asks again. */
  forget(resource: string): void {
    this.forgetGroup(splitResource(resource).group);
  }

  private async find(group: string, name: string): Promise<ApiResource> {
    const doc = await this.get(this.groups, group, `/apis/${group}`);
    for (const version of versionsOf(group, doc)) {
      const list = await this.get(this.lists, `${group}/${version}`, `/apis/${group}/${version}`);
      const found = entryFor(group, version, list, name);
      if (found) return found;
    }
    throw new KubeApiError(
      404,
      `the server doesn't have a resource type "${name}" in group "${group}"`,
    );
  }

  /** One GET per path, shared by every lookup until the group is forgotten. */
  private get<T>(cache: Map<string, Promise<T>>, key: string, path: string): Promise<T> {
    let answer = cache.get(key);
    if (!answer) {
      answer = this.api.json<T>('GET', path);
      cache.set(key, answer);
    }
    return answer;
  }

  private forgetGroup(group: string): void {
    this.groups.delete(group);
    for (const key of this.lists.keys()) if (key.startsWith(`${group}/`)) this.lists.delete(key);
    for (const key of this.found.keys())
      if (splitResource(key).group === group) this.found.delete(key);
  }
}
