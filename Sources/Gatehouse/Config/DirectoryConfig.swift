import Accounts
import Directory
import Foundation
import JSON

/// One element of `directories`: an LDAP or Active Directory server people sign in to with
/// their directory password (issue 15 section 2).
///
/// Decoding fills `DirectorySettings` (which the client acts on), the schema mapping, and the
/// same linking policy a provider has, decoded and guarded by `ProviderPolicyConfig` so a
/// directory can never link more loosely than a provider could.
public struct DirectoryConfig: Sendable, Equatable {
    /// `preset`: what the defaults assume about the directory's schema.
    public enum Preset: String, Sendable, Equatable, CaseIterable {
        case openldap
        case activeDirectory = "active_directory"
    }

    /// How a person's groups are found.
    public enum Membership: String, Sendable, Equatable, CaseIterable {
        /// Groups under `group_base_dn` whose `member` holds the person's DN.
        case member
        /// The person's own `memberOf` values (Active Directory; OpenLDAP's memberof overlay).
        case memberOf = "member_of"
    }

    public var slug: String
    public var name: String
    public var settings: DirectorySettings
    /// Where `bind_password` came from, for `check-config`; never its value.
    public var bindPassword: SecretValue?
    public var preset: Preset
    public var baseDN: String
    public var userBaseDN: String
    public var groupBaseDN: String
    public var userFilter: String
    public var groupFilter: String
    /// The attributes a typed identifier is matched against (`uid`, `mail`; `sAMAccountName`).
    public var loginAttributes: [String]
    /// The attribute whose value keys the identity: survives renames and moves.
    public var uniquenessAttribute: String
    public var usernameAttribute: String
    public var emailAttribute: String
    public var displayNameAttribute: String
    public var groupNameAttribute: String
    public var membership: Membership
    /// `email_trusted`: the operator declares the mail attribute administrator-controlled, so
    /// it counts as verified; otherwise it never is.
    public var emailTrusted: Bool
    /// The linking policy, guarded exactly like a provider's.
    public var policy: ProviderPolicy
    public var syncIntervalSeconds: Int
    /// A sync that would deactivate more than this share (percent) of the directory's users stops.
    public var syncMaximumDeactivationPercent: Int

    /// The identity's issuer: the directory's naming context, which names this directory
    /// whichever server answered.
    public var issuer: String { "ldap:" + baseDN.lowercased() }

    static let ownKeys = [
        "slug", "name", "uris", "server_order", "start_tls", "allow_plain_ldap", "ca_file", "bind_dn", "bind_password", "base_dn",
        "user_base_dn", "group_base_dn", "user_filter", "group_filter", "login_attributes", "uniqueness_attribute",
        "username_attribute", "email_attribute", "display_name_attribute", "group_name_attribute", "membership", "email_trusted",
        "preset", "sync_interval_seconds", "sync_max_deactivation_percent", "connect_timeout_seconds",
        "operation_timeout_seconds", "total_timeout_seconds", "pool_size", "page_size",
    ]
    /// The provider linking keys that mean something for a directory (its claims are fixed:
    /// `mail`, verified by `email_trusted`, and the username attribute).
    static let policyKeys = [
        "user_matching_mode", "multiple_identities", "require_email_verified", "username_claim_trusted", "signups",
        "allowed_email_domains", "accept_email_verified_by", "accept_username_verified_by",
    ]
    static let keys = ownKeys + policyKeys

    /// Every directory, with where it sits in the file.
    static func decodeAll(_ root: ObjectReader, providerSlugs: Set<String>) -> [(directory: DirectoryConfig, path: ConfigPath)] {
        let path = root.path.appending("directories")
        let elements: [JSONValue]
        switch root.member("directories") {
        case nil: return []
        case .array(let list): elements = list
        case .some(let other):
            root.decoder.error(at: path, "expected an array, found \(other.kindDescription)")
            return []
        }
        var directories: [(directory: DirectoryConfig, path: ConfigPath)] = []
        var seen = providerSlugs
        for (index, element) in elements.enumerated() {
            let reader = root.decoder.object(element, at: path.appending(index: index), keys: keys)
            guard let directory = decode(reader) else { continue }
            if !seen.insert(directory.slug).inserted {
                root.decoder.error(at: reader.path.appending("slug"),
                                   "another provider or directory already uses the slug \(ConfigText.quoted(directory.slug))")
                continue
            }
            directories.append((directory, reader.path))
        }
        return directories
    }

