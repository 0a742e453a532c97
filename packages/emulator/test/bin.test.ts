// The ams-emulator command: spawned as a user would run it, from sources, on a free port.
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Emulator from "../src/Emulator.js"
import { request } from "./client.js"

const bin = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "ams-emulator.js")

interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** Spawns the bin; the scope kills it if the test did not. */
const spawn = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => ChildProcess.spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    let stdout = ""
    let stderr = ""
    const ready = yield* Deferred.make<string, Error>()
    const exited = yield* Deferred.make<Exit>()
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      if (stdout.includes("Ctrl-C to stop.")) Deferred.unsafeDone(ready, Effect.succeed(stdout))
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("exit", (code, signal) => {
      Deferred.unsafeDone(ready, Effect.fail(new Error(`exited early (${code}): ${stderr}`)))
      Deferred.unsafeDone(exited, Effect.succeed({ code, signal }))
    })
    return {
      child,
      ready: Effect.timeoutFail(Deferred.await(ready), {
        duration: "50 seconds",
        onTimeout: () => new Error(`no banner; stdout: ${stdout}; stderr: ${stderr}`)
      }),
      exited: Deferred.await(exited),
      output: Effect.sync(() => ({ stdout, stderr }))
    }
  })

const endpointOf = (banner: string): string => {
  const match = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(banner)
  assert(match !== null, banner)
  return match[1]
}

describe("ams-emulator bin", () => {
  it.scopedLive(
    "starts on --port 0, prints endpoint and users, answers, and stops on SIGTERM",
    () =>
      Effect.gen(function*() {
        const proc = yield* spawn(["--port", "0"])
        const banner = yield* proc.ready
        const endpoint = endpointOf(banner)
        assert.include(banner, "default project: demo")
        assert.match(banner, /admin\s+token admin-token\s+service_admin/)
        assert.match(banner, /publisher\s+token publisher-token\s+publisher on demo/)
        const created = yield* request(`${endpoint}/v1/projects/demo/topics/from-bin`, {
          method: "PUT",
          headers: { "x-api-key": "admin-token" }
        })
        assert.strictEqual(created.status, 200)
        assert.strictEqual(JSON.parse(created.body.toString()).name, "/projects/demo/topics/from-bin")
        proc.child.kill("SIGTERM")
        const exit = yield* Effect.timeout(proc.exited, "10 seconds")
        assert.isTrue(exit.code === 0 || exit.signal === "SIGTERM", JSON.stringify(exit))
      }),
    60_000
  )

  it.scopedLive(
    "--tls writes the CA where asked; a client trusting it connects; SIGINT stops it",
    () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => Fs.mkdtempSync(Path.join(process.env["TMPDIR"] ?? "/tmp", "ams-bin-"))),
          (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
        )
        const caFile = Path.join(dir, "ca.pem")
        const proc = yield* spawn(["--port", "0", "--tls", "--ca-out", caFile])
        const banner = yield* proc.ready
        const endpoint = endpointOf(banner)
        assert.match(endpoint, /^https:/)
        assert.include(banner, `NODE_EXTRA_CA_CERTS=${caFile}`)
        assert.include(banner, `REQUESTS_CA_BUNDLE=${caFile}`)
        const ca = Fs.readFileSync(caFile, "utf8")
        const response = yield* request(`${endpoint}/v1/projects/demo/topics`, {
          headers: { "x-api-key": "admin-token" },
          ca
        })
        assert.strictEqual(response.status, 200)
        proc.child.kill("SIGINT")
        const exit = yield* Effect.timeout(proc.exited, "10 seconds")
        assert.isTrue(exit.code === 0 || exit.code === 130 || exit.signal === "SIGINT", JSON.stringify(exit))
      }),
    60_000
  )

  it.scopedLive("loads a seed file and reports its users", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(process.env["TMPDIR"] ?? "/tmp", "ams-bin-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const seedFile = Path.join(dir, "seed.json")
      Fs.writeFileSync(
        seedFile,
        JSON.stringify({
          projects: [{ name: "lab" }],
          users: [{ name: "alice", token: "alice-tok", projects: [{ project: "lab", roles: ["project_admin"] }] }],
          topics: [{ project: "lab", name: "readings" }]
        })
      )
      const proc = yield* spawn(["--port", "0", "--seed", seedFile])
      const banner = yield* proc.ready
      assert.include(banner, "default project: lab")
      assert.match(banner, /alice\s+token alice-tok\s+project_admin on lab/)
      const topic = yield* request(`${endpointOf(banner)}/v1/projects/lab/topics/readings`, {
        headers: { "x-api-key": "alice-tok" }
      })
      assert.strictEqual(topic.status, 200)
    }), 60_000)

  it.scopedLive(
    "a seed file of the wrong shape: the seed error's path and message, exit code 1",
    () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => Fs.mkdtempSync(Path.join(process.env["TMPDIR"] ?? "/tmp", "ams-bin-"))),
          (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
        )
        const seedFile = Path.join(dir, "seed.json")
        Fs.writeFileSync(seedFile, JSON.stringify({ users: [{ name: "alice", tokn: "typo" }] }))
        const proc = yield* spawn(["--port", "0", "--seed", seedFile])
        const exit = yield* Effect.timeout(proc.exited, "50 seconds")
        assert.strictEqual(exit.code, 1)
        const { stderr } = yield* proc.output
        assert.include(stderr, "ams-emulator: bad seed at users[0].tokn: unknown key")
      }),
    60_000
  )

  it.scopedLive("bad arguments: a usage message and exit code 2", () =>
    Effect.gen(function*() {
      const proc = yield* spawn(["--port", "nope"])
      const exit = yield* Effect.timeout(proc.exited, "50 seconds")
      assert.strictEqual(exit.code, 2)
      const { stderr } = yield* proc.output
      assert.include(stderr, "'nope' is not a integer")
      assert.include(stderr, "ams-emulator --help")
    }), 60_000)

  it.scopedLive("pnpm's leading -- is skipped: `pnpm emulator -- --port 0`", () =>
    Effect.gen(function*() {
      const proc = yield* spawn(["--", "--port", "0"])
      const banner = yield* proc.ready
      assert.strictEqual((yield* request(`${endpointOf(banner)}/v1/status`)).status, 200)
    }), 60_000)
})

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

