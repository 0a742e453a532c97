// The ams-emulator command line: starts the HTTP(S) server, prints how to reach it, runs until SIGINT/SIGTERM.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Seed from "../src/Seed.js"

const usage = `Usage: ams-emulator [--port 8080] [--host 127.0.0.1] [--seed seed.json] [--tls] [--cert f --key f]
                    [--ca-out ca.pem] [--service-token T] [--pull-wait-limit SECONDS]

  --port             port to listen on (default 8080; 0 = any free port)
  --host             address to listen on (default 127.0.0.1)
  --seed             a JSON seed file (projects, users, topics, subscriptions); default: the demo seed
  --tls              serve HTTPS with a certificate generated for localhost / 127.0.0.1 / ::1
  --cert, --key      serve HTTPS with your own PEM certificate and key (implies --tls)
  --ca-out           where to write the generated CA certificate (default: a file in the temp directory)
  --service-token    a token that acts as service_admin everywhere
  --pull-wait-limit  longest wait of a blocking pull, in seconds (default 300)
`

class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

const readFile = (file: string) =>
  Effect.try({
    try: () => Fs.readFileSync(file, "utf8"),
    catch: (cause) =>
      new UsageError({ message: `cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}` })
  })

// `pnpm emulator -- --port 8080` hands the script a leading "--": skip it.
const argv = process.argv.slice(2)
const args = argv[0] === "--" ? argv.slice(1) : argv

const parse = Effect.try({
  try: () =>
    parseArgs({
      args,
      options: {
        port: { type: "string", short: "p", default: "8080" },
        host: { type: "string", default: "127.0.0.1" },
        seed: { type: "string" },
        tls: { type: "boolean", default: false },
        cert: { type: "string" },
        key: { type: "string" },
        "ca-out": { type: "string" },
        "service-token": { type: "string" },
        "pull-wait-limit": { type: "string" },
        help: { type: "boolean", short: "h", default: false }
      },
      strict: true,
      allowPositionals: false
    }).values,
  catch: (cause) => new UsageError({ message: cause instanceof Error ? cause.message : String(cause) })
})

const describeUser = (user: Seed.SeedUser): string => {
  const roles = [
    ...(user.service_roles ?? []).map((role) => `${role} (service)`),
    ...(user.projects ?? []).map((m) => `${m.roles.join("+")} on ${m.project}`)
  ]
  return `  ${user.name.padEnd(14)} token ${user.token.padEnd(20)} ${roles.join(", ") || "no roles"}`
}

const program = Effect.gen(function*() {
  const args = yield* parse
  if (args.help) return yield* Effect.as(Console.log(usage), 0)
  const port = Number(args.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return yield* new UsageError({ message: `invalid --port ${args.port}` })
  }
  if ((args.cert === undefined) !== (args.key === undefined)) {
    return yield* new UsageError({ message: "--cert and --key go together" })
  }
  const seed: Seed.Seed = args.seed === undefined
    ? Seed.defaultSeed
    : yield* Effect.flatMap(readFile(args.seed), (text) =>
      Effect.try({
        try: () => JSON.parse(text) as Seed.Seed,
        catch: () => new UsageError({ message: `${args.seed} is not JSON` })
      }))
  const tls = args.cert !== undefined && args.key !== undefined
    ? { cert: yield* readFile(args.cert), key: yield* readFile(args.key) }
    : args.tls
  const waitLimit = args["pull-wait-limit"] === undefined ? undefined : Number(args["pull-wait-limit"])
  if (waitLimit !== undefined && !(waitLimit >= 0)) {
    return yield* new UsageError({ message: `invalid --pull-wait-limit ${args["pull-wait-limit"]}` })
  }
  const server = yield* AmsEmulator.serve({
    host: args.host,
    port,
    tls,
    seed,
    config: {
      ...(args["service-token"] === undefined ? {} : { serviceToken: args["service-token"] }),
      ...(waitLimit === undefined ? {} : { pullWaitLimit: `${waitLimit} seconds` as const })
    }
  })

  const lines = [`ams-emulator listening on ${server.endpoint}`]
  const project = seed.projects?.[0]?.name
  if (project !== undefined) lines.push(`default project: ${project}`)
  lines.push("users:", ...(seed.users ?? []).map(describeUser))
  if (args["service-token"] !== undefined) lines.push(`service token: ${args["service-token"]}`)
  if (server.certificate !== undefined && tls === true) {
    const caFile = args["ca-out"] ?? Path.join(Os.tmpdir(), `ams-emulator-ca-${server.port}.pem`)
    yield* Effect.try({
      try: () => Fs.writeFileSync(caFile, server.certificate?.ca ?? ""),
      catch: (cause) => new UsageError({ message: `cannot write ${caFile}: ${String(cause)}` })
    })
    lines.push(
      `CA certificate: ${caFile}`,
      `  trust it with NODE_EXTRA_CA_CERTS=${caFile} (Node), REQUESTS_CA_BUNDLE=${caFile} (Python requests),`,
      `  or new undici.Agent({ connect: { ca: fs.readFileSync("${caFile}") } })`
    )
  }
  lines.push("Ctrl-C to stop.")
  yield* Console.log(lines.join("\n"))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.catchAll((error) =>
    Effect.zipRight(
      Console.error(
        error instanceof UsageError
          ? `ams-emulator: ${error.message}\n\n${usage}`
          : error instanceof Seed.SeedError
          ? `ams-emulator: bad seed at ${error.path}: ${error.message}`
          : `ams-emulator: ${error.message}`
      ),
      Effect.succeed(error instanceof UsageError ? 2 : 1)
    )
  )
)

NodeRuntime.runMain(program, {
  // Exit 2 on bad usage, 1 on a startup failure, 0 after SIGINT/SIGTERM (the fiber is interrupted).
  teardown: (exit, onExit) =>
    onExit(Exit.isSuccess(exit) ? Number(exit.value ?? 0) : Cause.isInterruptedOnly(exit.cause) ? 0 : 1)
})
