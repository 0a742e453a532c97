/**
 * `ams publish TOPIC`: messages from the arguments, a file or stdin, batched through a `Publisher`; the
 * ids on stdout, in order; progress on stderr when it is a terminal.
 *
 * @since 0.1.0
 */
import * as Message from "@argo-ams/client/Message"
import * as Publisher from "@argo-ams/client/Publisher"
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Readline from "node:readline"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"
import * as Output from "./Output.js"

/**
 * How each input line becomes a message: `json` (the default) publishes each line, which must be a JSON
 * document, as the message's data; `text` publishes each line as it is; `envelope` reads each line as
 * `{"data"?: text, "dataBase64"?: base64, "attributes"?: {...}}`, the shape `ams consume -o json` writes.
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "json" | "text" | "envelope"

const problem = (where: string, reason: string) => Either.left(`${where}: ${reason}`)

const envelope = (value: unknown, line: string): Either.Either<Message.Outgoing, string> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return problem(line, "an envelope must be a JSON object {\"data\"?, \"dataBase64\"?, \"attributes\"?}")
  }
  const { attributes, data, dataBase64 } = value as Record<string, unknown>
  if (data !== undefined && dataBase64 !== undefined) return problem(line, "give data or dataBase64, not both")
  if (data !== undefined && typeof data !== "string") return problem(line, "\"data\" must be a string")
  if (dataBase64 !== undefined && typeof dataBase64 !== "string") {
    return problem(line, "\"dataBase64\" must be a base64 string")
  }
  const bytes = typeof dataBase64 === "string" ? Buffer.from(dataBase64, "base64") : undefined
  if (bytes !== undefined && bytes.toString("base64").replace(/=+$/, "") !== dataBase64?.replace(/=+$/, "")) {
    return problem(line, "\"dataBase64\" is not base64")
  }
  return Either.right({
    data: bytes === undefined ? data as string | undefined : new Uint8Array(bytes),
    attributes: attributes as Readonly<Record<string, string>> | undefined
  })
}

/**
 * One input line (or argument) as a message, checked as AMS would check it, so that a bad line stops the
 * input before it is sent. `line` names it in the reason (`line 3`, `argument 2`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLine = (
  text: string,
  line: string,
  format: Format,
  attributes: Readonly<Record<string, string>>
): Either.Either<Message.Outgoing, string> => {
  let message: Either.Either<Message.Outgoing, string>
  if (format === "text") message = Either.right({ data: text })
  else {
    const json = Either.try(() => JSON.parse(text) as unknown)
    if (Either.isLeft(json)) return problem(line, "not JSON (use --format text to publish lines as they are)")
    message = format === "envelope" ? envelope(json.right, line) : Either.right({ data: text })
  }
  return Either.flatMap(message, (m) => {
    const merged: Message.Outgoing = {
      data: m.data,
      attributes: Object.keys(attributes).length === 0 && m.attributes === undefined
        ? undefined
        : { ...m.attributes, ...attributes }
    }
    return Either.mapBoth(Message.encode(merged, 0, "ams.publish"), {
      onLeft: (error) => `${line}: ${error.message.replace(/^Message \d+:? ?/, "")}`,
      onRight: () => merged
    })
  })
}

const lines = (file: string | undefined): Stream.Stream<string, Failure.CliError, FileSystem.FileSystem> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const input = file === undefined
      ? process.stdin
      : yield* Effect.flatMap(FileSystem.FileSystem, (fs) =>
        fs.exists(file).pipe(
          Effect.orElseSucceed(() => false),
          Effect.filterOrFail((found) => found, () => Failure.usage(`Cannot read --file ${file}: no such file`)),
          Effect.flatMap(() =>
            Effect.acquireRelease(
              Effect.sync(() => Fs.createReadStream(file)),
              (stream) => Effect.sync(() => stream.destroy())
            )
          )
        ))
    const reader = yield* Effect.acquireRelease(
      Effect.sync(() => Readline.createInterface({ input, crlfDelay: Infinity })),
      (reader) => Effect.sync(() => reader.close())
    )
    return Stream.fromAsyncIterable(
      reader,
      (error) =>
        Failure.usage(`Cannot read ${file ?? "stdin"}: ${error instanceof Error ? error.message : String(error)}`)
    )
  }))

/** Draws `published N` on stderr every half second while the command runs, when stderr is a terminal. */
const progress = (count: Ref.Ref<number>, topic: string) =>
  Effect.flatMap(Output.Output, (out) =>
    !out.interactive || out.quiet
      ? Effect.never
      : Effect.forever(
        Effect.zipRight(
          Effect.sleep("500 millis"),
          Effect.flatMap(Ref.get(count), (n) => out.stderr(`\rpublished ${n} messages to ${topic}`))
        )
      ))

