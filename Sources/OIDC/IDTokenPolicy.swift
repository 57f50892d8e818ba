import JOSE

/// What one ID-token rule demands, and the code it fails with.
public struct PolicyReason: Sendable, Equatable {
    public let code: OIDCError.Code
    /// The rule in one sentence, as a person reading a log or a test would want it.
    public let sentence: String

    public init(code: OIDCError.Code, sentence: String) {
        self.code = code
        self.sentence = sentence
    }

    /// The error for a token that breaks this rule; `detail` says how, without claim values.
    func failure(_ detail: String, fileID: String = #fileID, line: Int = #line) -> OIDCError {
        OIDCError(code: code, message: "\(sentence) (\(detail))", fileID: fileID, line: line)
    }
}

// The policies' `reason`s are computed properties, not stored ones: a policy is then one or two
// words (a String, a time) and fits an existential's inline buffer, so building the list for a
// token allocates no boxes. The reason is only needed when a rule fails.

/// A rule on the protected header, checked before the signature: a token refused here costs
/// no public-key operation.
public protocol IDTokenHeaderPolicy: Sendable {
    var reason: PolicyReason { get }
    func check(_ header: JOSEHeader) throws(OIDCError)
}

/// A rule on the verified claims. Time, when a rule needs it, is given to the policy when it is
/// made; no policy reads a clock.
public protocol IDTokenClaimPolicy: Sendable {
    var reason: PolicyReason { get }
    func check(_ claims: IDTokenClaimSet) throws(OIDCError)
}
