@testable import Accounts

/// Issue 4 section 5's decision table, written out by hand: every matching mode against every
/// store state, with the outcome for a verified and for an unverified incoming email. Signups
/// and the domain allow-list are applied on top by `DecisionTableTests.finalExpectation`.
enum DecisionTable {
    private static let signIn = Expected.signIn(rule: "1.identity_exists.sign_in")
    private static let inactiveIdentity = Expected.deny(.userInactive, rule: "1.identity_exists.user_inactive")
    private static let fill = Expected.fill(rule: "2.empty_subject.fill")
    private static let issuerChanged = Expected.deny(.identityConflict, rule: "5.issuer_changed", issuerChanged: true)

    private static func create(_ mode: UserMatchingMode, offCode: DenyCode) -> Expected {
        let branch = mode == .identifier ? "" : "no_match."
        return .create(rule: "3.\(mode.rawValue).\(branch)signup", offCode: offCode,
                       offRule: "3.\(mode.rawValue).\(branch)signups_off")
    }

    private static func oneMatch(_ mode: UserMatchingMode, _ branch: String, _ code: DenyCode, issuerChanged: Bool = false) -> Expected {
        .deny(code, rule: "3.\(mode.rawValue).one_match.\(branch)", issuerChanged: issuerChanged)
    }

    private static func firstLink(_ mode: UserMatchingMode, _ by: MatchAttribute) -> Expected {
        .link(by, further: false, rule: "3.\(mode.rawValue).one_match.first_link")
    }

    private static func furtherLink(_ mode: UserMatchingMode, _ by: MatchAttribute) -> Expected {
        .link(by, further: true, rule: "3.\(mode.rawValue).one_match.further_identity")
    }

    private static func exists(_ mode: UserMatchingMode) -> Expected {
        .deny(.accountExists, rule: "3.\(mode.rawValue).match")
    }

    static let rows: [DecisionRow] = identifierRows + emailLinkRows + emailDenyRows + usernameLinkRows + usernameDenyRows

    private static let identifierRows: [DecisionRow] = {
        let mode = UserMatchingMode.identifier
        let signup = create(mode, offCode: .signupDisabled)
        return [
            DecisionRow(mode, .noUser, verified: signup, "identifier never matches: a new identity is a new user"),
            DecisionRow(mode, .userWithoutIdentities, verified: signup, "identifier ignores a user with the same email"),
            DecisionRow(mode, .userUnverified, verified: signup, "identifier ignores users"),
            DecisionRow(mode, .identitySameSubject, verified: signIn, "rule 1: the identity exists"),
            DecisionRow(mode, .identityOtherSubject, verified: signup, "identifier ignores a user's other subject"),
            DecisionRow(mode, .identityEmptySubject, verified: fill, unverified: signup,
                        "rule 2 in every mode, but only on a verified email; otherwise nothing matches the pre-provisioned user"),
            DecisionRow(mode, .identityOtherIssuer, verified: issuerChanged,
                        "rule 5: the subject is known under the old issuer; a fresh account would strand the user"),
            DecisionRow(mode, .identityOfOtherProviderOnly, verified: signup, "another provider's identity is irrelevant"),
            DecisionRow(mode, .twoUsersSameEmail, verified: signup, "identifier ignores users"),
            DecisionRow(mode, .inactiveUser, verified: signup, "identifier ignores users, active or not"),
            DecisionRow(mode, .inactiveUserWithThisIdentity, verified: inactiveIdentity, "rule 1: the identity's user is inactive"),
            DecisionRow(mode, .userVerifiedByOtherProvider, verified: signup, "identifier ignores users"),
            DecisionRow(mode, .unverifiedHolderBesideOwner, verified: signup, "identifier ignores users"),
        ]
    }()

