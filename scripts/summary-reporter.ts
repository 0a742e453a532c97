// A vitest reporter that ends the run with the plain line "N passed, N failed[, N skipped]" that CI reads.
import type { Reporter, TestModule } from "vitest/node"

export default class SummaryReporter implements Reporter {
  private modules: ReadonlyArray<TestModule> = []

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    this.modules = testModules
  }

  onFinished(): void {
    const testModules = this.modules
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failed++
        else skipped++
      }
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`)
  }
}
