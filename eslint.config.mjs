// ESLint flat config: recommended JS and TypeScript rules plus Effect's dprint formatting.
import effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default [
  {
    ignores: [
      "**/node_modules/**",
      "**/build/**",
      "**/dist/**",
      "**/.tsbuildinfo/**",
      "**/coverage/**",
      "packages/*/docs/**",
      "**/*.bundle.mjs"
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
        globalThis: "readonly",
        atob: "readonly",
        btoa: "readonly"
      }
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@effect/dprint": [
        "error",
        {
          config: {
            indentWidth: 2,
            lineWidth: 120,
            semiColons: "asi",
            quoteStyle: "alwaysDouble",
            trailingCommas: "never",
            operatorPosition: "maintain",
            "arrowFunction.useParentheses": "force"
          }
        }
      ]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "@effect/no-import-from-barrel-package": [
        "error",
        { packageNames: ["effect", "@effect/platform", "@effect/platform-node"] }
      ]
    }
  },
  {
    // The client's portable modules must run in browsers and edge runtimes: Node lives only in the
    // Node-only modules, X509.ts and AmsUndici.ts.
    files: ["packages/client/src/**/*.ts"],
    ignores: ["packages/client/src/X509.ts", "packages/client/src/AmsUndici.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "Node built-ins are allowed only in src/X509.ts and src/AmsUndici.ts" },
            {
              group: ["@effect/platform-node", "@effect/platform-node/*"],
              message: "Node-only: use src/X509.ts or src/AmsUndici.ts"
            }
          ]
        }
      ]
    }
  }
]
