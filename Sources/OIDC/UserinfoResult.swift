import JOSE

/// The identity's claims after userinfo (OIDC Core 5.3): the ID token's claims, plus the
/// userinfo response's when its `sub` is the ID token's (section 5.3.2: otherwise they describe
/// someone else and must not be used). On a conflict the ID token's value wins: it is signed,
/// the userinfo response is only as good as the TLS connection it came over.
///
/// `email` and `email_verified` are one statement, so they come from one source: the ID token
/// when it names an email, else userinfo. Merged claim by claim, an ID token's unverified
/// address and userinfo's `email_verified: true` about another address would have made the
/// first verified. Userinfo may still vouch for the ID token's address when it names the very
/// same text and the ID token says nothing about it.
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
        var claims = idToken.all.merging(members) { fromIDToken, _ in fromIDToken }
        claims["email_verified"] = pairedEmailVerified(idToken: idToken.all, userinfo: members)
        return UserinfoResult(claims: claims, discardedBecause: nil)
    }

    /// The `email_verified` that goes with the merged `email` (see the type's comment).
    private static func pairedEmailVerified(idToken: [String: JSONValue], userinfo: [String: JSONValue]) -> JSONValue? {
        guard let tokenEmail = idToken["email"] else { return userinfo["email_verified"] }
        if let stated = idToken["email_verified"] { return stated }
        guard case .string(let tokenAddress) = tokenEmail, case .string(let userinfoAddress)? = userinfo["email"],
              ExactMatch.equal(tokenAddress, userinfoAddress)
        else { return nil }
        return userinfo["email_verified"]
    }
}
