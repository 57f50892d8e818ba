extension Request {
    /// Whether the body is declared as JSON: `application/json` or any `application/...+json`.
    public var hasJSONBody: Bool {
        guard let mediaType else { return false }
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
