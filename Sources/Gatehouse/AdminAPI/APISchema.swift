import HTTP
import Store

/// JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) for the admin API's bodies, written
/// with a few helpers so each shape reads as a list of members. The response shapes follow
/// `AdminRepresentation` member for member (a test holds them to it); request shapes refuse
/// unknown members, as the server does.
///
/// Lengths in JSON Schema count characters, the server's limits count UTF-8 bytes: the schema
/// states the looser bound, and text within it that breaks a rule the schema cannot state
/// (bytes, spaces, a `:` in a username) is answered 422 with the field's pointer.
enum APISchema {
    static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    static let id: JSONValue = .object(["type": "integer", "format": "int64", "minimum": 1])
    static let time: JSONValue = .object(["type": "integer", "format": "int64", "description": "Unix seconds."])
    static let boolean: JSONValue = .object(["type": "boolean"])
    static let text: JSONValue = .object(["type": "string"])

    static func integer(minimum: Int, maximum: Int) -> JSONValue {
        .object(["type": "integer", "minimum": .int(minimum), "maximum": .int(maximum)])
    }

    static func string(minLength: Int = 0, maxLength: Int) -> JSONValue {
        .object(["type": "string", "minLength": .int(minLength), "maxLength": .int(maxLength)])
    }

    static func enumeration(_ values: [String]) -> JSONValue {
        .object(["type": "string", "enum": .array(values.map(JSONValue.string))])
    }

