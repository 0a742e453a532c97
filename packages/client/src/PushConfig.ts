/**
 * Push configuration of a subscription: the 11-key `pushConfig` the server reports (ams-api.md §4.2),
 * and the config you send to turn push on (§6.8).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * A subscription's push configuration as the server reports it (only when push is on: a pull
 * subscription has `pushConfig: undefined` in `Subscription.Subscription`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PushConfig {
  /** `http_endpoint` or `mattermost` (servers before 1.3 send no type: `http_endpoint` is assumed). */
  readonly type: string
  /** The https endpoint messages are pushed to (`""` for mattermost). */
  readonly pushEndpoint: string
  /** Messages per push request. */
  readonly maxMessages: number
  readonly authorizationHeader: {
    /** `autogen` or `disabled`; `undefined` when the server sends none. */
    readonly type: string | undefined
    /** The `Authorization` value the push server sends to the endpoint: a secret, kept `Redacted`. */
    readonly value: Redacted.Redacted<string> | undefined
  }
  readonly retryPolicy: {
    /** `linear` or `slowstart`; `undefined` when the server sends none. */
    readonly type: string | undefined
    /** The pause between pushes in milliseconds (`undefined` for `slowstart`, which has none). */
    readonly period: number | undefined
  }
  /** The hash the endpoint must serve at `/ams_verification_hash` to be verified (`""` if none). */
  readonly verificationHash: string
  readonly verified: boolean
  readonly mattermostUrl: string
  readonly mattermostUsername: string
  readonly mattermostChannel: string
  /** Whether the push server decodes the base64 payload before pushing. */
  readonly base64Decode: boolean
}

const optionalString = Schema.optionalWith(Schema.String, { nullable: true, default: () => "" })

const Wire = Schema.Struct({
  type: optionalString,
  pushEndpoint: optionalString,
  maxMessages: Schema.optionalWith(Schema.Number, { nullable: true, default: () => 0 }),
  authorizationHeader: Schema.optionalWith(
    Schema.Struct({ type: Schema.optional(Schema.String), value: Schema.optional(Schema.String) }),
    { nullable: true, default: () => ({}) }
  ),
  retryPolicy: Schema.optionalWith(
    Schema.Struct({ type: Schema.optional(Schema.String), period: Schema.optional(Schema.Number) }),
    { nullable: true, default: () => ({}) }
  ),
  verificationHash: optionalString,
  verified: Schema.optionalWith(Schema.Boolean, { nullable: true, default: () => false }),
  mattermostUrl: optionalString,
  mattermostUsername: optionalString,
  mattermostChannel: optionalString,
  base64Decode: Schema.optionalWith(Schema.Boolean, { nullable: true, default: () => false })
})

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

/**
 * The wire `pushConfig` (every key optional and lenient: older servers send fewer keys), decoded into
 * a `PushConfig`, or `undefined` when push is off (no `type` and no `pushEndpoint`: the zero config the
 * server reports for pull subscriptions).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PushConfigFromWire: Schema.Schema<PushConfig | undefined, Schema.Schema.Encoded<typeof Wire>> = Schema
  .transform(
    Wire,
    Schema.UndefinedOr(Schema.declare((u: unknown): u is PushConfig => typeof u === "object" && u !== null)),
    {
      strict: true,
      decode: (wire): PushConfig | undefined => {
        if (wire.type === "" && wire.pushEndpoint === "") return undefined
        const value = nonEmpty(wire.authorizationHeader.value)
        return {
          type: wire.type === "" ? "http_endpoint" : wire.type,
          pushEndpoint: wire.pushEndpoint,
          maxMessages: wire.maxMessages,
          authorizationHeader: {
            type: nonEmpty(wire.authorizationHeader.type),
            value: value === undefined ? undefined : Redacted.make(value)
          },
          retryPolicy: {
            type: nonEmpty(wire.retryPolicy.type),
            period: wire.retryPolicy.period === undefined || wire.retryPolicy.period === 0
              ? undefined
              : wire.retryPolicy.period
          },
          verificationHash: wire.verificationHash,
          verified: wire.verified,
          mattermostUrl: wire.mattermostUrl,
          mattermostUsername: wire.mattermostUsername,
          mattermostChannel: wire.mattermostChannel,
          base64Decode: wire.base64Decode
        }
      },
      encode: (config) => {
        if (config === undefined) {
          return {
            type: "",
            pushEndpoint: "",
            maxMessages: 0,
            authorizationHeader: {},
            retryPolicy: {},
            verificationHash: "",
            verified: false,
            mattermostUrl: "",
            mattermostUsername: "",
            mattermostChannel: "",
            base64Decode: false
          }
        }
        const { authorizationHeader: header, retryPolicy: policy } = config
        return {
          ...config,
          authorizationHeader: {
            ...(header.type === undefined ? {} : { type: header.type }),
            ...(header.value === undefined ? {} : { value: Redacted.value(header.value) })
          },
          retryPolicy: {
            ...(policy.type === undefined ? {} : { type: policy.type }),
            ...(policy.period === undefined ? {} : { period: policy.period })
          }
        }
      }
    }
  ).annotations({ identifier: "PushConfig" })

/**
 * How the push server retries: `linear` every `period` (the server's default, 3 seconds), or
 * `slowstart`.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy =
  | { readonly type: "linear"; readonly period?: Duration.DurationInput | undefined }
  | { readonly type: "slowstart" }

/**
 * Push to an https endpoint. The endpoint must then be verified (`Subscription.verifyPushEndpoint`)
 * before anything is pushed.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpEndpoint {
  /** `http_endpoint` (the default when omitted). */
  readonly type?: "http_endpoint" | undefined
  /** An absolute `https://` URL. */
  readonly pushEndpoint: string
  /** Messages per push; when omitted the server uses 1 (or, on an update, the previous value). */
  readonly maxMessages?: number | undefined
  /**
   * `autogen` (a generated `Authorization` value) or `disabled`. When omitted the server uses `autogen`
   * on creation and keeps the previous setting (and value) on an update.
   */
  readonly authorizationHeader?: "autogen" | "disabled" | undefined
  /** When omitted the server uses `linear` every 3 seconds. */
  readonly retryPolicy?: RetryPolicy | undefined
  /** Decode the base64 payload before pushing (default false). */
  readonly base64Decode?: boolean | undefined
}

