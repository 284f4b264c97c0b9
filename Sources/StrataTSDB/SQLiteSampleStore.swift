import GRDB
import StrataCore

/// A simple, correct `SampleStore` on one SQLite file: one row per sample, keyed by (series, timestamp),
/// the value kept as its exact 64-bit pattern (NaN and -0 survive; SQLite REAL would turn NaN into NULL).
///
/// A stand-in until the time-series engine (WAL, compressed chunks, blocks, rollups) replaces it behind
/// the same protocol. Series ids are tenant-scoped (derived from a tenant-scoped resource id), so rows
/// carry no tenant column of their own.
public final class SQLiteSampleStore: SampleStore {
    let pool: DatabasePool

    /// Opens (creating) the store at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-21-samples") { db in
            try db.execute(sql: """
                CREATE TABLE samples (
                    series_id INTEGER NOT NULL,
                    ts INTEGER NOT NULL,
                    value_bits INTEGER NOT NULL,
                    PRIMARY KEY (series_id, ts)
                ) WITHOUT ROWID
                """)
        }
        try migrator.migrate(pool)
    }

    @discardableResult
    public func append(_ groups: [SeriesSamples]) async throws -> AppendSummary {
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO samples (series_id, ts, value_bits) VALUES (?, ?, ?)")
            var summary = AppendSummary()
            for group in groups {
                for sample in group.samples {
                    try statement.execute(arguments: [group.seriesID.int64, sample.timestampMs, Int64(bitPattern: sample.value.bitPattern)])
                    if db.changesCount > 0 { summary.stored += 1 } else { summary.duplicates += 1 }
                }
            }
            return summary
        }
    }

    public func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT ts, value_bits FROM samples WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts",
                             arguments: [series.int64, fromMs, toMs]).map { Sample($0["ts"], Double(bitPattern: UInt64(bitPattern: $0["value_bits"]))) }
        }
    }
}
