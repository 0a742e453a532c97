/**
 * Deterministic fault plans that make chosen emulator routes answer like a sick deployment.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { EmulatorRequest, EmulatorResponse } from "./internal/contract.js"

/**
 * The bodies HAProxy answers with in front of AMS (spec §3.4), byte for byte.
 *
 * @since 0.1.0
 * @category constants
 */
export const balancerBodies = {
  408:
    "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n",
  500: "<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n",
  502: "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n",
  503: "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
  504: "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
} as const

/**
 * A status the load balancer answers by itself.
 *
 * @since 0.1.0
 * @category models
 */
export type BalancerStatus = keyof typeof balancerBodies

/**
 * An answer given instead of (or, with `processed`, after) the emulator's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Status {
  readonly _tag: "Status"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** When true the emulator handles the request first (its state changes) and its answer is lost. */
  readonly processed: boolean
}

/**
 * Waits on Effect's Clock, then applies `then` or lets the request through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delay {
  readonly _tag: "Delay"
  readonly duration: Duration.DurationInput
  readonly then?: Fault
}

/**
 * Drops the connection without an answer (in-process: a transport error).
 *
 * @since 0.1.0
 * @category models
 */
export interface Drop {
  readonly _tag: "Drop"
  readonly processed: boolean
}

/**
 * The emulator handles the request, then its body is cut after `bytes` bytes (default: half) and the
 * connection closes, while the headers announce the full length.
 *
 * @since 0.1.0
 * @category models
 */
export interface Truncate {
  readonly _tag: "Truncate"
  readonly bytes?: number
}

/**
 * A 200 whose JSON body does not parse.
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedJson {
  readonly _tag: "MalformedJson"
  readonly body: string
  readonly processed: boolean
}

/**
 * One fault, plain data.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Status | Delay | Drop | Truncate | MalformedJson

/**
 * Which requests a rule applies to. `path` is matched on the path without the query: a string without
 * placeholders is a prefix; a string with `{name}` (one segment) or `*` (anything) is a whole-path
 * pattern, e.g. `"*:publish"` or `"/v1/projects/{P}/topics/{T}:publish"`; a RegExp is tested as is.
 * The first `after` matching requests that reach the rule pass it untouched (a request answered by an
 * earlier rule never reaches the later ones), then the rule fires at most `times` times.
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly method?: string
  readonly path?: string | RegExp
  readonly after?: number
  readonly times?: number
}

/**
 * Seeded random injection: each matching request gets one of `faults` with probability `rate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RandomOptions {
  readonly seed: string | number
  readonly rate: number
  readonly faults: ReadonlyArray<Fault>
}

/**
 * A fixed script: the n-th matching request that reaches the rule gets `steps[n]`; `null` lets that request
 * through (to the next rules, then the emulator). After the last step the rule is spent, unless `repeat`
 * starts it over.
 *
 * @since 0.1.0
 * @category models
 */
export interface SequenceOptions {
  readonly steps: ReadonlyArray<Fault | null>
  readonly repeat?: boolean
}

/**
 * A rule of a plan: a fixed fault, a deterministic sequence, or a seeded random choice.
 *
 * @since 0.1.0
 * @category models
 */
export type Rule =
  | { readonly match?: Match; readonly fault: Fault }
  | { readonly match?: Match; readonly sequence: SequenceOptions }
  | { readonly match?: Match; readonly random: RandomOptions }

/**
 * A plan: rules tried in order; the first one that matches and still has `times` left fires.
 *
 * @since 0.1.0
 * @category models
 */
export type Plan = ReadonlyArray<Rule>

/**
 * What an adapter must do with a request once the plan has been applied.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly _tag: "Respond"; readonly response: EmulatorResponse }
  | { readonly _tag: "Drop" }
  | { readonly _tag: "Truncate"; readonly response: EmulatorResponse; readonly bytes: number }

/**
 * The kinds of fault, as counted in `Stats`.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = Fault["_tag"]

/**
 * One injected fault, in the order the plan decided it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Injection {
  /** Index of the request among all requests the plan saw (0-based). */
  readonly request: number
  readonly method: string
  readonly path: string
  /** Index of the rule that fired. */
  readonly rule: number
  readonly fault: Fault
}

/**
 * Counts of what the plan did.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly requests: number
  readonly injected: number
  readonly byKind: Readonly<Record<Kind, number>>
  /** Faults fired per rule, by rule index. */
  readonly byRule: ReadonlyArray<number>
}

