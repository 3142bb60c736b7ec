// swift-tools-version:6.0
import PackageDescription

// Generic type metadata through direct accessor calls instead of mangled names the
// runtime demangles on first use: the CGI starts once per request, and demangling was
// a measurable part of a booking's CPU (bench/README.md, "Figures behind the code").
let fast: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"])]

// The command line runs for every build and cron job: Swift's libraries linked in
// rather than loaded, and a fully static executable as the CGI is (no dynamic loader
// or relocations), start it several times faster (bench/README.md).
let staticStdlib = SwiftSetting.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))
let staticExecutable = LinkerSetting.unsafeFlags(["-static-executable"], .when(platforms: [.linux]))

// A booking runs code from all over the CGI's 9 MB of text, and each process maps the
// pages it runs: lld lays the functions of the common requests side by side
// (link-order.txt, written by scripts/link-order), so they fault in fewer pages.
let packageRoot = String(#filePath.dropLast("/Package.swift".count))
let linkOrder = LinkerSetting.unsafeFlags(["-use-ld=lld",
                                           "-Xlinker", "--symbol-ordering-file=\(packageRoot)/Sources/slotsite-cgi/link-order.txt",
                                           "-Xlinker", "--no-warn-symbol-ordering"], .when(platforms: [.linux]))

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
        .target(name: "SlotsiteCGI", dependencies: ["SlotsiteCore", "SlotsiteStore", "SlotsiteAuth", "SlotsiteSite", "SlotsiteMail"], swiftSettings: fast),
        .target(name: "SlotsiteMail", dependencies: ["SlotsiteCore", "SlotsiteStore", "SlotsiteRender", "SlotsiteSite"],
                swiftSettings: fast),
        .target(name: "SlotsiteServe", dependencies: ["SlotsiteCore", "SlotsiteSite"]),
        .executableTarget(name: "slotsite", dependencies: [
            "SlotsiteCore", "SlotsiteStore", "SlotsiteAuth", "SlotsiteSite", "SlotsiteCGI", "SlotsiteServe", "SlotsiteMail",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [staticStdlib], linkerSettings: [staticExecutable]),
        // The CGI starts once per request: a fully static executable skips the dynamic
        // loader and its relocations.
        .executableTarget(name: "slotsite-cgi", dependencies: ["SlotsiteCGI"], exclude: ["link-order.txt"], swiftSettings: fast,
                          linkerSettings: [staticExecutable, linkOrder]),
        .testTarget(name: "SlotsiteCoreTests", dependencies: ["SlotsiteCore"]),
        .testTarget(name: "SlotsiteStoreTests", dependencies: ["SlotsiteStore"]),
        .testTarget(name: "SlotsiteRenderTests", dependencies: ["SlotsiteRender"]),
        .testTarget(name: "SlotsiteAuthTests", dependencies: ["SlotsiteAuth"]),
        .testTarget(name: "SlotsiteSiteTests", dependencies: ["SlotsiteSite"], exclude: ["Golden"]),
        .testTarget(name: "SlotsiteMailTests", dependencies: ["SlotsiteMail", "SlotsiteSite", "SlotsiteStore", "SlotsiteRender"]),
        .testTarget(name: "SlotsiteServeTests", dependencies: ["SlotsiteServe", "SlotsiteSite"]),
        .testTarget(name: "SlotsiteCGITests", dependencies: ["SlotsiteCGI", "SlotsiteSite", "SlotsiteStore", "SlotsiteAuth"], exclude: ["Golden"]),
    ]
)