/**
 * `ams publish TOPIC [MESSAGE...] [--file FILE] [--attr k=v ...] [--format json|text|envelope]`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.make("publish", {
  description: "Publishes messages: each MESSAGE argument, or each line of --file, or each line of stdin. " +
    "Lines are JSON documents by default (--format json), published as they are; --format text publishes any " +
    "line; --format envelope reads the JSON lines `ams consume -o json` writes (data or dataBase64, and " +
    "attributes). --attr adds attributes to every message. The messages are batched; their ids are written to " +
    "stdout in input order (JSON lines with -o json). A bad line stops the input there: the messages before " +
    "it are published and their ids written, nothing after it is sent, and ams exits 2.",
  examples: [
    "ams publish alerts '{\"host\":\"a\",\"status\":\"down\"}' --attr source=nagios",
    "ams publish alerts --format text 'disk full' 'disk ok'",
    "ams publish alerts < events.jsonl > ids.txt",
    "ams consume alerts-sub -o json | ams publish alerts-copy --format envelope"
  ],
  needs: "project",
  args: {
    topic: Args.text({ name: "TOPIC" }),
    messages: Args.text({ name: "MESSAGE" }).pipe(Args.repeated),
    file: Options.text("file").pipe(
      Options.withDescription("read the messages from this file, one per line"),
      Options.optional
    ),
    attr: Options.keyValueMap("attr").pipe(
      Options.withDescription("an attribute for every message, key=value (repeatable)"),
      Options.optional
    ),
    format: Options.choice("format", ["json", "text", "envelope"]).pipe(
      Options.withDescription("how lines and arguments are read (default json)"),
      Options.withDefault("json" as const)
    )
  },
  resources: ({ topic }) => ({ topic }),
  run: ({ attr, file, format, messages, topic }) =>
    Effect.gen(function*() {
      if (messages.length > 0 && Option.isSome(file)) {
        return yield* Failure.usage("Give messages as arguments or with --file, not both.")
      }
      const attributes = Option.match(attr, {
        onNone: () => ({}),
        onSome: (map) => Object.fromEntries(HashMap.toEntries(map))
      })
      const input: Stream.Stream<string, Failure.CliError, FileSystem.FileSystem> = messages.length > 0
        ? Stream.fromIterable(messages)
        : lines(Option.getOrUndefined(file))
      const stopped = yield* Ref.make<string | undefined>(undefined)
      const count = yield* Ref.make(0)
      // A bad line ends the input there: what came before is published and its ids written, then ams fails.
      const outgoing = input.pipe(
        Stream.zipWithIndex,
        Stream.filter(([text]) => format !== "text" ? text.trim() !== "" : text !== ""),
        Stream.map(([text, index]) =>
          parseLine(text, `${messages.length > 0 ? "argument" : "line"} ${index + 1}`, format, attributes)
        ),
        Stream.takeUntil(Either.isLeft),
        Stream.tap((parsed) => Either.isLeft(parsed) ? Ref.set(stopped, parsed.left) : Effect.void),
        Stream.filterMap(Either.getRight)
      )
      yield* Effect.scoped(Effect.gen(function*() {
        const publisher = yield* Publisher.make(topic)
        yield* Effect.forkScoped(progress(count, topic))
        yield* Publisher.publishAll(publisher, outgoing).pipe(
          Stream.runForEach((id) =>
            Effect.zipRight(Output.item({ messageId: id }, id), Ref.update(count, (n) => n + 1))
          )
        )
      }))
      const published = yield* Ref.get(count)
      const out = yield* Output.Output
      if (out.interactive && !out.quiet) yield* out.stderr("\n")
      yield* Output.note(`published ${published} message${published === 1 ? "" : "s"} to ${topic}`)
      const reason = yield* Ref.get(stopped)
      if (reason !== undefined) {
        return yield* Failure.usage(
          `${Option.isSome(file) ? `${file.value}, ` : messages.length > 0 ? "" : "stdin, "}${reason}; the ` +
            `${published} message${published === 1 ? "" : "s"} before it ${published === 1 ? "was" : "were"} ` +
            "published (ids written), nothing after it was sent."
        )
      }
    })
})
