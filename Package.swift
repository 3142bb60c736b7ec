// swift-tools-version:6.0
import PackageDescription

// Generic type metadata through direct accessor calls instead of mangled names the
// runtime demangles on first use: the CGI starts once per request, and demangling was
// 5% of a booking's CPU (3.27 -> 3.16 ms of CPU a booking, wait4, 200 bookings interleaved).
let fast: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])]

// The command line runs for every build and cron job: Swift's libraries linked in
// rather than loaded start it in 5.9 ms instead of 18.8 (with its dev server's
// networking package gone too; `perf stat -r 40 slotsite --version`), and a fully
// static executable, as the CGI is, in 1.9 ms instead of 3.9 (no dynamic loader or
// relocations; `hyperfine -N --runs 40 'slotsite --help'`).
let staticStdlib = SwiftSetting.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))
let staticExecutable = LinkerSetting.unsafeFlags(["-static-executable"], .when(platforms: [.linux]))

let package = Package(
    name: "Slotsite",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "slotsite", targets: ["slotsite"]),
        .executable(name: "slotsite-cgi", targets: ["slotsite-cgi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCmark", path: "Sources/CCmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", providers: [.apt(["libsodium-dev"])]),
        .target(name: "SlotsiteCore", swiftSettings: fast),
        .target(name: "SlotsiteStore", dependencies: ["SlotsiteCore", "CSQLite"], swiftSettings: fast),
        .target(name: "SlotsiteRender", dependencies: ["SlotsiteCore", "CCmark"], swiftSettings: fast),
        .target(name: "SlotsiteAuth", dependencies: ["SlotsiteCore", "CSodium"], swiftSettings: fast),
        .target(name: "SlotsiteSite", dependencies: ["SlotsiteCore", "SlotsiteStore", "SlotsiteRender"], swiftSettings: fast),
        .target(name: "SlotsiteCGI", dependencies: ["SlotsiteCore", "SlotsiteStore", "SlotsiteAuth", "SlotsiteSite", "SlotsiteRender"], swiftSettings: fast),
        .target(name: "SlotsiteServe", dependencies: ["SlotsiteCore", "SlotsiteSite"]),
        .executableTarget(name: "slotsite", dependencies: [
            "SlotsiteCore", "SlotsiteStore", "SlotsiteAuth", "SlotsiteSite", "SlotsiteCGI", "SlotsiteServe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [staticStdlib], linkerSettings: [staticExecutable]),
        // The CGI starts once per request: a fully static executable skips the dynamic
        // loader and its relocations (GET /login 3.3 ms -> 1.9 ms, scripts/bench).
        .executableTarget(name: "slotsite-cgi", dependencies: ["SlotsiteCGI"], swiftSettings: fast,
                          linkerSettings: [staticExecutable]),
        .testTarget(name: "SlotsiteCoreTests", dependencies: ["SlotsiteCore"]),
        .testTarget(name: "SlotsiteStoreTests", dependencies: ["SlotsiteStore"]),
        .testTarget(name: "SlotsiteRenderTests", dependencies: ["SlotsiteRender"]),
        .testTarget(name: "SlotsiteAuthTests", dependencies: ["SlotsiteAuth"]),
        .testTarget(name: "SlotsiteSiteTests", dependencies: ["SlotsiteSite"]),
        .testTarget(name: "SlotsiteServeTests", dependencies: ["SlotsiteServe", "SlotsiteSite"]),
        .testTarget(name: "SlotsiteCGITests", dependencies: ["SlotsiteCGI", "SlotsiteSite", "SlotsiteStore", "SlotsiteAuth"]),
    ]
)
