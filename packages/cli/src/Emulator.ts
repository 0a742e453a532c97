/**
 * `ams emulator [flags]`: the AMS emulator, as the very command `ams-emulator` runs (`@argo-ams/emulator/Cli`),
 * mounted under `ams` so that both parse and help alike.
 *
 * @since 0.1.0
 */
import * as EmulatorCli from "@argo-ams/emulator/Cli"
import * as Seed from "@argo-ams/emulator/Seed"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"

/**
 * `ams emulator [--port 8080] [--seed seed.json] [--tls] ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = EmulatorCli.make("emulator").pipe(
  Command.withDescription(Leaf.help({
    description: "Runs the in-memory AMS emulator on a real HTTP(S) socket and prints its endpoint, project and " +
      "tokens; the same command and flags as `ams-emulator`. Ctrl-C stops it.",
    examples: [
      "ams emulator --port 8080",
      "ams emulator --port 0 --tls --ca-out ca.pem",
      "ams emulator --seed seed.json --service-token secret"
    ]
  })),
  // Its failures get ams's exit codes: bad flags or seed are usage (2), a socket that cannot be opened is 3.
  Command.transformHandler((effect) =>
    Effect.mapError(effect, (error: unknown) =>
      error instanceof EmulatorCli.UsageError
        ? Failure.usage(`emulator: ${error.message}`)
        : error instanceof Seed.SeedError
        ? Failure.usage(`emulator: bad seed at ${error.path}: ${error.message}`)
        : new Failure.CliError({
          message: `emulator: cannot start: ${error instanceof Error ? error.message : String(error)}`,
          exitCode: Failure.ExitCode.unavailable
        }))
  )
)
