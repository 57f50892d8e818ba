/// What `SignInFlowRepository.create` did with a new flow.
public enum FlowStorage: Sendable, Equatable {
    case stored
    /// Stored, once this many unexpired flows (each the oldest of the client block holding the
    /// most) were deleted to make room: their sign-ins, if still under way, must start again.
    case storedEvictingOldest(Int)
    /// Not stored, and no unexpired flow deleted: more flows are stored than one start may
    /// delete (the capacity was lowered below what the table holds), until the purge or expiry
    /// catches up. Expired flows may have been deleted on the way.
    case full
}
