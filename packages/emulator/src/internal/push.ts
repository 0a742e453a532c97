// Push configuration rules (§6.8): decoding, defaults and validation for create and modifyPushConfig.
import * as Either from "effect/Either"
import type { ResolvedConfig } from "./config.js"
import * as Errors from "./errors.js"
import type { Db, PushConfig, UserRec } from "./state.js"
import * as State from "./state.js"

/** A `pushConfig` object of a request, as decoded (absent keys are `undefined`). */
export interface PushConfigInput {
  readonly type: string | undefined
  readonly pushEndpoint: string | undefined
  readonly maxMessages: number | undefined
  readonly authorizationHeader:
    | { readonly type: string | undefined; readonly value: string | undefined }
    | undefined
  readonly retryPolicy: { readonly type: string | undefined; readonly period: number | undefined } | undefined
  readonly verificationHash: string | undefined
  readonly verified: boolean | undefined
  readonly mattermostUrl: string | undefined
  readonly mattermostUsername: string | undefined
  readonly mattermostChannel: string | undefined
  readonly base64Decode: boolean | undefined
}

/** True when the request's push config is the zero value (pull mode). */
export const isZero = (input: PushConfigInput | undefined): boolean => {
  if (input === undefined) return true
  const auth = input.authorizationHeader
  const retry = input.retryPolicy
  return (input.type ?? "") === "" && (input.pushEndpoint ?? "") === "" && (input.maxMessages ?? 0) === 0 &&
    (auth?.type ?? "") === "" && (auth?.value ?? "") === "" && (retry?.type ?? "") === "" &&
    (retry?.period ?? 0) === 0 && (input.verificationHash ?? "") === "" && !(input.verified ?? false) &&
    (input.mattermostUrl ?? "") === "" && (input.mattermostUsername ?? "") === "" &&
    (input.mattermostChannel ?? "") === "" && !(input.base64Decode ?? false)
}

/** Two fresh 64-hex tokens (authorization header value, verification hash), drawn before the transaction. */
export interface FreshTokens {
  readonly authorization: string
  readonly verification: string
}

/** The push-worker user (by the configured token), if it exists. */
export const pushWorker = (db: Db, config: ResolvedConfig): UserRec | undefined =>
  config.pushWorkerToken === "" ? undefined : State.userByToken(db, config.pushWorkerToken)

/** Steps 1–2 of §6.8: push must be enabled and the push worker known. */
export const checkAvailable = (db: Db, config: ResolvedConfig): Either.Either<UserRec, Errors.ApiError> => {
  if (!config.pushEnabled) return Either.left(Errors.pushConflict())
  const worker = pushWorker(db, config)
  return worker === undefined ? Either.left(Errors.internalPush()) : Either.right(worker)
}

const isHttpsUrl = (text: string): boolean => {
  try {
    const url = new URL(text)
    return url.protocol === "https:" && url.host !== ""
  } catch {
    return false
  }
}

const retryPolicy = (input: PushConfigInput): Either.Either<PushConfig["retryPolicy"], Errors.ApiError> => {
  const type = input.retryPolicy?.type || "linear"
  const period = (input.retryPolicy?.period ?? 0) <= 0 ? 3000 : input.retryPolicy!.period!
  if (type !== "linear" && type !== "slowstart") {
    return Either.left(Errors.invalidData("Retry policy can only be of 'linear' or 'slowstart' type"))
  }
  return Either.right({ type, period: type === "slowstart" ? 0 : period })
}

const invalidType = () => Errors.invalidData("Push configuration type can only be of 'http_endpoint' or 'mattermost'")
const invalidEndpoint = () => Errors.invalidData("Push endpoint should be addressed by a valid https url")
const invalidAuthType = () =>
  Errors.invalidData("Authorization header type can only be of 'autogen' or 'disabled' type")
const emptyMattermost = () => Errors.invalidData("Field mattermostUrl cannot be empty")

const mattermost = (
  input: PushConfigInput,
  retry: PushConfig["retryPolicy"],
  base64Decode: boolean
): Either.Either<PushConfig, Errors.ApiError> =>
  (input.mattermostUrl ?? "") === "" ? Either.left(emptyMattermost()) : Either.right({
    ...State.zeroPushConfig,
    type: "mattermost",
    maxMessages: (input.maxMessages ?? 0) === 0 ? 1 : input.maxMessages!,
    retryPolicy: retry,
    verified: true,
    mattermostUrl: input.mattermostUrl ?? "",
    mattermostUsername: input.mattermostUsername ?? "",
    mattermostChannel: input.mattermostChannel ?? "",
    base64Decode
  })

