import Logging
import StrataAPI
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

/// Applies import documents (docs/import.md) for a tenant: validated first (`ImportValidator`, nothing stored on
/// a bad document), then the catalog in one transaction (`Catalog.applyImport`), then the samples through an
/// `Appender`, labelled as agent samples are (`resource_id`, `resource_kind`, `resource_name`), so PromQL and
/// `/api/v1/query` find them under their resource.
///
/// Idempotent: resources and rows that already say the same are left as they are, and a sample already stored with
/// the same value is a duplicate to the store. History may reach back to the longest retention: the appends use an
/// unbounded out-of-order window (a new series' history arrives in order anyway; a series that has newer samples
/// takes the older ones beside them), and the samples are not sent on to alerting or live streams, which are about now.
struct Importer: Sendable {
    let catalog: any Catalog
    let store: any SampleStore & Querier
    let events: EventSink
    let limits: ImportLimits
    /// The store's longest retention: older samples would be deleted at once.
    let retentionMs: Int64
    /// How far ahead of the clock the store accepts samples.
    let futureToleranceMs: Int64
    let logger: Logger

    /// Samples per commit: bounds one WAL record and the staged batch.
    static let commitSamples = 200_000

    /// Applies `document` for `tenantID`; throws `ImportError` naming the record when it is refused.
    func run(_ document: ImportDocument, tenantID: String, nowMs: Int64) async throws -> API.ImportResult {
        let validator = ImportValidator(limits: limits, oldestMs: nowMs.subtractingReportingOverflow(retentionMs).partialValue,
                                        newestMs: nowMs.addingReportingOverflow(futureToleranceMs).partialValue)
        let plan = try validator.validate(document)
        let outcome = try await catalog.applyImport(tenantID: tenantID, plan: plan, nowMs: nowMs)
        events.emit(outcome.events)
        var appender = store.appender(policy: AppendPolicy(outOfOrderWindowMs: .max))
        var staged = 0
        var total = AppendSummary()
        for series in outcome.resolved.series {
            let labels = Labels(series.labels.pairs + [Label(Labels.metricName, series.metric), Label(Labels.tenant, tenantID),
                                                       Label("resource_id", series.resourceID), Label("resource_kind", series.resourceKind.rawValue),
                                                       Label("resource_name", series.resourceName)])
            appender.register(series.id, labels: labels)
            for sample in try await newSamples(series, counting: &total) {
                appender.append(series.id, ref: .none, timestampMs: sample.timestampMs, value: sample.value)
                staged += 1
                if staged >= Self.commitSamples {
                    total.add(try await appender.commit().summary)
                    appender.register(series.id, labels: labels)
                    staged = 0
                }
            }
        }
        total.add(try await appender.commit().summary)
        if total.rejected > 0 {
            logger.warning("imported samples rejected", metadata: ["tenant": "\(tenantID)", "conflicts": "\(total.conflicts)",
                                                                  "rejected": "\(total.rejected)"])
        }
        return API.ImportResult(resourcesCreated: outcome.created, resourcesUpdated: outcome.updated, resourcesUnchanged: outcome.unchanged,
                                relationsChanged: outcome.relationsChanged, placementsChanged: outcome.placementsChanged,
                                seriesCreated: outcome.seriesCreated, samplesWritten: total.stored, samplesAlreadyPresent: total.duplicates,
                                samplesConflicting: total.conflicts, samplesRejected: total.rejected - total.conflicts,
                                rejection: total.firstRejection.map(\.description), eventsAdded: outcome.eventsAdded)
    }
}

extension Importer {
    /// The samples of `series` the store does not hold yet; those it holds are counted as duplicates (same value) or
    /// conflicts (another value) and left out. One bulk read per series: the store's own check of a late sample
    /// against its blocks costs a block look-up per sample (20 s for 52,000 samples of 30 days, measured), the read
    /// a fraction of a second.
    func newSamples(_ series: ResolvedImport.Series, counting summary: inout AppendSummary) async throws -> [Sample] {
        guard let first = series.samples.first?.timestampMs, let last = series.samples.last?.timestampMs else { return [] }
        let stored = try await store.samples(series: series.id, fromMs: first, toMs: last)
        guard !stored.isEmpty else { return series.samples }
        var fresh: [Sample] = []
        var cursor = stored.startIndex
        for sample in series.samples {
            while cursor < stored.endIndex, stored[cursor].timestampMs < sample.timestampMs { cursor += 1 }
            if cursor < stored.endIndex, stored[cursor].timestampMs == sample.timestampMs {
                if stored[cursor].value.bitPattern == sample.value.bitPattern {
                    summary.duplicates += 1
                } else {
                    summary.conflicts += 1
                    summary.firstRejection = summary.firstRejection ?? .conflict
                }
            } else {
                fresh.append(sample)
            }
        }
        return fresh
    }
}

extension AppendSummary {
    /// Adds the counts of `other` (the first rejection stays the earlier one's).
    mutating func add(_ other: AppendSummary) {
        stored += other.stored
        duplicates += other.duplicates
        conflicts += other.conflicts
        tooOld += other.tooOld
        outOfBounds += other.outOfBounds
        tooFarInFuture += other.tooFarInFuture
        if firstRejection == nil { firstRejection = other.firstRejection }
    }
}
