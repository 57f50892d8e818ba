// swift-tools-version:6.0
import PackageDescription

// Targets follow ../shared/STYLE.md: C shims at the bottom, then HTTP and Store,
// then the app target that wires them, then the executable. Imports point downwards only.
let package = Package(
    name: "Gatehouse",
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CIDN2", pkgConfig: "libidn2", providers: [.apt(["libidn2-dev"])]),
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
        // A C target, not a system library: its header shows Swift no ICU type (see gatehouse_icu.h).
        .target(name: "CICU", linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc")]),
        .target(name: "CSocket"),
        // The one strict JSON parser and value type (issue 14 section 4): JOSE, OIDC, the
        // configuration and the admin API read with it; problem details and the admin API's
        // answers are written with it.
        .target(name: "JSON"),
        .target(
            name: "HTTP",
            dependencies: ["CSocket", "CZlib", "JSON", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "JOSE", dependencies: ["COpenSSL", "Crypto", "JSON"]),
        .target(name: "OIDC", dependencies: ["JOSE", "Crypto", "MatchingKeys"]),
        // The one rule for when two emails, usernames or domains are the same: IDNA through
        // libidn2, NFC and the TR39 confusable skeleton through ICU (issue 11 section 1).
        .target(name: "MatchingKeys", dependencies: ["CIDN2", "CICU"]),
        // The account-linking decision: pure, no I/O (issue 4 section 3), on MatchingKeys' keys.
        .target(name: "Accounts", dependencies: ["MatchingKeys"]),
        .target(name: "Store", dependencies: ["CSQLite", "Accounts", "MatchingKeys", "Crypto"]),
        .target(name: "BackChannel", dependencies: ["CCurl"]),
        // The LDAP client (issue 15 section 1): libldap through CLDAP, pooled, with failover.
        .target(name: "Directory", dependencies: ["CLDAP"]),
        // Server-rendered pages: a Mustache subset, parsed once at start (issue 5 section 1).
        .target(name: "Templates", dependencies: ["HTTP"]),
        // A development OpenID Provider (`gatehouse dev-idp`): a peer of Gatehouse, never imported by it.
        .target(
            name: "DevProvider",
            dependencies: ["HTTP", "JOSE", "Crypto", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Gatehouse",
            dependencies: ["HTTP", "BackChannel", "Crypto", "JSON", "JOSE", "OIDC", "Accounts", "MatchingKeys", "Store", "Templates", "Directory", "COpenSSL", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: ["Gatehouse", "DevProvider", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `make bench`'s driver (ID-token verification throughput, sign-ins through the routes):
        // a separate executable, never linked into `gatehouse`.
        .executableTarget(
            name: "gatehouse-bench",
            dependencies: ["OIDC", "JOSE", "Crypto", "Store", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/GatehouseBench"
        ),
        // Fuzz targets for the parsers strangers reach (`make fuzz`); built normally it replays
        // the saved corpus (`make test`). `-DFUZZING` and `-sanitize=fuzzer` make it a libFuzzer binary.
        .executableTarget(
            name: "gatehouse-fuzz",
            dependencies: ["Gatehouse", "HTTP", "JSON", "JOSE", "Templates"],
            path: "Sources/GatehouseFuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "JOSETests", dependencies: ["JOSE", "Crypto"], resources: [.copy("Fixtures")]),
        .testTarget(name: "OIDCTests", dependencies: ["OIDC", "JOSE", "Crypto", "COpenSSL"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Accounts", "TestSupport"]),
        .testTarget(name: "MatchingKeysTests", dependencies: ["MatchingKeys"]),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "MatchingKeys"]),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates"]),
        .testTarget(name: "DevProviderTests", dependencies: ["DevProvider", "JOSE", "HTTP", "TestSupport"]),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory", "TestSupport"]),
        .testTarget(name: "BackChannelTests", dependencies: ["BackChannel", "HTTP", "TestSupport"]),
        .testTarget(name: "GatehouseTests", dependencies: ["Gatehouse", "Accounts", "BackChannel", "Crypto", "DevProvider", "HTTP", "JSON", "JOSE", "OIDC", "Store", "Templates", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
