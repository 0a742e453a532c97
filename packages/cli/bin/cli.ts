// The ams command line: runs `Main.run` on the process's arguments and exits with its code.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Failure from "../src/Failure.js"
import * as Main from "../src/Main.js"

// `ams ... | head` closes the pipe early: the reader has what it wanted, so stop quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(Failure.ExitCode.ok)
  throw error
})

// `pnpm ams -- topics list` hands the script a leading "--": skip it.
const argv = process.argv.slice(2)
const args = argv[0] === "--" ? argv.slice(1) : argv

NodeRuntime.runMain(Main.run(args).pipe(Effect.provide(NodeContext.layer)), {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? Number(exit.value)
        : Cause.isInterruptedOnly(exit.cause)
        ? Failure.ExitCode.interrupted
        : Failure.ExitCode.unexpected
    )
})
