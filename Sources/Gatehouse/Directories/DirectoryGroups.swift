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

    /// The groups a sign-in reads, all within `deadline`. With `member_of`, a `memberOf` value
    /// outside `group_base_dn` is no group, as in synchronisation (which reads only the groups
    /// under it): otherwise anyone who can make a group anywhere in the directory could name it
    /// after one an application requires. A group that cannot be read (gone, or hidden from the
    /// service account) is no group either, rather than a refused sign-in.
    static func names(of entry: DirectoryEntry, source: DirectorySource, deadline: ContinuousClock.Instant) throws(DirectoryError) -> [String] {
        let config = source.config
        switch config.membership {
        case .member:
            let filter = "(&\(config.groupFilter)(member=\(FilterEscaping.value(entry.dn))))"
            let groups = try source.client.search(
                base: config.groupBaseDN, filter: filter, attributes: [config.groupNameAttribute], deadline: deadline
            )
            return Array(Set(groups.compactMap { $0.strings(config.groupNameAttribute).first })).sorted()
        case .memberOf:
            guard let base = DistinguishedName(config.groupBaseDN) else { return [] }
            return try nested(from: entry.strings("memberOf")) { dn throws(DirectoryError) in
                guard DistinguishedName(dn)?.isWithin(base) == true else { return (nil, []) }
                let found: [DirectoryEntry]
                do throws(DirectoryError) {
                    found = try source.client.search(
                        base: dn, filter: config.groupFilter, attributes: [config.groupNameAttribute, "memberOf"], paged: false, scope: .base,
                        deadline: deadline
                    )
                } catch where error.isEntryMissingOrHidden {
                    return (nil, [])
                }
                return (found.first?.strings(config.groupNameAttribute).first, found.flatMap { $0.strings("memberOf") })
            }
        }
    }

    /// The one walk up `memberOf` for sign-in and synchronisation alike: the names of the
    /// groups `start` names and of every group above them, each group visited once (DNs
    /// compared lower-cased), at most `maximumDepth` levels and `maximumGroups` groups visited.
    /// `group` gives a group's name (nil when it is not a group the filter admits) and the
    /// groups it is itself a member of.
    static func nested(
        from start: [String], group: (String) throws(DirectoryError) -> (name: String?, memberOf: [String])
    ) throws(DirectoryError) -> [String] {
        var seen: Set<String> = []
        var names: Set<String> = []
        var frontier = start
        var depth = 0
        walk: while !frontier.isEmpty, depth < maximumDepth {
            depth += 1
            var next: [String] = []
            for dn in frontier where seen.insert(dn.lowercased()).inserted {
                // Counted per group, not per level: one level can name thousands.
                guard seen.count <= maximumGroups else { break walk }
                let found = try group(dn)
                if let name = found.name { names.insert(name) }
                next += found.memberOf
            }
            frontier = next
        }
        return names.sorted()
    }
}
