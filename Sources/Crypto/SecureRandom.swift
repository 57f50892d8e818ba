import COpenSSL

/// Random bytes from OpenSSL's CSPRNG, the only source Gatehouse uses for secrets.
public enum SecureRandom {
    public struct Failure: Error, Sendable {}

    public static func bytes(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw Failure() }
        return bytes
    }
}
