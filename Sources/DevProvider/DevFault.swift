/// A deliberate mistake the provider makes on request, so a relying party's checks can be seen
/// to work: the person signing in picks one on the authorize page, and the tokens of that
/// sign-in carry it. Each case names exactly one rule a relying party must enforce.
public enum DevFault: String, Sendable, CaseIterable {
    case none
    /// `aud` is another client and there is no `azp`: the token was not issued to us.
    case wrongAudience = "wrong_audience"
    /// `aud` holds our client and another one (with `azp` ours): refused unless trusted.
    case extraAudience = "extra_audience"
    /// `exp` five minutes ago, beyond any sensible clock skew.
    case expired
    /// `iat` ten minutes ahead.
    case issuedInFuture = "issued_in_future"
    /// `iss` is not this provider.
    case wrongIssuer = "wrong_issuer"
    /// `nonce` is not the one the relying party sent.
    case wrongNonce = "wrong_nonce"
    /// The signature is correct but for one flipped bit.
    case badSignature = "bad_signature"
    /// Signed by a key this provider never publishes, under its own `kid`.
    case unknownKid = "unknown_kid"
    /// `alg` is `none` and the signature is empty.
    case algNone = "alg_none"
    /// The ID token is correct; the userinfo response names another subject.
    case userinfoWrongSubject = "userinfo_wrong_subject"
    /// The ID token's header says `typ: at+jwt`, an access token's type (RFC 9068).
    case accessTokenType = "access_token_type"

    /// What the authorize page shows for the fault.
    public var label: String {
        switch self {
        case .none: "None: a correct sign-in"
        case .wrongAudience: "Wrong audience (aud is another client)"
        case .extraAudience: "Extra audience (aud also names another client)"
        case .expired: "Expired (exp five minutes ago)"
        case .issuedInFuture: "Issued in the future (iat ten minutes ahead)"
        case .wrongIssuer: "Wrong issuer (iss is another provider)"
        case .wrongNonce: "Wrong nonce"
        case .badSignature: "Bad signature (one bit flipped)"
        case .unknownKid: "Unknown kid (signed by a key not published)"
        case .algNone: "alg none (unsigned token)"
        case .userinfoWrongSubject: "Userinfo names another subject"
        case .accessTokenType: "typ at+jwt (an access token's type)"
        }
    }
}
