/// Reads the `email_verified` claim strictly.
///
/// Seed 001 chained an email fallback with a type-confusion bypass: a provider (or an attacker
/// controlling a claim) sent something that was not a JSON boolean and it was taken as "verified".
/// Here only JSON `true` counts, or the exact string `"true"` when the administrator turned on
/// `email_verified_strings` for a provider known to send strings. Everything else fails closed.
public enum EmailVerification {
    /// True only for JSON `true`, or for the string `"true"` when `acceptStrings` is on.
    /// Missing, `null`, numbers (even `1`), `false`, `"false"`, `"TRUE"`, `" true"`, arrays and
    /// objects are all "not verified".
    public static func interpret(_ value: ClaimValue?, acceptStrings: Bool) -> Bool {
        switch value {
        case .bool(let flag)?:
            return flag
        case .string(let text)? where acceptStrings:
            // Exact: a provider that sends strings sends exactly "true"; anything looser is a guess.
            return text == "true"
        case .string?, .number?, .null?, .other?, nil:
            return false
        }
    }
}