describe("issue 7.12 every Config option reachable from the bin", () => {
  it.scopedLive(
    "--help lists a flag for every Emulator.Config option and every server option",
    () =>
      Effect.gen(function*() {
        const proc = yield* spawn(["--help"])
        const exit = yield* Effect.timeout(proc.exited, "50 seconds")
        assert.strictEqual(exit.code, 0)
        const { stdout } = yield* proc.output
        const flags = Object.keys(Emulator.resolveConfig()).map((key) =>
          key === "verifyPushEndpoint" ? "push-verification" : kebab(key)
        )
        assert.includeMembers(flags, ["push-enabled", "push-worker-token", "auth-option", "role-table"])
        for (
          const flag of [...flags, "port", "host", "seed", "tls", "cert", "key", "ca-out", "max-body-bytes", "config"]
        ) {
          assert.include(stdout, `--${flag}`, flag)
        }
        // Piped (not a terminal): @effect/cli's colour codes are dropped.
        assert.notInclude(stdout, String.fromCharCode(27))
      }),
    60_000
  )

  it.scopedLive(
    "a config file sets push and a push worker, key auth, a hostname; flags given too win",
    () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => Fs.mkdtempSync(Path.join(process.env["TMPDIR"] ?? "/tmp", "ams-bin-"))),
          (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
        )
        Fs.writeFileSync(
          Path.join(dir, "seed.json"),
          JSON.stringify({
            projects: [{ name: "golden" }],
            users: [
              { name: "admin", token: "admin-token", service_roles: ["service_admin"] },
              { name: "worker", token: "worker-token", service_roles: ["push_worker"] }
            ],
            topics: [{ project: "golden", name: "t" }]
          })
        )
        const configFile = Path.join(dir, "ams.json")
        Fs.writeFileSync(
          configFile,
          JSON.stringify({
            port: 0,
            seed: "seed.json",
            "push-enabled": true,
            "push-worker-token": "worker-token",
            "auth-option": "key",
            "proxy-hostname": "from-file",
            "pull-wait-limit": 5,
            "max-body-bytes": 4096
          })
        )
        const proc = yield* spawn(["--config", configFile, "--proxy-hostname", "from-flag"])
        const banner = yield* proc.ready
        assert.include(banner, "default project: golden")
        assert.include(banner, "push worker token: worker-token")
        const endpoint = endpointOf(banner)
        // auth-option key: the header alone is not enough, ?key= is.
        const header = yield* request(`${endpoint}/v1/projects/golden/topics`, {
          headers: { "x-api-key": "admin-token" }
        })
        assert.strictEqual(header.status, 401)
        const push = yield* request(`${endpoint}/v1/projects/golden/subscriptions/s?key=admin-token`, {
          method: "PUT",
          body: JSON.stringify({
            topic: "projects/golden/topics/t",
            pushConfig: { type: "http_endpoint", pushEndpoint: "https://127.0.0.1:1/x" }
          })
        })
        assert.strictEqual(push.status, 200, push.body.toString())
        const version = yield* request(`${endpoint}/v1/version?key=admin-token`)
        assert.strictEqual(JSON.parse(version.body.toString()).hostname, "from-flag")
        const big = yield* request(`${endpoint}/v1/projects/golden/topics/t:publish?key=admin-token`, {
          method: "POST",
          body: JSON.stringify({ messages: [{ data: "a".repeat(8192) }] })
        })
        assert.strictEqual(big.status, 413)
      }),
    60_000
  )

  it.scopedLive("a config file with an unknown key: its name, exit code 2", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(process.env["TMPDIR"] ?? "/tmp", "ams-bin-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const configFile = Path.join(dir, "ams.json")
      Fs.writeFileSync(configFile, JSON.stringify({ "push-enable": true }))
      const proc = yield* spawn(["--config", configFile])
      const exit = yield* Effect.timeout(proc.exited, "50 seconds")
      assert.strictEqual(exit.code, 2)
      assert.include((yield* proc.output).stderr, "unknown key \"push-enable\"")
    }), 60_000)
})
