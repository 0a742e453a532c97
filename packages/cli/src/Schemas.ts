/**
 * `ams schemas`: the project's message schemas (JSON Schema or AVRO): list, inspect, create, update,
 * delete, and check a message against one.
 *
 * @since 0.1.0
 */
import * as MessageSchema from "@argo-ams/client/MessageSchema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Leaf from "./internal/command.js"
import * as Input from "./internal/input.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const schemaArg = Args.text({ name: "SCHEMA" }).pipe(Args.withDescription("the schema's name"))

const type = Options.choice("type", ["json", "avro"]).pipe(Options.withDescription("JSON Schema or AVRO"))

const definitionOptions = {
  definition: Options.text("definition").pipe(Options.withDescription("the schema, as JSON text"), Options.optional),
  file: Options.text("file").pipe(Options.withDescription("a file holding the schema (JSON)"), Options.optional)
}

const definition = (args: { readonly definition: Option.Option<string>; readonly file: Option.Option<string> }) =>
  Effect.flatMap(
    Input.jsonDocument({ inline: args.definition, inlineFlag: "--definition", file: args.file, fileFlag: "--file" }),
    (value) => Input.jsonObject(value, "The schema")
  )

const list = Leaf.make("list", {
  description: "Lists the project's schemas.",
  examples: ["ams schemas list"],
  needs: "project",
  args: {},
  run: () => Effect.flatMap(MessageSchema.list(), (ss) => Output.list(ss.map(View.schema), View.schemaColumns))
})

const get = Leaf.make("get", {
  description: "Shows a schema and its definition.",
  examples: ["ams schemas get status-v1 -o json"],
  needs: "project",
  args: { schema: schemaArg },
  resources: ({ schema }) => ({ schema }),
  run: ({ schema }) => Effect.flatMap(MessageSchema.get(schema), (s) => Output.record(View.schema(s)))
})

const create = Leaf.make("create", {
  description: "Creates a schema. Attach it to a topic with `ams topics create TOPIC --schema SCHEMA`: every " +
    "message published there is then checked against it.",
  examples: [
    "ams schemas create status-v1 --type json --file status.schema.json",
    "ams schemas create status-v1 --type json --definition '{\"type\":\"object\",\"required\":[\"host\"]}'"
  ],
  needs: "project",
  args: { schema: schemaArg, type, ...definitionOptions },
  resources: ({ schema }) => ({ schema }),
  run: ({ schema, type, ...args }) =>
    Effect.flatMap(definition(args), (definition) =>
      Effect.flatMap(
        MessageSchema.create(schema, { type, schema: definition }),
        (s) => Output.record(View.schema(s))
      ))
})

const update = Leaf.make("update", {
  description: "Renames a schema or replaces its type or definition.",
  examples: ["ams schemas update status-v1 --file status.schema.json", "ams schemas update status-v1 --rename v2"],
  needs: "project",
  args: {
    schema: schemaArg,
    rename: Options.text("rename").pipe(Options.withDescription("a new name"), Options.optional),
    type: type.pipe(Options.optional),
    ...definitionOptions
  },
  resources: ({ schema }) => ({ schema }),
  run: ({ rename, schema, type, ...args }) =>
    Effect.gen(function*() {
      const replaced = Option.isNone(args.definition) && Option.isNone(args.file) ? undefined : yield* definition(args)
      const updated = yield* MessageSchema.update(schema, {
        name: Option.getOrUndefined(rename),
        type: Option.getOrUndefined(type),
        schema: replaced
      })
      yield* Output.record(View.schema(updated))
    })
})

const remove = Leaf.make("delete", {
  description: "Deletes a schema (topics using it are no longer checked).",
  examples: ["ams schemas delete status-v1"],
  needs: "project",
  args: { schema: schemaArg },
  resources: ({ schema }) => ({ schema }),
  run: ({ schema }) => Effect.zipRight(MessageSchema.remove(schema), Output.note(`deleted schema ${schema}`))
})

const validate = Leaf.make("validate", {
  description: "Checks a message against a schema without publishing it: a JSON document for a JSON schema, " +
    "the AVRO-encoded bytes of a file for an AVRO schema. Exits 1 with the validator's text if it does not match.",
  examples: [
    "ams schemas validate status-v1 --message '{\"host\":\"a\"}'",
    "ams schemas validate readings --file reading.avro"
  ],
  needs: "project",
  args: {
    schema: schemaArg,
    message: Options.text("message").pipe(Options.withDescription("the message, as JSON text"), Options.optional),
    file: Options.text("file").pipe(Options.withDescription("a file holding the message"), Options.optional)
  },
  resources: ({ schema }) => ({ schema }),
  run: ({ file, message, schema }) =>
    Effect.gen(function*() {
      const { type } = yield* MessageSchema.get(schema)
      const payload = type === "avro" && Option.isSome(file)
        ? yield* Input.readBytes(file.value, "--file")
        : yield* Input.jsonDocument({ inline: message, inlineFlag: "--message", file, fileFlag: "--file" })
      const answer = yield* MessageSchema.validateMessage(schema, payload)
      yield* Output.record({ schema, valid: true, message: answer })
    })
})

/**
 * `ams schemas ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("schemas", {
  description: "Message schemas of the project: JSON Schema or AVRO definitions that topics can enforce.",
  examples: ["ams schemas list", "ams schemas create status-v1 --type json --file status.schema.json"]
}).pipe(Command.withSubcommands([list, get, create, update, remove, validate]))
