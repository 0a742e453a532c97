/**
 * The hot answers, a pull's messages and a publish's ids: each is its Schema (the contract, exported
 * for the tests as `...Wire`) decoded through a fast path that gives the same values and errors.
 */
import * as Schema from "effect/Schema"
import * as Message from "../Message.js"
import * as Fast from "./fast.js"

/** `{"receivedMessages": [...]}`, always there (`[]` when nothing is new): without it the answer is broken. */
export const PulledWire = Schema.Struct({ receivedMessages: Schema.NullOr(Schema.Array(Message.ReceivedFromWire)) })

/** `PulledWire`, fast. */
export const Pulled = Fast.withFastPath(PulledWire, Fast.pulled)

/** `{"messageIds": [...]}`. */
export const MessageIdsWire = Schema.Struct({ messageIds: Schema.Array(Schema.String) })

/** `MessageIdsWire`, fast. */
export const MessageIds = Fast.withFastPath(MessageIdsWire, Fast.messageIds)
