import COpenSSL

/// scrypt (RFC 7914) through OpenSSL's `EVP_PBE_scrypt`.
public enum Scrypt {
    /// Output lengths accepted here; a password hash uses 32 bytes.
    public static let lengthRange = 1...64

    /// Derives `length` bytes. `parameters` are already within their caps, so the memory
    /// OpenSSL is allowed to take (`maxmem`) is exactly what they need and never more.
    public static func derive(
        password: [UInt8], salt: [UInt8], parameters: PasswordHashParameters, length: Int
    ) throws(PasswordHashError) -> [UInt8] {
        guard lengthRange.contains(length) else {
            throw PasswordHashError(code: .derivationFailed, message: "scrypt output length \(length) is outside \(lengthRange)")
        }
        var output = [UInt8](repeating: 0, count: length)
        // An empty array may have no base address; OpenSSL wants a pointer even for zero bytes.
        let placeholder: [UInt8] = [0]
        let passwordBytes = password.isEmpty ? placeholder : password
        let saltBytes = salt.isEmpty ? placeholder : salt
        let status = passwordBytes.withUnsafeBufferPointer { passwordBuffer in
            saltBytes.withUnsafeBufferPointer { saltBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    passwordBuffer.withMemoryRebound(to: CChar.self) { passwordChars in
                        EVP_PBE_scrypt(
                            passwordChars.baseAddress, password.count,
                            saltBuffer.baseAddress, salt.count,
                            UInt64(parameters.n), UInt64(parameters.blockSize), UInt64(parameters.parallelism),
                            UInt64(parameters.memoryBytes),
                            outputBuffer.baseAddress, outputBuffer.count
                        )
                    }
                }
            }
        }
        guard status == 1 else {
            ERR_clear_error()
            throw PasswordHashError(code: .derivationFailed, message: "OpenSSL refused scrypt with \(parameters)")
        }
        return output
    }
}
