/**
 * Seed data for the emulator: plain JSON-able projects, users, topics (with messages) and subscriptions,
 * the default seed, and its validation into the engine's state.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ids from "./internal/ids.js"
import { defaultRoleTable } from "./internal/roles.js"
import * as SchemaValidation from "./internal/schemaValidation.js"
import type { Db, StoredMessage, SubscriptionRec, TopicRec, UserRec } from "./internal/state.js"
import * as State from "./internal/state.js"
import { formatNanos, nanosToMillis, truncateToSeconds } from "./internal/time.js"

/**
 * A project.
 * @since 0.1.0
 * @category models
 */
export interface SeedProject {
  readonly name: string
  readonly description?: string
}

/**
 * A user with its project memberships.
 * @since 0.1.0
 * @category models
 */
export interface SeedUser {
  readonly name: string
  /** Generated (UUID v4) when absent. */
  readonly uuid?: string
  readonly token: string
  readonly email?: string
  readonly service_roles?: ReadonlyArray<string>
  readonly projects?: ReadonlyArray<{ readonly project: string; readonly roles: ReadonlyArray<string> }>
}

/**
 * A schema (for topics that reference one).
 * @since 0.1.0
 * @category models
 */
export interface SeedSchema {
  readonly project: string
  readonly name: string
  readonly type: "json" | "avro"
  readonly schema: unknown
}

/**
 * A topic, optionally with an ACL (user names), a schema name and messages already published.
 * @since 0.1.0
 * @category models
 */
export interface SeedTopic {
  readonly project: string
  readonly name: string
  readonly acl?: ReadonlyArray<string>
  /** Name of a seeded schema of the same project. */
  readonly schema?: string
  readonly messages?: ReadonlyArray<{ readonly data: string; readonly attributes?: Readonly<Record<string, string>> }>
}

/**
 * A subscription of a topic of the same project.
 * @since 0.1.0
 * @category models
 */
export interface SeedSubscription {
  readonly project: string
  readonly name: string
  readonly topic: string
  /** Default 10. */
  readonly ackDeadlineSeconds?: number
  readonly acl?: ReadonlyArray<string>
  /** The starting cursor; default the topic's current max offset (as at creation). */
  readonly offset?: number
}

/**
 * The whole seed. Order of each list = creation order (listings show newest first).
 * @since 0.1.0
 * @category models
 */
export interface Seed {
  readonly projects?: ReadonlyArray<SeedProject>
  readonly users?: ReadonlyArray<SeedUser>
  readonly schemas?: ReadonlyArray<SeedSchema>
  readonly topics?: ReadonlyArray<SeedTopic>
  readonly subscriptions?: ReadonlyArray<SeedSubscription>
}

/**
 * A seed that does not describe a consistent AMS (bad name, unknown reference, duplicate).
 * @since 0.1.0
 * @category errors
 */
export class SeedError extends Data.TaggedError("SeedError")<{
  /** Where in the seed, e.g. `topics[2].project`. */
  readonly path: string
  readonly message: string
}> {}

/**
 * The default seed's project.
 * @since 0.1.0
 * @category constants
 */
export const demoProject = "demo"
/**
 * The default seed's service_admin user.
 * @since 0.1.0
 * @category constants
 */
export const adminUser = "admin"
/**
 * The token of `adminUser`.
 * @since 0.1.0
 * @category constants
 */
export const adminToken = "admin-token"
/**
 * The default seed's project_admin of `demo`.
 * @since 0.1.0
 * @category constants
 */
export const projectAdminUser = "demo-admin"
/**
 * The token of `projectAdminUser`.
 * @since 0.1.0
 * @category constants
 */
export const projectAdminToken = "demo-admin-token"
/**
 * The default seed's publisher of `demo`.
 * @since 0.1.0
 * @category constants
 */
export const publisherUser = "publisher"
/**
 * The token of `publisherUser`.
 * @since 0.1.0
 * @category constants
 */
export const publisherToken = "publisher-token"
/**
 * The default seed's consumer of `demo`.
 * @since 0.1.0
 * @category constants
 */
export const consumerUser = "consumer"
/**
 * The token of `consumerUser`.
 * @since 0.1.0
 * @category constants
 */
