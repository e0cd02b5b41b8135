import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as a manifest holds it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

/** What this reader understands; a kustomization using anything else is refused rather than half-read. */
const understoodFields = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);

const clusterScopedKinds = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume']);

/**
 * Builds a kustomization as `kustomize build` (or `kubectl apply -k`) would, for the fields Bazaar's
 * manifests use: resources (files and folders with their own kustomization), namespace, images and
 * strategic-merge patches. No kubectl here, and the tests only need the objects it would send.
 */
export function buildKustomization(folder: string): KubeObject[] {
  const file = path.join(folder, 'kustomization.yaml');
  const kustomization = readYamlDocuments(file)[0] as Kustomization;
  const unknown = Object.keys(kustomization).filter((field) => !understoodFields.has(field));
  if (unknown.length > 0)
    throw new Error(`${file}: fields this reader does not apply: ${unknown.join(', ')}`);

  let objects: KubeObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const target = path.join(folder, resource);
    objects.push(
      ...(statSync(target).isDirectory()
        ? buildKustomization(target)
        : (readYamlDocuments(target) as KubeObject[])),
    );
  }
  for (const { path: patchFile } of kustomization.patches ?? []) {
    for (const patch of readYamlDocuments(path.join(folder, patchFile)) as KubeObject[]) {
      objects = applyPatch(objects, patch, patchFile);
    }
  }
  for (const image of kustomization.images ?? []) setImage(objects, image);
  if (kustomization.namespace) {
    for (const object of objects) {
      if (!clusterScopedKinds.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  assertUnique(objects, file);
  return objects;
}

function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null);
}

function applyPatch(objects: KubeObject[], patch: KubeObject, patchFile: string): KubeObject[] {
  const index = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
  if (index < 0) throw new Error(`${patchFile}: no ${patch.kind} named ${patch.metadata.name} to patch`);
  return objects.map((object, i) =>
    i === index ? (mergeStrategically(object, patch) as KubeObject) : object,
  );
}

/**
 * The strategic merge patch, as far as Kubernetes objects of ours need it: maps merge key by key (null
 * deletes), lists of named items (containers, env, ports) merge item by name, other lists are replaced.
 */
export function mergeStrategically(target: unknown, patch: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(patch) && patch.every(isNamed) && target.every(isNamed)) {
    const merged: { name: string }[] = [...target];
    for (const item of patch) {
      const at = merged.findIndex((existing) => existing.name === item.name);
      if (at < 0) merged.push(item);
      else merged[at] = mergeStrategically(merged[at], item) as { name: string };
    }
    return merged;
  }
  if (isMap(target) && isMap(patch)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = key in merged ? mergeStrategically(merged[key], value) : value;
    }
    return merged;
  }
  return patch;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNamed = (value: unknown): value is { name: string } => isMap(value) && typeof value.name === 'string';

function setImage(objects: KubeObject[], image: { name: string; newName?: string; newTag?: string }) {
  for (const container of containersOf(objects)) {
    const [name, tag] = splitImage(container.image);
    if (name !== image.name) continue;
    const newTag = image.newTag ?? tag;
    container.image = `${image.newName ?? name}${newTag ? `:${newTag}` : ''}`;
  }
}

/** `registry:5000/bazaar:1.0` → [`registry:5000/bazaar`, `1.0`]: a tag is a colon after the last slash. */
function splitImage(image: string): [string, string | undefined] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? [image.slice(0, colon), image.slice(colon + 1)]
    : [image, undefined];
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

function assertUnique(objects: KubeObject[], file: string): void {
  const seen = new Set<string>();
  for (const { kind, metadata } of objects) {
    const key = `${kind}/${metadata.name}`;
    if (seen.has(key)) throw new Error(`${file}: ${key} appears twice`);
    seen.add(key);
  }
}
