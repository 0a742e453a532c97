// What the fixed-answer server and the benchmark agree on: names, token, payloads.

export const project = "bench"
export const topic = "t"
export const subscription = "s"
export const token = "bench-token"

/** A message payload of `bytes` bytes of text (ASCII, so its UTF-8 length is `bytes`). */
export const text = (bytes: number): string => "0123456789abcdef".repeat(Math.ceil(bytes / 16)).slice(0, bytes)
