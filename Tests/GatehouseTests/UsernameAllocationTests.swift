@testable import Gatehouse
import Testing

/// The handle a username is made of when no trusted claim gives one.
@Suite struct UsernameAllocationTests {
    /// Review findings: Unicode lower-casing made look-alikes into the letters they imitate
    /// (the Kelvin sign became `k`), and so would keeping a decomposed character's ASCII base.
    /// Only whole ASCII characters are kept and lower-cased.
    @Test("only ASCII letters are lower-cased; every other character is dropped", arguments: [
        ("Ada.Lovelace", "ada.lovelace"), ("\u{212A}im", "im"), ("a\u{0307}dmin", "dmin"), ("zoe\u{0308}_1", "zo_1"),
        ("zoë_1", "zo_1"), ("a b+c", "abc"),
    ])
    func sanitized(_ text: String, _ expected: String) {
        #expect(UsernameAllocation.sanitized(text) == expected)
    }
}
