/**
 * How `ams` writes: results on stdout as tables for people or JSON for scripts (JSON lines for streams),
 * everything else (progress, notes, warnings) on stderr.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Table from "./internal/table.js"

/**
 * `table` (for people) or `json` (for scripts).
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "table" | "json"

/**
 * Where and how a command writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OutputService {
  readonly format: Format
  /** No notes and no progress on stderr; results and errors still appear. */
  readonly quiet: boolean
  /** Writes to stdout, waiting while the reader is behind (a pipe to `head`, a slow terminal). */
  readonly stdout: (text: string) => Effect.Effect<void>
  readonly stderr: (text: string) => Effect.Effect<void>
  /** Whether stderr is a terminal: progress is drawn only there. */
  readonly interactive: boolean
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Output extends Context.Tag("@argo-ams/cli/Output")<Output, OutputService>() {}

/**
 * `--output` / `-o` and `--quiet` / `-q`, accepted by every command.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  output: Options.choice("output", ["table", "json"]).pipe(
    Options.withAlias("o"),
    Options.withDefault("table" as const),
    Options.withDescription("table for people, json for scripts (JSON lines for streams)")
  ),
  quiet: Options.boolean("quiet").pipe(
    Options.withAlias("q"),
    Options.withDescription("no notes or progress on stderr")
  )
}

const write = (stream: NodeJS.WriteStream) => (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const done = () => resume(Effect.void)
    if (stream.write(text)) done()
    else stream.once("drain", done)
  })

/**
 * The service on the process's stdout and stderr.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: { readonly format: Format; readonly quiet: boolean }): OutputService => ({
  ...settings,
  stdout: write(process.stdout),
  stderr: write(process.stderr),
  interactive: process.stderr.isTTY === true
})

/**
 * Writes one result: pretty JSON, or the table form given.
 *
 * @since 0.1.0
 * @category output
 */
export const value = (json: unknown, table: () => string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (out) => out.stdout(`${out.format === "json" ? JSON.stringify(json, null, 2) : table()}\n`))

/**
 * Writes one record: JSON, or `key  value` lines.
 *
 * @since 0.1.0
 * @category output
 */
export const record = (view: Readonly<Record<string, unknown>>): Effect.Effect<void, never, Output> =>
  value(view, () => Table.record(view))

/**
 * Writes a list: a JSON array, or a table with these columns (the keys of each view).
 *
 * @since 0.1.0
 * @category output
 */
export const list = (
  views: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns: ReadonlyArray<string>
): Effect.Effect<void, never, Output> => value(views, () => Table.rows(views, columns))

/**
 * A table of these views, as text (for table forms that say more than rows).
 *
 * @since 0.1.0
 * @category output
 */
export const table = (
  views: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns: ReadonlyArray<string>
): string => Table.rows(views, columns)

/**
 * Writes a list of names: a JSON array, or one per line.
 *
 * @since 0.1.0
 * @category output
 */
export const names = (names: ReadonlyArray<string>): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (out) =>
    out.format === "json"
      ? out.stdout(`${JSON.stringify(names)}\n`)
      : names.length === 0
      ? Effect.void
      : out.stdout(`${names.join("\n")}\n`))

/**
 * Writes one item of a stream: a JSON line, or the text given.
 *
 * @since 0.1.0
 * @category output
 */
export const item = (json: unknown, text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (out) => out.stdout(`${out.format === "json" ? JSON.stringify(json) : text}\n`))

/**
 * A note on stderr (what was done), unless `--quiet`.
 *
 * @since 0.1.0
 * @category output
 */
export const note = (text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (out) => out.quiet ? Effect.void : out.stderr(`${text}\n`))

/**
 * A warning on stderr, shown even with `--quiet`.
 *
 * @since 0.1.0
 * @category output
 */
export const warn = (text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (out) => out.stderr(`ams: warning: ${text}\n`))
