import HTTP
import Store

/// The version string `gatehouse version` prints.
public enum GatehouseVersion {
    public static let current = "0.1.0"
}
