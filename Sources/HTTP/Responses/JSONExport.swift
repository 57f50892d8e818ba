/// Problem details' extensions and `Response.json` take a `JSONValue`, so whoever imports HTTP
/// sees the JSON module too, as when HTTP had a JSON value type of its own.
@_exported import JSON
