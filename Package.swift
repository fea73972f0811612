// swift-tools-version:6.0
import PackageDescription

// Module map: training links OpenBLAS/LAPACKE through `CLAPACK` and
// `TelltaleLinearAlgebra`; scoring (`TelltaleScoring`) and data reading
// (`TelltaleData`) are pure Swift so a scorer never needs the C libraries.
let package = Package(
    name: "Telltale",
    products: [
        .executable(name: "telltale", targets: ["telltale"]),
        .library(name: "TelltaleData", targets: ["TelltaleData"]),
        .library(name: "TelltaleScoring", targets: ["TelltaleScoring"]),
        .library(name: "TelltaleSignals", targets: ["TelltaleSignals"]),
        .library(name: "TelltalePatterns", targets: ["TelltalePatterns"]),
        .library(name: "TelltaleModel", targets: ["TelltaleModel"]),
        .library(name: "TelltaleTraining", targets: ["TelltaleTraining"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "TelltaleLinearAlgebra", dependencies: ["CLAPACK"]),
        .target(name: "TelltaleData", dependencies: ["CZlib"]),
        .target(name: "TelltaleScoring"),
        .target(name: "TelltaleSignals", dependencies: ["TelltaleData", "TelltaleScoring"]),
        .target(name: "TelltalePatterns", dependencies: ["TelltaleSignals"]),
        .target(name: "TelltaleModel", dependencies: ["TelltaleSignals", "TelltalePatterns", "TelltaleScoring"]),
        .target(name: "TelltaleReports"),
        .target(
            name: "TelltaleModelTraining",
            dependencies: ["TelltaleModel", "TelltaleTraining", "TelltaleLinearAlgebra", "TelltaleScoring", "TelltaleSignals", "TelltalePatterns", "TelltaleData", "TelltaleReports"]
        ),
        .target(name: "TelltaleConfig", dependencies: ["TelltaleData", "TelltaleSignals", "TelltalePatterns", "TelltaleModel", "TelltaleAlerts", "TelltaleScorer", "TelltaleBacktest", .product(name: "Yams", package: "Yams")]),
        .target(name: "TelltaleSimulation", dependencies: ["TelltaleData"]),
        // Scoring today's accounts: alerts and reasons (pure Swift), the score
        // run itself, and its history database (SQLite through GRDB).
        .target(name: "TelltaleAlerts", dependencies: ["TelltaleSignals"]),
        .target(name: "TelltaleScorer", dependencies: ["TelltaleModel", "TelltaleSignals", "TelltaleAlerts", "TelltaleData", "TelltalePatterns"]),
        .target(name: "TelltaleBacktest", dependencies: ["TelltaleScorer", "TelltaleAlerts", "TelltaleModel", "TelltaleModelTraining", "TelltaleSignals", "TelltaleData", "TelltaleReports"]),
        .target(name: "TelltaleScoreHistory", dependencies: ["TelltaleAlerts", "TelltaleScorer", "TelltaleModel", "TelltaleSignals", "TelltaleData", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "TelltaleTraining",
            dependencies: ["TelltaleLinearAlgebra", "TelltaleData", "TelltaleScoring"]
        ),
        .target(
            name: "TelltaleCLI",
            dependencies: [
                "TelltaleData", "TelltaleScoring", "TelltaleTraining", "TelltaleLinearAlgebra",
                "TelltaleConfig", "TelltaleSimulation", "TelltaleSignals", "TelltalePatterns", "TelltaleModel", "TelltaleModelTraining",
                "TelltaleAlerts", "TelltaleScorer", "TelltaleScoreHistory", "TelltaleBacktest", "TelltaleReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "telltale", dependencies: ["TelltaleCLI"]),
        // Benchmarks: run through benchmarks/*/run.sh, never by the test suite.
        .executableTarget(
            name: "TelltaleBenchLogistic",
            dependencies: ["TelltaleTraining", "TelltaleLinearAlgebra"],
            path: "benchmarks/Sources/TelltaleBenchLogistic"
        ),
        .executableTarget(
            name: "TelltaleBenchIngest",
            dependencies: ["TelltaleData", "TelltaleLinearAlgebra"],
            path: "benchmarks/Sources/TelltaleBenchIngest"
        ),
        .executableTarget(
            name: "TelltaleBenchSignals",
            dependencies: ["TelltaleSignals", "TelltaleConfig", "TelltaleData", "TelltaleLinearAlgebra"],
            path: "benchmarks/Sources/TelltaleBenchSignals"
        ),
        .executableTarget(
            name: "TelltaleBenchPatterns",
            dependencies: ["TelltalePatterns", "TelltaleLinearAlgebra"],
            path: "benchmarks/Sources/TelltaleBenchPatterns"
        ),
        .testTarget(name: "TelltaleLinearAlgebraTests", dependencies: ["TelltaleLinearAlgebra"]),
        // What more than one test target needs (not shipped).
        .target(name: "TelltaleTestSupport", path: "Tests/TelltaleTestSupport"),
        .testTarget(name: "TelltaleDataTests", dependencies: ["TelltaleData", "TelltaleConfig", "TelltaleTestSupport"]),
        .testTarget(name: "TelltaleSignalsTests", dependencies: ["TelltaleSignals", "TelltaleData", "TelltaleConfig"]),
        .testTarget(name: "TelltalePatternsTests", dependencies: ["TelltalePatterns", "TelltaleSignals", "TelltaleData", "TelltaleConfig", "TelltaleSimulation"]),
        .testTarget(
            name: "TelltaleModelTests",
            dependencies: ["TelltaleModel", "TelltaleModelTraining", "TelltaleTraining", "TelltaleSignals", "TelltaleData", "TelltaleSimulation", "TelltalePatterns"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TelltaleScorerTests",
            dependencies: ["TelltaleScorer", "TelltaleScoreHistory", "TelltaleAlerts", "TelltaleModel", "TelltaleSignals", "TelltaleData", "TelltaleConfig",
                           "TelltaleBacktest", "TelltaleModelTraining", "TelltaleSimulation", "TelltalePatterns"]
        ),
        .testTarget(name: "TelltaleSimulationTests", dependencies: ["TelltaleSimulation", "TelltaleData"]),
        .testTarget(
            name: "TelltaleTrainingTests",
            dependencies: ["TelltaleTraining", "TelltaleData", "TelltaleLinearAlgebra"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TelltaleCLITests",
            dependencies: ["TelltaleCLI", "telltale", "TelltaleTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
