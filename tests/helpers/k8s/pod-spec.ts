import { mkdirSync } from "node:fs";
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContainerLaunch, Mount } from "./pod-runner.js";

// From a pod's spec to what the container runtime gets, as the kubelet does it: environment
// (envFrom, env with `$(VAR)` expansion, valueFrom secrets/config maps/pod fields) and volumes
// (hostPath, PVCs mapped to host folders by the test, emptyDir, secret and configMap files).
// What the kubelet could not do (missing secret, unknown claim) leaves the pod waiting, with the
// kubelet's reasons.

type Obj = Record<string, any>;

/** What the kubelet would look up: secrets and config maps (decoded), PVC folders, a scratch folder. */
export interface PodContext {
  secret(namespace: string, name: string): Record<string, string> | undefined;
  configMap(namespace: string, name: string): Record<string, string> | undefined;
  /** A PVC claim name → the host folder that stands for its volume. */
  pvcs: Record<string, string>;
  /** Where emptyDir and projected secret/configMap files of pods are made. */
  scratchDir: string;
}

/** Why a container cannot start yet: the waiting reason, and whether the pod is not even schedulable. */
export interface Waiting {
  reason: string;
  message: string;
  unschedulable?: boolean;
}

/** A volume resolved to a host folder. */
type Volumes = Map<string, { source: string; readOnly: boolean }>;

class Wait extends Error {
  constructor(readonly waiting: Waiting) {
    super(waiting.message);
  }
}

/** Resolves the pod's volumes (making emptyDir and secret folders); a Waiting when one cannot be mounted. */
export async function resolveVolumes(pod: Obj, ctx: PodContext): Promise<Volumes | Waiting> {
  const volumes: Volumes = new Map();
  try {
    for (const volume of (pod["spec"].volumes ?? []) as Obj[]) volumes.set(volume["name"], await resolveVolume(pod, volume, ctx));
    return volumes;
  } catch (error) {
    if (error instanceof Wait) return error.waiting;
    throw error;
  }
}

async function resolveVolume(pod: Obj, volume: Obj, ctx: PodContext): Promise<{ source: string; readOnly: boolean }> {
  const namespace = pod["metadata"].namespace as string;
  const podDir = join(ctx.scratchDir, pod["metadata"].uid, volume["name"]);
  if (volume["hostPath"]) return { source: await hostPath(volume["hostPath"]), readOnly: false };
  if (volume["persistentVolumeClaim"]) {
    const claim = volume["persistentVolumeClaim"].claimName as string;
    const folder = ctx.pvcs[claim];
    if (!folder)
      throw new Wait({ reason: "Unschedulable", message: `0/1 nodes are available: persistentvolumeclaim "${claim}" not found.`, unschedulable: true });
    return { source: folder, readOnly: volume["persistentVolumeClaim"].readOnly === true };
  }
  if (volume["emptyDir"]) {
    await mkdir(podDir, { recursive: true });
    return { source: podDir, readOnly: false };
  }
  for (const kind of ["secret", "configMap"] as const) {
    const source = volume[kind] as Obj | undefined;
    if (!source) continue;
    const name = (kind === "secret" ? source["secretName"] : source["name"]) as string;
    const data = kind === "secret" ? ctx.secret(namespace, name) : ctx.configMap(namespace, name);
    if (!data && source["optional"] !== true) {
      throw new Wait({
        reason: "ContainerCreating",
        message: `MountVolume.SetUp failed for volume "${volume["name"]}" : ${kind.toLowerCase()} "${name}" not found`,
      });
    }
    await writeProjected(podDir, data ?? {}, source["items"], source["defaultMode"]);
    return { source: podDir, readOnly: true };
  }
  const type = Object.keys(volume).find((key) => key !== "name");
  throw new Wait({ reason: "ContainerCreating", message: `volume "${volume["name"]}": ${type} volumes are not emulated by the stand-in` });
}

// The hostPath `type` checks of the kubelet (DirectoryOrCreate makes the folder).
async function hostPath(source: Obj): Promise<string> {
  const path = source["path"] as string;
  const type = (source["type"] ?? "") as string;
  const found = await stat(path).catch(() => undefined);
  if ((type === "DirectoryOrCreate" || type === "") && !found) await mkdir(path, { recursive: true, mode: 0o755 });
  else if (type === "FileOrCreate" && !found) await writeFile(path, "");
  else if (type === "Directory" && !found?.isDirectory())
    throw new Wait({ reason: "ContainerCreating", message: `hostPath type check failed: ${path} is not a directory` });
  else if (type === "File" && !found?.isFile()) throw new Wait({ reason: "ContainerCreating", message: `hostPath type check failed: ${path} is not a file` });
  return path;
}

async function writeProjected(dir: string, data: Record<string, string>, items: Obj[] | undefined, mode: number | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files = items?.length
    ? items.filter((item) => item["key"] in data).map((item) => [item["path"], data[item["key"]]!, item["mode"]] as const)
    : Object.entries(data).map(([key, value]) => [key, value, undefined] as const);
  for (const [path, value, itemMode] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), value);
    await chmod(join(dir, path), itemMode ?? mode ?? 0o644);
  }
}

