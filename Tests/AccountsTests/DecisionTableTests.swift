import Testing
@testable import Accounts

@Suite("Decision table of issue 4 section 5")
struct DecisionTableTests {
    /// The three allow-lists: none, one that holds Alice's domain, one that does not.
    static let domainLists: [[String]] = [[], ["example.com"], ["other.org"]]

    @Test("The table covers every mode against every store state exactly once")
    func tableIsComplete() {
        for mode in UserMatchingMode.allCases {
            for state in StoreState.allCases {
                let count = DecisionTable.rows.filter { $0.mode == mode && $0.state == state }.count
                #expect(count == 1, "\(mode.rawValue) × \(state.rawValue)")
            }
        }
    }

    @Test("Every row, every email_verified shape, strings on and off, signups on and off, domain lists, deny and allow",
          arguments: DecisionTable.rows.map { RowArgument(row: $0) })
    func row(argument: RowArgument) {
        let row = argument.row
        for shape in EmailVerifiedShape.allCases {
            for acceptStrings in [false, true] {
                for signups in [true, false] {
                    for domains in Self.domainLists {
                        for multiple in MultipleIdentities.allCases {
                            let policy = Self.policy(row.mode, acceptStrings: acceptStrings, signups: signups,
                                                     domains: domains, multiple: multiple)
                            let identity = Fixture.identity(claims: Fixture.claims(emailVerified: shape.claim))
                            let verified = shape.isVerified(acceptStrings: acceptStrings)
                            let expected = Self.finalExpectation(row, verified: verified, signups: signups,
                                                                 domains: domains, multiple: multiple)
                            let decision = LinkingEngine.decide(identity: identity, policy: policy, store: row.state.view)
                            #expect(
                                Self.matches(decision, expected),
                                """
                                \(row.mode.rawValue) × \(row.state.rawValue) [\(row.reason)] \
                                email_verified \(shape.rawValue) strings \(acceptStrings) signups \(signups) \
                                domains \(domains) multiple \(multiple.rawValue): expected \(expected), got \(decision)
                                """
                            )
                        }
                    }
                }
            }
        }
    }

    /// A guard-safe policy for each mode: `username_link` trusts the username claim.
    static func policy(_ mode: UserMatchingMode, acceptStrings: Bool, signups: Bool, domains: [String],
                       multiple: MultipleIdentities) -> ProviderPolicy {
        ProviderPolicy(userMatchingMode: mode, multipleIdentities: multiple, emailVerifiedStrings: acceptStrings,
                       usernameClaimTrusted: mode == .usernameLink, signups: signups, allowedEmailDomains: domains)
    }

    /// The table's cell, then signups off (a creation becomes its deny), then the domain
    /// allow-list (a link, fill, creation, and a sign-in through an existing identity too, needs
    /// a verified email at an allowed domain: the list holds at every sign-in, not only the first).
    static func finalExpectation(_ row: DecisionRow, verified: Bool, signups: Bool, domains: [String],
                                 multiple: MultipleIdentities) -> Expected {
        var cell = verified ? row.verified : row.unverified
        if multiple == .allow {
            cell = (verified ? row.allowVerified : row.allowUnverified) ?? cell
        }
        if case .create(_, let offCode, let offRule) = cell, !signups {
            return .deny(offCode, rule: offRule)
        }
        let domainAllowed = domains.isEmpty || (verified && domains.contains("example.com"))
        switch cell {
        case .create, .link, .fill:
            return domainAllowed ? cell : .deny(.domainNotAllowed, rule: "4.domain_not_allowed")
        case .signIn:
            return domainAllowed ? cell : .deny(.domainNotAllowed, rule: "1.identity_exists.domain_not_allowed")
        case .deny:
            return cell
        }
    }

    /// Compares a decision with an expectation, including the ids every state uses: Alice is
    /// user 1, her identity of this provider is identity 10.
    static func matches(_ decision: LinkDecision, _ expected: Expected) -> Bool {
        switch (decision, expected) {
        case (.signIn(let signIn), .signIn(let rule)):
            return signIn.rule.name == rule && signIn.userID == 1 && signIn.identityID == 10
        case (.fillSubjectThenSignIn(let fill), .fill(let rule)):
            return fill.rule.name == rule && fill.userID == 1 && fill.identityID == 10
                && fill.subject == Fixture.subject && fill.issuer == Fixture.issuer
        case (.linkThenSignIn(let link), .link(let by, let further, let rule)):
            return link.rule.name == rule && link.userID == 1 && link.method == by && link.isFurtherIdentity == further
        case (.createUserThenSignIn(let newUser), .create(let rule, _, _)):
            return newUser.rule.name == rule
        case (.deny(let reason), .deny(let code, let rule, let issuerChanged)):
            let cause: DenyCause? = issuerChanged ? .issuerChanged(previousIssuer: Fixture.oldIssuer) : nil
            return reason.code == code && reason.rule.name == rule && reason.cause == cause
        default:
            return false
        }
    }
}

/// A table row as a test argument, named for the test report.
struct RowArgument: Sendable, CustomTestStringConvertible {
    let row: DecisionRow
    var testDescription: String { "\(row.mode.rawValue) × \(row.state.rawValue): \(row.reason)" }
}
