// The engine's data: projects, users, topics (message logs), subscriptions (cursors), held in one TRef.
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
  /** Retained messages; `log[i].offset === min + i`. */
  readonly log: ReadonlyArray<StoredMessage>
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

/** The whole in-memory AMS. */
export interface Db {
  /** Monotonic creation counter: orders listings (newest first) and backs page tokens. */
  readonly seq: number
  readonly projects: ReadonlyMap<string, ProjectRec>
  readonly users: ReadonlyMap<string, UserRec>
  /** Keyed by `key(projectUuid, name)`. */
  readonly topics: ReadonlyMap<string, TopicRec>
  readonly subscriptions: ReadonlyMap<string, SubscriptionRec>
  readonly schemas: ReadonlyMap<string, SchemaRec>
  /** User registrations (§5.6), keyed by uuid. */
  readonly registrations: ReadonlyMap<string, RegistrationRec>
}

/** The empty AMS. */
export const emptyDb: Db = {
  seq: 0,
  projects: new Map(),
  users: new Map(),
  topics: new Map(),
  subscriptions: new Map(),
  schemas: new Map(),
  registrations: new Map()
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

/** Finds a project by name. */
export const projectByName = (db: Db, name: string): ProjectRec | undefined => {
  for (const project of db.projects.values()) if (project.name === name) return project
  return undefined
}

/** Finds a user by name. */
export const userByName = (db: Db, name: string): UserRec | undefined => {
  for (const user of db.users.values()) if (user.name === name) return user
  return undefined
}

/** Finds a user by token. */
export const userByToken = (db: Db, token: string): UserRec | undefined => {
  for (const user of db.users.values()) if (user.token === token) return user
  return undefined
}

/** A copy of `map` with `k` set to `v`. */
export const setIn = <V>(map: ReadonlyMap<string, V>, k: string, v: V): ReadonlyMap<string, V> => new Map(map).set(k, v)

/** A copy of `map` without `k`. */
export const removeFrom = <V>(map: ReadonlyMap<string, V>, k: string): ReadonlyMap<string, V> => {
  const copy = new Map(map)
  copy.delete(k)
  return copy
}

/** User names of an ACL, skipping ids of deleted users. */
export const aclNames = (db: Db, acl: ReadonlyArray<string>): Array<string> =>
  acl.flatMap((uuid) => {
    const user = db.users.get(uuid)
    return user === undefined ? [] : [user.name]
  })

/** The transactional store. */
export type Store = TRef.TRef<Db>

/** Reads the whole state in a transaction. */
export const read = (store: Store): STM.STM<Db> => TRef.get(store)
