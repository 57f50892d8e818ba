import Testing
@testable import JOSE

@Suite("ECDSA JOSE-to-DER conversion")
struct ECDSASignatureTests {
    @Test("a high top bit gets a zero pad byte; leading zeros are dropped")
    func derEncoding() throws {
        let r = [0x80] + [UInt8](repeating: 0, count: 31)  // top bit set: needs 0x00 in DER
        let s = [UInt8](repeating: 0, count: 31) + [0x05]  // leading zeros: one byte in DER
        let der = try ECDSASignature.derEncoded(jose: r + s, curve: .p256)
        #expect(der == [0x30, 38, 0x02, 33, 0x00] + r + [0x02, 1, 0x05])
    }

    @Test("P-521 signatures take the long DER length form")
    func longForm() throws {
        let half = [0x01] + [UInt8](repeating: 0xAA, count: 65)  // below n, 66 bytes
        let der = try ECDSASignature.derEncoded(jose: half + half, curve: .p521)
        #expect(Array(der.prefix(3)) == [0x30, 0x81, 2 * (2 + 66)])
        #expect(der.count == 3 + 2 * (2 + 66))
    }

    @Test("OpenSSL reads back exactly r and s, whatever their leading zeros and top bits",
          arguments: [EllipticCurve.p256, .p384, .p521])
    func roundTripsThroughOpenSSL(_ curve: EllipticCurve) throws {
        let width = curve.coordinateByteCount
        // Leading zero bytes from none to five, then a first non-zero byte with its top bit set
        // or clear (P-521's first byte is at most 0x01, so its top bit never is).
        for zeros in 0...5 {
            for first: UInt8 in [0x01, 0x7F, 0x80, 0xC3] where !(zeros == 0 && curve == .p521 && first > 0x01) {
                let r = [UInt8](repeating: 0, count: zeros) + [first] + (0..<(width - zeros - 1)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                let s = (0..<width).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }.enumerated().map { $0.offset == 0 && curve == .p521 ? 0x01 : $0.element }
                let der = try ECDSASignature.derEncoded(jose: r + s, curve: curve)
                #expect(try ECDSASignature.joseEncoded(der: der, curve: curve) == r + s, "\(curve) with \(zeros) leading zeros, first byte \(first)")
                #expect(try ECDSASignature.derEncoded(jose: s + r, curve: curve).count == der.count, "the same integers in the other order")
            }
        }
    }

    @Test("the group orders read from OpenSSL have the documented leading bytes")
    func orders() throws {
        // n for P-256 is FFFFFFFF00000000FFFF...FC632551, for P-384 FFFF...CCC52973, for P-521 01FF...91386409.
        let p256 = try #require(EllipticCurve.p256.order)
        let p384 = try #require(EllipticCurve.p384.order)
        let p521 = try #require(EllipticCurve.p521.order)
        #expect(Array(p256.prefix(8)) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        #expect(Array(p256.suffix(4)) == [0xFC, 0x63, 0x25, 0x51])
        #expect(Array(p384.suffix(4)) == [0xCC, 0xC5, 0x29, 0x73])
        #expect(p521.first == 0x01 && p521.count == 66)
        #expect(Array(p521.suffix(4)) == [0x91, 0x38, 0x64, 0x09])
    }
}
