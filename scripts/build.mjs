// Builds every package under packages/* into a publishable dist/ in Effect's v3 shape:
// tsc (ESM + .d.ts) -> babel annotate-pure-calls -> babel CJS -> build-utils pack-v3, then the bins.
// Usage: node scripts/build.mjs [package-dir ...]   (default: every packages/* with a tsconfig.build.json)
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { packageDirs, readManifest, root } from "./packages.mjs"

const bin = (name) => Path.join(root, "node_modules", ".bin", name)
const run = (cwd, command, args) => execFileSync(bin(command), args, { cwd, stdio: "inherit" })

// A package with `"config": { "bundleBin": true }` (the `ams` command line) ships each bin as one bundle of
// its sources and dependencies: it then installs and starts without resolving anything (`npm install -g` of
// the tarball alone works), and it starts several times faster than the same modules loaded one by one.
const bundleBin = (dir, file) =>
  execFileSync(bin("esbuild"), [
    Path.join(dir, "bin", file),
    "--bundle",
    "--format=esm",
    "--platform=node",
    "--target=node20",
    "--log-level=warning",
    `--outfile=${Path.join(dir, "dist", "bin", file.replace(/\.ts$/, ".js"))}`,
    // Some dependencies are CommonJS and call require(): the ES module bundle gets one.
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
  ], { cwd: dir, stdio: "inherit" })

// Compiled bins keep their imports of the package's own modules: ../src/X.js becomes ../dist/esm/X.js.
const compileBin = (dir, file) => {
  const source = Fs.readFileSync(Path.join(dir, "bin", file), "utf8")
  const out = Path.join(dir, "dist", "bin", file.replace(/\.ts$/, ".js"))
  execFileSync(bin("esbuild"), ["--format=esm", "--platform=node", "--target=node20", "--loader=ts"], {
    input: source.replace(/(["'])\.\.\/src\//g, "$1../dist/esm/"),
    stdio: ["pipe", Fs.openSync(out, "w"), "inherit"]
  })
}

// pack-v3 gives every entry one `types` file under dist/dts, which has no "type" field: TypeScript reads it
// as CommonJS even for an `import` (attw: "Masquerading as CJS"). Ship the same declarations again inside
// dist/esm (a "type": "module" folder) and point the `import` side of `types` at them.
const splitTypes = (dir) => {
  const dist = Path.join(dir, "dist")
  Fs.cpSync(Path.join(dir, "build", "dts"), Path.join(dist, "dist", "esm"), { recursive: true })
  const file = Path.join(dist, "package.json")
  const manifest = JSON.parse(Fs.readFileSync(file, "utf8"))
  for (const conditions of Object.values(manifest.exports)) {
    if (typeof conditions !== "object" || conditions === null || typeof conditions.types !== "string") continue
    conditions.types = { import: conditions.types.replace("./dist/dts/", "./dist/esm/"), default: conditions.types }
  }
  // pack-v3 drops these two: the root of dist is CommonJS (dist/esm says "module" for itself).
  manifest.type = "commonjs"
  const engines = readManifest(dir).engines
  if (engines !== undefined) manifest.engines = engines
  Fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + "\n")
}

const buildPackage = (dir) => {
  const manifest = readManifest(dir)
  console.log(`\n== ${manifest.name} (${Path.relative(root, dir)})`)
  // build/src belongs to `pnpm check` (tsc -b of tsconfig.src.json): leave it and its build info alone.
  for (const stale of ["build/esm", "build/cjs", "build/dts", "dist", ".tsbuildinfo/build.tsbuildinfo"]) {
    Fs.rmSync(Path.join(dir, stale), { recursive: true, force: true })
  }
  run(dir, "tsc", ["-b", "tsconfig.build.json"])
  // Module-level calls (Schema classes, Context tags, layers) get /*#__PURE__*/ so bundlers drop unused ones.
  run(dir, "babel", [
    "build/esm",
    "--no-babelrc",
    "--plugins",
    "annotate-pure-calls",
    "--out-dir",
    "build/esm",
    "--source-maps"
  ])
  run(dir, "babel", [
    "build/esm",
    "--no-babelrc",
    "--plugins",
    "@babel/transform-export-namespace-from",
    "--plugins",
    "@babel/transform-modules-commonjs",
    "--out-dir",
    "build/cjs",
    "--source-maps"
  ])
  run(dir, "build-utils", ["pack-v3"])
  splitTypes(dir)
  // pack-v3 keeps the `bin` field but not the files: ship the launchers and compile their TypeScript.
  if (manifest.bin !== undefined) {
    const binDir = Path.join(dir, "bin")
    Fs.mkdirSync(Path.join(dir, "dist", "bin"), { recursive: true })
    // dist/package.json has no "type" (dist/dist/cjs is CommonJS): the bins are ES modules.
    Fs.writeFileSync(Path.join(dir, "dist", "bin", "package.json"), JSON.stringify({ type: "module" }, null, 2) + "\n")
    for (const file of Fs.readdirSync(binDir)) {
      if (file.endsWith(".ts")) (manifest.config?.bundleBin === true ? bundleBin : compileBin)(dir, file)
      else if (file.endsWith(".js")) {
        Fs.copyFileSync(Path.join(binDir, file), Path.join(dir, "dist", "bin", file))
        Fs.chmodSync(Path.join(dir, "dist", "bin", file), 0o755)
      }
    }
  }
}

const requested = process.argv.slice(2).map((dir) => Path.resolve(dir))
for (const dir of requested.length > 0 ? requested : packageDirs()) buildPackage(dir)
