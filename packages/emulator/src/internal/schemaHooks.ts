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
  const schema = db.schemas.get(State.key(projectUuid, parts[3]!))
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
  for (const schema of db.schemas.values()) {
    if (schema.uuid === schemaUuid) {
      return Either.mapLeft(
        SchemaValidation.validate(schema.type, schema.schema, messages.map((m) => m.data)),
        (invalid) =>
          invalid._tag === "Invalid"
            ? Errors.invalidData(invalid.message)
            : Errors.genericInternal("Could not load schema for topic")
      )
    }
  }
  return Either.left(Errors.genericInternal("Could not load schema for topic"))
}

/** The `schema` field of a topic: `projects/<P>/schemas/<name>` (no leading slash), "" when none. */
export const schemaRefOf = (db: Db, projectName: string, schemaUuid: string): string => {
  if (schemaUuid === "") return ""
  for (const schema of db.schemas.values()) {
    if (schema.uuid === schemaUuid) return `projects/${projectName}/schemas/${schema.name}`
  }
  return ""
}
