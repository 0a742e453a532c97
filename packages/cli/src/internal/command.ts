// The shape every leaf command shares: its own arguments plus the connection and output flags, help with
// an example, configuration resolved before the handler runs, and AMS errors turned into `CliError`s.
import type { AmsError } from "@argo-ams/client/AmsError"
import { isAmsError } from "@argo-ams/client/AmsError"
import type * as AmsHttp from "@argo-ams/client/AmsHttp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type * as Types from "effect/Types"
import * as Config from "../Config.js"
import * as Failure from "../Failure.js"
import * as Output from "../Output.js"

/** The environment a command handler runs in. */
export type Env = AmsHttp.AmsHttp | Output.Output | FileSystem.FileSystem | Path.Path

/** Help text: what the command does, and at least one example command line. */
export interface Help {
  readonly description: string
  readonly examples: ReadonlyArray<string>
}

/** Help as @effect/cli renders it: the description, then an EXAMPLES list. */
export const help = (text: Help): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    ...text.description.split("\n\n").map((paragraph) => HelpDoc.p(paragraph)),
    HelpDoc.p(Span.strong("Examples")),
    ...text.examples.map((example) => HelpDoc.p(Span.code(`  $ ${example}`)))
  ])

const globals = { ...Config.options, ...Output.options }

/** What a handler may fail with: an AMS error (reported through `Failure.fromAms`) or a `CliError`. */
export type HandlerError = AmsError | Failure.CliError

export interface Spec<C extends Command.Command.Config> extends Help {
  /** What must be configured: an endpoint only, a token too, or a project too. */
  readonly needs: Config.Needs
  readonly args: C
  /** The resources the arguments name, so that a 404 can say which one is missing. */
  readonly resources?: (args: Types.Simplify<Command.Command.ParseConfig<C>>) => Failure.Context["resources"]
  readonly run: (args: Types.Simplify<Command.Command.ParseConfig<C>>) => Effect.Effect<void, HandlerError, Env>
}

/** Runs a handler with its configuration and output settings in place. */
export const runWith = (
  flags: Config.Flags & { readonly output: Output.Format; readonly quiet: boolean },
  needs: Config.Needs,
  resources: Failure.Context["resources"],
  program: Effect.Effect<void, HandlerError, Env>
): Effect.Effect<void, Failure.CliError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const settings = yield* Config.resolve(flags)
    yield* Config.check(settings, needs)
    const context = Config.describe(settings, needs, resources)
    return yield* program.pipe(
      Effect.provide(Config.layer(settings)),
      Effect.mapError((error) => isAmsError(error) ? Failure.fromAms(error, context) : error)
    )
  }).pipe(Effect.provideService(Output.Output, Output.make({ format: flags.output, quiet: flags.quiet })))

/** A leaf command: `spec.args` plus the shared flags, with help and an example. */
export const make = <Name extends string, const C extends Command.Command.Config>(
  name: Name,
  spec: Spec<C>
) =>
  Command.make(name, { args: spec.args, global: globals }, (parsed) => {
    // `parsed.args` is `ParseConfig<C>`: TypeScript cannot see that through the generic nesting.
    const args = parsed.args as Types.Simplify<Command.Command.ParseConfig<C>>
    return runWith(parsed.global, spec.needs, spec.resources?.(args) ?? {}, spec.run(args))
  }).pipe(Command.withDescription(help(spec)))

/** A group of commands (`ams topics ...`), with help listing an example. */
export const group = <Name extends string>(name: Name, text: Help) =>
  Command.make(name).pipe(Command.withDescription(help(text)))
