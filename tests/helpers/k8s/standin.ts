import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { KubeApi } from "./api.js";
import { handle, type RecordedRequest } from "./http.js";
import type { PodRun } from "./pod-worker.js";
import { type PodRunner, podmanRunner } from "./pod-runner.js";
import { CRONJOBS, JOBS, PODS } from "./store.js";
import { selfSignedCertificate } from "./tls.js";

// A stand-in for a Kubernetes API server's batch API on 127.0.0.1, for tests: clients reach it through
// a kubeconfig exactly as they would reach a cluster; Jobs run as real containers (podman) or
// through a scripted runner. See docs/k8s-standin.md for what it implements and what it does not.

type Obj = Record<string, any>;

/** Options of `startK8sStandin`. */
export interface K8sStandinOptions {
  /** The Kubernetes version emulated (schemas, status fields); default "1.30.0". */
  k8sVersion?: string;
  /** Namespaces that exist; default ["default"]. */
  namespaces?: string[];
  /** Namespaces the user may use (others: 403 Forbidden); default: `namespaces`. */
  allowedNamespaces?: string[];
  /** How containers run; default `podmanRunner()`. */
  runner?: PodRunner;
  /** PersistentVolumeClaim name → host folder mounted where a pod mounts the claim. */
  pvcs?: Record<string, string>;
  /** HTTPS with a self-signed certificate (default) or plain HTTP (the kubeconfig then needs insecure-skip-tls-verify). */
  tls?: boolean;
  /** The bearer token the kubeconfig carries and the server requires; default random. */
  token?: string;
  /** The user named in 403 messages; default "system:serviceaccount:default:runnable". */
  user?: string;
  /** The first retry delay after a failed pod (doubling); default 0 (a cluster waits 10 s). */
  backoffBaseMs?: number;
}

/** A running stand-in and its test-side controls. */
export interface K8sStandin {
  /** `https://127.0.0.1:PORT` (or http). */
  readonly url: string;
  readonly token: string;
  /** The server certificate (PEM) when TLS is on. */
  readonly caCert?: string;
  /** The API behind the routes (store, controllers), for checks the helpers below do not cover. */
  readonly api: KubeApi;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  /** Every container run (launch, log, exit), in start order. */
  readonly runs: PodRun[];
  /** A kubeconfig (YAML) whose current context points at the stand-in. */
  kubeconfig(options?: { namespace?: string; name?: string }): string;
  /** Writes `kubeconfig()` to `path` and returns the path. */
  writeKubeconfig(path: string, options?: { namespace?: string; name?: string }): Promise<string>;
  /** A Secret the kubelet resolves for `secretKeyRef`, `envFrom` and secret volumes. */
  registerSecret(namespace: string, name: string, data: Record<string, string>): void;
  /** A ConfigMap, likewise. */
  registerConfigMap(namespace: string, name: string, data: Record<string, string>): void;
  /** Makes a namespace exist. */
  addNamespace(name: string): void;
  /** A schedule tick of a CronJob: its Job (undefined when suspended or forbidden by the concurrency policy). */
  triggerCronJob(namespace: string, name: string, options?: { jobName?: string; scheduledAt?: Date }): Promise<Obj | undefined>;
  job(namespace: string, name: string): Obj | undefined;
  cronJob(namespace: string, name: string): Obj | undefined;
  /** Pods of a namespace, optionally by label selector (e.g. `job-name=x`). */
  pods(namespace: string, labelSelector?: string): Obj[];
  /** Resolves with the Job once `until` holds (a condition type such as "Complete" or "Failed" is True, or a predicate); rejects after `timeoutMs`. */
  waitForJob(namespace: string, name: string, until: string | ((job: Obj | undefined) => boolean), timeoutMs?: number): Promise<Obj | undefined>;
  /** Kills running containers, ends open watches and closes the server. */
  stop(): Promise<void>;
}

const hasCondition = (job: Obj | undefined, type: string): boolean =>
  ((job?.["status"]?.conditions ?? []) as Obj[]).some((c) => c["type"] === type && c["status"] === "True");

