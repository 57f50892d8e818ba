/// One authorization request (OIDC Core 3.1.2.1 with PKCE): the secrets Gatehouse keeps
/// server-side for the callback, and the URL that sends the browser to the provider.
///
/// `state` and `nonce` are 256 random bits each. Storing this value, binding it to the browser
/// and using it once is the caller's part; this type only makes and spells it.
public struct AuthorizationRequest: Sendable, Equatable {
    /// Parameters Gatehouse sets itself (or refuses to send, like `request` and `request_uri`,
    /// which would carry a second request object that overrides this one). Extra parameters
    /// from the configuration may never use these names.
    public static let reservedParameterNames: Set<String> = [
        "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
        "code_challenge_method", "response_mode", "login_hint", "prompt", "max_age", "acr_values",
        "request", "request_uri",
    ]

    public let state: String
    public let nonce: String
    public let pkce: PKCE

    /// A fresh request: random `state`, `nonce` and PKCE verifier.
    public static func generate() throws(OIDCError) -> AuthorizationRequest {
        AuthorizationRequest(state: try RandomToken.make(), nonce: try RandomToken.make(), pkce: try PKCE.generate())
    }

    /// A request from stored values (and for tests).
    public init(state: String, nonce: String, pkce: PKCE) {
        self.state = state
        self.nonce = nonce
        self.pkce = pkce
    }

    /// The parameters in the order they are sent: the protocol ones, the optional ones the
    /// settings name, then the configured extras. Refuses extras that are reserved or repeated.
    public func parameters(redirectURI: String, settings: OIDCProviderSettings) throws(OIDCError) -> [(name: String, value: String)] {
        try Self.checkExtraParameters(settings.extraAuthorizationParameters)
        var parameters: [(name: String, value: String)] = [
            ("response_type", "code"),
            ("client_id", settings.clientID),
            ("redirect_uri", redirectURI),
            ("scope", settings.scopes.joined(separator: " ")),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", PKCE.method),
        ]
        if settings.responseMode == .formPost { parameters.append(("response_mode", ResponseMode.formPost.rawValue)) }
        if let loginHint = settings.loginHint { parameters.append(("login_hint", loginHint)) }
        if let prompt = settings.prompt { parameters.append(("prompt", prompt)) }
        if let maxAge = settings.maxAge { parameters.append(("max_age", String(maxAge))) }
        if !settings.acrValues.isEmpty { parameters.append(("acr_values", settings.acrValues.joined(separator: " "))) }
        parameters.append(contentsOf: settings.extraAuthorizationParameters)
        return parameters
    }

    /// The URL to redirect the browser to: the authorization endpoint with our parameters
    /// appended to whatever query it already has (RFC 6749 section 3.1 says to keep it). A
    /// provider query naming one of our parameters is refused: parameters must not repeat.
    public func url(authorizationEndpoint: EndpointURL, redirectURI: String, settings: OIDCProviderSettings) throws(OIDCError) -> String {
        let parameters = try parameters(redirectURI: redirectURI, settings: settings)
        let ours = Set(parameters.map(\.name))
        if let query = authorizationEndpoint.query {
            for pair in query.split(separator: "&") {
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                if ours.contains(Self.percentDecoded(name)) {
                    throw .make(.invalidConfiguration, "authorization endpoint's own query sets parameter \(Self.percentDecoded(name)), which Gatehouse sets")
                }
            }
        }
        let separator: String
        switch authorizationEndpoint.query {
        case nil: separator = "?"
        case let query? where query.isEmpty || query.hasSuffix("&"): separator = ""
        default: separator = "&"
        }
        let encoded = parameters.map { "\(PercentEncoding.queryComponent($0.name))=\(PercentEncoding.queryComponent($0.value))" }
        return authorizationEndpoint.text + separator + encoded.joined(separator: "&")
    }

    /// Refuses extra parameters with an empty, reserved or repeated name.
    static func checkExtraParameters(_ extras: [(name: String, value: String)]) throws(OIDCError) {
        var seen: Set<String> = []
        for (name, _) in extras {
            guard !name.isEmpty else { throw .make(.invalidConfiguration, "an extra authorization parameter has an empty name") }
            guard !reservedParameterNames.contains(name) else {
                throw .make(.invalidConfiguration, "extra authorization parameter \(name) would override one Gatehouse sets")
            }
            guard seen.insert(name).inserted else {
                throw .make(.invalidConfiguration, "extra authorization parameter \(name) is given twice")
            }
        }
    }

    /// `name` with its `%XX` escapes decoded (the URL parser has checked they are well-formed).
    private static func percentDecoded(_ name: Substring) -> String {
        guard name.contains("%") else { return String(name) }
        let bytes = Array(name.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
