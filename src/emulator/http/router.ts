import type { HttpMethod, Route } from '../types.js';

interface CompiledRoute {
  route: Route;
  segments: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Static paths are one Map lookup (the v2 meter event stream is the hot path); parameterised paths
 * are matched segment by segment among routes with the same method and segment count.
 */
export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly dynamic = new Map<string, CompiledRoute[]>();
  /** Paths that exist under some method, to tell 405-ish misses from unknown URLs. */
  private readonly known = new Set<string>();

  constructor(routes: Route[]) {
    for (const route of routes) this.add(route);
  }

  add(route: Route): void {
    const segments = route.path.split('/');
    this.known.add(route.path);
    if (!segments.some((s) => s.startsWith(':'))) {
      const key = `${route.method} ${route.path}`;
      if (this.exact.has(key)) throw new Error(`duplicate emulator route ${key}`);
      this.exact.set(key, route);
      return;
    }
    const key = `${route.method} ${segments.length}`;
    const list = this.dynamic.get(key) ?? [];
    list.push({ route, segments });
    // Routes with more literal segments win (`/v1/prices/search` before `/v1/prices/:id`).
    list.sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
    this.dynamic.set(key, list);
  }

  match(method: HttpMethod, path: string): RouteMatch | undefined {
    const route = this.exact.get(`${method} ${path}`);
    if (route) return { route, params: {} };
    const parts = path.split('/');
    const candidates = this.dynamic.get(`${method} ${parts.length}`);
    if (!candidates) return undefined;
    outer: for (const c of candidates) {
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i];
        if (seg.startsWith(':')) {
          if (parts[i] === '') continue outer;
          params[seg.slice(1)] = decodeSegment(parts[i]);
        } else if (seg !== parts[i]) continue outer;
      }
      return { route: c.route, params };
    }
    return undefined;
  }
}

function literalCount(segments: string[]): number {
  return segments.filter((s) => !s.startsWith(':')).length;
}

/** A malformed escape (`%zz`) cannot name any object: keep it verbatim so the lookup 404s. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
