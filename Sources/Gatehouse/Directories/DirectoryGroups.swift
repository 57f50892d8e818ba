import Directory

/// The names of a person's directory groups, which become the session's groups and so reach
/// forward-auth's `required_groups`.
///
/// With `member`, the groups under `group_base_dn` that list the entry's DN; with `member_of`,
/// the entry's own `memberOf` values followed upwards through the groups' `memberOf` (Active
/// Directory's nesting), at most `maximumDepth` levels and `maximumGroups` groups.
enum DirectoryGroups {
    static let maximumDepth = 8
    static let maximumGroups = 512

    static func names(of entry: DirectoryEntry, source: DirectorySource) throws(DirectoryError) -> [String] {
        let config = source.config
        switch config.membership {
        case .member:
            let filter = "(&\(config.groupFilter)(member=\(FilterEscaping.value(entry.dn))))"
            let groups = try source.client.search(base: config.groupBaseDN, filter: filter, attributes: [config.groupNameAttribute])
            return Array(Set(groups.compactMap { $0.strings(config.groupNameAttribute).first })).sorted()
        case .memberOf:
            return try nested(from: entry.strings("memberOf")) { dn throws(DirectoryError) in
                let found = try source.client.search(
                    base: dn, filter: config.groupFilter, attributes: [config.groupNameAttribute, "memberOf"], paged: false, scope: .base
                )
                return (found.first?.strings(config.groupNameAttribute).first, found.flatMap { $0.strings("memberOf") })
            }
        }
    }

    /// The one walk up `memberOf` for sign-in and synchronisation alike: the names of the
    /// groups `start` names and of every group above them, each group visited once (DNs
    /// compared lower-cased), at most `maximumDepth` levels and `maximumGroups` groups.
    /// `group` gives a group's name (nil when it is not a group the filter admits) and the
    /// groups it is itself a member of.
    static func nested(
        from start: [String], group: (String) throws(DirectoryError) -> (name: String?, memberOf: [String])
    ) throws(DirectoryError) -> [String] {
        var seen: Set<String> = []
        var names: Set<String> = []
        var frontier = start
        var depth = 0
        while !frontier.isEmpty, depth < maximumDepth, seen.count < maximumGroups {
            depth += 1
            var next: [String] = []
            for dn in frontier where seen.insert(dn.lowercased()).inserted {
                let found = try group(dn)
                if let name = found.name { names.insert(name) }
                next += found.memberOf
            }
            frontier = next
        }
        return names.sorted()
    }
}
