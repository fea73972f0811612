import ArgumentParser

/// The `telltale` command: one executable, one verb per job.
public struct Telltale: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "telltale",
        abstract: "Spot churn before it happens: usage signals, combined patterns, health bands and alerts.",
        discussion: """
        The quarter's calibration: `telltale check --config telltale.yml`, then `train` \
        (and `backtest` for the alert thresholds); the scheduled job: `telltale score`. \
        `telltale simulate --out DIR` writes a history to try it on; `telltale fit --data \
        TABLE.csv --label churned` is a quick logistic regression on a flat table. See \
        README.md for the whole workflow.
        """,
        version: version,
        subcommands: [SimulateCommand.self, CheckCommand.self, FitCommand.self, SignalsCommand.self, PatternsCommand.self, TrainCommand.self, InspectCommand.self, ScoreCommand.self, AlertsCommand.self, BacktestCommand.self]
    )

    public init() {}
}
