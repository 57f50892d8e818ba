import Testing
@testable import JOSE

@Suite("Algorithm equality by number")
struct JWSAlgorithmEqualityTests {
    @Test("two algorithms are equal exactly when their names are, and hash alike when equal")
    func equalityFollowsNames() {
        for lhs in JWSAlgorithm.all {
            for rhs in JWSAlgorithm.all {
                #expect((lhs == rhs) == (lhs.rawValue == rhs.rawValue), "\(lhs) and \(rhs)")
            }
            let parsed = JWSAlgorithm(rawValue: String(decoding: Array(lhs.rawValue.utf8), as: UTF8.self))
            #expect(parsed == lhs)
            #expect(parsed?.hashValue == lhs.hashValue)
        }
        #expect(Set(JWSAlgorithm.all).count == JWSAlgorithm.all.count)
    }
}
