// The engine's data: projects, users, topics (message logs), subscriptions (cursors), held in one TRef.
import type * as Chunk from "effect/Chunk"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import type * as STM from "effect/STM"
import * as TRef from "effect/TRef"

/** A project. Times are epoch milliseconds. */
export interface ProjectRec {
  readonly uuid: string
  readonly name: string
  readonly description: string
  readonly createdOn: number
  readonly modifiedOn: number
  /** Creator's user uuid ("" = created by the service token or the seed). */
  readonly createdBy: string
  readonly seq: number
}

/** A user's membership of one project (by project uuid: memberships dangle after project deletion). */
export interface Membership {
  readonly projectUuid: string
  readonly roles: ReadonlyArray<string>
}

/** A user. */
export interface UserRec {
  readonly uuid: string
  readonly name: string
  readonly token: string
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  readonly organization: string
  readonly description: string
  /** `null` reproduces users created without service roles (§10.1). */
  readonly serviceRoles: ReadonlyArray<string> | null
  readonly projects: ReadonlyArray<Membership>
  readonly createdOn: number
  readonly modifiedOn: number
  readonly createdBy: string
  readonly seq: number
}

/** One message of a topic log. */
export interface StoredMessage {
  readonly offset: number
  readonly data: string
  /** Sorted by key. */
  readonly attributes: ReadonlyArray<readonly [string, string]>
  /** Formatted publish time (nanoseconds, trimmed). */
  readonly publishTime: string
  /** Publish time in epoch milliseconds (the broker timestamp). */
  readonly publishMillis: number
}

/** Publish counters of a topic (§6.2). */
export interface TopicMetrics {
  readonly messages: number
  readonly bytes: number
  /** UTC day (`YYYY-MM-DD`) → messages published that day. */
  readonly daily: ReadonlyMap<string, number>
  /** Epoch milliseconds of the latest publish, 0 when never. */
  readonly latestPublish: number
  readonly publishRate: number
}

/** A topic and its message log. */
export interface TopicRec {
  readonly projectUuid: string
  readonly name: string
  readonly seq: number
  readonly createdOn: number
  /** The attached schema's uuid ("" = none). */
  readonly schemaUuid: string
  /** Authorized user uuids. */
  readonly acl: ReadonlyArray<string>
  /** Retained messages; `log[i].offset === min + i`. A `Chunk` so that a publish appends in O(log n). */
  readonly log: Chunk.Chunk<StoredMessage>
  readonly min: number
  readonly max: number
  readonly metrics: TopicMetrics
}

/** The stored push configuration (§4.2, §6.8); the zero value means pull mode. */
export interface PushConfig {
  readonly type: string
  readonly pushEndpoint: string
  readonly maxMessages: number
  readonly authorizationHeader: { readonly type: string; readonly value: string }
  readonly retryPolicy: { readonly type: string; readonly period: number }
  readonly verificationHash: string
  readonly verified: boolean
  readonly mattermostUrl: string
  readonly mattermostUsername: string
  readonly mattermostChannel: string
  readonly base64Decode: boolean
}

/** Consumption counters of a subscription. */
export interface SubscriptionMetrics {
  readonly messages: number
  readonly bytes: number
  /** Epoch milliseconds of the latest consume, 0 when never. */
  readonly latestConsume: number
  readonly consumeRate: number
}

/** A subscription: a cursor over its topic's log. */
export interface SubscriptionRec {
  readonly projectUuid: string
  readonly name: string
  /** The topic's short name (in the same project). */
  readonly topic: string
  readonly seq: number
  readonly createdOn: number
  readonly ackDeadlineSeconds: number
  readonly pushConfig: PushConfig
  readonly acl: ReadonlyArray<string>
  readonly current: number
  /** 0 = no pull pending. */
  readonly nextOffset: number
  /** Epoch seconds (truncated) of the latest pull, meaningful when `nextOffset > 0`. */
  readonly pendingSince: number
  readonly metrics: SubscriptionMetrics
}

