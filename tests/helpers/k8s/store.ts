import { EventEmitter } from "node:events";
import { expired } from "./status.js";

// The stand-in's etcd: objects by resource, one resourceVersion counter for everything (as etcd's
// revision), and an event history so a watch can resume from a resourceVersion (older than the
// kept history: 410 Expired, as the watch cache answers).

type Obj = Record<string, any>;

/** A served resource: REST path segment, group/version and kinds. */
export interface ResourceType {
  resource: string;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

/** `batch/v1` Jobs. */
export const JOBS: ResourceType = { resource: "jobs", group: "batch", version: "v1", kind: "Job", namespaced: true };
/** `batch/v1` CronJobs. */
export const CRONJOBS: ResourceType = { resource: "cronjobs", group: "batch", version: "v1", kind: "CronJob", namespaced: true };
/** `v1` Pods (created by the Job controller emulation only). */
export const PODS: ResourceType = { resource: "pods", group: "", version: "v1", kind: "Pod", namespaced: true };
/** `v1` Namespaces (the stand-in's fixed list plus those the test adds). */
export const NAMESPACES: ResourceType = { resource: "namespaces", group: "", version: "v1", kind: "Namespace", namespaced: false };

/** `v1` Events: served as an always-empty list (the stand-in records no events). */
export const EVENTS: ResourceType = { resource: "events", group: "", version: "v1", kind: "Event", namespaced: true };

/** `batch/v1` or `v1`. */
export const apiVersionOf = (type: ResourceType): string => (type.group ? `${type.group}/${type.version}` : type.version);

/** A watch event as the API streams it, with the resource it belongs to and its resourceVersion. */
export interface StoredEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Obj;
  resource: string;
  revision: number;
}

const HISTORY = 5000;
const key = (namespace: string | undefined, name: string): string => `${namespace ?? ""}/${name}`;

/** In-memory objects with resourceVersions and a watchable change history. */
export class ObjectStore {
  private revision = 1;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly history: StoredEvent[] = [];
  private readonly events = new EventEmitter().setMaxListeners(0);

  /** The current resourceVersion (what a list returns in `metadata.resourceVersion`). */
  resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(type: ResourceType): Map<string, Obj> {
    let bucket = this.objects.get(type.resource);
    if (!bucket) this.objects.set(type.resource, (bucket = new Map()));
    return bucket;
  }

  /** A copy of one object, or undefined. */
  get(type: ResourceType, namespace: string | undefined, name: string): Obj | undefined {
    const object = this.bucket(type).get(key(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  /** Copies of the objects of a type, in one namespace or all, in name order. */
  list(type: ResourceType, namespace?: string): Obj[] {
    return [...this.bucket(type).values()]
      .filter((object) => namespace === undefined || object["metadata"].namespace === namespace)
      .sort((a, b) => (a["metadata"].name < b["metadata"].name ? -1 : 1))
      .map((object) => structuredClone(object));
  }

  /** Stores a new object (the caller has checked the name is free); returns the stored copy. */
  create(type: ResourceType, object: Obj): Obj {
    return this.record(type, "ADDED", object);
  }

  /** Applies `change` to a copy of the object and stores it; undefined when the object is gone. */
  update(type: ResourceType, namespace: string | undefined, name: string, change: (object: Obj) => void): Obj | undefined {
    const current = this.get(type, namespace, name);
    if (!current) return undefined;
    change(current);
    return this.record(type, "MODIFIED", current);
  }

  /** Removes an object; returns its last state (with a new resourceVersion, as the DELETED event carries). */
  delete(type: ResourceType, namespace: string | undefined, name: string): Obj | undefined {
    const current = this.get(type, namespace, name);
    if (!current) return undefined;
    return this.record(type, "DELETED", current);
  }

  private record(type: ResourceType, eventType: StoredEvent["type"], object: Obj): Obj {
    this.revision += 1;
    object["metadata"].resourceVersion = String(this.revision);
    const stored = structuredClone(object);
    const bucket = this.bucket(type);
    const id = key(object["metadata"].namespace, object["metadata"].name);
    if (eventType === "DELETED") bucket.delete(id);
    else bucket.set(id, stored);
    const event: StoredEvent = { type: eventType, object: stored, resource: type.resource, revision: this.revision };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    this.events.emit("event", event);
    return structuredClone(stored);
  }

  /** Events after `resourceVersion`, for a watch resuming there; 410 Expired when the history no longer reaches back. */
  eventsSince(resourceVersion: string): StoredEvent[] {
    const since = Number(resourceVersion);
    const oldest = this.history[0]?.revision ?? this.revision + 1;
    if (!Number.isInteger(since) || since < oldest - 1) throw expired(resourceVersion);
    return this.history.filter((event) => event.revision > since);
  }

  /** Calls `listener` for every change from now on; returns the function that stops it. */
  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.events.on("event", listener);
    return () => this.events.off("event", listener);
  }
}
