import JOSE

/// The identity's claims after userinfo (OIDC Core 5.3): the ID token's claims, plus the
/// userinfo response's when its `sub` is the ID token's (section 5.3.2: otherwise they describe
/// someone else and must not be used). On a conflict the ID token's value wins: it is signed,
/// the userinfo response is only as good as the TLS connection it came over.
public struct UserinfoResult: Sendable, Equatable {
    /// Userinfo responses larger than this are refused.
    public static let maximumBytes = 256 * 1024

    /// The merged claims.
    public let claims: [String: JSONValue]
    /// Why the userinfo claims were left out, when they were: an event the caller records.
    public let discardedBecause: OIDCError?

    /// `email`, when a string.
    public var email: String? { claims["email"]?.stringValue }
    /// `email_verified` as sent.
    public var emailVerified: JSONValue? { claims["email_verified"] }
    public var name: String? { claims["name"]?.stringValue }
    public var preferredUsername: String? { claims["preferred_username"]?.stringValue }

    /// Merges a userinfo response (JSON; a signed `application/jwt` response is not supported,
    /// the caller refuses that content type) into the ID token's claims. Never throws: a bad
    /// userinfo response leaves the verified ID token claims alone and says why.
    public static func merge(idToken: IDTokenClaims, userinfoBytes: [UInt8]) -> UserinfoResult {
        let members: [String: JSONValue]
        do throws(OIDCError) {
            let reader = try JSONObjectReader(bytes: userinfoBytes, maximumBytes: maximumBytes, code: .malformedUserinfo, what: "userinfo response")
            guard try reader.optionalString("sub") != nil else { throw OIDCError.make(.malformedUserinfo, "userinfo response has no sub") }
            members = reader.members
        } catch {
            return UserinfoResult(claims: idToken.all, discardedBecause: error)
        }
        guard let sub = members["sub"]?.stringValue, ExactMatch.equal(sub, idToken.subject) else {
            return UserinfoResult(
                claims: idToken.all,
                discardedBecause: .make(.userinfoSubjectMismatch, "userinfo sub differs from the ID token's; its claims were discarded")
            )
        }
        return UserinfoResult(claims: idToken.all.merging(members) { fromIDToken, _ in fromIDToken }, discardedBecause: nil)
    }
}
