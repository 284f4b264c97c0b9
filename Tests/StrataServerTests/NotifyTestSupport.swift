@testable import StrataServer

/// A notification as the evaluator would build it.
func sampleNotification(status: String = "firing", id: String = "d-\(UInt32.random(in: 0...UInt32.max))",
                        definitionName: String = "High CPU") -> AlertNotification {
    AlertNotification(
        id: id, alertID: "alert-1", definitionID: "def-cpu", definitionName: definitionName, tenantID: "tenant-a",
        status: status, severity: "critical", resourceID: "res-web1", resourceName: "web-1", resourceKind: "host",
        labels: ["team": "ops", "service.tier": "front"], annotations: ["summary": "CPU above 90 % for 5 min"],
        value: 97.5, startsAtMs: 1_764_669_600_000, endsAtMs: status == "resolved" ? 1_764_670_200_000 : nil,
        transitionAtMs: status == "resolved" ? 1_764_670_200_000 : 1_764_669_600_000)
}