    private static func decode(_ reader: ObjectReader) -> DirectoryConfig? {
        let decoder = reader.decoder
        let slug = reader.value("slug", .providerSlug, required: true)
        let name = reader.value("name", .nonEmptyString, required: true)
        let uris = reader.value("uris", .list(of: .nonEmptyString, allowSingle: true, allowEmpty: false), required: true)
        let preset = reader.value("preset", .choice) ?? Preset.openldap
        let ad = preset == .activeDirectory
        let baseDN = reader.value("base_dn", .nonEmptyString, required: true)
        let caFile = reader.value("ca_file", .nullable(.nonEmptyString)) ?? nil
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            decoder.error(at: reader.path.appending("ca_file"), "cannot read the CA file \(caFile)")
        }
        let bindDN = reader.value("bind_dn", .nullable(.nonEmptyString)) ?? nil
        let password = reader.secret("bind_password", required: bindDN != nil)
        let startTLS = reader.value("start_tls", .boolean) ?? true
        let allowPlain = reader.value("allow_plain_ldap", .boolean) ?? false
        let defaults = DirectorySettings(uris: [])
        var settings = DirectorySettings(
            uris: uris ?? [], order: reader.value("server_order", .choice) ?? .ordered, startTLS: startTLS, allowPlainLDAP: allowPlain,
            caFile: caFile, bindDN: bindDN, bindPassword: password?.value,
            connectTimeoutSeconds: Double(reader.value("connect_timeout_seconds", .integer(1...60)) ?? Int(defaults.connectTimeoutSeconds)),
            operationTimeoutSeconds: Double(reader.value("operation_timeout_seconds", .integer(1...300)) ?? Int(defaults.operationTimeoutSeconds)),
            totalTimeoutSeconds: Double(reader.value("total_timeout_seconds", .integer(1...600)) ?? Int(defaults.totalTimeoutSeconds)),
            poolSize: reader.value("pool_size", .integer(1...64)) ?? defaults.poolSize,
            pageSize: reader.value("page_size", .integer(1...10_000)) ?? defaults.pageSize
        )
        if uris != nil {
            for problem in settings.problems() {
                let at = problem.index.map { reader.path.appending("uris").appending(index: $0) } ?? reader.path.appending("uris")
                decoder.error(at: at, problem.message)
            }
            if allowPlain {
                decoder.warning(at: reader.path.appending("allow_plain_ldap"),
                                "passwords may cross the network in clear text to a directory that is not on this machine")
            }
        }
        settings.totalTimeoutSeconds = max(settings.totalTimeoutSeconds, settings.connectTimeoutSeconds)
        var policy = ProviderPolicyConfig.decode(reader)
        // A directory's claims are fixed: `email` and `email_verified` (from `email_trusted`),
        // and `preferred_username`.
        policy.emailClaim = ProviderPolicy.standardEmailClaim
        policy.usernameClaim = "preferred_username"
        policy.emailVerifiedStrings = false
        let emailTrusted = reader.value("email_trusted", .boolean) ?? false
        if !emailTrusted && policy.userMatchingMode != .identifier {
            decoder.warning(at: reader.path.appending("email_trusted"),
                            "the mail attribute is not trusted, so it never counts as verified and never links by email")
        }
        guard let slug, let name, uris != nil, let baseDN else { return nil }
        let userBase = reader.value("user_base_dn", .nonEmptyString) ?? baseDN
        return DirectoryConfig(
            slug: slug, name: name, settings: settings, bindPassword: password, preset: preset, baseDN: baseDN,
            userBaseDN: userBase,
            groupBaseDN: reader.value("group_base_dn", .nonEmptyString) ?? baseDN,
            userFilter: reader.value("user_filter", .ldapFilter) ?? (ad ? "(&(objectClass=user)(objectCategory=person))" : "(objectClass=inetOrgPerson)"),
            groupFilter: reader.value("group_filter", .ldapFilter) ?? (ad ? "(objectClass=group)" : "(objectClass=groupOfNames)"),
            loginAttributes: reader.value("login_attributes", .list(of: .attributeName, allowEmpty: false)) ?? (ad ? ["sAMAccountName", "userPrincipalName"] : ["uid", "mail"]),
            uniquenessAttribute: reader.value("uniqueness_attribute", .attributeName) ?? (ad ? "objectGUID" : "entryUUID"),
            usernameAttribute: reader.value("username_attribute", .attributeName) ?? (ad ? "sAMAccountName" : "uid"),
            emailAttribute: reader.value("email_attribute", .attributeName) ?? "mail",
            displayNameAttribute: reader.value("display_name_attribute", .attributeName) ?? (ad ? "displayName" : "cn"),
            groupNameAttribute: reader.value("group_name_attribute", .attributeName) ?? "cn",
            membership: reader.value("membership", .choice) ?? (ad ? .memberOf : .member),
            emailTrusted: emailTrusted, policy: policy,
            syncIntervalSeconds: reader.value("sync_interval_seconds", .integer(0...604_800)) ?? 900,
            syncMaximumDeactivationPercent: reader.value("sync_max_deactivation_percent", .integer(0...100)) ?? 10
        )
    }
}

extension ConfigValueKind where T == String {
    /// An LDAP attribute description: letters, digits and hyphens, starting with a letter
    /// (RFC 4512 `descr`), or a dotted OID.
    static var attributeName: ConfigValueKind<String> {
        .text { text in
            let bytes = Array(text.utf8)
            let isLetter = { (byte: UInt8) in (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
            let descr = !bytes.isEmpty && bytes.count <= 64 && isLetter(bytes[0])
                && bytes.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
            let oid = !bytes.isEmpty && bytes.allSatisfy { (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") }
            return descr || oid ? .success(text)
                : .failure(ConfigValueError(message: "expected an LDAP attribute name such as \"uid\", found \(ConfigText.quoted(text))"))
        }
    }

    /// An LDAP filter from the operator: parenthesised, its parentheses balanced.
    static var ldapFilter: ConfigValueKind<String> {
        .text { text in
            var depth = 0
            var balanced = text.hasPrefix("(") && text.hasSuffix(")")
            for character in text.utf8 where balanced {
                if character == UInt8(ascii: "(") { depth += 1 }
                if character == UInt8(ascii: ")") { depth -= 1; if depth < 0 { balanced = false } }
            }
            return balanced && depth == 0 ? .success(text)
                : .failure(ConfigValueError(message: "expected an LDAP filter in parentheses such as \"(objectClass=person)\", found \(ConfigText.quoted(text))"))
        }
    }
}
