import Crypto
import Foundation
import HTTP
import MatchingKeys
import Synchronization

/// Whether a password attempt may go ahead.
public enum LoginThrottleDecision: Sendable, Equatable {
    case allowed
    /// Refused without checking the password; the response carries `Retry-After`.
    case limited(retryAfterSeconds: Int64)
}

/// How failed attempts turn into delays.
public struct LoginThrottlePolicy: Sendable, Equatable {
    /// Failures that cost nothing: people mistype.
    public var freeFailures: Int
    /// A key with no failure for this long (and not blocked) is forgotten.
    public var windowSeconds: Int64
    /// The delay after the first failure beyond the free ones; it doubles with each further one.
    public var firstDelaySeconds: Int64
    public var maximumDelaySeconds: Int64
    /// Entries per table (addresses, identifiers); beyond it the least-failed entry is evicted,
    /// so a flood of random identifiers cannot grow memory without bound.
    public var maximumEntries: Int

    /// 5 free failures in 15 minutes, then 1 s, 2 s, 4 s... up to 15 minutes.
    public static let standard = LoginThrottlePolicy(
        freeFailures: 5, windowSeconds: 900, firstDelaySeconds: 1, maximumDelaySeconds: 900, maximumEntries: 10_000
    )

    public init(freeFailures: Int, windowSeconds: Int64, firstDelaySeconds: Int64, maximumDelaySeconds: Int64, maximumEntries: Int) {
        self.freeFailures = max(0, freeFailures)
        self.windowSeconds = max(1, windowSeconds)
        self.firstDelaySeconds = max(1, firstDelaySeconds)
        self.maximumDelaySeconds = max(self.firstDelaySeconds, maximumDelaySeconds)
        self.maximumEntries = max(1, maximumEntries)
    }

    /// The wait imposed after `failures` consecutive failures: none while free, then
    /// first·2^(k−1) for the k-th failure beyond the free ones, capped.
    func delay(afterFailures failures: Int) -> Int64 {
        let beyond = failures - freeFailures
        guard beyond > 0 else { return 0 }
        // Past 2^40 every sane cap is reached; stopping there keeps the shift from overflowing.
        let exponent = min(beyond - 1, 40)
        let (scaled, overflow) = firstDelaySeconds.multipliedReportingOverflow(by: Int64(1) << exponent)
        return overflow ? maximumDelaySeconds : min(scaled, maximumDelaySeconds)
    }
}

/// What the account key of `LoginThrottle` counts: a local user, or the one directory entry a
/// typed identifier found. A directory matches many spellings to one entry (its own case and
/// width folding, a second login attribute), so its failures are counted under the entry, as
/// a local user's are under the user, whatever was typed.
public struct ThrottledAccount: Sendable, Hashable {
    let key: String

    public static func user(_ id: Int64) -> ThrottledAccount { ThrottledAccount(key: "n:\(id)") }

    /// The entry by its directory and its uniqueness value (`UniqueIdentifier`), the key its
    /// identity has.
    public static func directoryEntry(directory: String, subject: String) -> ThrottledAccount {
        ThrottledAccount(key: "d:\(directory):\(subject)")
    }
}

/// Rate-limits failed password attempts per client address, per identifier and per account,
/// in memory.
///
/// Three keys count: one address trying many accounts is slowed by its address, many addresses
/// trying one identifier by the identifier, and once an identifier resolves to an account, the
/// account itself: while an account is locked out through its email, its username (or any other
/// spelling that reaches it) does not open it either. Identifiers are keyed by their matching
/// key (`MatchingKey`), the same one the lookup uses, so `chrıstina@…` is not a fresh counter
/// beside `christina@…` that then signs in as her. A success resets the identifier and the
/// account (an attacker's own valid account must not clear their address). Keys are stored as
/// SHA-256 digests, so the tables hold no identifiers and every entry has the same small size.
/// Time is always a parameter. State is per process: several instances each keep their own.
public final class LoginThrottle: Sendable {
    public let policy: LoginThrottlePolicy
    private let state = Mutex(State())

    public init(policy: LoginThrottlePolicy = .standard) {
        self.policy = policy
    }

    /// Before any lookup: the address and the typed identifier.
    public func check(clientAddress: String, identifier: String, now: Int64) -> LoginThrottleDecision {
        checking(clientAddress: clientAddress, identifier: identifier, now: now, notingRefusal: false).decision
    }

    /// `check`, and when it limits, `isFirstRefusal` for the address and the identifier, with
    /// their keys computed and the lock taken once: what a refused attempt of a flood costs.
    public func checkNotingRefusal(clientAddress: String, identifier: String, now: Int64) -> (decision: LoginThrottleDecision, isFirstRefusal: Bool) {
        checking(clientAddress: clientAddress, identifier: identifier, now: now, notingRefusal: true)
    }

