// The route table's shape and gorilla/mux matching: registration order, `[^/]+` variables, 404 vs 405.
import type * as Effect from "effect/Effect"
import type { ResolvedConfig } from "./config.js"
import type { EmulatorRequest } from "./contract.js"
import type { ApiError } from "./errors.js"
import type { Reply } from "./reply.js"
import type { ProjectRec, Store } from "./state.js"

/** Who is calling, as the pipeline established it (§1.6 steps 5–6). */
export interface Caller {
  /** The token as extracted per the auth option ("" when none). */
  readonly token: string
  /** True when the token is the configured service token. */
  readonly isServiceToken: boolean
  /** "" for the service token and on open routes. */
  readonly userName: string
  readonly userUuid: string
  readonly roles: ReadonlyArray<string>
}

/** The shared engine handles every handler receives. */
export interface Env {
  readonly store: Store
  readonly config: ResolvedConfig
}

/** Everything a handler needs about one request. */
export interface Context {
  readonly env: Env
  readonly route: string
  readonly request: EmulatorRequest
  /** Decoded path variables. */
  readonly vars: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: string
  readonly caller: Caller
  /** The path's project when the route has `{project}` and it exists. */
  readonly project: ProjectRec | undefined
}

/** A route handler: a 200 reply, or an AMS error written by the handler. */
export type Handler = (context: Context) => Effect.Effect<Reply, ApiError>

/** How the pipeline treats a route: `open` skips authentication and authorization (§1.6 step 2). */
export type Access = "authenticated" | "open"

/** One entry of the route table. */
export interface Route {
  /** The server's route name, e.g. `topics:publish` (the role table's key). */
  readonly name: string
  readonly method: string
  /** Path after the host, with `{var}` placeholders, e.g. `/v1/projects/{project}/topics/{topic}:publish`. */
  readonly path: string
  readonly access: Access
  readonly handler: Handler
}

/** Builds an authenticated route. */
export const route = (name: string, method: string, path: string, handler: Handler): Route => ({
  name,
  method,
  path,
  access: "authenticated",
  handler
})

/** Builds an open route (no token needed; the handler does its own token handling). */
export const openRoute = (name: string, method: string, path: string, handler: Handler): Route => ({
  name,
  method,
  path,
  access: "open",
  handler
})

interface Compiled {
  readonly route: Route
  readonly regex: RegExp
  readonly names: ReadonlyArray<string>
}

/** A compiled route table. */
export interface Router {
  readonly match: (method: string, path: string) => Match
}

/** The outcome of matching: a route with its variables, a method mismatch (405), or nothing (404). */
export type Match =
  | { readonly _tag: "Found"; readonly route: Route; readonly vars: Readonly<Record<string, string>> }
  | { readonly _tag: "MethodNotAllowed" }
  | { readonly _tag: "NotFound" }

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const compile = (route: Route): Compiled => {
  const names: Array<string> = []
  const source = route.path.split(/(\{[^}]+\})/).map((part) => {
    const variable = /^\{([^}]+)\}$/.exec(part)
    if (variable === null) return escapeRegex(part)
    names.push(variable[1]!)
    return "([^/]+)"
  }).join("")
  return { route, regex: new RegExp(`^${source}$`), names }
}

/**
 * Compiles routes in registration order. Like gorilla/mux, the first route matching both path and method
 * wins; a path match with another method only yields 405 when no later route matches fully.
 */
export const make = (routes: ReadonlyArray<Route>): Router => {
  const compiled = routes.map(compile)
  return {
    match: (method, path) => {
      let methodMismatch = false
      for (const entry of compiled) {
        const found = entry.regex.exec(path)
        if (found === null) continue
        if (entry.route.method !== method) {
          methodMismatch = true
          continue
        }
        const vars: Record<string, string> = {}
        entry.names.forEach((name, i) => {
          vars[name] = found[i + 1]!
        })
        return { _tag: "Found", route: entry.route, vars }
      }
      return methodMismatch ? { _tag: "MethodNotAllowed" } : { _tag: "NotFound" }
    }
  }
}
