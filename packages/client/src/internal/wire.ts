/** Wire pieces several resource modules share: full resource names, references, ACLs, ignored answers. */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { AmsError } from "../AmsError.js"
import { AmsArgumentError } from "../AmsError.js"
import type { AmsHttp, RequestOptions } from "../AmsHttp.js"
import * as Names from "./names.js"
import * as Operation from "./operation.js"

const singular: Record<Names.Kind, string> = { topics: "topic", subscriptions: "subscription", schemas: "schema" }
const letter: Record<Names.Kind, string> = { topics: "T", subscriptions: "S", schemas: "S" }

/** A resource named by its full name: the short name, the full name as the server wrote it, the project. */
export interface ResourceName {
  readonly name: string
  readonly fullName: string
  readonly project: string
}

const ResourceNameType = Schema.Struct({ name: Schema.String, fullName: Schema.String, project: Schema.String })

/**
 * A full resource name on the wire (`/projects/P/<kind>/N`), decoded into its parts; anything else is a
 * broken answer. Encodes back to the full name as it was read.
 */
export const resourceName = (kind: Names.Kind, slash: Names.Slash = "optional"): Schema.Schema<ResourceName, string> =>
  Schema.transformOrFail(Schema.String, ResourceNameType, {
    strict: true,
    decode: (fullName, _, ast) => {
      const parsed = Names.parse(kind, fullName, slash)
      return parsed === undefined
        ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            fullName,
            `a ${singular[kind]} name ${slash === "required" ? "/" : ""}projects/P/${kind}/${
              letter[kind]
            }, got ${fullName}`
          )
        )
        : ParseResult.succeed({ name: parsed.name, fullName, project: parsed.project })
    },
    encode: (name) => ParseResult.succeed(name.fullName)
  })

/**
 * How the server wants one resource referred to from another's body, `projects/P/<kind>/N` (no leading
 * slash), from a short name (in the call's project) or a full name (with or without the slash). Anything
 * else fails before any request with `AmsArgumentError`.
 */
export const reference = (
  operation: string,
  kind: Names.Kind,
  value: string,
  options: RequestOptions | undefined
): Effect.Effect<string, AmsArgumentError, AmsHttp> => {
  const full = typeof value === "string" ? Names.parse(kind, value) : undefined
  if (full !== undefined) return Effect.succeed(`projects/${full.project}/${kind}/${full.name}`)
  if (typeof value === "string" && Names.isValid(value)) {
    return Effect.map(Operation.project(options), (project) => `projects/${project}/${kind}/${value}`)
  }
  const argument = singular[kind]
  return Effect.fail(
    new AmsArgumentError({
      operation,
      argument,
      message: `Invalid ${argument} ${Names.show(value)}: give a ${argument} name or projects/P/${kind}/${letter[kind]}`
    })
  )
}

/** The answer of routes that reply with an empty body, `{}` or a message nobody needs: any JSON, dropped. */
export const Ignored = Schema.Unknown

/** A topic's or subscription's ACL, `{"authorized_users": [...]}` (a `null` or missing list is empty). */
const Acl = Schema.Struct({
  authorized_users: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] })
})

/** `GET /v1/projects/{P}/<kind>/{N}:acl`: the user names of a topic's or subscription's ACL. */
export const acl = (
  kind: "topics" | "subscriptions",
  name: string,
  options: RequestOptions | undefined
): Effect.Effect<ReadonlyArray<string>, AmsError, AmsHttp> =>
  Operation.run({
    operation: `${singular[kind]}.acl`,
    method: "GET",
    projectScoped: true,
    names: [[singular[kind], name]],
    path: (project) => `/projects/${project}/${kind}/${name}:acl`,
    response: Acl,
    options
  }).pipe(Effect.map((answer) => answer.authorized_users))

/** `POST /v1/projects/{P}/<kind>/{N}:modifyAcl`, `{"authorized_users": [...]}`: replaces the ACL. */
export const modifyAcl = (
  kind: "topics" | "subscriptions",
  name: string,
  users: ReadonlyArray<string>,
  options: RequestOptions | undefined
): Effect.Effect<void, AmsError, AmsHttp> =>
  Operation.run({
    operation: `${singular[kind]}.modifyAcl`,
    method: "POST",
    projectScoped: true,
    names: [[singular[kind], name]],
    path: (project) => `/projects/${project}/${kind}/${name}:modifyAcl`,
    check: Array.isArray(users) && users.every((user) => typeof user === "string")
      ? undefined
      : Effect.fail(
        new AmsArgumentError({
          operation: `${singular[kind]}.modifyAcl`,
          argument: "users",
          message: `${singular[kind]}.modifyAcl: the users must be a list of user names`
        })
      ),
    body: () => ({ authorized_users: [...users] }),
    response: Ignored,
    options
  }).pipe(Effect.asVoid)
