// The request pipeline of §1.6: route match, name validation, token, project, roles, authorization, handler.
import * as Effect from "effect/Effect"
import * as STM from "effect/STM"
import type { EmulatorRequest, EmulatorResponse } from "./contract.js"
import * as Errors from "./errors.js"
import * as Reply from "./reply.js"
import { isAllowed } from "./roles.js"
import type { Caller, Context, Env, Route, Router } from "./router.js"
import * as State from "./state.js"
import * as Target from "./target.js"

const validName = /^[a-zA-Z0-9_-]+$/

/** §1.6 step 1: the first invalid path variable, in alphabetical order of the variable names. */
export const invalidVariable = (vars: Readonly<Record<string, string>>): string | undefined =>
  Object.keys(vars).sort().find((name) => !validName.test(vars[name]!))

/** Extracts the token per the auth option (§2.1): header, `?key=`, or header then key. */
export const extractToken = (env: Env, request: EmulatorRequest, query: URLSearchParams): string => {
  const header = request.headers["x-api-key"] ?? ""
  const key = query.get("key") ?? ""
  switch (env.config.authOption) {
    case "header":
      return header
    case "key":
      return key
    case "both":
      return header !== "" ? header : key
  }
}

const anonymous = (token: string): Caller => ({ token, isServiceToken: false, userName: "", userUuid: "", roles: [] })

type Auth =
  | { readonly _tag: "Failed"; readonly error: Errors.ApiError }
  | { readonly _tag: "Ok"; readonly caller: Caller; readonly project: State.ProjectRec | undefined }

/** §1.6 steps 3–7 against one consistent snapshot of the state. */
const authenticate = (
  env: Env,
  route: Route,
  vars: Readonly<Record<string, string>>,
  token: string
): STM.STM<Auth> =>
  STM.map(State.read(env.store), (db): Auth => {
    const fail = (error: Errors.ApiError): Auth => ({ _tag: "Failed", error })
    if (token === "") return fail(Errors.unauthorized())
    const projectName = vars["project"]
    const project = projectName === undefined ? undefined : State.projectByName(db, projectName)
    if (projectName !== undefined && project === undefined && route.name !== "projects:create") {
      return fail(Errors.notFound("project"))
    }
    const { config } = env
    if (config.serviceToken !== "" && token === config.serviceToken) {
      return {
        _tag: "Ok",
        project,
        caller: { token, isServiceToken: true, userName: "", userUuid: "", roles: ["service_admin"] }
      }
    }
    const user = State.userByToken(db, token)
    if (user === undefined) return fail(Errors.unauthorized())
    const projectRoles = project === undefined
      ? []
      : user.projects.filter((m) => m.projectUuid === project.uuid).flatMap((m) => m.roles)
    const roles = [...new Set([...projectRoles, ...(user.serviceRoles ?? [])])]
    if (roles.length === 0) return fail(Errors.unauthorized())
    if (!isAllowed(config.roleTable, route.name, roles)) return fail(Errors.forbidden())
    return {
      _tag: "Ok",
      project,
      caller: { token, isServiceToken: false, userName: user.name, userUuid: user.uuid, roles }
    }
  })

/**
 * What a request answers when a handler dies (a bug, or input that exhausts the stack): the server's
 * `500 "Internal Error"`. Transactions commit nothing when they die, so the state stays as it was.
 */
const internalError = (defect: unknown): Effect.Effect<EmulatorResponse> =>
  Effect.as(
    Effect.logError("ams emulator: a handler died", defect),
    Reply.handlerError(Errors.genericInternal("Internal Error"))
  )

/** Answers one request through the router and the pipeline. Never fails, and never dies. */
export const handle = (env: Env, router: Router) => (request: EmulatorRequest): Effect.Effect<EmulatorResponse> =>
  answer(env, router, request).pipe(Effect.catchAllDefect(internalError))

const answer = (env: Env, router: Router, request: EmulatorRequest): Effect.Effect<EmulatorResponse> =>
  Effect.gen(function*() {
    // net/http parses the request-target before any handler: what it refuses never reaches the router.
    const target = Target.parse(request.url)
    if (target === undefined) return Reply.badRequest
    // gorilla/mux without SkipClean: a path with `.`, `..` or `//` segments is redirected to its clean form.
    const path = target.path
    const cleaned = Target.cleanPath(path)
    if (cleaned !== path) return Reply.movedPermanently(Target.withPath(target, cleaned))
    const query = Target.parseQuery(target.rawQuery)
    // Methods are case-sensitive, as in gorilla/mux: `get` is not `GET`.
    const match = router.match(request.method, path)
    if (match._tag === "NotFound") return Reply.notFoundPage
    if (match._tag === "MethodNotAllowed") return Reply.methodNotAllowed
    const { route, vars } = match
    const invalid = invalidVariable(vars)
    if (invalid !== undefined) return Reply.pipelineError(Errors.invalidName(invalid))
    const token = extractToken(env, request, query)
    let caller = anonymous(token)
    let project: State.ProjectRec | undefined = undefined
    if (route.access === "authenticated") {
      const auth = yield* STM.commit(authenticate(env, route, vars, token))
      if (auth._tag === "Failed") return Reply.pipelineError(auth.error)
      caller = auth.caller
      project = auth.project
    } else if (vars["project"] !== undefined) {
      project = State.projectByName(yield* STM.commit(State.read(env.store)), vars["project"])
    }
    const context: Context = { env, route: route.name, request, vars, query, body: request.body, caller, project }
    return yield* route.handler(context).pipe(
      Effect.match({ onFailure: Reply.handlerError, onSuccess: Reply.ok })
    )
  })
