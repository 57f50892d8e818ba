/// `login`: the identification step of the sign-in page (issue 5 section 1).
public struct LoginConfig: Sendable, Equatable {
    /// Which user fields the one "who are you" field is matched against: the password
    /// sign-in's own list, so the page and the check can never disagree.
    public typealias IdentifierField = PasswordSignInSettings.IdentifierField

    /// `login.local_passwords`: whether the page offers a password field (accounts with a
    /// local password); `false` leaves only the providers' buttons to finish a sign-in.
    public var localPasswords: Bool
    /// `login.identifier_fields`: the fields the typed identifier is matched against, in order.
    public var identifierFields: [IdentifierField]
    /// `login.case_sensitive`: `false` (the default) matches `Alice@Example.com` to `alice@example.com`.
    public var caseSensitive: Bool
    /// `login.pretend_unknown_users_exist` (default true): every identifier continues to the
    /// password step, so the page never tells who has an account here, or who has a password.
    /// Off, the identification step says when no account with a password answers to the
    /// identifier (an oracle the operator chooses, throttled like a password attempt).
    public var pretendUnknownUsersExist: Bool
    public init(
        localPasswords: Bool = true,
        identifierFields: [IdentifierField] = [.username, .email],
        caseSensitive: Bool = false,
        pretendUnknownUsersExist: Bool = true
    ) {
        self.localPasswords = localPasswords
        self.identifierFields = identifierFields
        self.caseSensitive = caseSensitive
        self.pretendUnknownUsersExist = pretendUnknownUsersExist
    }

    static let keys = ["local_passwords", "identifier_fields", "case_sensitive", "pretend_unknown_users_exist", "password_order"]

    static func decode(_ reader: ObjectReader) -> LoginConfig {
        let defaults = LoginConfig()
        let fields = reader.value("identifier_fields", .list(of: .choice, allowEmpty: false)) ?? defaults.identifierFields
        if Set(fields).count != fields.count {
            reader.decoder.error(at: reader.path.appending("identifier_fields"), "lists a field twice: \(fields.map(\.rawValue))")
        }
        return LoginConfig(
            localPasswords: reader.value("local_passwords", .boolean) ?? defaults.localPasswords,
            identifierFields: fields,
            caseSensitive: reader.value("case_sensitive", .boolean) ?? defaults.caseSensitive,
            pretendUnknownUsersExist: reader.value("pretend_unknown_users_exist", .boolean) ?? defaults.pretendUnknownUsersExist
        )
    }

    /// The label of the identifier field: "Username or email", "Username" or "Email".
    public var identifierLabel: String {
        let words = identifierFields.map { field in
            switch field {
            case .username: "username"
            case .email: "email"
            }
        }
        let joined = words.joined(separator: " or ")
        return joined.prefix(1).uppercased() + joined.dropFirst()
    }

    /// `login.password_order`, read from the `login` section once the directories are known
    /// (it names them): the sources in effect, `GatehouseConfig.passwordSources`. Without the
    /// key, local passwords (when on) and then every directory in file order.
    static func passwordSources(_ reader: ObjectReader, login: LoginConfig, directories: [DirectoryConfig]) -> [PasswordSource] {
        let path = reader.path
        let decoder = reader.decoder
        guard let order = reader.value("password_order", .list(of: .nonEmptyString)) else {
            return (login.localPasswords ? [.local] : []) + directories.map { .directory($0.slug) }
        }
        var sources: [PasswordSource] = []
        for (index, word) in order.enumerated() {
            let at = path.appending("password_order").appending(index: index)
            let source: PasswordSource
            if word == "local" {
                guard login.localPasswords else {
                    decoder.error(at: at, "local passwords are off (login.local_passwords is false)")
                    continue
                }
                source = .local
            } else if directories.contains(where: { $0.slug == word }) {
                source = .directory(word)
            } else {
                let known = ["local"] + directories.map(\.slug)
                decoder.error(at: at, "expected one of \(ConfigText.alternatives(known)), found \(ConfigText.quoted(word))")
                continue
            }
            if sources.contains(source) {
                decoder.error(at: at, "\(ConfigText.quoted(word)) is listed twice")
                continue
            }
            sources.append(source)
        }
        // Local passwords on but never checked: the password field would vanish, or skip the
        // local accounts the operator meant to keep, without a word.
        if login.localPasswords && !order.contains("local") {
            decoder.error(
                at: path.appending("password_order"),
                "local passwords are on (login.local_passwords) but the order leaves them out: add \"local\", or turn local passwords off"
            )
        }
        return sources
    }
}
