import type { ViteUserConfig } from "vitest/config"

// Shared settings for every package's vitest project.
const config: ViteUserConfig = {
  esbuild: {
    target: "es2022"
  },
  test: {
    include: ["test/**/*.test.ts"],
    fakeTimers: { toFake: undefined },
    // Real-socket and fault-plan tests run many requests; a loaded 2-core machine needs more than 5 s.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: true }
  }
}

export default config
