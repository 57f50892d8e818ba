import JOSE

/// The steps an ID token and a logout token share, written once: parse the compact JWS, apply
/// the caller's header rules before any key is touched, verify the signature with JOSE's strict
/// key selection under the provider's effective algorithm allow-list, and parse the verified
/// payload into a claim set.
///
/// OIDC Back-Channel Logout 1.0 section 2.6 says a logout token's signature and `alg` are
/// validated "in the same way" as an ID token's; sharing this one function is what makes that
/// true, so a change to how ID tokens are verified (the HMAC opt-in, the key rules, the error
/// mapping) reaches logout tokens too.
enum SignedTokenVerification {
    /// What kind of token is being verified: names it in messages, and gives the code a token
    /// that is not a well-formed JWS with a JSON object payload fails with.
    struct Kind: Sendable {
        let name: String
        let malformed: OIDCError.Code

        static let idToken = Kind(name: "ID token", malformed: .malformedIDToken)
        static let logoutToken = Kind(name: "logout token", malformed: .malformedLogoutToken)
    }

    /// The verified payload's claims and the algorithm the signature was checked with.
    /// `checkHeader` gets the protected header and the effective allow-list.
    static func verify(
        _ compactToken: String,
        kind: Kind,
        keys: JSONWebKeySet,
        settings: OIDCProviderSettings,
        advertisedAlgorithms: [JWSAlgorithm]?,
        checkHeader: (JOSEHeader, [JWSAlgorithm]) throws(OIDCError) -> Void
    ) throws(OIDCError) -> (claims: IDTokenClaimSet, algorithm: JWSAlgorithm) {
        let jws: UnverifiedJWS
        do {
            jws = try UnverifiedJWS.parse(compactToken)
        } catch {
            throw mapped(error, kind: kind)
        }
        let allowed = settings.effectiveAlgorithms(advertised: advertisedAlgorithms)
        try checkHeader(jws.header, allowed)

        let verified: VerifiedJWS
        do {
            let hmacSecret = settings.allowHMAC ? Array(settings.clientSecret.utf8) : nil
            verified = try JWSVerifier(allowedAlgorithms: allowed).verify(jws, keys: keys, hmacSecret: hmacSecret)
        } catch {
            throw mapped(error, kind: kind)
        }

        do {
            return (IDTokenClaimSet(members: try JSONValue.parseObjectMembers(verified.payload)), verified.algorithm)
        } catch {
            throw .make(kind.malformed, "\(kind.name) payload is not a valid JSON object: \(error.message)")
        }
    }

    /// The OIDC error for a JOSE failure, keeping the JOSE code for diagnosis. A JOSE
    /// `unknownKeyID` becomes `unknownSigningKey`, the one failure after which refetching the key
    /// set (once, see `JWKSCacheState.claimRefetchForUnknownKeyID`) may help.
    static func mapped(_ error: JOSEError, kind: Kind) -> OIDCError {
        let code: OIDCError.Code
        switch error.code {
        case .unknownKeyID: code = .unknownSigningKey
        case .badSignature: code = .badSignature
        case .noSuitableKey, .ambiguousKey, .weakKey, .invalidKey: code = .noUsableKey
        case .algorithmNotAllowed, .unsupportedAlgorithm: code = .algorithmNotAllowed
        case .internalFailure: code = .internalFailure
        default: code = kind.malformed
        }
        return OIDCError(code: code, message: "\(kind.name) refused: \(error.message)", joseCode: error.code)
    }
}