/**
 * A running plan: decides per request and keeps its counts in a Ref.
 *
 * @since 0.1.0
 * @category models
 */
export interface Injector {
  readonly plan: Plan
  /** Applies the plan around a handler. */
  readonly apply: (
    handle: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
  ) => (request: EmulatorRequest) => Effect.Effect<Outcome>
  readonly stats: Effect.Effect<Stats>
  readonly injections: Effect.Effect<ReadonlyArray<Injection>>
}

// ---------------------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A load-balancer answer with HAProxy's HTML body (408, 500, 502, 503, 504).
 *
 * @since 0.1.0
 * @category constructors
 */
export const balancer = (status: BalancerStatus, options?: { readonly processed?: boolean }): Status => ({
  _tag: "Status",
  status,
  headers: { "cache-control": "no-cache", "content-type": "text/html" },
  body: balancerBodies[status],
  processed: options?.processed ?? false
})

/**
 * Any answer, e.g. a JSON 500 from AMS itself. `code` is an integer 200–599 and every header must be
 * sendable (a token name, a value without control characters); `make` refuses a plan that breaks this.
 *
 * @since 0.1.0
 * @category constructors
 */
export const status = (
  code: number,
  options?: {
    readonly body?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly processed?: boolean
  }
): Status => ({
  _tag: "Status",
  status: code,
  headers: options?.headers ?? {},
  body: options?.body ?? "",
  processed: options?.processed ?? false
})

/**
 * AMS's own `500 Backend Error` JSON answer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const backendError = (options?: { readonly processed?: boolean }): Status =>
  status(500, {
    body:
      "{\n   \"error\": {\n      \"code\": 500,\n      \"message\": \"Backend Error\",\n      \"status\": \"INTERNAL_SERVER_ERROR\"\n   }\n}",
    headers: { "content-type": "application/json; charset=utf-8" },
    ...(options?.processed === undefined ? {} : { processed: options.processed })
  })

/**
 * Waits `duration` on Effect's Clock (so `TestClock` drives it), then applies `then` or answers normally.
 *
 * @since 0.1.0
 * @category constructors
 */
export const delay = (duration: Duration.DurationInput, then?: Fault): Delay =>
  then === undefined ? { _tag: "Delay", duration } : { _tag: "Delay", duration, then }

/**
 * Drops the connection (in-process: the HttpClient fails with a `Transport` RequestError).
 *
 * @since 0.1.0
 * @category constructors
 */
export const drop = (options?: { readonly processed?: boolean }): Drop => ({
  _tag: "Drop",
  processed: options?.processed ?? false
})

/**
 * Handles the request, then cuts its body after `bytes` bytes (default: half of it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncate = (options?: { readonly bytes?: number }): Truncate =>
  options?.bytes === undefined ? { _tag: "Truncate" } : { _tag: "Truncate", bytes: options.bytes }

/**
 * A 200 with a body that is not valid JSON.
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedJson = (options?: { readonly body?: string; readonly processed?: boolean }): MalformedJson => ({
  _tag: "MalformedJson",
  body: options?.body ?? "{\n   \"messageIds\": [\n      \"0\",",
  processed: options?.processed ?? false
})

/**
 * A one-rule plan: `fault` for requests matching `match`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const on = (match: Match, fault: Fault): Plan => [{ match, fault }]

/**
 * A one-rule plan that scripts the matching requests one by one: `null` passes a request, a fault answers it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * import * as Faults from "@argo-ams/emulator/Faults"
 *
 * // publish: 503, then through, then a dropped connection, then through for good
 * const plan = Faults.sequence([Faults.balancer(503), null, Faults.drop()], { match: { path: "*:publish" } })
 */
export const sequence = (
  steps: ReadonlyArray<Fault | null>,
  options?: { readonly match?: Match; readonly repeat?: boolean }
): Plan => {
  const script: SequenceOptions = options?.repeat === undefined ? { steps } : { steps, repeat: options.repeat }
  return [options?.match === undefined ? { sequence: script } : { match: options.match, sequence: script }]
}

/**
 * A one-rule plan of seeded random faults: the same seed and the same requests give the same faults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const random = (options: RandomOptions & { readonly match?: Match }): Plan => {
  const { match, ...random } = options
  return [match === undefined ? { random } : { match, random }]
}

// ---------------------------------------------------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A plan that no adapter could carry out (a status outside 200–599, a header that cannot be sent, a
 * negative count...), refused by `make` before any request is answered.
 *
 * @since 0.1.0
 * @category errors
 */