/** The container's launch, or why it must wait (secret or config map missing). */
export function resolveContainer(pod: Obj, container: Obj, volumes: Volumes, ctx: PodContext): ContainerLaunch | Waiting {
  try {
    const env = resolveEnv(pod, container, ctx);
    const lookup = new Map(env);
    const expand = (values: string[] | undefined): string[] | undefined => values?.map((value) => expandVars(value, lookup));
    const security = { ...(pod["spec"].securityContext ?? {}), ...(container["securityContext"] ?? {}) } as Obj;
    const user =
      security["runAsUser"] !== undefined ? `${security["runAsUser"]}${security["runAsGroup"] !== undefined ? `:${security["runAsGroup"]}` : ""}` : undefined;
    return {
      pod: { name: pod["metadata"].name, namespace: pod["metadata"].namespace, uid: pod["metadata"].uid },
      container: container["name"],
      image: container["image"],
      ...(container["command"] ? { command: expand(container["command"]) } : {}),
      ...(container["args"] ? { args: expand(container["args"]) } : {}),
      env,
      ...(container["workingDir"] ? { workingDir: container["workingDir"] } : {}),
      mounts: mounts(container, volumes),
      ...(user ? { user } : {}),
      resources: container["resources"] ?? {},
    };
  } catch (error) {
    if (error instanceof Wait) return error.waiting;
    throw error;
  }
}

function mounts(container: Obj, volumes: Volumes): Mount[] {
  return ((container["volumeMounts"] ?? []) as Obj[]).map((mount) => {
    const volume = volumes.get(mount["name"])!;
    const source = mount["subPath"] ? join(volume.source, mount["subPath"]) : volume.source;
    if (mount["subPath"]) mkdirSync(source, { recursive: true }); // the kubelet makes a missing subPath
    return { source, target: mount["mountPath"], readOnly: mount["readOnly"] === true || volume.readOnly };
  });
}

function resolveEnv(pod: Obj, container: Obj, ctx: PodContext): [string, string][] {
  const namespace = pod["metadata"].namespace as string;
  const vars = new Map<string, string>();
  for (const from of (container["envFrom"] ?? []) as Obj[]) {
    const ref = (from["secretRef"] ?? from["configMapRef"]) as Obj;
    const kind = from["secretRef"] ? "secret" : "configmap";
    const data = kind === "secret" ? ctx.secret(namespace, ref["name"]) : ctx.configMap(namespace, ref["name"]);
    if (!data && ref["optional"] !== true) throw new Wait({ reason: "CreateContainerConfigError", message: `${kind} "${ref["name"]}" not found` });
    for (const [key, value] of Object.entries(data ?? {})) vars.set(`${from["prefix"] ?? ""}${key}`, value);
  }
  for (const variable of (container["env"] ?? []) as Obj[]) {
    const value = variable["valueFrom"] ? valueFrom(pod, variable["valueFrom"], ctx) : expandVars(variable["value"] ?? "", vars);
    if (value !== undefined) vars.set(variable["name"], value);
  }
  return [...vars];
}

function valueFrom(pod: Obj, source: Obj, ctx: PodContext): string | undefined {
  const namespace = pod["metadata"].namespace as string;
  for (const [field, kind, lookup] of [
    ["secretKeyRef", "Secret", ctx.secret.bind(ctx)],
    ["configMapKeyRef", "ConfigMap", ctx.configMap.bind(ctx)],
  ] as const) {
    const ref = source[field] as Obj | undefined;
    if (!ref) continue;
    const data = lookup(namespace, ref["name"]);
    if (!data) {
      if (ref["optional"] === true) return undefined;
      throw new Wait({ reason: "CreateContainerConfigError", message: `${kind.toLowerCase()} "${ref["name"]}" not found` });
    }
    if (!(ref["key"] in data)) {
      if (ref["optional"] === true) return undefined;
      throw new Wait({ reason: "CreateContainerConfigError", message: `couldn't find key ${ref["key"]} in ${kind} ${namespace}/${ref["name"]}` });
    }
    return data[ref["key"]];
  }
  if (source["fieldRef"]) return podField(pod, source["fieldRef"].fieldPath);
  if (source["resourceFieldRef"]) return "0";
  return undefined;
}

// The downward API fields a job is likely to read.
function podField(pod: Obj, path: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) return pod["metadata"][labelOrAnnotation[1]!]?.[labelOrAnnotation[2]!] ?? "";
  const fields: Record<string, string | undefined> = {
    "metadata.name": pod["metadata"].name,
    "metadata.namespace": pod["metadata"].namespace,
    "metadata.uid": pod["metadata"].uid,
    "spec.nodeName": pod["spec"].nodeName,
    "spec.serviceAccountName": pod["spec"].serviceAccountName,
    "status.podIP": "127.0.0.1",
    "status.hostIP": "127.0.0.1",
  };
  return fields[path] ?? "";
}

/** Kubernetes `$(VAR)` expansion: known variables are replaced, `$$` escapes, unknown references stay as written. */
export function expandVars(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && vars.has(name) ? vars.get(name)! : match;
  });
}
