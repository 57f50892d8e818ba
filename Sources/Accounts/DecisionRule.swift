/// The rule of issue 4 section 3 that produced a decision, for the audit log and
/// `simulate-login`: "why was this person signed in to that account?" always has an answer.
///
/// Names are dotted paths that start with the rule number of section 3, then the matching mode
/// and the branch taken: `1.identity_exists.sign_in`, `2.empty_subject.fill`,
/// `3.email_link.one_match.other_subject`, `4.domain_not_allowed`, `5.issuer_changed`. The guard
/// re-check is `guard.<violation code>`. They are stable: operators grep audit logs for them.
public struct DecisionRule: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    init(_ name: String) { self.name = name }

    /// A rule of section 3's third rule, under a matching mode: `3.<mode>.<branch>`.
    static func matching(_ mode: UserMatchingMode, _ branch: String) -> DecisionRule {
        DecisionRule("3.\(mode.rawValue).\(branch)")
    }

    public var description: String { name }
}