    /// `schema` or null.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema, case .string(let type)? = members["type"] else {
            return .object(["oneOf": .array([schema, .object(["type": "null"])])])
        }
        members["type"] = .array([.string(type), "null"])
        if case .array(let values)? = members["enum"] { members["enum"] = .array(values + [.null]) }
        return .object(members)
    }

    static func array(_ items: JSONValue, maxItems: Int? = nil, unique: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = ["type": "array", "items": items]
        if let maxItems { members["maxItems"] = .int(maxItems) }
        if unique { members["uniqueItems"] = true }
        return .object(members)
    }

    /// An object with exactly these members; `required` defaults to all of them (every member a
    /// response has is always there, null when it has no value).
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, open: Bool = false) -> JSONValue {
        .object([
            "type": "object",
            "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map(JSONValue.string)),
            "additionalProperties": .bool(open),
        ])
    }

    static func listOf(_ name: String) -> JSONValue {
        object(["items": array(ref(name)), "next_cursor": nullable(text)])
    }

    // MARK: Components

    /// Every named schema, for `components.schemas`. `providers` and `scopes` are the values the
    /// running configuration allows.
    static func components(providers: [String]) -> [String: JSONValue] {
        let provider = enumeration(providers)
        let count = integer(minimum: 0, maximum: Int(Int32.max))
        let scopes = enumeration(APIScope.allCases.map(\.rawValue))
        let tokenProperties: [String: JSONValue] = [
            "id": id, "name": text, "scopes": array(scopes), "created_at": time, "created_by": text,
            "expires_at": nullable(time), "last_used_at": nullable(time), "revoked_at": nullable(time),
        ]
        var createdToken = tokenProperties
        createdToken["token"] = .object(["type": "string", "description": "The secret, shown once: send it as `Authorization: Bearer <token>`."])
        let fetch: [String: JSONValue] = ["last_success_at": nullable(time), "last_failure_at": nullable(time), "last_error": nullable(text)]
        var discovery = fetch
        discovery["next_refresh_at"] = nullable(time)
        var jwks = fetch
        jwks["expires_at"] = nullable(time)
        jwks["key_ids"] = array(text)
        return [
            "User": object([
                "id": id, "username": text, "username_verified": boolean, "username_verified_by": nullable(text),
                "email": nullable(text), "email_verified": boolean,
                "email_verified_by": nullable(text), "display_name": nullable(text), "active": boolean, "has_password": boolean,
                "created_at": time, "updated_at": time,
            ]),
            "UserList": listOf("User"),
            "CreatedUser": object([
                "user": ref("User"), "identities": array(ref("Identity")),
                "generated_password": .object([
                    "type": ["string", "null"], "description": "The generated password, shown once; null unless one was asked for.",
                ]),
            ]),
            "NewUser": object([
                "username": string(minLength: 1, maxLength: 255), "email": nullable(string(minLength: 3, maxLength: 254)),
                "email_verified": boolean, "display_name": nullable(string(minLength: 1, maxLength: 255)),
                "password": string(minLength: 1, maxLength: 1024), "generate_password": boolean,
                "identities": array(ref("NewIdentity"), maxItems: 16),
            ], required: ["username"]),
            "UserChanges": .object([
                "type": "object", "minProperties": 1, "additionalProperties": false,
                "properties": .object([
                    "username": string(minLength: 1, maxLength: 255), "username_verified": boolean,
                    "email": nullable(string(minLength: 3, maxLength: 254)),
                    "email_verified": boolean, "email_verified_by": string(minLength: 1, maxLength: 73),
                    "display_name": nullable(string(minLength: 1, maxLength: 255)), "active": boolean,
                ]),
            ]),
            "NewPassword": object(["password": nullable(string(minLength: 1, maxLength: 1024))]),
            "Identity": object([
                "id": id, "user_id": id, "provider": text, "issuer": text, "subject": text, "pending": boolean,
                "email": nullable(text), "email_verified": boolean, "link_method": enumeration(["provisioned", "email", "username", "account_page", "admin"]),
                "linked_at": time, "last_login_at": nullable(time),
            ]),
            "IdentityList": listOf("Identity"),
            "NewIdentity": object(["provider": provider, "subject": string(maxLength: 255)], required: ["provider"]),
            "Session": object([
                "id": id, "user_id": nullable(id), "provider": nullable(text), "created_at": time, "last_seen_at": time,
                "authenticated_at": nullable(time), "expires_at": time, "absolute_expires_at": time,
                "user_agent": nullable(text), "client_address": nullable(text),
            ]),
            "SessionList": listOf("Session"),
            "Revoked": object(["revoked": integer(minimum: 0, maximum: Int(Int32.max))]),
            "Token": object(tokenProperties),
            "TokenList": listOf("Token"),
            "CreatedToken": object(createdToken),
            "NewToken": object([
                "name": .object(["type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"]),
                "scopes": .object(["type": "array", "items": scopes, "minItems": 1, "uniqueItems": true]),
                "expires_in": integer(minimum: 1, maximum: Int(NewToken.longestLife)),
            ], required: ["name", "scopes"]),
            "Provider": object([
                "slug": text, "name": text, "issuer": text,
                "policy": object([
                    "user_matching_mode": text, "multiple_identities": text, "require_email_verified": boolean, "email_claim": text,
                    "email_claim_trusted": boolean, "email_verified_strings": boolean, "username_claim": text,
                    "username_claim_trusted": boolean, "signups": boolean, "allowed_email_domains": array(text),
                    "accept_email_verified_by": array(text), "accept_username_verified_by": array(text),
                ]),
                "linking_guard": object([
                    "safe": boolean, "violations": array(object(["key": text, "code": text, "reason": text])),
                ]),
                "status": nullable(object(["discovery": object(discovery), "jwks": object(jwks)])),
                "identities": object(["linked": integer(minimum: 0, maximum: Int(Int32.max)), "pending": integer(minimum: 0, maximum: Int(Int32.max))]),
            ]),
            "ProviderList": object(["items": array(ref("Provider"))]),
            "AuditEvent": object([
                "id": id, "at": time, "type": text, "user_id": nullable(id), "actor": nullable(text), "provider": nullable(text),
                "request_id": nullable(text), "detail": nullable(text),
            ]),
            "AuditEventList": listOf("AuditEvent"),
            "LinkDecision": object([
                "id": id, "at": time, "provider": text, "issuer": text, "subject": text, "user_id": nullable(id),
                "decision": enumeration(LinkDecisionEntry.decisions), "reason": nullable(text),
                "rule": text, "request_id": nullable(text),
            ]),
            "LinkDecisionList": listOf("LinkDecision"),
            "SimulationRequest": object([
                "provider": provider,
                "claims": .object([
                    "type": "object", "required": ["sub"], "additionalProperties": true,
                    "description": "The claims a verified sign-in would carry: at least `sub`; `iss` defaults to the provider's issuer.",
                    "properties": .object(["sub": string(minLength: 1, maxLength: 255), "iss": string(minLength: 1, maxLength: 2048)]),
                ]),
            ]),
            "Simulation": object([
                "provider": text, "issuer": text, "subject": text, "email": nullable(text), "email_verified": boolean,
                "email_key": nullable(text), "username": nullable(text), "username_trusted": boolean,
                "decision": enumeration(["sign_in", "fill_subject", "link", "create_user", "deny"]), "rule": text,
                "user_id": nullable(id), "matching_user_ids": array(id), "existing_identity_id": nullable(id),
                "reason": nullable(text), "message": nullable(text), "explanation": text,
                "written": .object(["const": false]),
            ]),
            "DirectorySyncRequest": object(["dry_run": boolean], required: []),
            "DirectorySync": object([
                "directory": text, "dry_run": boolean, "entries": count, "groups": count, "identities": count, "updated": count,
                "refreshed": count, "deactivated": count, "sessions_revoked": count, "sessions_regrouped": count,
                "duration_seconds": .object(["type": "number", "minimum": 0]), "stopped": nullable(text),
            ]),
            "Directory": object([
                "slug": text, "name": text, "preset": enumeration(DirectoryConfig.Preset.allCases.map(\.rawValue)), "uris": array(text),
                "base_dn": text, "sync_interval_seconds": integer(minimum: 0, maximum: 604_800), "last_sync": nullable(ref("DirectorySync")),
            ]),
            "DirectoryList": object(["items": array(ref("Directory"))]),
            "RekeyRequest": object([
                "from": string(minLength: 1, maxLength: 2048), "to": string(minLength: 1, maxLength: 2048), "dry_run": boolean,
            ], required: ["from", "to"]),
            "Rekey": object([
                "provider": text, "from": text, "to": text, "dry_run": boolean, "identities": integer(minimum: 0, maximum: Int(Int32.max)),
                "identity_ids": array(id), "collisions": array(id), "moved": boolean,
            ]),
            "Problem": .object([
                "type": "object", "required": ["type", "title", "status", "code"], "additionalProperties": true,
                "properties": .object([
                    "type": text, "title": text, "status": integer(minimum: 400, maximum: 599), "detail": text, "code": text,
                    "request_id": text,
                    "errors": array(.object([
                        "type": "object", "required": ["detail"],
                        "properties": .object(["pointer": text, "parameter": text, "detail": text]),
                    ])),
                    "owner_user_id": id, "identity_id": id, "pointer": text, "required_scope": text, "current_etag": text,
                ]),
            ]),
        ]
    }
}
