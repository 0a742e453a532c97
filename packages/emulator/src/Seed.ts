/**
 * Seed data for the emulator: plain JSON-able projects, users, topics (with messages) and subscriptions,
 * the default seed, and its validation into the engine's state.
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Ids from "./internal/ids.js"
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

/**
 * Builds the engine state of a seed, checking names and references. Times come from `Clock`, generated
 * uuids from `Random`.
 * @since 0.1.0
 * @category constructors
 */
export const load = (seed: Seed): Effect.Effect<Db, SeedError> =>
  Effect.gen(function*() {
    const fail = (path: string, message: string) => Effect.fail(new SeedError({ path, message }))
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
      const projects = yield* Effect.forEach(u.projects ?? [], (m, j) =>
        Effect.map(projectUuid(`${path}.projects[${j}].project`, m.project), (uuid) => ({
          projectUuid: uuid,
          roles: [...m.roles]
        })))
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
      const uuid = yield* Ids.uuid
      db = State.putSchema(db, {
        uuid,
        projectUuid: project,
        name: s.name,
        type: s.type,
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
          bytes: Chunk.reduce(log, 0, (sum, m) =>
            sum + m.data.length)
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
