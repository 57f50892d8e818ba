/// Why the development provider cannot start.
///
/// `code` is a struct so new codes never break a caller's `switch`; `exitCode` follows the
/// command line's convention: 2 for a bad option (the operator must change the command), 1 for
/// a failure at run time (the port is taken, OpenSSL failed).
public struct DevProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// `--host` is not a loopback address: the provider signs anyone in as anyone.
        public static let nonLoopbackHost = Code("nonLoopbackHost")
        /// An option has a value that cannot work (an empty client id, a redirect URI with a fragment).
        public static let invalidOption = Code("invalidOption")
        /// `--algorithm` names an algorithm the provider does not sign with.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The listening socket could not be bound.
        public static let cannotListen = Code("cannotListen")
        /// A signing key could not be generated.
        public static let keyGeneration = Code("keyGeneration")
    }

    public let code: Code
    /// What went wrong and what to do, for the operator's terminal. Holds no secret.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// 2 for bad options, 1 for failures at run time.
    public var exitCode: Int32 {
        switch code {
        case .cannotListen, .keyGeneration: 1
        default: 2
        }
    }

    public var description: String { "dev-idp: \(message)" }

    static func nonLoopbackHost(_ message: String) -> DevProviderError { DevProviderError(code: .nonLoopbackHost, message: message) }
    static func invalidOption(_ message: String) -> DevProviderError { DevProviderError(code: .invalidOption, message: message) }
}
