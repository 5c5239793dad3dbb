import { useEffect, useState } from "preact/hooks";

/** The current hash route: `#/<path>?<params>`. */
export interface Route {
  path: string[];
  params: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [pathPart = "/", query = ""] = hash.split("?", 2);
  return { path: pathPart.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

/** The hash for a route (shareable: everything a page shows is in it). */
export function href(path: string[], params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") query.set(key, value);
  const text = query.toString();
  return `#/${path.map(encodeURIComponent).join("/")}${text ? `?${text}` : ""}`;
}

/** Goes to a route; `replace` keeps the history entry (for filter changes while typing). */
export function navigate(path: string[], params: Record<string, string | undefined> = {}, replace = false): void {
  const target = href(path, params);
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** The current route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener("hashchange", update);
    window.addEventListener("popstate", update);
    return () => {
      window.removeEventListener("hashchange", update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** The route's params as a plain object. */
export const paramsOf = (route: Route): Record<string, string> => Object.fromEntries(route.params.entries());
