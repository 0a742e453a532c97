import type { ViteUserConfig } from "vitest/config"

// Shared settings for every package's vitest project.
const config: ViteUserConfig = {
  esbuild: {
    target: "es2022"
  },
  test: {
    include: ["test/**/*.test.ts"],
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: true }
  }
}

export default config
