/**
 * Base64 (RFC 4648, standard alphabet, padded) on the platform's native codec: Node's `Buffer` where it
 * exists (found at run time, never imported), else `atob` / `btoa`. Byte for byte what
 * `effect/Encoding`'s `encodeBase64` / `decodeBase64` give, and about 30 times faster on 1 KiB payloads.
 */

/** The part of Node's `Buffer` used here, typed locally so that this module needs no Node types. */
interface NodeBufferClass {
  from(data: string, encoding: "utf8" | "base64"): NodeBuffer
  from(data: ArrayBufferLike, byteOffset: number, length: number): NodeBuffer
  byteLength(text: string, encoding: "utf8"): number
}
interface NodeBuffer {
  toString(encoding: "base64"): string
  write(text: string, offset: number, length: number, encoding: "base64"): number
}

const nodeBuffer = /*#__PURE__*/ (() => {
  const candidate = (globalThis as { readonly Buffer?: Partial<NodeBufferClass> }).Buffer
  return typeof candidate?.from === "function" ? candidate as NodeBufferClass : undefined
})()

/** Bytes as a binary string, in slices, so that `String.fromCharCode` never gets too many arguments. */
const binary = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as Array<number>)
  }
  return out
}

/** `encode` without `Buffer`: `btoa` on the bytes as a binary string. */
export const encodePortable = (data: string | Uint8Array): string =>
  btoa(binary(typeof data === "string" ? new TextEncoder().encode(data) : data))

/** The base64 text of some bytes, or of a string's UTF-8 bytes. */
export const encode = (data: string | Uint8Array): string =>
  nodeBuffer === undefined
    ? encodePortable(data)
    : (typeof data === "string"
      ? nodeBuffer.from(data, "utf8")
      : nodeBuffer.from(data.buffer, data.byteOffset, data.byteLength)).toString("base64")

/** The bytes of a string's UTF-8 (a lone surrogate is written as U+FFFD, three bytes), counted without `Buffer`. */
export const utf8LengthPortable = (text: string): number => {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

/** The length of `encode(data)`, without encoding it. */
export const encodedLength = (data: string | Uint8Array): number => {
  const bytes = typeof data !== "string"
    ? data.byteLength
    : nodeBuffer === undefined
    ? utf8LengthPortable(data)
    : nodeBuffer.byteLength(data, "utf8")
  return Math.ceil(bytes / 3) * 4
}

// What `effect/Encoding.decodeBase64` accepts, once line breaks are removed: whole groups of four, and
// `=` only as the padding of the last group. Like it, the unused bits of the last character are ignored.
// (A plain class and a length check: a regex of groups of four backtracks, and costs more than decoding.)
// `decode` on `Buffer` reaches the same verdict without the regex.
const alphabet = /^[A-Za-z0-9+/]*={0,2}$/
const lineBreaks = /[\n\r]/g

/** The text without line breaks. */
const strip = (text: string): string =>
  text.indexOf("\n") === -1 && text.indexOf("\r") === -1 ? text : text.replace(lineBreaks, "")

/** The length of the bytes of a stripped text of whole groups of four, from its padding. */
const byteCount = (stripped: string): number =>
  stripped.length / 4 * 3 - (stripped.endsWith("==") ? 2 : stripped.endsWith("=") ? 1 : 0)

/** Where decoded bytes go: an array of `length` bytes, of its own or a view of a larger one. */
export type Allocate = (length: number) => Uint8Array

const fresh: Allocate = (length) => new Uint8Array(length)

/**
 * Views of shared slabs of at most `size` bytes, a new slab when the last is full: one allocation for
 * many small payloads (a fresh `ArrayBuffer` costs about 2 µs, more than decoding 1 KiB into it). A slab
 * is no larger than the bytes still `expected` (an answer's payloads, counted before they are decoded),
 * so that a pull of one message does not get 64 KiB for it. A payload over a quarter of `size` gets an
 * array of its own. Its state is the caller's: one per answer decoded.
 */
export const slabs = (expected: number, size = 64 * 1024): Allocate => {
  let slab: Uint8Array | undefined
  let used = 0
  // The bytes expected after the payload being allocated.
  let after = expected
  return (length) => {
    after = Math.max(0, after - length)
    if (length > size / 4) return new Uint8Array(length)
    if (slab === undefined || used + length > slab.length) {
      slab = new Uint8Array(Math.min(size, length + after))
      used = 0
    }
    const view = slab.subarray(used, used + length)
    used += length
    return view
  }
}

/** `decode` without `Buffer`: `atob`, after checking the text against the alphabet. */
export const decodePortable = (text: string, allocate: Allocate = fresh): Uint8Array | undefined => {
  const stripped = strip(text)
  if (stripped.length % 4 !== 0 || !alphabet.test(stripped)) return undefined
  const chars = atob(stripped)
  const out = allocate(byteCount(stripped))
  for (let i = 0; i < out.length; i++) out[i] = chars.charCodeAt(i)
  return out
}

/**
 * The bytes of a base64 text (line breaks ignored), in an array `allocate` gives (by default one of
 * their own); `undefined` if it is not base64.
 */
export const decode = (text: string, allocate: Allocate = fresh): Uint8Array | undefined => {
  if (nodeBuffer === undefined) return decodePortable(text, allocate)
  const stripped = strip(text)
  if (stripped.length % 4 !== 0) return undefined
  // Checked without scanning the text with the alphabet (which costs more than decoding it): Node's
  // decoder skips every character that is not base64, so a text of the standard alphabet is one where
  // each character made its bits. It also reads the URL-safe `-` and `_`, and the low byte of a
  // character above U+00FF (`ａ` would be `A`): hence a text of ASCII (one UTF-8 byte a character)
  // without them.
  if (
    nodeBuffer.byteLength(stripped, "utf8") !== stripped.length || stripped.indexOf("-") !== -1 ||
    stripped.indexOf("_") !== -1
  ) return undefined
  const bytes = byteCount(stripped)
  // Decoded straight into `out` (a `Buffer.from(text)` would be a slice of Node's pool, and a `Buffer`).
  const out = allocate(bytes)
  return nodeBuffer.from(out.buffer, out.byteOffset, bytes).write(stripped, 0, bytes, "base64") === bytes
    ? out
    : undefined
}
