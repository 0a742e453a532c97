// The AMS error envelope and every error text of the wire spec (§3), as values.
import * as Data from "effect/Data"

/** An AMS error answer: `{"error":{"code","message","status"}}` with HTTP status `code`. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly code: number
  readonly message: string
  readonly status: string
}> {}

const make = (code: number, message: string, status: string): ApiError => new ApiError({ code, message, status })

/** 400 BAD_REQUEST "Invalid Request Body". */
export const invalidRequestBody = (): ApiError => make(400, "Invalid Request Body", "BAD_REQUEST")
/** 400 INVALID_ARGUMENT "Invalid <key> name". */
export const invalidName = (key: string): ApiError => make(400, `Invalid ${key} name`, "INVALID_ARGUMENT")
/** 400 INVALID_ARGUMENT with a free text. */
export const invalidData = (message: string): ApiError => make(400, message, "INVALID_ARGUMENT")
/** 400 INVALID_ARGUMENT "Invalid <res> Arguments". */
export const invalidArgument = (resource: string): ApiError =>
  make(400, `Invalid ${resource} Arguments`, "INVALID_ARGUMENT")
/** 401 UNAUTHORIZED "Unauthorized". */
export const unauthorized = (): ApiError => make(401, "Unauthorized", "UNAUTHORIZED")
/** 401 UNAUTHORIZED "Endpoint verification failed.<msg>". */
export const pushVerification = (message: string): ApiError =>
  make(401, `Endpoint verification failed.${message}`, "UNAUTHORIZED")
/** 403 FORBIDDEN "Access to this resource is forbidden". */
export const forbidden = (): ApiError => make(403, "Access to this resource is forbidden", "FORBIDDEN")
/** 403 FORBIDDEN "Access to this resource is forbidden. <msg>". */
export const forbiddenWithMessage = (message: string): ApiError =>
  make(403, `Access to this resource is forbidden. ${message}`, "FORBIDDEN")
/** 404 NOT_FOUND "<res> doesn't exist". */
export const notFound = (resource: string): ApiError => make(404, `${resource} doesn't exist`, "NOT_FOUND")
/** 404 NOT_FOUND "User(s): a, b do not exist" (ACL updates). */
export const usersNotFound = (names: ReadonlyArray<string>): ApiError =>
  make(404, `User(s): ${names.join(", ")} do not exist`, "NOT_FOUND")
/** 408 TIMEOUT with a free text ("ack timeout"). */
export const timeout = (message: string): ApiError => make(408, message, "TIMEOUT")
/** 409 ALREADY_EXISTS "<res> already exists". */
export const conflict = (resource: string): ApiError => make(409, `${resource} already exists`, "ALREADY_EXISTS")
/** 409 CONFLICT "Push functionality is currently disabled". */
export const pushConflict = (): ApiError => make(409, "Push functionality is currently disabled", "CONFLICT")
/** 409 CONFLICT with a free text. */
export const genericConflict = (message: string): ApiError => make(409, message, "CONFLICT")
/** 409 CONFLICT "Subscription's topic doesn't exist". */
export const pullNoTopic = (): ApiError => make(409, "Subscription's topic doesn't exist", "CONFLICT")
/** 413 INVALID_ARGUMENT "Message size is too large". */
export const tooLargeMessage = (): ApiError => make(413, "Message size is too large", "INVALID_ARGUMENT")
/** 500 INTERNAL_SERVER_ERROR with a free text. */
export const genericInternal = (message: string): ApiError => make(500, message, "INTERNAL_SERVER_ERROR")
/** 500 "Backend Error". */
export const genericBackend = (): ApiError => genericInternal("Backend Error")
/** 500 "Push functionality is currently unavailable". */
export const internalPush = (): ApiError => genericInternal("Push functionality is currently unavailable")

/** Renders the error envelope exactly as the server does (3-space indent, key order code, message, status). */
export const render = (error: ApiError): string =>
  JSON.stringify({ error: { code: error.code, message: error.message, status: error.status } }, null, 3)
