import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as a manifest holds it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** What `kubectl kustomize <folder>` builds (Debian's kubernetes-client), as objects. */
export function buildKustomization(folder: string): KubeObject[] {
  const built = execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8' });
  return parseAllDocuments(built)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${folder}: ${document.errors[0]!.message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** Every container (and init container) of every pod template among `objects`. */
export function containersOf(objects: KubeObject[]): Container[] {
  return objects.flatMap((object) => {
    const pod = podSpecOf(object);
    return pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
  });
}

export function podSpecOf(
  object: KubeObject,
): { containers: Container[]; initContainers?: Container[] } | undefined {
  const spec = object.spec as { template?: { spec?: { containers: Container[] } } } | undefined;
  return spec?.template?.spec;
}
