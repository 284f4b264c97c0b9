// swift-tools-version:6.2
import PackageDescription

/// Strata: one package, one module per layer. Dependencies point one way:
/// StrataCore ← StrataTSDB, StrataInventory (pure domain decisions) ← StrataCatalog, StrataWire (decoders of outside input) ← StrataAgent,
/// StrataServer ← strata; StrataTSDB ← StrataPromQL (the PromQL front end: lexer, parser, type checks, printer) ← StrataPromQLEngine
/// (evaluation of instant and range queries as Prometheus 2.42 evaluates them) ← StrataServer.
let package = Package(
    name: "strata",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "strata", targets: ["strata"]),
        .executable(name: "strata-agent", targets: ["strata-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .target(name: "CStrataTLS", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CStrataVirt", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CStrataSpawn"),
        .target(
            name: "StrataCore",
            dependencies: ["CZlib"]
        ),
        .target(
            name: "StrataTSDB",
            dependencies: [
                "StrataCore", "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "StrataPromQL",
            dependencies: ["StrataCore", "StrataTSDB"]
        ),
        .target(
            name: "StrataPromQLEngine",
            dependencies: ["StrataCore", "StrataTSDB", "StrataPromQL"]
        ),
        .target(
            name: "StrataInventory",
            dependencies: ["StrataCore"]
        ),
        .target(
            name: "StrataAPI",
            dependencies: ["StrataCore", "StrataInventory"]
        ),
        .target(
            name: "StrataCatalog",
            dependencies: [
                "StrataCore", "StrataInventory", "StrataControl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "StrataControl",
            dependencies: ["StrataCore"]
        ),
        .target(
            name: "StrataAgent",
            dependencies: ["StrataCore", "StrataControl", "CStrataTLS", "CStrataVirt", "CStrataSpawn", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "StrataWire",
            dependencies: ["StrataCore", "CSnappy"]
        ),
        .target(
            name: "StrataRules",
            dependencies: ["StrataCore", "StrataPromQL", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "StrataAlerting",
            dependencies: ["StrataCore"]
        ),
        .target(
            name: "StrataAnalysis",
            dependencies: ["StrataCore"],
            // Bootstrap forecasts and searches are numeric loops that run ~50× slower unoptimised; the unit tests
            // that measure their statistics (band coverage over hundreds of refits) need them optimised in debug too.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "StrataServer",
            dependencies: [
                "StrataCore", "StrataTSDB", "StrataInventory", "StrataAPI", "StrataCatalog", "StrataWire", "StrataAlerting", "StrataControl",
                "StrataPromQL", "StrataPromQLEngine", "StrataRules", "StrataAnalysis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataCore", "StrataAPI", "StrataInventory", "StrataAgent", "StrataServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "strata-agent",
            dependencies: ["StrataAgent", "StrataCore", .product(name: "Logging", package: "swift-log")],
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]
        ),
        .executableTarget(
            name: "strata-bench",
            dependencies: ["StrataTSDB", "StrataCore", "StrataPromQL", "StrataPromQLEngine", "StrataAnalysis", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore"]),
        .testTarget(name: "StrataAgentTests", dependencies: ["StrataAgent", "StrataCore"], exclude: ["Fixtures"]),
        .testTarget(name: "StrataTSDBTests", dependencies: ["StrataTSDB", "StrataCore"]),
        .testTarget(name: "StrataPromQLTests", dependencies: ["StrataPromQL", "StrataTSDB", "StrataCore"], exclude: ["Cases"]),
        .testTarget(name: "StrataPromQLEngineTests", dependencies: ["StrataPromQLEngine", "StrataPromQL", "StrataTSDB", "StrataCore"], exclude: ["Cases"]),
        .testTarget(name: "StrataInventoryTests", dependencies: ["StrataInventory", "StrataCore"]),
        .testTarget(name: "StrataRulesTests", dependencies: ["StrataRules"], exclude: ["Corpus"]),
        .testTarget(name: "StrataAlertingTests", dependencies: ["StrataAlerting", "StrataCore"]),
        .testTarget(name: "StrataAnalysisTests", dependencies: ["StrataAnalysis", "StrataCore"]),
        .testTarget(name: "StrataControlTests", dependencies: ["StrataControl", "StrataCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "StrataCatalogTests", dependencies: ["StrataCatalog", "StrataInventory", "StrataCore", "StrataControl",
                                                         .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "StrataServerTests", dependencies: [
            "StrataServer", "StrataCore", "StrataAgent", "StrataTSDB", "StrataWire", "StrataInventory", "StrataAPI", "StrataAlerting", "StrataControl",
            "StrataCatalog",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["StrataCore", "StrataAgent"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

/// Fuzz targets (`make fuzz`, `scripts/fuzz.sh`): one static library per decoder of outside input, each
/// defining `LLVMFuzzerTestOneInput`, linked by the script with `swiftc -sanitize=fuzzer` (libFuzzer
/// supplies `main`). Declared only when STRATA_FUZZ=1, so normal builds never see them.
if Context.environment["STRATA_FUZZ"] == "1" {
    let fuzzers: [(String, [Target.Dependency])] = [
        ("fuzz-agent-batch", ["StrataCore"]),
        ("fuzz-remote-write", ["StrataWire", "StrataTSDB"]),
        ("fuzz-otlp", ["StrataWire", "StrataCore"]),
        ("fuzz-json-body", ["StrataWire"]),
        ("fuzz-import", ["StrataInventory", "StrataWire"]),
        ("fuzz-selector", ["StrataTSDB", "StrataCore"]),
        ("fuzz-query-parameters", ["StrataWire", "StrataTSDB"]),
        ("fuzz-regex", ["StrataCore"]),
        ("fuzz-promql", ["StrataPromQL"]),
        ("fuzz-http-response", ["StrataAgent"]),
        ("fuzz-server-status", ["StrataAgent"]),
    ]
    for (name, dependencies) in fuzzers {
        package.targets.append(.target(name: name, dependencies: dependencies, path: "Fuzz/\(name)"))
        package.products.append(.library(name: name, type: .static, targets: [name]))
    }
}