export const consumerToken = "consumer-token"

/**
 * Project `demo`; users `admin` (service_admin), `demo-admin` (project_admin), `publisher`, `consumer`;
 * no topics.
 * @since 0.1.0
 * @category constructors
 */
export const defaultSeed: Seed = {
  projects: [{ name: demoProject, description: "Demo project" }],
  users: [
    { name: adminUser, token: adminToken, service_roles: ["service_admin"] },
    {
      name: projectAdminUser,
      token: projectAdminToken,
      projects: [{ project: demoProject, roles: ["project_admin"] }]
    },
    { name: publisherUser, token: publisherToken, projects: [{ project: demoProject, roles: ["publisher"] }] },
    { name: consumerUser, token: consumerToken, projects: [{ project: demoProject, roles: ["consumer"] }] }
  ]
}

const validName = /^[a-zA-Z0-9_-]+$/

// --- the shape of a seed, checked at run time (a seed is often read from a JSON file) ----------------

type Check = (u: unknown, path: string) => SeedError | undefined

const describe = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : JSON.stringify(u)

const expected = (what: string): Check => (u, path) =>
  new SeedError({ path: path === "" ? "(seed)" : path, message: `expected ${what}, got ${describe(u)}` })

/** `users[0]` + `token` → `users[0].token`; the seed itself is the empty path. */
const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const str: Check = (u, path) => (typeof u === "string" ? undefined : expected("a string")(u, path))

const int: Check = (u, path) =>
  Number.isSafeInteger(u) && (u as number) >= 0 ? undefined : expected("a non-negative integer")(u, path)

const arrayOf = (item: Check): Check => (u, path) => {
  if (!Array.isArray(u)) return expected("an array")(u, path)
  for (const [i, element] of u.entries()) {
    const error = item(element, `${path}[${i}]`)
    if (error !== undefined) return error
  }
  return undefined
}

const stringRecord: Check = (u, path) => {
  if (!isRecord(u)) return expected("an object of strings")(u, path)
  for (const [key, value] of Object.entries(u)) {
    const error = str(value, join(path, key))
    if (error !== undefined) return error
  }
  return undefined
}

const anything: Check = () => undefined

/** An object with these keys (`?` suffix: optional); any other key is refused, to catch typos. */
const object = (fields: Readonly<Record<string, Check>>): Check => (u, path) => {
  if (!isRecord(u)) return expected("an object")(u, path)
  const known = new Map(Object.entries(fields).map(([key, check]) => [key.replace(/\?$/, ""), check]))
  for (const key of Object.keys(u)) {
    if (!known.has(key)) {
      return new SeedError({
        path: join(path, key),
        message: `unknown key (expected one of ${[...known.keys()].join(", ")})`
      })
    }
  }
  for (const [key, check] of Object.entries(fields)) {
    const name = key.replace(/\?$/, "")
    const value = u[name]
    if (value === undefined) {
      if (key.endsWith("?")) continue
      return new SeedError({ path: join(path, name), message: "missing" })
    }
    const error = check(value, join(path, name))
    if (error !== undefined) return error
  }
  return undefined
}

const seedShape: Check = object({
  "projects?": arrayOf(object({ name: str, "description?": str })),
  "users?": arrayOf(object({
    name: str,
    "uuid?": str,
    token: str,
    "email?": str,
    "service_roles?": arrayOf(str),
    "projects?": arrayOf(object({ project: str, roles: arrayOf(str) }))
  })),
  "schemas?": arrayOf(object({ project: str, name: str, type: str, schema: anything })),
  "topics?": arrayOf(object({
    project: str,
    name: str,
    "acl?": arrayOf(str),
    "schema?": str,
    "messages?": arrayOf(object({ data: str, "attributes?": stringRecord }))
  })),
  "subscriptions?": arrayOf(object({
    project: str,
    name: str,
    topic: str,
    "ackDeadlineSeconds?": int,
    "acl?": arrayOf(str),
    "offset?": int
  }))
})

/**
 * Options of `load`.
 * @since 0.1.0
 * @category models
 */
export interface LoadOptions {
  /** The role names users may hold [every role of the default role table, and `_admin_`]. */
  readonly roles?: ReadonlySet<string>
}

