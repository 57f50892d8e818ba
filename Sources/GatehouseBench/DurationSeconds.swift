extension Duration {
    /// The duration in seconds, as the figures are printed.
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
