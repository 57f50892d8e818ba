/// `accounts`: rules about the accounts Gatehouse keeps, whatever creates them.
public struct AccountsConfig: Sendable, Equatable {
    /// `accounts.reserved_usernames`: names a user created at a first provider sign-in may not
    /// take from an untrusted username claim (compared by confusable skeleton, so case, width
    /// and look-alike spellings are reserved too). Replaces the default list when given.
    public var reservedUsernames: [String]

    /// Administrative and mail-role names an application behind Gatehouse may grant powers to.
    public static let defaultReservedUsernames = [
        "root", "admin", "administrator", "postmaster", "hostmaster", "webmaster", "abuse", "security", "support",
        "system", "sysadmin", "operator", "noreply", "no-reply", "nobody", "daemon", "mail", "www", "info", "gatehouse",
    ]

    public init(reservedUsernames: [String] = AccountsConfig.defaultReservedUsernames) {
        self.reservedUsernames = reservedUsernames
    }

    static let keys = ["reserved_usernames"]

    static func decode(_ reader: ObjectReader) -> AccountsConfig {
        AccountsConfig(reservedUsernames: reader.value("reserved_usernames", .list(of: .nonEmptyString)) ?? defaultReservedUsernames)
    }
}
