import Foundation

/// The one place a typed password becomes bytes for hashing, used both when a password is set
/// and when it is checked.
///
/// Unicode NFC first: the same password typed on two systems can arrive composed ("é") or
/// decomposed ("e" + combining accent), and must hash the same (NIST SP 800-63B 5.1.1.2).
enum LocalPassword {
    static func bytes(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCanonicalMapping.utf8)
    }
}
