// Runs a benchmark script on the client as compiled JavaScript, as it runs once installed:
//
//   node bench/run.mjs bench/index.ts [arguments]       (what `pnpm bench` runs)
//   node --cpu-prof bench/run.mjs bench/volprof.ts consume 20000
//
// The script, the client and the emulator are bundled by esbuild into bench/<script>.bundle.mjs (their
// dependencies stay imports), then run by node with --expose-gc and node's own flags given here.
// Not through tsx: it compiles with esbuild's `keepNames`, which wraps every function the code creates in
// an `Object.defineProperty` call. The client creates functions on its hot paths (continuations per
// message), and under tsx they cost it about twice what they cost in the published build.
import { build } from "esbuild"
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))
const [script, ...args] = process.argv.slice(2)
if (script === undefined || !script.endsWith(".ts")) {
  console.error("usage: node bench/run.mjs bench/<script>.ts [arguments]")
  process.exit(2)
}
const entry = Path.resolve(script)
// Next to the script, so that its relative paths (the server it forks, the report it writes) still hold.
const outfile = Path.join(here, `${Path.basename(entry, ".ts")}.bundle.mjs`)

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // Only the workspace's own TypeScript is compiled in; every other package is imported as installed, by
  // the file its importer would load (the emulator's dependencies are not the client's).
  plugins: [{
    name: "workspace-only",
    setup: (b) =>
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith("@argo-ams/") || args.pluginData === "inner") return undefined
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: "inner"
        })
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path, external: true }
      })
  }]
})

const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", outfile, ...args], { stdio: "inherit" })
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
