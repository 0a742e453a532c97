// Plain-text tables for people: aligned columns, no colours, one line per row.

/** How a value reads in a table cell: lists joined by commas, nested objects as compact JSON. */
export const cell = (value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(cell).join(",")
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

/** Rows under a header of the column names, each column as wide as its widest cell. */
export const rows = (
  views: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns: ReadonlyArray<string>
): string => {
  const cells = views.map((view) => columns.map((column) => cell(view[column]).replace(/\s+/g, " ")))
  const header = columns.map((column) => column.toUpperCase())
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)))
  const line = (row: ReadonlyArray<string>) =>
    row.map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i]))).join("  ").trimEnd()
  return [line(header), ...cells.map(line)].join("\n")
}

/** `key  value` lines, keys aligned; empty values are left out. */
export const record = (view: Readonly<Record<string, unknown>>): string => {
  const entries = Object.entries(view).filter(([, value]) => cell(value) !== "")
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`.trimEnd()).join("\n")
}
