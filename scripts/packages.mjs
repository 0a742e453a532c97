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

// A scratch folder's node_modules that maps @argo-ams/client to its built dist/ and effect and
// @effect/platform to the very copies that dist/ resolves, so bundles see one effect.
export const linkBuiltClient = (work) => {
  const client = Path.join(root, "packages", "client")
  const link = (name, target) => {
    const at = Path.join(work, "node_modules", name)
    Fs.mkdirSync(Path.dirname(at), { recursive: true })
    Fs.symlinkSync(target, at)
  }
  if (!Fs.existsSync(Path.join(client, "dist", "package.json"))) throw new Error("packages/client/dist: pnpm build")
  link("@argo-ams/client", Path.join(client, "dist"))
  link("effect", Fs.realpathSync(Path.join(client, "node_modules", "effect")))
  link("@effect/platform", Fs.realpathSync(Path.join(client, "node_modules", "@effect", "platform")))
}

// esbuild's options for a browser app's production bundle, as the size and browser checks build them.
export const browserBundle = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  logLevel: "error"
}
