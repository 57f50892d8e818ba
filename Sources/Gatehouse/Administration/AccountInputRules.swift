import Crypto
import Foundation
import JOSE

/// What an operator may give a user, checked in one place for the command line and the admin
/// API. Each check returns the value to store, or throws the field's problem.
enum AccountInputRules {
    /// `UsernameRules`, on the username as it will be stored: Unicode NFC, composed. Checked
    /// after composing, because some characters grow when composed (U+1D15E, four bytes,
    /// becomes eight), and a name checked before could be stored past the rules' length.
    static func username(_ username: String, field: String = "username") throws(AdministrationError) -> String {
        let composed = username.precomposedStringWithCanonicalMapping
        if let problem = UsernameRules.problem(with: composed) { throw .invalid(field, problem) }
        return composed
    }

    /// One `@` with text on both sides, no white space or control characters, at most 254
    /// bytes. Deliberately loose beyond that: what makes two addresses the same is the matching
    /// key, computed when the address is stored.
    static func email(_ email: String, field: String = "email") throws(AdministrationError) -> String {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              email.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.properties.generalCategory != .control })
        else {
            throw .invalid(field, "not an e-mail address (one @, no spaces, at most 254 bytes)")
        }
        return email
    }

    static func displayName(_ name: String, field: String = "display_name") throws(AdministrationError) -> String {
        guard !name.isEmpty, name.utf8.count <= 255, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field, "a display name is 1 to 255 bytes without control characters")
        }
        return name
    }

    /// PasswordHash's length bounds, counted in the bytes that are hashed.
    static func password(_ password: String, field: String = "password") throws(AdministrationError) -> String {
        guard PasswordHash.passwordLengthRange.contains(LocalPassword.bytes(password).count) else {
            throw .invalid(field, "a password is \(PasswordHash.passwordLengthRange.lowerBound) to \(PasswordHash.passwordLengthRange.upperBound) bytes")
        }
        return password
    }

    /// 144 random bits as 24 base64url characters: nothing a shell or a form mangles.
    static func generatedPassword() throws(AdministrationError) -> String {
        do {
            return Base64URL.encode(try SecureRandom.bytes(18))
        } catch {
            throw .unavailable("the random source failed")
        }
    }

    /// The scrypt hash of a password that passed `password(_:)`. Slow on purpose: callers on
    /// the server run it on the password executor, never inside a write transaction.
    static func passwordHash(_ password: String) throws(AdministrationError) -> String {
        do {
            return try PasswordHash.make(password: LocalPassword.bytes(password))
        } catch {
            throw .unavailable("cannot hash the password: \(error.message)")
        }
    }
}
