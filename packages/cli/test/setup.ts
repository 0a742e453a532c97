// Bundles `bin/cli.ts` (the sources, as they are) once per run: a bundled `ams` starts in a fifth of the
// time tsx needs to load the sources, which keeps a suite of a few hundred command lines fast.
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    readonly amsBundle: string
  }
}

const here = Path.dirname(fileURLToPath(import.meta.url))

export default async function setup(project: TestProject) {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ams-cli-bundle-"))
  const outfile = Path.join(dir, "ams.mjs")
  await esbuild.build({
    entryPoints: [Path.join(here, "..", "bin", "cli.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "warning",
    // Some dependencies are CommonJS and call require(): give the ES module bundle one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }
  })
  project.provide("amsBundle", outfile)
  return () => Fs.rmSync(dir, { recursive: true, force: true })
}