/** A schema (only its identity is used by the topic routes; the schema routes own the rest). */
export interface SchemaRec {
  readonly uuid: string
  readonly projectUuid: string
  readonly name: string
  readonly type: string
  readonly schema: unknown
  readonly seq: number
}

/** A user registration (§4.10). Times are epoch milliseconds; `modifiedBy` is a user uuid ("" = none). */
export interface RegistrationRec {
  readonly uuid: string
  readonly name: string
  readonly firstName: string
  readonly lastName: string
  readonly organization: string
  readonly description: string
  readonly email: string
  readonly status: "pending" | "accepted" | "declined"
  readonly declineComment: string
  readonly activationToken: string
  readonly registeredAt: number
  readonly modifiedBy: string
  readonly modifiedAt: number
  readonly seq: number
}

/**
 * The whole in-memory AMS. The collections are persistent `HashMap`s: a write shares all but O(log n) of
 * the previous state instead of copying it.
 */
export interface Db {
  /** Monotonic creation counter: orders listings (newest first) and backs page tokens. */
  readonly seq: number
  /** Keyed by uuid. */
  readonly projects: HashMap.HashMap<string, ProjectRec>
  /** Keyed by uuid. */
  readonly users: HashMap.HashMap<string, UserRec>
  /** Keyed by `key(projectUuid, name)`. */
  readonly topics: HashMap.HashMap<string, TopicRec>
  /** Keyed by `key(projectUuid, name)`. */
  readonly subscriptions: HashMap.HashMap<string, SubscriptionRec>
  /** Keyed by `key(projectUuid, name)`. */
  readonly schemas: HashMap.HashMap<string, SchemaRec>
  /** User registrations (§5.6), keyed by uuid. */
  readonly registrations: HashMap.HashMap<string, RegistrationRec>
}

/** The empty AMS. */
export const emptyDb: Db = {
  seq: 0,
  projects: HashMap.empty(),
  users: HashMap.empty(),
  topics: HashMap.empty(),
  subscriptions: HashMap.empty(),
  schemas: HashMap.empty(),
  registrations: HashMap.empty()
}

/** The map key of a project-scoped resource. */
export const key = (projectUuid: string, name: string): string => `${projectUuid}/${name}`

/** The pull-mode push configuration. */
export const zeroPushConfig: PushConfig = {
  type: "",
  pushEndpoint: "",
  maxMessages: 0,
  authorizationHeader: { type: "", value: "" },
  retryPolicy: { type: "", period: 0 },
  verificationHash: "",
  verified: false,
  mattermostUrl: "",
  mattermostUsername: "",
  mattermostChannel: "",
  base64Decode: false
}

/** Fresh topic counters. */
export const zeroTopicMetrics: TopicMetrics = {
  messages: 0,
  bytes: 0,
  daily: new Map(),
  latestPublish: 0,
  publishRate: 0
}

/** Fresh subscription counters. */
export const zeroSubscriptionMetrics: SubscriptionMetrics = { messages: 0, bytes: 0, latestConsume: 0, consumeRate: 0 }

/** The value at `k`, or `undefined`. */
export const get = <V>(map: HashMap.HashMap<string, V>, k: string): V | undefined =>
  Option.getOrUndefined(HashMap.get(map, k))

/** The first value satisfying `predicate` (for the lookups by name or token: names and tokens are unique). */
const find = <V>(map: HashMap.HashMap<string, V>, predicate: (value: V) => boolean): V | undefined =>
  Option.getOrUndefined(Option.map(HashMap.findFirst(map, predicate), ([, value]) => value))

/** The values of `map`, as an array (for filtering and sorting). */
export const valuesOf = <V>(map: HashMap.HashMap<string, V>): Array<V> => Array.from(HashMap.values(map))

