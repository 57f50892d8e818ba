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
            var seen: Set<String> = []
            var names: Set<String> = []
            var frontier = entry.strings("memberOf")
            var depth = 0
            while !frontier.isEmpty, depth < maximumDepth, seen.count < maximumGroups {
                depth += 1
                var next: [String] = []
                for dn in frontier where seen.insert(dn.lowercased()).inserted {
                    let found = try source.client.search(
                        base: dn, filter: config.groupFilter, attributes: [config.groupNameAttribute, "memberOf"], paged: false, scope: .base
                    )
                    for group in found {
                        if let name = group.strings(config.groupNameAttribute).first { names.insert(name) }
                        next += group.strings("memberOf")
                    }
                }
                frontier = next
            }
            return names.sorted()
        }
    }
}
