import Testing
@testable import JSON

/// Runs `body` and returns the JSON error code it threw, or nil when it did not throw.
/// (Untyped `throws` because closures inside `#expect` do not infer a typed one.)
func errorCode<T>(_ body: () throws -> T) -> JSONError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as JSONError {
        return error.code
    } catch {
        Issue.record("threw something other than JSONError: \(error)")
        return nil
    }
}
