import COpenSSL

/// Converts a JOSE ECDSA signature (RFC 7518 section 3.4: r and s as fixed-length big-endian
/// integers, concatenated) into the DER `ECDSA-Sig-Value` OpenSSL verifies, and back again for
/// the signatures OpenSSL makes.
///
/// Fails closed on every form that must not verify: a total length other than twice the curve's
/// coordinate length, and r or s that are zero or not below the group order n. OpenSSL would refuse
/// those too, but checking them here means the "psychic signature" class of bug (CVE-2022-21449,
/// r = s = 0 accepted) cannot come back through a change of library or provider.
enum ECDSASignature {
    static func derEncoded(jose signature: [UInt8], curve: EllipticCurve) throws(JOSEError) -> [UInt8] {
        let half = curve.coordinateByteCount
        guard signature.count == 2 * half else {
            throw .badSignature("\(curve.rawValue) signature must be \(2 * half) bytes, got \(signature.count)")
        }
        guard let order = curve.order else { throw .internalFailure("OpenSSL does not know \(curve.rawValue)") }
        let r = signature[0..<half]
        let s = signature[half..<(2 * half)]
        guard isInRange(r, below: order), isInRange(s, below: order) else {
            throw .badSignature("ECDSA signature has r or s outside 1..<n")
        }
        let rInteger = derInteger(r)
        let sInteger = derInteger(s)
        var der: [UInt8] = [0x30]
        appendLength(rInteger.count + sInteger.count, to: &der)
        der.append(contentsOf: rInteger)
        der.append(contentsOf: sInteger)
        return der
    }

    /// The JOSE form of a DER `ECDSA-Sig-Value`: r and s each left-padded to the curve's
    /// coordinate length. OpenSSL's DER minimises the integers, so a signature whose r or s
    /// happens to start with zero bytes is shorter; copying the DER bytes as they are would
    /// make a signature that fails about once in 128 (the bug RFC 7518 section 3.4 warns of).
    static func joseEncoded(der: [UInt8], curve: EllipticCurve) throws(JOSEError) -> [UInt8] {
        let width = curve.coordinateByteCount
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            ERR_clear_error()
            throw .internalFailure("OpenSSL made an ECDSA signature it cannot parse")
        }
        defer { ECDSA_SIG_free(parsed) }
        guard let r = ECDSA_SIG_get0_r(parsed), let s = ECDSA_SIG_get0_s(parsed) else {
            throw .internalFailure("ECDSA signature lacks r or s")
        }
        var jose = [UInt8](repeating: 0, count: 2 * width)
        let written = jose.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return BN_bn2binpad(r, base, Int32(width)) == Int32(width)
                && BN_bn2binpad(s, base + width, Int32(width)) == Int32(width)
        }
        guard written else { throw .internalFailure("ECDSA r or s is longer than the \(curve.rawValue) coordinate length") }
        return jose
    }

    /// True when the big-endian `value` (same length as `order`) satisfies 0 < value < order.
    static func isInRange(_ value: ArraySlice<UInt8>, below order: [UInt8]) -> Bool {
        guard value.count == order.count else { return false }
        var isZero = true
        var comparison = 0  // sign of value - order, decided at the first differing byte
        for (valueByte, orderByte) in zip(value, order) {
            if valueByte != 0 { isZero = false }
            if comparison == 0 && valueByte != orderByte { comparison = valueByte < orderByte ? -1 : 1 }
        }
        return !isZero && comparison < 0
    }

    /// A DER INTEGER holding the unsigned big-endian `magnitude` (known non-zero): leading zero
    /// bytes removed, one zero byte put back when the top bit would otherwise read as a sign.
    private static func derInteger(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var digits = magnitude.drop(while: { $0 == 0 })
        if digits.isEmpty { digits = magnitude.suffix(1) }
        let needsPad = (digits.first ?? 0) & 0x80 != 0
        var result: [UInt8] = [0x02]
        appendLength(digits.count + (needsPad ? 1 : 0), to: &result)
        if needsPad { result.append(0) }
        result.append(contentsOf: digits)
        return result
    }

    /// DER definite length: short form below 128, else 0x81 followed by one byte (enough for P-521).
    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        if length < 0x80 {
            bytes.append(UInt8(length))
        } else {
            bytes.append(0x81)
            bytes.append(UInt8(truncatingIfNeeded: length))
        }
    }
}