const defaultRoles: ReadonlySet<string> = new Set([...Object.values(defaultRoleTable).flat(), "_admin_"])

/**
 * Builds the engine state of a seed, checking its shape (a seed read from JSON may be anything), names, role
 * names, schemas, references and offsets; every problem is a `SeedError` naming where it is. Times come from
 * `Clock`, generated uuids from `Random`.
 * @since 0.1.0
 * @category constructors
 */
export const load = (seed: Seed, options?: LoadOptions): Effect.Effect<Db, SeedError> =>
  Effect.gen(function*() {
    const fail = (path: string, message: string) => Effect.fail(new SeedError({ path, message }))
    const shape = seedShape(seed, "")
    if (shape !== undefined) return yield* Effect.fail(shape)
    const roles = options?.roles ?? defaultRoles
    const checkRoles = (path: string, names: ReadonlyArray<string>) =>
      Effect.forEach(
        names,
        (role, i) => roles.has(role) ? Effect.void : fail(`${path}[${i}]`, `unknown role "${role}"`)
      )
    const nanos = yield* Clock.currentTimeNanos
    const now = nanosToMillis(nanos)
    const createdOn = truncateToSeconds(now)
    let db: Db = State.emptyDb
    const nextSeq = () => {
      db = { ...db, seq: db.seq + 1 }
      return db.seq
    }
    const checkName = (path: string, name: string) =>
      validName.test(name) ? Effect.void : fail(path, `invalid name "${name}" (must match ${validName.source})`)
    const projectUuid = (path: string, name: string) => {
      const project = State.projectByName(db, name)
      return project === undefined ? fail(path, `unknown project "${name}"`) : Effect.succeed(project.uuid)
    }
    const aclUuids = (path: string, names: ReadonlyArray<string>) =>
      Effect.forEach(names, (name, i) => {
        const user = State.userByName(db, name)
        return user === undefined ? fail(`${path}[${i}]`, `unknown user "${name}"`) : Effect.succeed(user.uuid)
      })

    for (const [i, p] of (seed.projects ?? []).entries()) {
      yield* checkName(`projects[${i}].name`, p.name)
      if (State.projectByName(db, p.name) !== undefined) yield* fail(`projects[${i}].name`, `duplicate "${p.name}"`)
      const uuid = yield* Ids.uuid
      const seq = nextSeq()
      db = State.putProject(db, {
        uuid,
        name: p.name,
        description: p.description ?? "",
        createdOn,
        modifiedOn: createdOn,
        createdBy: "",
        seq
      })
    }
    for (const [i, u] of (seed.users ?? []).entries()) {
      const path = `users[${i}]`
      yield* checkName(`${path}.name`, u.name)
      if (State.userByName(db, u.name) !== undefined) yield* fail(`${path}.name`, `duplicate "${u.name}"`)
      if (u.token === "") yield* fail(`${path}.token`, "empty token")
      if (State.userByToken(db, u.token) !== undefined) yield* fail(`${path}.token`, "token already used")
      if (u.uuid !== undefined) {
        if (!validName.test(u.uuid)) {
          yield* fail(`${path}.uuid`, `invalid uuid "${u.uuid}" (must match ${validName.source})`)
        }
        if (State.get(db.users, u.uuid) !== undefined) yield* fail(`${path}.uuid`, `duplicate "${u.uuid}"`)
      }
      yield* checkRoles(`${path}.service_roles`, u.service_roles ?? [])
      const seen = new Set<string>()
      const projects = yield* Effect.forEach(u.projects ?? [], (m, j) =>
        Effect.gen(function*() {
          const at = `${path}.projects[${j}]`
          if (seen.has(m.project)) yield* fail(`${at}.project`, `duplicate membership of "${m.project}"`)
          seen.add(m.project)
          yield* checkRoles(`${at}.roles`, m.roles)
          return { projectUuid: yield* projectUuid(`${at}.project`, m.project), roles: [...m.roles] }
        }))
      const uuid = u.uuid ?? (yield* Ids.uuid)
      const user: UserRec = {
        uuid,
        name: u.name,
        token: u.token,
        email: u.email ?? "",
        firstName: "",
        lastName: "",
        organization: "",
        description: "",
        serviceRoles: [...(u.service_roles ?? [])],
        projects,
        createdOn,
        modifiedOn: createdOn,
        createdBy: "",
        seq: nextSeq()
      }
      db = State.putUser(db, user)
    }
    for (const [i, s] of (seed.schemas ?? []).entries()) {
      const path = `schemas[${i}]`
      yield* checkName(`${path}.name`, s.name)
      const project = yield* projectUuid(`${path}.project`, s.project)
      if (State.schema(db, project, s.name) !== undefined) {
        yield* fail(`${path}.name`, `duplicate "${s.name}"`)
      }
      const type = SchemaValidation.parseType(s.type)
      if (type === undefined) {
        return yield* fail(`${path}.type`, `expected "json" or "avro", got ${JSON.stringify(s.type)}`)
      }
      const compiled = SchemaValidation.check(s.type, s.schema)
      if (Either.isLeft(compiled)) {
        yield* fail(`${path}.schema`, `does not compile: ${compiled.left}`)
      }
      const uuid = yield* Ids.uuid
      db = State.putSchema(db, {
        uuid,
        projectUuid: project,
        name: s.name,
        type,
        schema: s.schema,
        seq: nextSeq()
      })
    }
    const publishTime = formatNanos(nanos)
    for (const [i, t] of (seed.topics ?? []).entries()) {
      const path = `topics[${i}]`
      yield* checkName(`${path}.name`, t.name)
      const project = yield* projectUuid(`${path}.project`, t.project)
      if (State.topic(db, project, t.name) !== undefined) {
        yield* fail(`${path}.name`, `duplicate "${t.name}"`)
      }
      let schemaUuid = ""
      if (t.schema !== undefined) {
        const schema = State.schema(db, project, t.schema)
        if (schema === undefined) {
          yield* fail(`${path}.schema`, `unknown schema "${t.schema}"`)
        } else schemaUuid = schema.uuid
      }
      const log = Chunk.fromIterable((t.messages ?? []).map((m, offset): StoredMessage => ({
        offset,
        data: m.data,
        attributes: Object.entries(m.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        publishTime,
        publishMillis: now
      })))
      const topic: TopicRec = {
        projectUuid: project,
        name: t.name,
        seq: nextSeq(),
        createdOn,
        schemaUuid,
        acl: yield* aclUuids(`${path}.acl`, t.acl ?? []),
        log,
        min: 0,
        max: log.length,
        metrics: {
          ...State.zeroTopicMetrics,
          messages: log.length,
          bytes: Chunk.reduce(log, 0, (sum, m) => sum + m.data.length)
        }
      }
      db = State.putTopic(db, topic)
    }
    for (const [i, s] of (seed.subscriptions ?? []).entries()) {
      const path = `subscriptions[${i}]`
      yield* checkName(`${path}.name`, s.name)
      const project = yield* projectUuid(`${path}.project`, s.project)
      if (State.subscription(db, project, s.name) !== undefined) {
        yield* fail(`${path}.name`, `duplicate "${s.name}"`)
      }
      const topic = State.topic(db, project, s.topic)
      if (topic === undefined) {
        return yield* fail(`${path}.topic`, `unknown topic "${s.topic}" in "${s.project}"`)
      }
      if (s.offset !== undefined && s.offset > topic.max) {
        yield* fail(`${path}.offset`, `${s.offset} is past the topic's last offset (max ${topic.max})`)
      }
      const sub: SubscriptionRec = {
        projectUuid: project,
        name: s.name,
        topic: s.topic,
        seq: nextSeq(),
        createdOn,
        ackDeadlineSeconds: s.ackDeadlineSeconds === undefined || s.ackDeadlineSeconds === 0
          ? 10
          : s.ackDeadlineSeconds,
        pushConfig: State.zeroPushConfig,
        acl: yield* aclUuids(`${path}.acl`, s.acl ?? []),
        current: s.offset ?? topic.max,
        nextOffset: 0,
        pendingSince: 0,
        metrics: State.zeroSubscriptionMetrics
      }
      db = State.putSubscription(db, sub)
    }
    return db
  })
