@testable import Gatehouse
import Testing

/// The handle a username is made of when no trusted claim gives one.
@Suite struct UsernameAllocationTests {
    /// Review finding: Unicode lower-casing made look-alikes into the letters they imitate
    /// (the Kelvin sign became `k`); only ASCII is lower-cased, the rest dropped.
    @Test("only ASCII letters are lower-cased; every other character is dropped", arguments: [
        ("Ada.Lovelace", "ada.lovelace"), ("\u{212A}im", "im"), ("\u{0130}van", "van"), ("zoë_1", "zo_1"), ("a b+c", "abc"),
    ])
    func sanitized(_ text: String, _ expected: String) {
        #expect(UsernameAllocation.sanitized(text) == expected)
    }
}
