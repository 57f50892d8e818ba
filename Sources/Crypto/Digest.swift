import COpenSSL

/// SHA-256 and HMAC-SHA-256 through OpenSSL's EVP interfaces, and a constant-time comparison.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_sha256(), nil)
        }
        precondition(status == 1, "EVP_Digest(SHA-256) failed: OpenSSL is unusable")
        return Array(output.prefix(Int(length)))
    }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                HMAC(
                    EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count, &output, &length
                )
            }
        }
        precondition(result != nil, "HMAC(SHA-256) failed: OpenSSL is unusable")
        return Array(output.prefix(Int(length)))
    }

    /// Lowercase hexadecimal, two digits a byte: how digests are shown to people and in tags.
    public static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Compares in time independent of where the inputs differ, so a token cannot be guessed byte by byte.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }

    /// `constantTimeEqual` over two strings' UTF-8 bytes, read in place: copying them into arrays
    /// first costs two allocations, and this runs for every ID token's nonce.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let compared = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                guard left.count == right.count else { return false }
                // Equal lengths: both addresses are there, or both strings are empty.
                guard let leftBytes = left.baseAddress, let rightBytes = right.baseAddress else { return true }
                return CRYPTO_memcmp(leftBytes, rightBytes, left.count) == 0
            }
        }
        if let result = compared ?? nil { return result }
        // Strings without contiguous UTF-8 (bridged from elsewhere): compare copies.
        return constantTimeEqual(Array(lhs.utf8), Array(rhs.utf8))
    }
}
