import Foundation
import JSON

/// A secret from the configuration, such as a provider's client secret.
///
/// It may be written inline (`"s3cr3t"`), but need never be: `{"env": "NAME"}` reads an
/// environment variable and `{"file": "/run/secrets/x"}` reads a file, so the configuration
/// file itself can be shared or committed. The value is never printed: `description` names
/// only where it came from, and no problem message includes it.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Source: Sendable, Equatable {
        case inline
        case environment(variable: String)
        case file(path: String)
    }

    public let source: Source
    /// The secret itself. Hand it only to the code that needs it; never log it.
    public let value: String

    /// A file secret larger than this is refused: secrets are short, and a wrong path (a log,
    /// a device) must not be read into memory whole.
    static let maximumFileBytes = 64 * 1024

    public init(source: Source, value: String) {
        self.source = source
        self.value = value
    }

    /// `secret (inline)`, `secret from $NAME`, `secret from file /path`: never the value.
    public var description: String {
        switch source {
        case .inline: return "secret (inline)"
        case .environment(let variable): return "secret from $\(variable)"
        case .file(let path): return "secret from file \(path)"
        }
    }

    public var debugDescription: String { description }

    /// Reads a secret written at `path` in any of its three forms, reporting problems there.
    /// Usable at any path: providers call it for `$.providers[N].client_secret`.
    static func decode(_ json: JSONValue, at path: ConfigPath, in decoder: ConfigDecoder) -> SecretValue? {
        let shape = "expected a string, {\"env\": \"NAME\"} or {\"file\": \"/path\"}"
        switch json {
        case .string(let text):
            guard !text.isEmpty else {
                decoder.error(at: path, "the secret must not be empty")
                return nil
            }
            return SecretValue(source: .inline, value: text)
        case .orderedObject(let members):
            guard members.count == 1, let member = members.first, member.name == "env" || member.name == "file" else {
                let keys = members.map { ConfigText.quoted($0.name) }.joined(separator: ", ")
                decoder.error(at: path, "\(shape), found an object with keys [\(keys)]")
                return nil
            }
            let memberPath = path.appending(member.name)
            guard case .string(let reference) = member.value else {
                decoder.error(at: memberPath, "expected a string, found \(member.value.kindDescription)")
                return nil
            }
            return member.name == "env"
                ? fromEnvironment(reference, at: memberPath, in: decoder)
                : fromFile(reference, at: memberPath, in: decoder)
        default:
            decoder.error(at: path, "\(shape), found \(json.kindDescription)")
            return nil
        }
    }

    private static func fromEnvironment(_ name: String, at path: ConfigPath, in decoder: ConfigDecoder) -> SecretValue? {
        guard isVariableName(name) else {
            // Not echoed: a secret pasted here by mistake must not reach the terminal or a log.
            decoder.error(at: path, "not an environment variable name (letters, digits and _, not starting with a digit)")
            return nil
        }
        decoder.noteReferencedVariable(name)
        guard let value = decoder.environment[name] else {
            decoder.error(at: path, "environment variable \(name) is not set")
            return nil
        }
        guard !value.isEmpty else {
            decoder.error(at: path, "environment variable \(name) is empty")
            return nil
        }
        return SecretValue(source: .environment(variable: name), value: value)
    }

    private static func fromFile(_ filePath: String, at path: ConfigPath, in decoder: ConfigDecoder) -> SecretValue? {
        guard !filePath.isEmpty, !filePath.utf8.contains(0) else {
            decoder.error(at: path, "expected a file path")
            return nil
        }
        let contents: Data
        switch ConfigFile.contents(atPath: filePath, maximumBytes: maximumFileBytes) {
        case .success(let data): contents = data
        case .failure(let failure):
            decoder.error(at: path, "cannot read secret file \(filePath): \(failure)")
            return nil
        }
        // Editors and `echo` end files with a newline that is not part of the secret. Trimmed
        // as bytes: in a Swift String "\r\n" is one Character, so counting would go wrong.
        var bytes = [UInt8](contents)
        if bytes.last == UInt8(ascii: "\n") {
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            decoder.error(at: path, "secret file \(filePath) is not UTF-8 text")
            return nil
        }
        guard !text.isEmpty else {
            decoder.error(at: path, "secret file \(filePath) is empty")
            return nil
        }
        return SecretValue(source: .file(path: filePath), value: text)
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}

extension ObjectReader {
    /// Reads `key` as a secret (see `SecretValue`). Secrets have no `GATEHOUSE_*` override:
    /// `{"env": "NAME"}` already names any variable the operator likes.
    func secret(_ key: String, required: Bool = false) -> SecretValue? {
        guard let json = member(key) else {
            if required { decoder.error(at: path.appending(key), "required key is missing") }
            return nil
        }
        return SecretValue.decode(json, at: path.appending(key), in: decoder)
    }
}
