import Accounts
import JOSE

/// Verified claims (JOSE's JSON values) as the linking engine reads them. The engine keeps JSON
/// types apart on purpose: `email_verified` counts only as a JSON `true`, never as the string
/// "true" (unless the provider's policy says so) nor the number 1.
enum ClaimMapping {
    static func claimValues(_ claims: [String: JSONValue]) -> [String: ClaimValue] {
        claims.mapValues(claimValue)
    }

    static func claimValue(_ value: JSONValue) -> ClaimValue {
        switch value {
        case .string(let text): .string(text)
        case .bool(let flag): .bool(flag)
        case .number(let literal): .number(literal)
        case .null: .null
        case .array, .object, .orderedObject: .other
        }
    }
}
