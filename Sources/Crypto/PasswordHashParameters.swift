/// scrypt's cost parameters: N = 2^`logN` (CPU and memory), `blockSize` r, `parallelism` p.
///
/// One scrypt derivation needs about 128·r·N bytes and work proportional to N·r·p. The
/// initializer refuses values beyond the caps below, so a hostile or corrupted stored string
/// (`ln=40`, `r=1000000`) is refused before anything is allocated for it, instead of making the
/// server allocate gigabytes or spin for minutes on one sign-in.
public struct PasswordHashParameters: Sendable, Hashable, CustomStringConvertible {
    /// log2 of N.
    public let logN: Int
    /// r, the block size (in 128-byte units).
    public let blockSize: Int
    /// p, the number of independent mixes.
    public let parallelism: Int

    /// The parameters new hashes are made with.
    ///
    /// OWASP's Password Storage Cheat Sheet (scrypt section, 2023 and current) asks for at
    /// least N=2^17, r=8, p=1 and lists rows of equal strength: N=2^16/p=2, N=2^15/p=3,
    /// N=2^14/p=5, N=2^13/p=10 (all r=8). We take the N=2^14, r=8, p=5 row: the same work as
    /// the 2^17 row with 16 MiB of memory per sign-in instead of 128 MiB, so a burst of
    /// concurrent sign-ins does not exhaust a small server's memory. Raising these later is
    /// safe: stored hashes carry their own parameters and are upgraded at the next sign-in.
    public static let recommended = PasswordHashParameters(checkedLogN: 14, blockSize: 8, parallelism: 5)

    /// Caps on single values; the composite caps below are the ones that bound the cost.
    public static let logNRange = 1...20
    public static let blockSizeRange = 1...32
    public static let parallelismRange = 1...16
    /// 128 MiB: OWASP's heaviest row (N=2^17, r=8) fits, anything larger is refused.
    public static let maximumMemoryBytes = 128 * 1024 * 1024
    /// N·r·p at most 2^23: eight times OWASP's baseline (2^17·8·1), about 6.4 times `recommended`.
    public static let maximumWork = 1 << 23

    public init(logN: Int, blockSize: Int, parallelism: Int) throws(PasswordHashError) {
        guard Self.logNRange.contains(logN), Self.blockSizeRange.contains(blockSize), Self.parallelismRange.contains(parallelism) else {
            throw PasswordHashError(
                code: .parametersOutOfRange,
                message: "scrypt parameters ln=\(logN), r=\(blockSize), p=\(parallelism) are outside "
                    + "ln \(Self.logNRange), r \(Self.blockSizeRange), p \(Self.parallelismRange)"
            )
        }
        // The single-value caps keep these products far below Int.max, so nothing can overflow.
        let n = 1 << logN
        guard 128 * blockSize * n <= Self.maximumMemoryBytes else {
            throw PasswordHashError(
                code: .parametersOutOfRange,
                message: "scrypt parameters ln=\(logN), r=\(blockSize) need more than \(Self.maximumMemoryBytes) bytes"
            )
        }
        guard n * blockSize * parallelism <= Self.maximumWork else {
            throw PasswordHashError(
                code: .parametersOutOfRange,
                message: "scrypt parameters ln=\(logN), r=\(blockSize), p=\(parallelism) exceed the work cap N·r·p ≤ \(Self.maximumWork)"
            )
        }
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// For constants known to be within the caps.
    private init(checkedLogN: Int, blockSize: Int, parallelism: Int) {
        logN = checkedLogN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// N itself.
    public var n: Int { 1 << logN }

    /// The bytes OpenSSL allocates for one derivation: V (128·r·(N+2)) and B (128·r·p).
    var memoryBytes: Int { 128 * blockSize * (n + 2) + 128 * blockSize * parallelism }

    /// True when any parameter is weaker than the one in `target`: such a hash is upgraded at
    /// the next successful sign-in. A hash stronger in every respect is left alone.
    public func isWeaker(than target: PasswordHashParameters) -> Bool {
        logN < target.logN || blockSize < target.blockSize || parallelism < target.parallelism
    }

    /// The PHC parameter field, `ln=14,r=8,p=5`.
    public var description: String { "ln=\(logN),r=\(blockSize),p=\(parallelism)" }
}
