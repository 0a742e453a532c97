// The publishable packages: every packages/* folder whose package.json is not private.
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

export const packageDirs = () =>
  Fs.readdirSync(Path.join(root, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => Path.join(root, "packages", entry.name))
    .filter((dir) => Fs.existsSync(Path.join(dir, "package.json")))
    .filter((dir) => JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8")).private !== true)
    .sort()

export const readManifest = (dir) => JSON.parse(Fs.readFileSync(Path.join(dir, "package.json"), "utf8"))