    private static let emailLinkRows: [DecisionRow] = {
        let mode = UserMatchingMode.emailLink
        let notVerified = oneMatch(mode, "email_not_verified", .emailNotVerified)
        return [
            DecisionRow(mode, .noUser, verified: create(mode, offCode: .noMatchingAccount), "no match: create, or no_matching_account"),
            DecisionRow(mode, .userWithoutIdentities, verified: firstLink(mode, .email), unverified: notVerified,
                        "first-time link on a verified email; never on an unverified one, nor a second account"),
            DecisionRow(mode, .userUnverified, verified: create(mode, offCode: .noMatchingAccount),
                        "pre-account hijacking: an unverified address is never a target, and never stands in its owner's way"),
            DecisionRow(mode, .identitySameSubject, verified: signIn, "rule 1 before any matching"),
            DecisionRow(mode, .identityOtherSubject, verified: oneMatch(mode, "other_subject", .identityConflict),
                        unverified: notVerified, allow: furtherLink(mode, .email),
                        "seed 001's takeover (deny) or seed 000's broker (allow)"),
            DecisionRow(mode, .identityEmptySubject, verified: fill, unverified: notVerified,
                        "rule 2 fills the legacy link on a verified email; unverified falls to rule 3"),
            DecisionRow(mode, .identityOtherIssuer, verified: oneMatch(mode, "issuer_changed", .identityConflict, issuerChanged: true),
                        unverified: notVerified, allow: furtherLink(mode, .email),
                        "rule 5 met by rule 3: the old-issuer identity conflicts unless further identities are allowed"),
            DecisionRow(mode, .identityOfOtherProviderOnly, verified: firstLink(mode, .email), unverified: notVerified,
                        "an identity of another provider does not count against this one"),
            DecisionRow(mode, .twoUsersSameEmail, verified: .deny(.ambiguousMatch, rule: "3.email_link.ambiguous"),
                        "two matches: never pick one"),
            DecisionRow(mode, .inactiveUser, verified: oneMatch(mode, "user_inactive", .userInactive), unverified: notVerified,
                        "an inactive user is not linked"),
            DecisionRow(mode, .inactiveUserWithThisIdentity, verified: inactiveIdentity, "rule 1: the identity's user is inactive"),
            DecisionRow(mode, .userVerifiedByOtherProvider, verified: create(mode, offCode: .noMatchingAccount),
                        "a verification by a provider this one does not accept is no verification for linking"),
            DecisionRow(mode, .unverifiedHolderBesideOwner, verified: firstLink(mode, .email), unverified: notVerified,
                        "someone else's unverified claim to the address does not make the owner's sign-in ambiguous"),
        ]
    }()

    private static let emailDenyRows: [DecisionRow] = {
        let mode = UserMatchingMode.emailDeny
        return [
            DecisionRow(mode, .noUser, verified: create(mode, offCode: .signupDisabled), "no match: create"),
            DecisionRow(mode, .userWithoutIdentities, verified: exists(mode), "a match denies, verified or not"),
            DecisionRow(mode, .userUnverified, verified: create(mode, offCode: .signupDisabled),
                        "an unverified holder of the address does not stand in the way"),
            DecisionRow(mode, .identitySameSubject, verified: signIn, "rule 1 before any matching"),
            DecisionRow(mode, .identityOtherSubject, verified: exists(mode), "a match denies"),
            DecisionRow(mode, .identityEmptySubject, verified: fill, unverified: exists(mode),
                        "rule 2 on a verified email; otherwise the match denies"),
            DecisionRow(mode, .identityOtherIssuer, verified: issuerChanged, "rule 5 names the cause rather than account_exists"),
            DecisionRow(mode, .identityOfOtherProviderOnly, verified: exists(mode), "a match denies"),
            DecisionRow(mode, .twoUsersSameEmail, verified: exists(mode), "any number of matches denies"),
            DecisionRow(mode, .inactiveUser, verified: exists(mode), "a match denies, active or not"),
            DecisionRow(mode, .inactiveUserWithThisIdentity, verified: inactiveIdentity, "rule 1: the identity's user is inactive"),
            DecisionRow(mode, .userVerifiedByOtherProvider, verified: create(mode, offCode: .signupDisabled),
                        "a verification this provider does not accept does not count"),
            DecisionRow(mode, .unverifiedHolderBesideOwner, verified: exists(mode), "the owner's verified address denies"),
        ]
    }()

