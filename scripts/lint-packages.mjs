// publint --strict and @arethetypeswrong/cli on every built package's dist/, as it would be published.
// Usage: node scripts/lint-packages.mjs   (after pnpm build)
import { execFileSync } from "node:child_process"
import * as Path from "node:path"
import { packageDirs, root } from "./packages.mjs"

const bin = (name) => Path.join(root, "node_modules", ".bin", name)
let failed = false
for (const dir of packageDirs()) {
  const dist = Path.join(dir, "dist")
  for (const [name, args] of [["publint", ["--strict"]], ["attw", ["--pack", ".", "--format", "table-flipped"]]]) {
    try {
      execFileSync(bin(name), args, { cwd: dist, stdio: "inherit" })
    } catch {
      failed = true
      console.log(`FAIL ${name} on ${Path.relative(root, dist)}`)
    }
  }
}
process.exitCode = failed ? 1 : 0
