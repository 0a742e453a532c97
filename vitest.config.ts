import { defineConfig } from "vitest/config"

// Root options for the whole workspace (the projects are listed in vitest.workspace.ts).
export default defineConfig({
  test: {
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