    /// `username_link` runs with `username_claim_trusted`, so the username is always trusted and
    /// the email's verification matters only to rule 2 and the domain allow-list.
    private static let usernameLinkRows: [DecisionRow] = {
        let mode = UserMatchingMode.usernameLink
        let conflict = oneMatch(mode, "other_subject", .identityConflict)
        let issuerConflict = oneMatch(mode, "issuer_changed", .identityConflict, issuerChanged: true)
        return [
            DecisionRow(mode, .noUser, verified: create(mode, offCode: .noMatchingAccount), "no match: create, or no_matching_account"),
            DecisionRow(mode, .userWithoutIdentities, verified: firstLink(mode, .username), "first-time link on a trusted username"),
            DecisionRow(mode, .userUnverified, verified: oneMatch(mode, "account_not_verified", .accountNotVerified),
                        "an unverified username is never a target"),
            DecisionRow(mode, .identitySameSubject, verified: signIn, "rule 1 before any matching"),
            DecisionRow(mode, .identityOtherSubject, verified: conflict, allow: furtherLink(mode, .username),
                        allowUnverified: furtherLink(mode, .username), "another subject: conflict unless further identities are allowed"),
            DecisionRow(mode, .identityEmptySubject, verified: fill, "rule 2 matches the trusted username whatever the email says"),
            DecisionRow(mode, .identityOtherIssuer, verified: issuerConflict, allow: furtherLink(mode, .username),
                        allowUnverified: furtherLink(mode, .username), "the old-issuer identity conflicts unless allowed"),
            DecisionRow(mode, .identityOfOtherProviderOnly, verified: firstLink(mode, .username), "another provider's identity does not count"),
            DecisionRow(mode, .twoUsersSameEmail, verified: firstLink(mode, .username), "usernames are unique: the shared email is irrelevant"),
            DecisionRow(mode, .inactiveUser, verified: oneMatch(mode, "user_inactive", .userInactive), "an inactive user is not linked"),
            DecisionRow(mode, .inactiveUserWithThisIdentity, verified: inactiveIdentity, "rule 1: the identity's user is inactive"),
            DecisionRow(mode, .userVerifiedByOtherProvider, verified: firstLink(mode, .username), "usernames: the email's verifier is irrelevant"),
            DecisionRow(mode, .unverifiedHolderBesideOwner, verified: firstLink(mode, .username), "the username names Alice alone"),
        ]
    }()

    private static let usernameDenyRows: [DecisionRow] = {
        let mode = UserMatchingMode.usernameDeny
        return [
            DecisionRow(mode, .noUser, verified: create(mode, offCode: .signupDisabled), "no match: create"),
            DecisionRow(mode, .userWithoutIdentities, verified: exists(mode), "a match denies"),
            DecisionRow(mode, .userUnverified, verified: exists(mode), "a match on an unverified account denies too"),
            DecisionRow(mode, .identitySameSubject, verified: signIn, "rule 1 before any matching"),
            DecisionRow(mode, .identityOtherSubject, verified: exists(mode), "a match denies"),
            DecisionRow(mode, .identityEmptySubject, verified: fill, unverified: exists(mode),
                        "rule 2 on a verified email (the username is untrusted here); otherwise the match denies"),
            DecisionRow(mode, .identityOtherIssuer, verified: issuerChanged, "rule 5 names the cause"),
            DecisionRow(mode, .identityOfOtherProviderOnly, verified: exists(mode), "a match denies"),
            DecisionRow(mode, .twoUsersSameEmail, verified: exists(mode), "one of them holds the username"),
            DecisionRow(mode, .inactiveUser, verified: exists(mode), "a match denies, active or not"),
            DecisionRow(mode, .inactiveUserWithThisIdentity, verified: inactiveIdentity, "rule 1: the identity's user is inactive"),
            DecisionRow(mode, .userVerifiedByOtherProvider, verified: exists(mode), "the username is held"),
            DecisionRow(mode, .unverifiedHolderBesideOwner, verified: exists(mode), "the username is held"),
        ]
    }()
}
