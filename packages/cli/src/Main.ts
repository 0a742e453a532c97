/**
 * The `ams` command: every command group under one root, and `run`, which parses a command line, runs
 * it and says which exit code it ends with.
 *
 * @since 0.1.0
 */
import { withPlainConsole } from "@argo-ams/emulator/Cli"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Consume from "./Consume.js"
import * as Emulator from "./Emulator.js"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"
import * as Projects from "./Projects.js"
import * as Publish from "./Publish.js"
import * as Pull from "./Pull.js"
import * as Registrations from "./Registrations.js"
import * as Schemas from "./Schemas.js"
import * as Service from "./Service.js"
import * as Subscriptions from "./Subscriptions.js"
import * as Topics from "./Topics.js"
import * as Users from "./Users.js"

/**
 * The package's version, as `ams --version` prints it.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

const configuration = Leaf.help({
  description: "The command line for the ARGO Messaging Service (AMS).\n\n" +
    "Configuration: flags first, then the environment (AMS_ENDPOINT, AMS_TOKEN, AMS_PROJECT, AMS_PROFILE, " +
    "AMS_CONFIG), then a profile in ~/.config/ams/config.json: " +
    "{\"default\": \"demo\", \"profiles\": {\"demo\": {\"endpoint\": \"...\", \"project\": \"...\", " +
    "\"tokenFile\": \"~/.config/ams/demo.token\"}}} (or \"tokenEnv\": \"VARIABLE\"; never the token itself).\n\n" +
    "Exit codes: 0 ok, 1 AMS refused, 2 usage (nothing was sent), 3 network or load balancer (may be retried), " +
    "4 an answer that is not AMS's, 130 interrupted.",
  examples: [
    "AMS_ENDPOINT=http://127.0.0.1:8080 AMS_TOKEN=admin-token AMS_PROJECT=demo ams topics list",
    "ams --completions bash > /etc/bash_completion.d/ams"
  ]
})

/**
 * The root command, `ams`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "ams",
  {},
  () => Effect.fail(Failure.usage("Give a command: `ams --help` lists them."))
).pipe(
  Command.withDescription(configuration),
  Command.withSubcommands([
    Topics.command,
    Publish.command,
    Subscriptions.command,
    Pull.command,
    Consume.command,
    Users.command,
    Projects.command,
    Schemas.command,
    Registrations.command,
    Service.status,
    Service.version(version),
    Service.metrics,
    Service.usage,
    Emulator.command
  ])
)

/**
 * What `run` needs from the platform (`NodeContext.layer` provides it all).
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = FileSystem.FileSystem | Path.Path | Terminal.Terminal | CommandExecutor.CommandExecutor

/**
 * Runs a command line (`argv` as Node gives it: the node binary, the script, then the arguments) and
 * returns the exit code; every failure has been reported on stderr.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<Failure.ExitCode, never, Environment> =>
  Command.run(command, { name: "ams", version, executable: "ams" })(["node", "ams", ...argv]).pipe(
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    withPlainConsole,
    Effect.exit,
    Effect.flatMap((exit): Effect.Effect<Failure.ExitCode> => {
      if (Exit.isSuccess(exit)) return Effect.succeed(Failure.ExitCode.ok)
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") {
        const error = failure.value
        // @effect/cli has printed its own message and help.
        if (ValidationError.isValidationError(error)) {
          return Effect.as(
            Console.error("Run `ams --help`, or `ams COMMAND --help`, for the usage and examples."),
            Failure.ExitCode.usage
          )
        }
        if (error instanceof Failure.CliError) return Effect.as(Console.error(`ams: ${error.message}`), error.exitCode)
      }
      if (Cause.isInterruptedOnly(exit.cause)) return Effect.succeed(Failure.ExitCode.interrupted)
      return Effect.as(
        Console.error(`ams: unexpected failure, please report it:\n${Cause.pretty(exit.cause)}`),
        Failure.ExitCode.unexpected
      )
    })
  )