/**
 * Push to a Mattermost webhook (verified at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface Mattermost {
  readonly type: "mattermost"
  readonly mattermostUrl: string
  readonly mattermostUsername?: string | undefined
  readonly mattermostChannel?: string | undefined
  readonly retryPolicy?: RetryPolicy | undefined
  readonly base64Decode?: boolean | undefined
}

/**
 * A push configuration to send (`Subscription.create`, `Subscription.modifyPushConfig`).
 *
 * @since 0.1.0
 * @category models
 */
export type Input = HttpEndpoint | Mattermost

/**
 * The wire body of a push configuration. It always carries `type` (the server rejects a config
 * without it since release 1.3, which the Python client does not do), the endpoint or Mattermost
 * URL, and `base64Decode`; `maxMessages`, `authorizationHeader` and `retryPolicy` only when given, so
 * that an update keeps what the caller did not mention. `null` is `{}`: push off.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (config: Input | null): Record<string, unknown> => {
  if (config === null) return {}
  const policy = config.retryPolicy
  const retryPolicy = policy === undefined
    ? {}
    : {
      retryPolicy: policy.type === "linear" && policy.period !== undefined
        ? { type: "linear", period: Math.round(Duration.toMillis(Duration.decode(policy.period))) }
        : { type: policy.type }
    }
  if (config.type === "mattermost") {
    return {
      type: "mattermost",
      mattermostUrl: config.mattermostUrl,
      ...(config.mattermostUsername === undefined ? {} : { mattermostUsername: config.mattermostUsername }),
      ...(config.mattermostChannel === undefined ? {} : { mattermostChannel: config.mattermostChannel }),
      ...retryPolicy,
      base64Decode: config.base64Decode ?? false
    }
  }
  return {
    type: "http_endpoint",
    pushEndpoint: config.pushEndpoint,
    ...(config.maxMessages === undefined ? {} : { maxMessages: config.maxMessages }),
    ...(config.authorizationHeader === undefined ? {} : { authorizationHeader: { type: config.authorizationHeader } }),
    ...retryPolicy,
    base64Decode: config.base64Decode ?? false
  }
}

/**
 * Checks a push configuration before any request; returns what is wrong, or `undefined`. The server
 * would answer 400 to all of these (or, for a fractional number, fail to read the body).
 *
 * @since 0.1.0
 * @category encoding
 */
export const validate = (config: Input | null): string | undefined => {
  if (config === null) return undefined
  const policy = config.retryPolicy
  if (policy !== undefined && policy.type !== "linear" && policy.type !== "slowstart") {
    return "Retry policy can only be of 'linear' or 'slowstart' type"
  }
  if (policy?.type === "linear" && policy.period !== undefined) {
    const millis = Duration.toMillis(Duration.decode(policy.period))
    if (!Number.isFinite(millis) || millis < 1) return "The retry period must be at least 1 millisecond"
  }
  if (config.type === "mattermost") {
    return config.mattermostUrl === "" ? "Field mattermostUrl cannot be empty" : undefined
  }
  if (config.type !== undefined && config.type !== "http_endpoint") {
    return "Push configuration type can only be of 'http_endpoint' or 'mattermost'"
  }
  if (!/^https:\/\/[^/?#]+/i.test(config.pushEndpoint)) return "Push endpoint should be addressed by a valid https url"
  if (config.maxMessages !== undefined && !(Number.isSafeInteger(config.maxMessages) && config.maxMessages >= 0)) {
    return "maxMessages must be a whole number, 0 or more"
  }
  if (
    config.authorizationHeader !== undefined && config.authorizationHeader !== "autogen" &&
    config.authorizationHeader !== "disabled"
  ) {
    return "Authorization header type can only be of 'autogen' or 'disabled' type"
  }
  return undefined
}