export class FaultPlanError extends Data.TaggedError("FaultPlanError")<{
  /** Where in the plan, e.g. `[0].fault.headers["x-a"]`. */
  readonly path: string
  readonly message: string
}> {}

type Problem = { readonly path: string; readonly message: string } | undefined

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const show = (u: unknown): string =>
  typeof u === "string" ? JSON.stringify(u) : typeof u === "number" ? String(u) : u === null ? "null" : typeof u

const first = (checks: ReadonlyArray<() => Problem>): Problem => {
  for (const check of checks) {
    const problem = check()
    if (problem !== undefined) return problem
  }
  return undefined
}

// An HTTP token (RFC 9110 §5.6.2), and what both node's `setHeader` and the Fetch `Headers` accept as a value.
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/
// The adapters frame the body themselves; a plan that announced another length would desynchronise the socket.
const framing: ReadonlySet<string> = new Set(["content-length", "transfer-encoding", "connection"])

const optionalBoolean = (u: unknown, path: string): Problem =>
  u === undefined || typeof u === "boolean" ? undefined : { path, message: `expected a boolean, got ${show(u)}` }

const count = (u: unknown, path: string, infinite: boolean): Problem =>
  u === undefined || (Number.isSafeInteger(u) && (u as number) >= 0) ||
    (infinite && u === Number.POSITIVE_INFINITY)
    ? undefined
    : { path, message: `expected a non-negative integer, got ${show(u)}` }

const checkHeaders = (u: unknown, path: string): Problem => {
  if (!isRecord(u)) return { path, message: `expected an object of header names to values, got ${show(u)}` }
  for (const [name, value] of Object.entries(u)) {
    const at = `${path}[${JSON.stringify(name)}]`
    if (!headerName.test(name)) return { path: at, message: "not a valid header name" }
    if (framing.has(name.toLowerCase())) {
      return { path: at, message: "set by the adapter (use Faults.truncate for a body cut short)" }
    }
    if (typeof value !== "string") return { path: at, message: `expected a string, got ${show(value)}` }
    if (!headerValue.test(value)) {
      return { path: at, message: "a header value cannot hold control characters (CR, LF, NUL...) or non-Latin-1 text" }
    }
  }
  return undefined
}

const checkFault = (u: unknown, path: string): Problem => {
  if (!isRecord(u)) return { path, message: `expected a fault (Faults.status, Faults.drop...), got ${show(u)}` }
  switch (u["_tag"]) {
    case "Status":
      return first([
        () =>
          Number.isInteger(u["status"]) && (u["status"] as number) >= 200 && (u["status"] as number) <= 599
            ? undefined
            : {
              path: `${path}.status`,
              message: `expected an integer status 200–599 (what fetch can represent), got ${show(u["status"])}`
            },
        () => checkHeaders(u["headers"], `${path}.headers`),
        () => typeof u["body"] === "string" ? undefined : { path: `${path}.body`, message: `expected a string` },
        () => optionalBoolean(u["processed"], `${path}.processed`)
      ])
    case "Delay":
      return first([
        () =>
          Option.isSome(Duration.decodeUnknown(u["duration"]))
            ? undefined
            : { path: `${path}.duration`, message: `expected a duration, got ${show(u["duration"])}` },
        () => u["then"] === undefined ? undefined : checkFault(u["then"], `${path}.then`)
      ])
    case "Drop":
      return optionalBoolean(u["processed"], `${path}.processed`)
    case "Truncate":
      return count(u["bytes"], `${path}.bytes`, false)
    case "MalformedJson":
      return first([
        () => typeof u["body"] === "string" ? undefined : { path: `${path}.body`, message: `expected a string` },
        () => optionalBoolean(u["processed"], `${path}.processed`)
      ])
    default:
      return { path: `${path}._tag`, message: `unknown fault ${show(u["_tag"])}` }
  }
}

const checkMatch = (u: unknown, path: string): Problem => {
  if (u === undefined) return undefined
  if (!isRecord(u)) return { path, message: `expected an object, got ${show(u)}` }
  return first([
    () =>
      u["method"] === undefined || (typeof u["method"] === "string" && headerName.test(u["method"]))
        ? undefined
        : { path: `${path}.method`, message: `expected an HTTP method, got ${show(u["method"])}` },
    () =>
      u["path"] === undefined || typeof u["path"] === "string" || u["path"] instanceof RegExp
        ? undefined
        : { path: `${path}.path`, message: `expected a string or a RegExp, got ${show(u["path"])}` },
    () => count(u["after"], `${path}.after`, false),
    () => count(u["times"], `${path}.times`, true)
  ])
}

