// The discovery documents clients such as kubectl read before they call an API (/version, /api,
// /apis, /api/v1, /apis/batch/v1), listing only what the stand-in serves.

type Obj = Record<string, any>;

const resource = (name: string, kind: string, namespaced: boolean, verbs: string[], extra: Obj = {}): Obj => ({
  name,
  singularName: name.includes("/") ? "" : kind.toLowerCase(),
  namespaced,
  kind,
  verbs,
  ...extra,
});

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discovery(path: string, k8sVersion: string, serverAddress: string): Obj | undefined {
  const [major, minor] = k8sVersion.replace(/^v/, "").split(".");
  switch (path) {
    case "/version":
      return {
        major,
        minor,
        gitVersion: `v${k8sVersion.replace(/^v/, "")}`,
        gitCommit: "k8s-standin",
        gitTreeState: "clean",
        goVersion: "n/a",
        compiler: "gc",
        platform: "linux/amd64",
      };
    case "/api":
      return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
    case "/apis":
      return { kind: "APIGroupList", apiVersion: "v1", groups: [batchGroup()] };
    case "/apis/batch":
      return { kind: "APIGroup", apiVersion: "v1", ...batchGroup() };
    case "/api/v1":
      return {
        kind: "APIResourceList",
        groupVersion: "v1",
        resources: [
          resource("events", "Event", true, ["list"], { shortNames: ["ev"] }),
          resource("namespaces", "Namespace", false, ["get", "list"], { shortNames: ["ns"] }),
          resource("pods", "Pod", true, ["delete", "get", "list", "watch"], { shortNames: ["po"], categories: ["all"] }),
          resource("pods/log", "Pod", true, ["get"]),
        ],
      };
    case "/apis/batch/v1":
      return {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: "batch/v1",
        resources: [
          resource("cronjobs", "CronJob", true, ["create", "delete", "get", "list", "patch", "watch"], { shortNames: ["cj"], categories: ["all"] }),
          resource("cronjobs/status", "CronJob", true, ["get"]),
          resource("jobs", "Job", true, ["create", "delete", "get", "list", "patch", "watch"], { categories: ["all"] }),
          resource("jobs/status", "Job", true, ["get"]),
        ],
      };
    default:
      return undefined;
  }
}

function batchGroup(): Obj {
  const version = { groupVersion: "batch/v1", version: "v1" };
  return { name: "batch", versions: [version], preferredVersion: version };
}