/** The resources of one project, in creation order. */
export const inProject = <V extends { readonly projectUuid: string; readonly seq: number }>(
  map: HashMap.HashMap<string, V>,
  projectUuid: string
): Array<V> => valuesOf(map).filter((v) => v.projectUuid === projectUuid).sort(bySeq)

/** Creation order, oldest first. */
export const bySeq = (a: { readonly seq: number }, b: { readonly seq: number }): number => a.seq - b.seq

/** Newest first: the order of the paginated listings (§8.3). */
export const newestFirst = (a: { readonly seq: number }, b: { readonly seq: number }): number => b.seq - a.seq

/** Finds a project by name. */
export const projectByName = (db: Db, name: string): ProjectRec | undefined =>
  find(db.projects, (project) => project.name === name)

/** Finds a user by name. */
export const userByName = (db: Db, name: string): UserRec | undefined => find(db.users, (user) => user.name === name)

/** Finds a user by token. */
export const userByToken = (db: Db, token: string): UserRec | undefined =>
  find(db.users, (user) => user.token === token)

/** The topic `name` of a project. */
export const topic = (db: Db, projectUuid: string, name: string): TopicRec | undefined =>
  get(db.topics, key(projectUuid, name))

/** The subscription `name` of a project. */
export const subscription = (db: Db, projectUuid: string, name: string): SubscriptionRec | undefined =>
  get(db.subscriptions, key(projectUuid, name))

/** The schema `name` of a project. */
export const schema = (db: Db, projectUuid: string, name: string): SchemaRec | undefined =>
  get(db.schemas, key(projectUuid, name))

/** The schema with this uuid. */
export const schemaByUuid = (db: Db, uuid: string): SchemaRec | undefined =>
  find(db.schemas, (schema) => schema.uuid === uuid)

/** Stores a project (new or updated). */
export const putProject = (db: Db, project: ProjectRec): Db => ({
  ...db,
  projects: HashMap.set(db.projects, project.uuid, project)
})

/** Stores a user (new or updated). */
export const putUser = (db: Db, user: UserRec): Db => ({ ...db, users: HashMap.set(db.users, user.uuid, user) })

/** Stores a topic (new or updated). */
export const putTopic = (db: Db, topic: TopicRec): Db => ({
  ...db,
  topics: HashMap.set(db.topics, key(topic.projectUuid, topic.name), topic)
})

/** Stores a subscription (new or updated). */
export const putSubscription = (db: Db, sub: SubscriptionRec): Db => ({
  ...db,
  subscriptions: HashMap.set(db.subscriptions, key(sub.projectUuid, sub.name), sub)
})

/** Stores a schema under its (possibly new) name. */
export const putSchema = (db: Db, schema: SchemaRec): Db => ({
  ...db,
  schemas: HashMap.set(db.schemas, key(schema.projectUuid, schema.name), schema)
})

/** Stores a registration (new or updated). */
export const putRegistration = (db: Db, registration: RegistrationRec): Db => ({
  ...db,
  registrations: HashMap.set(db.registrations, registration.uuid, registration)
})

/** True when `user` is a member of the project (memberships may dangle after the project is deleted). */
export const isMember = (user: UserRec, projectUuid: string): boolean =>
  user.projects.some((m) => m.projectUuid === projectUuid)

/** User names of an ACL, skipping ids of deleted users. */
export const aclNames = (db: Db, acl: ReadonlyArray<string>): Array<string> =>
  acl.flatMap((uuid) => {
    const user = get(db.users, uuid)
    return user === undefined ? [] : [user.name]
  })

/**
 * The transactional store. One `TRef` is enough: a transaction holds no yield point, so it commits without
 * interleaving and unrelated topics never make each other retry; the persistent collections keep each write
 * O(log n). Only a pull waiting for messages (`STM.retry`) is woken by writes, and it re-checks cheaply.
 */
export type Store = TRef.TRef<Db>

/** Reads the whole state in a transaction. */
export const read = (store: Store): STM.STM<Db> => TRef.get(store)
