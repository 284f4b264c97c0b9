import StrataAnalysis
import StrataCatalog

/// What the analysis routes answer, as JSON.
enum AnalysisJSON {
    /// One piece of evidence.
    struct Evidence: Encodable {
        var kind: String, subject: String, strength: Double
        var correlation: Double?, leadMs: Int64?, exhaustionMs: Int64?
        var sentence: String
    }

    /// One candidate cause.
    struct Finding: Encodable {
        var resourceId: String, resourceName: String, resourceKind: String, relation: String
        var distance: Int, score: Double, explanation: String
        var evidence: [Evidence]
    }

    /// The root-cause report.
    struct RootCause: Encodable {
        var symptomOnsetMs: Int64
        var findings: [Finding]
        var echoes: [String]
        var recommendation: String?
        var resourcesConsidered: Int

        init(_ report: RootCauseReport, resources: Int) {
            symptomOnsetMs = report.symptomOnsetMs
            findings = report.findings.map { finding in
                Finding(resourceId: finding.resourceID, resourceName: finding.resourceName, resourceKind: finding.resourceKind,
                        relation: finding.relation, distance: finding.distance, score: finding.score, explanation: finding.explanation,
                        evidence: finding.evidence.map {
                            Evidence(kind: $0.kind.rawValue, subject: $0.subject, strength: $0.strength, correlation: $0.correlation,
                                     leadMs: $0.leadMs, exhaustionMs: $0.exhaustionMs, sentence: $0.sentence)
                        })
            }
            echoes = report.echoes
            recommendation = report.recommendation
            resourcesConsidered = resources
        }
    }

    /// One capacity and the time left until it fills.
    struct Capacity: Encodable {
        var resourceId: String, resourceName: String, resourceKind: String, metric: String
        var limit: Double, current: Double?
        /// When the fitted curve reaches the limit; nil: not within a year (or no answer: see `reason`).
        var crossingMs: Int64?
        /// The band at `coverage`.
        var earliestMs: Int64?, latestMs: Int64?, coverage: Double?
        var model: String?
        /// Why there is no forecast (too little history).
        var reason: String?

        init(resource: ResourceRecord, metric: String, limit: Double, current: Double?, forecast: CapacityForecast.Forecast?, reason: String?) {
            resourceId = resource.id
            resourceName = resource.name
            resourceKind = resource.kind.rawValue
            self.metric = metric
            self.limit = limit
            self.current = current
            crossingMs = forecast?.crossingMs
            earliestMs = forecast?.earliestMs
            latestMs = forecast?.latestMs
            coverage = forecast?.coverage
            model = forecast?.model.rawValue
            self.reason = reason
        }
    }
}

extension AnalysisJSON {
    /// The chargeback report and where its prices came from.
    struct Chargeback: Encodable {
        var report: StrataAnalysis.Chargeback.Report
        var rateCard: String
    }

    /// Licensing peaks with the names of hosts and VMs.
    struct LicensingCounts: Encodable {
        struct Peak: Encodable {
            var scope: String, scopeName: String?, type: String, peak: Int, at: Int64, distinct: Int
        }

        var overall: [Peak], hosts: [Peak], vms: [Peak]

        init(_ report: Licensing.Report, names: (String) -> String?) {
            func convert(_ peaks: [Licensing.Peak]) -> [Peak] {
                peaks.map { Peak(scope: $0.scope, scopeName: $0.scope == "all" ? nil : names($0.scope), type: $0.type, peak: $0.peak, at: $0.at, distinct: $0.distinct) }
            }
            overall = convert(report.overall)
            hosts = convert(report.hosts)
            vms = convert(report.vms)
        }
    }
}

extension AnalysisJSON {
    /// One host of a plan with what it holds.
    struct PlannedHost: Encodable {
        var host: String, workloads: [String], load: Demand
        var peakCoincidence: Double?, contentionProbability: Double?
    }

    /// A plan.
    struct PlanAnswer: Encodable {
        var method: String
        var hostsUsed: Int, hostsFree: [String], lowerBound: Int
        var hosts: [PlannedHost]
        var unplaced: [String]
        var violations: [String]
        var names: [String: String]

        init(_ plan: Plan, problem: PlacementProblem, names: [String: String]) {
            method = plan.method.rawValue
            hostsUsed = plan.hostsUsed.count
            hostsFree = plan.hostsFree(in: problem)
            lowerBound = Planner.lowerBound(problem)
            let load = plan.load(in: problem)
            let risks = Dictionary(plan.risk(in: problem).map { ($0.host, $0) }) { a, _ in a }
            hosts = plan.hostsUsed.map { host in
                PlannedHost(host: host, workloads: plan.hostOf.filter { $0.value == host }.map(\.key).sorted(), load: load[host] ?? .zero,
                            peakCoincidence: risks[host]?.peakCoincidence, contentionProbability: risks[host]?.contentionProbability)
            }
            unplaced = plan.unplaced
            violations = plan.violations(in: problem)
            self.names = names
        }
    }

    /// A what-if: the plans before and after and what changed.
    struct WhatIfAnswer: Encodable {
        var before: PlanAnswer, after: PlanAnswer
        var hostDelta: Int, moved: [String], newlyUnplaced: [String]

        init(_ result: WhatIfResult, problem: PlacementProblem, names: [String: String]) {
            before = PlanAnswer(result.before, problem: problem, names: names)
            after = PlanAnswer(result.after, problem: result.changed, names: names)
            hostDelta = result.hostDelta
            moved = result.moved
            newlyUnplaced = result.newlyUnplaced
        }
    }
}

extension AnalysisJSON {
    /// A leaking memory series, what it follows and when it fills.
    struct Leak: Encodable {
        struct Attribution: Encodable {
            var resourceId: String, resourceName: String, metric: String
            var correlation: Double
            /// Memory added per 1,000 counts.
            var perThousand: Double
        }

        var resourceId: String, resourceName: String, resourceKind: String, metric: String
        var slopePerHour: Double
        var limit: Double?
        var exhaustionMs: Int64?
        var attributedTo: Attribution?

        init(resource: ResourceRecord, metric: String, slopePerHour: Double, limit: Double?, exhaustionMs: Int64?, attributedTo: Attribution?) {
            resourceId = resource.id
            resourceName = resource.name
            resourceKind = resource.kind.rawValue
            self.metric = metric
            self.slopePerHour = slopePerHour
            self.limit = limit
            self.exhaustionMs = exhaustionMs
            self.attributedTo = attributedTo
        }
    }
}
