// Hooks the schema routes complete: resolving a topic's schema reference and validating published messages.
import * as Either from "effect/Either"
import * as Errors from "./errors.js"
import * as SchemaValidation from "./schemaValidation.js"
import type { Db } from "./state.js"
import * as State from "./state.js"

/**
 * Resolves `projects/<p>/schemas/<s>` (as sent to topics:create / attachSchema) to a schema uuid, looking
 * the schema up in the URL's project like the server does. Fails with "wrong schema name declaration" or
 * 404 "Schema doesn't exist".
 */
export const validateSchemaRef = (
  db: Db,
  projectUuid: string,
  ref: string
): Either.Either<string, Errors.ApiError> => {
  const parts = ref.split("/")
  if (parts.length !== 4 || parts[0] !== "projects" || parts[2] !== "schemas") {
    return Either.left(Errors.invalidData("wrong schema name declaration"))
  }
  const schema = State.schema(db, projectUuid, parts[3]!)
  return schema === undefined ? Either.left(Errors.notFound("Schema")) : Either.right(schema.uuid)
}

/** A message as published, before it is stored. */
export interface IncomingMessage {
  readonly data: string
  readonly attributes: Readonly<Record<string, string>>
}

/**
 * Validates a publish request against the topic's schema (§5.7): 400 with the validation text, or 500
 * "Could not load schema for topic" when the schema is missing or cannot be compiled.
 */
export const validateMessages = (
  db: Db,
  schemaUuid: string,
  messages: ReadonlyArray<IncomingMessage>
): Either.Either<void, Errors.ApiError> => {
  const schema = State.schemaByUuid(db, schemaUuid)
  if (schema === undefined) return Either.left(Errors.genericInternal("Could not load schema for topic"))
  return validationError(SchemaValidation.validate(schema.type, schema.schema, messages.map((m) => m.data)))
}

/** A validation outcome as the API answers it: 400 with the validation text, 500 when the schema is unusable. */
export const validationError = <A>(
  result: Either.Either<A, SchemaValidation.Invalid>
): Either.Either<A, Errors.ApiError> =>
  Either.mapLeft(result, (failure) =>
    failure._tag === "Invalid"
      ? Errors.invalidData(failure.message)
      : Errors.genericInternal("Could not load schema for topic"))

/** The `schema` field of a topic: `projects/<P>/schemas/<name>` (no leading slash), "" when none. */
export const schemaRefOf = (db: Db, projectName: string, schemaUuid: string): string => {
  const schema = schemaUuid === "" ? undefined : State.schemaByUuid(db, schemaUuid)
  return schema === undefined ? "" : `projects/${projectName}/schemas/${schema.name}`
}
