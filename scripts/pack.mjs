// Packs every built package (its dist/, as published) into a folder and returns the tarballs by package name.
// Usage: node scripts/pack.mjs OUT_DIR   (after pnpm build)
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { packageDirs, readManifest } from "./packages.mjs"

export const packAll = (outDir) => {
  Fs.mkdirSync(outDir, { recursive: true })
  const tarballs = {}
  for (const dir of packageDirs()) {
    const dist = Path.join(dir, "dist")
    if (!Fs.existsSync(Path.join(dist, "package.json"))) {
      throw new Error(`${Path.basename(dir)}: no dist/package.json, run pnpm build first`)
    }
    const before = new Set(Fs.readdirSync(outDir))
    execFileSync("pnpm", ["pack", "--pack-destination", outDir], { cwd: dist, stdio: ["ignore", "ignore", "inherit"] })
    const added = Fs.readdirSync(outDir).filter((file) => file.endsWith(".tgz") && !before.has(file))
    if (added.length !== 1) throw new Error(`${Path.basename(dir)}: expected one new tarball, got ${added.join(", ")}`)
    tarballs[readManifest(dir).name] = Path.join(outDir, added[0])
  }
  return tarballs
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const outDir = Path.resolve(process.argv[2] ?? "packed")
  for (const [name, file] of Object.entries(packAll(outDir))) console.log(`${name}\t${file}`)
}
