/**
 * Retry schedules with the Python client's options (`retry`, `retrysleep`, `retrybackoff`). Pass one as
 * `{ retry }` to any operation: only retryable errors (`AmsError.isRetryable`) are retried.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/**
 * `retries` more attempts after the first, `sleep` apart (Python's `retry` / `retrysleep`; Python's
 * default sleep is 60 seconds, and so is this one).
 *
 * @example
 * import { Retry, Topic } from "@argo-ams/client"
 *
 * Topic.publish("alerts", [{ data: "hi" }], { retry: Retry.linear({ retries: 3, sleep: "5 seconds" }) })
 *
 * @since 0.1.0
 * @category constructors
 */
export const linear = (options: {
  readonly retries: number
  readonly sleep?: Duration.DurationInput | undefined
}): Schedule.Schedule<number> =>
  Schedule.spaced(options.sleep ?? Duration.seconds(60)).pipe(
    Schedule.intersect(Schedule.recurs(options.retries)),
    Schedule.map(([, attempt]) => attempt)
  )

/**
 * `retries` more attempts after the first, with pauses `factor/2, factor, 2·factor, 4·factor, …`
 * (Python's `retrybackoff`; give a duration such as `"2 seconds"`: a bare number is milliseconds in Effect). Two differences from Python, on purpose:
 * Python makes its first retry at once and sleeps `factor/2` only before the second, and it sleeps once
 * more after the last failed attempt; here every retry waits its pause, and nothing sleeps after the end.
 *
 * @since 0.1.0
 * @category constructors
 */
export const backoff = (options: {
  readonly retries: number
  readonly factor: Duration.DurationInput
}): Schedule.Schedule<number> =>
  Schedule.exponential(Duration.times(Duration.decode(options.factor), 0.5), 2).pipe(
    Schedule.intersect(Schedule.recurs(options.retries)),
    Schedule.map(([, attempt]) => attempt)
  )
