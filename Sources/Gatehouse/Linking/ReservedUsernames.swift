import MatchingKeys

/// Names a username taken from an untrusted claim may never become (`accounts.reserved_usernames`):
/// administrative and mail-role names an application behind Gatehouse may grant powers to
/// (`Remote-User: root`). Compared by confusable skeleton, so `ROOT`, `ｒｏｏｔ` and a Cyrillic
/// `rооt` are reserved with `root`. An operator may still create such a user, and a trusted
/// username claim may carry one: the reservation is against what a person types at a provider.
struct ReservedUsernames: Sendable, Equatable {
    private let skeletons: Set<String>

    init(_ names: [String] = AccountsConfig.defaultReservedUsernames) {
        skeletons = Set(names.compactMap(MatchingKey.usernameSkeleton))
    }

    func contains(_ username: String) -> Bool {
        MatchingKey.usernameSkeleton(username).map(skeletons.contains) ?? true
    }
}
