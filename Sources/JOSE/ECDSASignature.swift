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
        // Written straight into one array through buffer pointers: this runs for every ES256
        // token, and slices, `drop(while:)` and an array per integer cost several thousand
        // instructions where these loops cost a few hundred.
        let der = signature.withUnsafeBufferPointer { joseBytes in
            order.withUnsafeBufferPointer { orderBytes -> [UInt8]? in
                let r = UnsafeBufferPointer(rebasing: joseBytes[0..<half])
                let s = UnsafeBufferPointer(rebasing: joseBytes[half...])
                guard isInRange(r, below: orderBytes), isInRange(s, below: orderBytes) else { return nil }
                let rLength = derIntegerLength(r), sLength = derIntegerLength(s)
                let contentLength = rLength + sLength
                // SEQUENCE header, then the two INTEGERs: at most 1 + 2 + 2 * (1 + 2 + 1 + 66) bytes.
                return [UInt8](unsafeUninitializedCapacity: 3 + contentLength) { out, count in
                    count = 0
                    out[count] = 0x30
                    count += 1
                    count += writeLength(contentLength, into: out, at: count)
                    count += writeInteger(r, into: out, at: count)
                    count += writeInteger(s, into: out, at: count)
                }
            }
        }
        guard let der else { throw .badSignature("ECDSA signature has r or s outside 1..<n") }
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
    static func isInRange(_ value: UnsafeBufferPointer<UInt8>, below order: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value.count == order.count else { return false }
        var isZero = true
        var comparison = 0  // sign of value - order, decided at the first differing byte
        for index in 0..<value.count {
            let valueByte = value[index], orderByte = order[index]
            if valueByte != 0 { isZero = false }
            if comparison == 0 && valueByte != orderByte { comparison = valueByte < orderByte ? -1 : 1 }
        }
        return !isZero && comparison < 0
    }

    /// The bytes of `magnitude` a DER INTEGER keeps: its leading zero bytes dropped (the last
    /// byte always stays), so the first one kept is non-zero or the only one.
    private static func significantStart(_ magnitude: UnsafeBufferPointer<UInt8>) -> Int {
        var start = 0
        while start < magnitude.count - 1 && magnitude[start] == 0 { start += 1 }
        return start
    }

    /// How long the DER INTEGER for the unsigned big-endian `magnitude` is: tag, length, a zero
    /// byte when the top bit would otherwise read as a sign, and the significant bytes.
    private static func derIntegerLength(_ magnitude: UnsafeBufferPointer<UInt8>) -> Int {
        let start = significantStart(magnitude)
        let contentLength = magnitude.count - start + (magnitude[start] & 0x80 != 0 ? 1 : 0)
        return 1 + lengthOfLength(contentLength) + contentLength
    }

    /// Writes the DER INTEGER for `magnitude` at `offset` and returns how many bytes it wrote.
    private static func writeInteger(_ magnitude: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        let start = significantStart(magnitude)
        let needsPad = magnitude[start] & 0x80 != 0
        var count = offset
        out[count] = 0x02
        count += 1
        count += writeLength(magnitude.count - start + (needsPad ? 1 : 0), into: out, at: count)
        if needsPad {
            out[count] = 0
            count += 1
        }
        for index in start..<magnitude.count {
            out[count] = magnitude[index]
            count += 1
        }
        return count - offset
    }

    /// DER definite length: short form below 128, else 0x81 followed by one byte (enough for P-521).
    private static func lengthOfLength(_ length: Int) -> Int { length < 0x80 ? 1 : 2 }

    /// Writes `length` in DER form at `offset` and returns how many bytes it wrote.
    private static func writeLength(_ length: Int, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        if length < 0x80 {
            out[offset] = UInt8(length)
            return 1
        }
        out[offset] = 0x81
        out[offset + 1] = UInt8(truncatingIfNeeded: length)
        return 2
    }
}
