import { badRequest } from "./status.js";

// Label and field selectors of list and watch requests (`?labelSelector=job-name=x,app in (a,b)`,
// `?fieldSelector=metadata.name=x`), as k8s.io/apimachinery/pkg/labels and /fields parse them.

type Obj = Record<string, any>;

/** A parsed selector: true when an object matches. */
export type Matcher = (object: Obj) => boolean;

interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

// Splits on commas that are not inside a `( ... )` value set.
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += char;
  }
  out.push(current);
  return out.map((term) => term.trim()).filter(Boolean);
}

function requirement(term: string, selector: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) return { key: set[1]!, op: set[2] as "in" | "notin", values: set[3]!.split(",").map((v) => v.trim()) };
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) return { key: equality[1]!, op: equality[2] === "!=" ? "!=" : "=", values: [equality[3]!] };
  if (/^![^\s!=()]+$/.test(term)) return { key: term.slice(1), op: "!", values: [] };
  if (/^[^\s!=()]+$/.test(term)) return { key: term, op: "exists", values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt (selector "${selector}")`);
}

function matches(requirements: Requirement[], lookup: (key: string) => string | undefined): boolean {
  return requirements.every(({ key, op, values }) => {
    const value = lookup(key);
    switch (op) {
      case "=":
        return value === values[0];
      case "!=":
        return value !== values[0];
      case "in":
        return value !== undefined && values.includes(value);
      case "notin":
        return value === undefined || !values.includes(value);
      case "exists":
        return value !== undefined;
      case "!":
        return value === undefined;
    }
    return false;
  });
}

/** A label selector in its string form (empty matches everything). */
export function labelSelector(selector: string | null | undefined): Matcher {
  const requirements = terms(selector ?? "").map((term) => requirement(term, selector ?? ""));
  return (object) => matches(requirements, (key) => object["metadata"]?.labels?.[key]);
}

/** A `metav1.LabelSelector` object (matchLabels and matchExpressions), as in a Job's `spec.selector`. */
export function labelSelectorObject(selector: Obj | undefined): Matcher {
  const requirements: Requirement[] = Object.entries(selector?.["matchLabels"] ?? {}).map(([key, value]) => ({ key, op: "=", values: [String(value)] }));
  for (const expression of (selector?.["matchExpressions"] ?? []) as Obj[]) {
    const op = ({ In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const)[expression["operator"] as "In"];
    requirements.push({ key: expression["key"], op, values: expression["values"] ?? [] });
  }
  return (object) => matches(requirements, (key) => object["metadata"]?.labels?.[key]);
}

const FIELDS: Record<string, (object: Obj) => string | undefined> = {
  "metadata.name": (object) => object["metadata"]?.name,
  "metadata.namespace": (object) => object["metadata"]?.namespace,
  "status.phase": (object) => object["status"]?.phase,
  "status.successful": (object) => (object["status"]?.succeeded !== undefined ? String(object["status"].succeeded) : undefined),
  "spec.nodeName": (object) => object["spec"]?.nodeName ?? "",
};

/** A field selector (`metadata.name=x`, `status.phase!=Running`); unknown fields are a 400 as on the server. */
export function fieldSelector(selector: string | null | undefined, kind: string): Matcher {
  const requirements = terms(selector ?? "").map((term) => requirement(term, selector ?? ""));
  for (const { key } of requirements) {
    if (!FIELDS[key]) throw badRequest(`field label not supported: ${key}`);
    if (key === "status.phase" && kind !== "Pod") throw badRequest(`field label not supported: ${key}`);
  }
  return (object) => matches(requirements, (key) => FIELDS[key]!(object));
}
