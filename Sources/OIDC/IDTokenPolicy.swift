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
    func check(_ claims: [String: JSONValue]) throws(OIDCError)
}