const checkRule = (u: unknown, path: string): Problem => {
  if (!isRecord(u)) return { path, message: `expected a rule, got ${show(u)}` }
  const kinds = ["fault", "sequence", "random"].filter((key) => key in u)
  if (kinds.length !== 1) return { path, message: "a rule has exactly one of fault, sequence, random" }
  const checkBody = (): Problem => {
    if ("fault" in u) return checkFault(u["fault"], `${path}.fault`)
    if ("sequence" in u) {
      const script = u["sequence"]
      const steps = isRecord(script) ? script["steps"] : undefined
      if (!Array.isArray(steps)) return { path: `${path}.sequence.steps`, message: "expected an array" }
      return first([
        ...steps.map((step, i) => () => step === null ? undefined : checkFault(step, `${path}.sequence.steps[${i}]`)),
        () => optionalBoolean((script as Record<string, unknown>)["repeat"], `${path}.sequence.repeat`)
      ])
    }
    const random = u["random"]
    if (!isRecord(random)) return { path: `${path}.random`, message: "expected an object" }
    const faults = random["faults"]
    return first([
      () =>
        typeof random["seed"] === "string" || Number.isFinite(random["seed"])
          ? undefined
          : { path: `${path}.random.seed`, message: `expected a string or a number, got ${show(random["seed"])}` },
      () =>
        typeof random["rate"] === "number" && random["rate"] >= 0 && random["rate"] <= 1
          ? undefined
          : { path: `${path}.random.rate`, message: `expected a number 0–1, got ${show(random["rate"])}` },
      () =>
        Array.isArray(faults) && faults.length > 0
          ? undefined
          : { path: `${path}.random.faults`, message: "expected a non-empty array of faults" },
      ...(Array.isArray(faults) ? faults : []).map((fault, i) => () => checkFault(fault, `${path}.random.faults[${i}]`))
    ])
  }
  return first([() => checkMatch(u["match"], `${path}.match`), checkBody])
}

/**
 * The first problem of a plan, or none: `make` runs it, so a plan is refused before any request reaches it.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (plan: Plan): Option.Option<FaultPlanError> => {
  if (!Array.isArray(plan)) {
    return Option.some(new FaultPlanError({ path: "(plan)", message: "expected an array of rules" }))
  }
  const problem = first(plan.map((rule, i) => () => checkRule(rule, `[${i}]`)))
  return problem === undefined ? Option.none() : Option.some(new FaultPlanError(problem))
}

// ---------------------------------------------------------------------------------------------------------------------
// running a plan
// ---------------------------------------------------------------------------------------------------------------------

const kinds: ReadonlyArray<Kind> = ["Status", "Delay", "Drop", "Truncate", "MalformedJson"]

interface State {
  readonly requests: number
  readonly seen: ReadonlyArray<number>
  readonly fired: ReadonlyArray<number>
  readonly injections: Chunk.Chunk<Injection>
}

const escapeRegExp = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")

const pathMatcher = (path: string | RegExp | undefined): (path: string) => boolean => {
  if (path === undefined) return () => true
  if (typeof path !== "string") return (p) => path.test(p)
  if (!/[{*]/.test(path)) return (p) => p.startsWith(path)
  const source = path.split(/(\{[^}]*\}|\*)/).map((part) =>
    part === "*" ? ".*" : part.startsWith("{") && part.endsWith("}") ? "[^/]+" : escapeRegExp(part)
  ).join("")
  const re = new RegExp(`^${source}$`)
  return (p) => re.test(p)
}

/**
 * The path of a request URL without its query (absolute URLs accepted). A target no URL parser accepts
 * (`http://[/v1/status`) is matched as the text before its `?`: the plan must not fail where the server answers.
 */
const pathOf = (url: string): string => {
  try {
    return new URL(url, "http://emulator.invalid").pathname
  } catch {
    return url.split("?")[0]!
  }
}

