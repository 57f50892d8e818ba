/// The parameters of an authorization response at our callback (RFC 6749 section 4.1.2 and
/// 4.1.2.1, RFC 9207), from the query (GET) or the form body (`form_post`).
///
/// Parsing refuses a repeated parameter (RFC 6749 section 3.1: parameters must not be included
/// more than once; two `state`s are two answers to "which request is this?"), a response with
/// both or neither of `code` and `error`, and one without `state`.
public struct CallbackParameters: Sendable, Equatable {
    /// What the provider answered.
    public enum Outcome: Sendable, Equatable {
        /// The authorization code to exchange.
        case code(String)
        /// The provider refused: `error` is an RFC 6749 error code, `description` its text when
        /// present and made of the characters RFC 6749 allows (shown to a person after HTML escaping).
        case error(error: String, description: String?)
    }

    /// The parameters read; any other is ignored.
    public static let names: Set<String> = ["code", "state", "iss", "error", "error_description"]

    /// Callback values longer than this are refused.
    public static let maximumValueLength = 4096

    public let state: String
    public let issuer: String?
    public let outcome: Outcome

    public static func parse(pairs: [(String, String)]) throws(OIDCError) -> CallbackParameters {
        var seen: Set<String> = []
        var values: [String: String] = [:]
        for (name, value) in pairs {
            // Any repeated name is refused, not only ours: a response that says one thing twice is not one we read.
            guard seen.insert(name).inserted else {
                throw .make(.malformedCallback, "callback repeats a parameter")
            }
            guard names.contains(name) else { continue }
            guard value.utf8.count <= maximumValueLength else {
                throw .make(.malformedCallback, "callback parameter \(name) is longer than \(maximumValueLength) bytes")
            }
            values[name] = value
        }
        guard let state = values["state"], !state.isEmpty else { throw .make(.missingState, "callback has no state") }
        let code = values["code"].flatMap { $0.isEmpty ? nil : $0 }
        let error = values["error"].flatMap { $0.isEmpty ? nil : $0 }
        let outcome: Outcome
        switch (code, error) {
        case (let code?, nil):
            outcome = .code(code)
        case (nil, let error?):
            guard isErrorText(error) else { throw .make(.malformedCallback, "callback error has characters RFC 6749 does not allow") }
            let description = values["error_description"].flatMap { isErrorText($0) ? $0 : nil }
            outcome = .error(error: error, description: description)
        case (.some, .some):
            throw .make(.malformedCallback, "callback has both code and error")
        case (nil, nil):
            throw .make(.malformedCallback, "callback has neither code nor error")
        }
        return CallbackParameters(state: state, issuer: values["iss"], outcome: outcome)
    }

    /// RFC 9207 section 2.4: when the provider advertises
    /// `authorization_response_iss_parameter_supported`, `iss` is required; whether advertised
    /// or not, an `iss` that is present must be exactly the provider's issuer. This defeats a
    /// mix-up attack, where one provider's response is sent to the callback of another.
    public func checkIssuerParameter(advertised: Bool, expectedIssuer: String) throws(OIDCError) {
        guard let issuer else {
            if advertised { throw .make(.missingIssuerParameter, "provider advertises the iss parameter and the callback has none") }
            return
        }
        guard ExactMatch.equal(issuer, expectedIssuer) else {
            throw .make(.issuerParameterMismatch, "callback iss is not exactly the provider's issuer")
        }
    }

    /// RFC 6749 section 4.1.2.1: `error` and `error_description` use %x20-21 / %x23-5B / %x5D-7E.
    static func isErrorText(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            (0x20...0x7E).contains(byte) && byte != 0x22 && byte != 0x5C
        }
    }
}
