/// What any username must be, whoever creates it (an operator, the admin API, a trusted claim).
enum UsernameRules {
    /// Why `username` cannot be a username, or nil when it can: 1 to 255 bytes, no whitespace or
    /// control characters, and no `:`. Forward-auth names a user whose username is not verified
    /// `user:<id>` (HTTP Basic authentication forbids `:` in a user-id, RFC 7617), so no username
    /// may look like one.
    static func problem(with username: String) -> String? {
        guard !username.isEmpty, username.utf8.count <= 255 else { return "a username is 1 to 255 bytes" }
        guard username.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.properties.generalCategory != .control }) else {
            return "a username may not contain spaces or control characters"
        }
        guard !username.contains(":") else { return "a username may not contain \":\"" }
        return nil
    }
}