/**
 * Starts a plan: its counters live in a Ref owned by the returned injector. Fails with `FaultPlanError`
 * when the plan could not be carried out (see `validate`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (plan: Plan): Effect.Effect<Injector, FaultPlanError> =>
  Option.match(validate(plan), { onNone: () => start(plan), onSome: Effect.fail })

const start = (plan: Plan): Effect.Effect<Injector> =>
  Effect.gen(function*() {
    const compiled = plan.map((rule) => ({
      method: rule.match?.method?.toUpperCase(),
      path: pathMatcher(rule.match?.path),
      after: rule.match?.after ?? 0,
      times: rule.match?.times ?? Number.POSITIVE_INFINITY,
      fault: "fault" in rule ? rule.fault : undefined,
      sequence: "sequence" in rule ? rule.sequence : undefined,
      random: "random" in rule ? { ...rule.random, rng: Random.make(rule.random.seed) } : undefined
    }))
    const state = yield* SynchronizedRef.make<State>({
      requests: 0,
      seen: plan.map(() => 0),
      fired: plan.map(() => 0),
      injections: Chunk.empty()
    })

    const decide = (request: EmulatorRequest): Effect.Effect<Fault | undefined> => {
      const method = request.method.toUpperCase()
      const path = pathOf(request.url)
      return SynchronizedRef.modifyEffect(state, (s) =>
        Effect.gen(function*() {
          const seen = [...s.seen]
          for (let i = 0; i < compiled.length; i++) {
            const rule = compiled[i]
            if (rule.method !== undefined && rule.method !== method) continue
            if (!rule.path(path)) continue
            seen[i] = seen[i] + 1
            if (seen[i] <= rule.after || s.fired[i] >= rule.times) continue
            let fault = rule.fault
            if (rule.sequence !== undefined) {
              const { repeat, steps } = rule.sequence
              const step = seen[i] - rule.after - 1
              fault = (repeat === true && steps.length > 0 ? steps[step % steps.length] : steps[step]) ?? undefined
            }
            if (rule.random !== undefined) {
              const draw = yield* rule.random.rng.next
              const pick = yield* rule.random.rng.nextIntBetween(0, Math.max(rule.random.faults.length, 1))
              fault = draw < rule.random.rate ? rule.random.faults[pick] : undefined
            }
            if (fault === undefined) continue
            const fired = s.fired.map((n, j) => j === i ? n + 1 : n)
            const injection: Injection = { request: s.requests, method, path, rule: i, fault }
            return [fault, {
              requests: s.requests + 1,
              seen,
              fired,
              injections: Chunk.append(s.injections, injection)
            }] as const
          }
          return [undefined, { ...s, requests: s.requests + 1, seen }] as const
        }))
    }

    const run = (
      fault: Fault,
      request: EmulatorRequest,
      handle: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
    ): Effect.Effect<Outcome> => {
      switch (fault._tag) {
        case "Status":
          return Effect.as(
            fault.processed ? handle(request) : Effect.void,
            { _tag: "Respond", response: { status: fault.status, headers: fault.headers, body: fault.body } }
          )
        case "Delay":
          return Effect.zipRight(
            Effect.sleep(fault.duration),
            fault.then === undefined ? respond(handle(request)) : run(fault.then, request, handle)
          )
        case "Drop":
          return Effect.as(fault.processed ? handle(request) : Effect.void, { _tag: "Drop" })
        case "Truncate":
          return Effect.map(handle(request), (response) => ({
            _tag: "Truncate",
            response,
            bytes: Math.max(
              0,
              Math.min(fault.bytes ?? Math.floor(byteLength(response.body) / 2), byteLength(response.body))
            )
          }))
        case "MalformedJson":
          return Effect.as(fault.processed ? handle(request) : Effect.void, {
            _tag: "Respond",
            response: { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: fault.body }
          })
      }
    }

    const stats = Effect.map(SynchronizedRef.get(state), (s): Stats => {
      const byKind = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<Kind, number>
      for (const injection of s.injections) byKind[injection.fault._tag] += 1
      return { requests: s.requests, injected: Chunk.size(s.injections), byKind, byRule: s.fired }
    })

    return {
      plan,
      apply: (handle) => (request) =>
        Effect.flatMap(
          decide(request),
          (fault) => fault === undefined ? respond(handle(request)) : run(fault, request, handle)
        ),
      stats,
      injections: Effect.map(SynchronizedRef.get(state), (s) => Chunk.toReadonlyArray(s.injections))
    }
  })

/**
 * An injector for the empty plan: every request answered normally.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Effect.Effect<Injector> = start([])

const respond = (response: Effect.Effect<EmulatorResponse>): Effect.Effect<Outcome> =>
  Effect.map(response, (response) => ({ _tag: "Respond", response }))

const encoder = /*#__PURE__*/ new TextEncoder()

const byteLength = (s: string): number => encoder.encode(s).byteLength