    private func checking(
        clientAddress: String, identifier: String, now: Int64, notingRefusal: Bool
    ) -> (decision: LoginThrottleDecision, isFirstRefusal: Bool) {
        let (addressKey, identifierKey) = (Self.key(address: clientAddress), Self.key(identifier: identifier))
        return state.withLock { state in
            let wait = max(
                state.addresses.wait(for: addressKey, policy: policy, now: now), state.identifiers.wait(for: identifierKey, policy: policy, now: now)
            )
            guard notingRefusal, wait > 0 else { return (Self.decision(wait), false) }
            return (Self.decision(wait), state.noteRefusal(address: addressKey, identifier: identifierKey, account: nil))
        }
    }

    /// Once the identifier names an account: the account, whatever identifier named it.
    public func check(account: ThrottledAccount, now: Int64) -> LoginThrottleDecision {
        let key = Self.key(account: account)
        return Self.decision(state.withLock { $0.accounts.wait(for: key, policy: policy, now: now) })
    }

    /// Counts a failure against the address, the identifier and, when the identifier named one,
    /// the account.
    public func recordFailure(clientAddress: String, identifier: String, account: ThrottledAccount? = nil, now: Int64) {
        let (addressKey, identifierKey) = (Self.key(address: clientAddress), Self.key(identifier: identifier))
        let accountKey = account.map(Self.key(account:))
        state.withLock { state in
            state.addresses.recordFailure(addressKey, policy: policy, now: now)
            state.identifiers.recordFailure(identifierKey, policy: policy, now: now)
            if let accountKey { state.accounts.recordFailure(accountKey, policy: policy, now: now) }
        }
    }

    /// Whether a refusal (`check` said `.limited`) is the first since the failure that limited
    /// these keys, marking it: the audit trail records one refusal per escalation, so a flood
    /// of refused attempts does not write an entry (and take the database writer) each.
    public func isFirstRefusal(clientAddress: String, identifier: String, account: ThrottledAccount? = nil) -> Bool {
        let (addressKey, identifierKey) = (Self.key(address: clientAddress), Self.key(identifier: identifier))
        let accountKey = account.map(Self.key(account:))
        return state.withLock { $0.noteRefusal(address: addressKey, identifier: identifierKey, account: accountKey) }
    }

    /// Forgets the identifier's and the account's failures; the address keeps its count.
    public func recordSuccess(identifier: String, account: ThrottledAccount) {
        let identifierKey = Self.key(identifier: identifier)
        let accountKey = Self.key(account: account)
        state.withLock { state in
            state.identifiers.remove(identifierKey)
            state.accounts.remove(accountKey)
        }
    }

    /// Entries held (addresses, identifiers, accounts), for tests and metrics.
    public var entryCounts: (addresses: Int, identifiers: Int, accounts: Int) {
        state.withLock { ($0.addresses.count, $0.identifiers.count, $0.accounts.count) }
    }

    /// The form an identifier is counted under: its email key when it is an address with one,
    /// else its username key, else (text that matches nobody) the text itself, trimmed.
    static func identifierKey(_ identifier: String) -> String {
        if let key = MatchingKey.email(identifier) { return "e:" + key }
        if let key = MatchingKey.username(identifier) { return "u:" + key }
        return "t:" + identifier.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func decision(_ wait: Int64) -> LoginThrottleDecision {
        wait > 0 ? .limited(retryAfterSeconds: wait) : .allowed
    }

    /// An address counts by its `ClientBlock` (an IPv6 /64), so a host cannot start afresh by
    /// moving to another address of its own network.
    private static func key(address: String) -> [UInt8] { Digest.sha256(Array(("a:" + ClientBlock.key(for: address)).utf8)) }
    private static func key(identifier: String) -> [UInt8] { Digest.sha256(Array(("i:" + identifierKey(identifier)).utf8)) }
    private static func key(account: ThrottledAccount) -> [UInt8] { Digest.sha256(Array(account.key.utf8)) }

    private struct State {
        var addresses = FailureTable()
        var identifiers = FailureTable()
        var accounts = FailureTable()

        /// Marks the refusal in every table the attempt counts in; true when it is the first
        /// since the failure that limited any of them.
        mutating func noteRefusal(address: [UInt8], identifier: [UInt8], account: [UInt8]?) -> Bool {
            let byAddress = addresses.noteRefusal(address)
            let byIdentifier = identifiers.noteRefusal(identifier)
            let byAccount = account.map { accounts.noteRefusal($0) } ?? false
            return byAddress || byIdentifier || byAccount
        }
    }
}
