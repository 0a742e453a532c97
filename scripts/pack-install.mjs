// The packages as a new user gets them: pack every dist/, install the tarballs into a scratch project in a
// temp dir (outside the workspace, with effect@3 and @effect/platform@0.97 pinned as the README says),
// start the emulator from its installed bin, run the README's quick start there with `import` and with
// `require`, and type-check it with moduleResolution node16 and bundler, skipLibCheck off.
// Usage: node scripts/pack-install.mjs   (after pnpm build)
import { execFile, execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { startEmulator } from "./emulator.mjs"
import { packAll } from "./pack.mjs"
import { root } from "./packages.mjs"

// Bins checked from a global install of their tarball (one line per command).
const globalBins = [
  { pkg: "@argo-ams/emulator", bin: "ams-emulator", args: ["--help"], expect: /ams-emulator 0\.1\.0[\s\S]*--port/ },
  { pkg: "@argo-ams/cli", bin: "ams", args: ["--help"], expect: /ams 0\.1\.0[\s\S]*topics[\s\S]*consume/ }
]

const tmp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ams-pack-"))
const app = Path.join(tmp, "app")
const npmFlags = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]
const tsc = Path.join(root, "node_modules", "typescript", "bin", "tsc")
let failures = 0
const step = async (name, fn) => {
  const started = Date.now()
  try {
    await fn()
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } catch (error) {
    failures++
    console.log(`FAIL ${name}\n${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`)
  }
}
const sh = (cwd, command, args, env = {}) =>
  execFileSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, stdio: "pipe" })
const shAsync = (cwd, command, args) =>
  new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      { cwd, encoding: "utf8" },
      (error, stdout, stderr) => error ? reject(Object.assign(error, { stdout, stderr })) : resolve(stdout)
    )
  )

// The README's quick start, pointed at the emulator through the environment instead of the real service.
const quickstart = () => {
  const readme = Fs.readFileSync(Path.join(root, "README.md"), "utf8")
  const block = /## Quick start\n+```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  if (block === undefined) throw new Error("README.md has no ```ts block under ## Quick start")
  const code = block
    .replace(/endpoint: "[^"]*"/, "endpoint: process.env.AMS_ENDPOINT!")
    .replace(/project: "[^"]*"/, "project: process.env.AMS_PROJECT!")
  if (!code.includes("process.env.AMS_ENDPOINT!") || !code.includes("process.env.AMS_PROJECT!")) {
    throw new Error("the quick start no longer has an `endpoint: \"...\"` and a `project: \"...\"` to point elsewhere")
  }
  return code
}

const tarballs = packAll(Path.join(tmp, "tarballs"))
console.log(`packed ${Object.keys(tarballs).join(", ")} into ${tmp}`)

Fs.mkdirSync(app)
Fs.writeFileSync(Path.join(app, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }))
await step(
  "npm install the tarballs with effect@3 @effect/platform@0.97",
  () =>
    sh(app, "npm", [
      "install",
      ...npmFlags,
      "effect@3",
      "@effect/platform@0.97",
      "@types/node@20",
      ...Object.values(tarballs)
    ])
)

const installed = (name) =>
  JSON.parse(Fs.readFileSync(Path.join(app, "node_modules", name, "package.json"), "utf8")).version
console.log(`installed effect ${installed("effect")}, @effect/platform ${installed("@effect/platform")}`)

const code = quickstart()
Fs.writeFileSync(Path.join(app, "quickstart.mts"), code)
Fs.writeFileSync(Path.join(app, "quickstart.cts"), code)
const tsconfig = (name, options) =>
  Fs.writeFileSync(
    Path.join(app, name),
    JSON.stringify({
      compilerOptions: { target: "es2022", strict: true, skipLibCheck: false, types: ["node"], ...options },
      files: ["quickstart.mts", "quickstart.cts"]
    })
  )
tsconfig("tsconfig.node16.json", { module: "node16", moduleResolution: "node16", outDir: "out" })
tsconfig("tsconfig.bundler.json", { module: "preserve", moduleResolution: "bundler", noEmit: true })
// The two type-checks at once: each takes a minute on a loaded machine.
await Promise.all([
  step(
    "tsc moduleResolution node16 (import and require), skipLibCheck off",
    () => shAsync(app, process.execPath, [tsc, "-p", "tsconfig.node16.json"])
  ),
  step(
    "tsc moduleResolution bundler, skipLibCheck off",
    () => shAsync(app, process.execPath, [tsc, "-p", "tsconfig.bundler.json"])
  )
])

// The emulator from the scratch project's own node_modules/.bin, on a free loopback port.
const emulator = await startEmulator(Path.join(app, "node_modules", ".bin", "ams-emulator"))
const endpoint = emulator.endpoint
console.log(`ams-emulator (installed bin) listening on ${endpoint}`)
try {
  const env = { AMS_ENDPOINT: endpoint, AMS_TOKEN: "demo-admin-token", AMS_PROJECT: "demo" }
  for (const [style, file] of [["import", "out/quickstart.mjs"], ["require", "out/quickstart.cjs"]]) {
    await step(`README quick start with ${style} (node ${file})`, () => {
      const out = sh(app, process.execPath, [file], env)
      if (!/disk full/.test(out)) throw new Error(`expected the pulled message in the output, got:\n${out}`)
    })
  }
} finally {
  emulator.stop()
}

const prefix = Path.join(tmp, "global")
for (const { args, bin, expect, pkg } of globalBins) {
  await step(`npm install -g ${pkg}, then ${bin} ${args.join(" ")}`, () => {
    sh(tmp, "npm", ["install", "-g", "--prefix", prefix, ...npmFlags, tarballs[pkg]])
    const out = sh(tmp, Path.join(prefix, "bin", bin), args)
    if (!expect.test(out)) throw new Error(`unexpected output:\n${out}`)
  })
}

if (failures === 0) Fs.rmSync(tmp, { recursive: true, force: true })
console.log(
  failures === 0 ? "pack-install: all steps passed" : `pack-install: ${failures} step(s) failed (kept ${tmp})`
)
process.exitCode = failures === 0 ? 0 : 1