/** A kubeconfig (YAML) for a server: HTTPS with the certificate as CA data, or HTTP with insecure-skip-tls-verify (client-node refuses plain HTTP otherwise). */
export function kubeconfigYaml(url: string, token: string, cert: string | undefined, options: { namespace?: string; name?: string } = {}): string {
  const name = options.name ?? "k8s-standin";
  const cluster = cert
    ? { server: url, "certificate-authority-data": Buffer.from(cert).toString("base64") }
    : { server: url, "insecure-skip-tls-verify": true };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}

// Resolves once the Job satisfies `done` (checked now and on every store change); rejects after the timeout.
function waitFor(
  api: KubeApi,
  namespace: string,
  name: string,
  done: (job: Obj | undefined) => boolean,
  what: string,
  timeoutMs: number,
): Promise<Obj | undefined> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => {};
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
    };
    const check = (): void => {
      const job = api.store.get(JOBS, namespace, name);
      if (!done(job)) return;
      finish();
      resolve(job);
    };
    unsubscribe = api.store.subscribe(check);
    timer = setTimeout(() => {
      finish();
      const status = JSON.stringify(api.store.get(JOBS, namespace, name)?.["status"]);
      reject(new Error(`Job ${namespace}/${name} did not reach ${what} in ${timeoutMs} ms; now: ${status}`));
    }, timeoutMs);
    check();
  });
}

/** Starts a stand-in on 127.0.0.1 and a random port. */
export async function startK8sStandin(options: K8sStandinOptions = {}): Promise<K8sStandin> {
  const k8sVersion = options.k8sVersion ?? "1.30.0";
  const scratch = await mkdtemp(join(tmpdir(), "k8s-standin-"));
  const token = options.token ?? randomBytes(16).toString("hex");
  const api = new KubeApi({
    k8sVersion,
    namespaces: options.namespaces ?? ["default"],
    ...(options.allowedNamespaces ? { allowedNamespaces: options.allowedNamespaces } : {}),
    user: options.user ?? "system:serviceaccount:default:runnable",
    runner: options.runner ?? podmanRunner(),
    podContext: { pvcs: options.pvcs ?? {}, scratchDir: join(scratch, "pods") },
    backoffBaseMs: options.backoffBaseMs ?? 0,
  });
  const certificate = options.tls === false ? undefined : await selfSignedCertificate(scratch);
  const requests: RecordedRequest[] = [];
  const streams = new Set<ServerResponse>();
  let address = "";
  const ctx = { api, k8sVersion, serverAddress: () => address, token, requests, streams };
  const listener = (req: Parameters<typeof handle>[1], res: ServerResponse): void => void handle(ctx, req, res);
  const server: Server = certificate ? createHttpsServer({ cert: certificate.cert, key: certificate.key }, listener) : createHttpServer(listener);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${certificate ? "https" : "http"}://${address}`;

  const kubeconfig = (config: { namespace?: string; name?: string } = {}): string => kubeconfigYaml(url, token, certificate?.cert, config);

  return {
    url,
    token,
    ...(certificate ? { caCert: certificate.cert } : {}),
    api,
    requests,
    runs: api.jobs.runs,
    kubeconfig,
    async writeKubeconfig(path, config) {
      await writeFile(path, kubeconfig(config), { mode: 0o600 });
      return path;
    },
    registerSecret: (namespace, name, data) => void api.secrets.set(`${namespace}/${name}`, { ...data }),
    registerConfigMap: (namespace, name, data) => void api.configMaps.set(`${namespace}/${name}`, { ...data }),
    addNamespace: (name) => void api.namespaces.add(name),
    triggerCronJob: (namespace, name, trigger) => api.cronJobs.trigger(namespace, name, trigger),
    job: (namespace, name) => api.store.get(JOBS, namespace, name),
    cronJob: (namespace, name) => api.store.get(CRONJOBS, namespace, name),
    pods: (namespace, selector) => api.list(PODS, namespace, { labelSelector: selector ?? null }).items,
    waitForJob(namespace, name, until, timeoutMs = 60_000) {
      const done = typeof until === "function" ? until : (job: Obj | undefined) => hasCondition(job, until);
      return waitFor(api, namespace, name, done, String(until), timeoutMs);
    },
    async stop() {
      await api.jobs.stop();
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