/** The push config stored by `subscriptions:create` (§6.8 creation steps 3–4, after availability). */
export const forCreate = (input: PushConfigInput, tokens: FreshTokens): Either.Either<PushConfig, Errors.ApiError> =>
  Either.gen(function*() {
    const type = input.type ?? ""
    const base64Decode = input.base64Decode ?? false
    if (type === "http_endpoint") {
      const endpoint = input.pushEndpoint ?? ""
      if (!isHttpsUrl(endpoint)) return yield* Either.left(invalidEndpoint())
      const authType = input.authorizationHeader?.type || "autogen"
      if (authType !== "autogen" && authType !== "disabled") return yield* Either.left(invalidAuthType())
      const retry = yield* retryPolicy(input)
      return {
        ...State.zeroPushConfig,
        type,
        pushEndpoint: endpoint,
        maxMessages: (input.maxMessages ?? 0) === 0 ? 1 : input.maxMessages!,
        authorizationHeader: { type: authType, value: authType === "autogen" ? tokens.authorization : "" },
        retryPolicy: retry,
        verificationHash: tokens.verification,
        base64Decode
      }
    }
    if (type === "mattermost") {
      const config = yield* mattermost(input, State.zeroPushConfig.retryPolicy, base64Decode)
      return { ...config, retryPolicy: yield* retryPolicy(input) }
    }
    return yield* Either.left(invalidType())
  })

/** The push config stored by `subscriptions:modifyPushConfig` for a non-zero request (§6.8). */
export const forModify = (
  input: PushConfigInput,
  previous: PushConfig,
  tokens: FreshTokens
): Either.Either<PushConfig, Errors.ApiError> =>
  Either.gen(function*() {
    const retry = yield* retryPolicy(input)
    const type = input.type ?? ""
    if (type === "http_endpoint") {
      const endpoint = input.pushEndpoint ?? ""
      if (!isHttpsUrl(endpoint)) return yield* Either.left(invalidEndpoint())
      const sameEndpoint = previous.type === "http_endpoint" && previous.pushEndpoint === endpoint
      const requested = input.authorizationHeader?.type ?? ""
      let authorizationHeader: PushConfig["authorizationHeader"]
      if (requested === "autogen") authorizationHeader = { type: "autogen", value: tokens.authorization }
      else if (requested === "disabled") authorizationHeader = { type: "disabled", value: "" }
      else if (requested !== "") return yield* Either.left(invalidAuthType())
      else if (previous.type === "" || previous.authorizationHeader.type === "") {
        authorizationHeader = { type: "autogen", value: tokens.authorization }
      } else authorizationHeader = previous.authorizationHeader
      const maxMessages = (input.maxMessages ?? 0) !== 0
        ? input.maxMessages!
        : previous.maxMessages !== 0
        ? previous.maxMessages
        : 1
      return {
        ...State.zeroPushConfig,
        type,
        pushEndpoint: endpoint,
        maxMessages,
        authorizationHeader,
        retryPolicy: retry,
        verificationHash: sameEndpoint ? previous.verificationHash : tokens.verification,
        verified: sameEndpoint ? previous.verified : false
      }
    }
    if (type === "mattermost") return yield* mattermost(input, retry, false)
    return yield* Either.left(invalidType())
  })

/** The `pushConfig` object of §4.2: always all 11 keys, empty sub-keys omitted. */
export const pushConfigJson = (config: PushConfig) => ({
  type: config.type,
  pushEndpoint: config.pushEndpoint,
  maxMessages: config.maxMessages,
  authorizationHeader: {
    ...(config.authorizationHeader.type === "" ? {} : { type: config.authorizationHeader.type }),
    ...(config.authorizationHeader.value === "" ? {} : { value: config.authorizationHeader.value })
  },
  retryPolicy: {
    ...(config.retryPolicy.type === "" ? {} : { type: config.retryPolicy.type }),
    ...(config.retryPolicy.period === 0 ? {} : { period: config.retryPolicy.period })
  },
  verificationHash: config.verificationHash,
  verified: config.verified,
  mattermostUrl: config.mattermostUrl,
  mattermostUsername: config.mattermostUsername,
  mattermostChannel: config.mattermostChannel,
  base64Decode: config.base64Decode
})
