import JOSE

/// The group values a session carries, read once at sign-in from the configured claim
/// (`forward_auth.groups_claim`) and stored with the session, so the forward-auth hot path
/// never parses JSON.
///
/// A claim is an array of strings or a single string; any other shape gives no groups.
/// Values that could not be passed on faithfully are dropped, never altered: an empty value, one
/// with a control character (the store joins values with newlines, headers cannot hold CR/LF),
/// or one with a comma (`X-Auth-Request-Groups` is comma-joined, so `"x,admins"` would read as
/// the group `admins` downstream). Truncating instead would turn one group name into another.
public enum SessionGroups {
    /// At most this many values are kept (the first ones, in claim order).
    public static let maximumCount = 64
    /// A longer value is dropped.
    public static let maximumValueBytes = 255

    /// The groups in `claims[claim]`, filtered and capped as above.
    public static func read(from claims: [String: JSONValue], claim: String, preferring required: Set<String> = []) -> [String] {
        let candidates: [String]
        switch claims[claim] {
        case .string(let single): candidates = [single]
        case .array(let values): candidates = values.compactMap(\.stringValue)
        default: return []
        }
        return kept(candidates, preferring: required)
    }

    /// The values of `candidates` that can be passed on faithfully, without repeats, at most
    /// `maximumCount`: the one rule for groups from a claim and from a directory. Those in
    /// `required` (the groups forward-auth's `required_groups` name) come first, then the rest
    /// in their order, so a person in more groups than are kept never loses one that decides
    /// their access.
    public static func kept(_ candidates: [String], preferring required: Set<String> = []) -> [String] {
        var groups: [String] = []
        var seen: Set<String> = []
        for pass in [true, false] {
            for value in candidates where required.contains(value) == pass && isStorable(value) && seen.insert(value).inserted {
                guard groups.count < maximumCount else { return groups }
                groups.append(value)
            }
        }
        return groups
    }

    /// Whether `value` can be stored and sent on unchanged.
    public static func isStorable(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= maximumValueBytes else { return false }
        return !bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ",") }
    }
}
