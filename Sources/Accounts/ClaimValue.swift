/// One claim's value as the linking engine needs to see it, without a JSON library.
///
/// The integrator maps the JSON value of a verified ID token (or userinfo) claim into this enum.
/// The shapes are kept apart on purpose: `email_verified` must be a JSON `true`, not the string
/// `"true"` nor the number `1` (the type-confusion bypass described in seed 001), so the engine
/// has to know which JSON type it was given.
public enum ClaimValue: Sendable, Equatable {
    /// A JSON string, exactly as received.
    case string(String)
    /// A JSON boolean.
    case bool(Bool)
    /// A JSON number, as its literal text (`1`, `1.0`, `1e0`): never interpreted as a boolean.
    case number(String)
    /// A JSON `null`.
    case null
    /// An array or an object: no claim the engine reads may have this shape.
    case other

    /// The string, if this is a JSON string; any other shape carries no text for the engine.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
