import Foundation
import StrataCore
import StrataTSDB

/// A generated estate as an import document: a host with a hypervisor and five VMs (one also on a second host),
/// the CRM VM's guest running Apache, Tomcat with three webapps and MySQL, two weeks of five-minute history,
/// seeded so that which webapp leaks, the sizes and the rates come from the seed. Loaded through
/// `POST /api/v1/import` by `AnalysisRoutesTests`; the truth is kept beside it.
/// Unchecked: the JSON-shaped arrays are built in `init` and only read afterwards.
struct AnalysisWorld: @unchecked Sendable {
    static let step: Int64 = 300_000
    static let day: Int64 = 86_400_000

    var resources: [[String: Any]] = []
    var series: [[String: Any]] = []
    var events: [[String: Any]] = []
    /// The key of the webapp that leaks, of the VM that hogs the shared host, and of the filesystem's guest.
    var leakingWebapp = "", noisyVM = "", fillingGuest = ""
    /// When the history ends (ms).
    var end: Int64 = 0

    /// A seeded stream of roughly normal noise.
    struct Noise {
        var random: SplitMix64
        mutating func normal() -> Double { (0..<4).reduce(0.0) { s, _ in s + Double.random(in: -1...1, using: &random) } * 0.866 }
        mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }
    }

    mutating func resource(_ kind: String, _ key: String, parent: String? = nil, extra: [String: Any] = [:]) {
        var record: [String: Any] = ["kind": kind, "key": key, "name": key]
        if let parent { record["parent"] = parent }
        for (name, value) in extra { record[name] = value }
        resources.append(record)
    }

    mutating func gauge(_ resource: String, _ metric: String, type: String = "gauge", labels: [String: String] = [:], _ points: [(Int64, Double)]) {
        var record: [String: Any] = ["resource": resource, "metric": metric, "type": type, "samples": points.map { [$0.0, $0.1] as [Any] }]
        if !labels.isEmpty { record["labels"] = labels }
        series.append(record)
    }

    /// The document's JSON text.
    func json() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["version": 1, "resources": resources, "series": series, "events": events]), as: UTF8.self)
    }

    init(seed: UInt64, days: Int = 14) {
        var noise = Noise(random: SplitMix64(state: seed))
        // The history ends at the last midnight (UTC): the same data for a seed whatever the time of day.
        end = (WallClock.nowMs() / Self.day) * Self.day
        let start = end - Int64(days) * Self.day
        let times = Array(stride(from: start, through: end, by: Int(Self.step)))
        func phase(_ t: Int64, _ peak: Double) -> Double { cos(2 * Double.pi * (Double(t % Self.day) / Double(Self.day) - peak)) }

        resource("platform", "host-1")
        resource("hypervisor", "kvm-1", parent: "host-1")
        resource("platform", "host-2")
        resource("hypervisor", "kvm-2", parent: "host-2")
        let vms = ["crm", "erp", "mail", "build", "wiki"]
        for vm in vms {
            resource("vm", "vm:\(vm)", extra: ["name": vm, "placements": [["hypervisor": "kvm-1", "from": start]]])
        }
        resource("vm", "vm:far", extra: ["name": "far", "placements": [["hypervisor": "kvm-2", "from": start]]])
        resource("platform", "crm-guest", extra: ["relations": [["kind": "runs-in", "target": "vm:crm"]]])
        for server in ["apache", "tomcat", "mysql"] { resource("server", "crm-guest/\(server)", parent: "crm-guest") }
        let apps = ["portal", "shop", "admin"]
        for app in apps { resource("service", "crm-guest/tomcat/\(app)", parent: "crm-guest/tomcat") }

        // Traffic: each webapp with its own busy hours, growing a few per cent a day; one leaks into the heap.
        let leaking = Int(noise.uniform(0...2.999))
        leakingWebapp = "crm-guest/tomcat/\(apps[leaking])"
        let heapMax = noise.uniform(2e9...4e9), growth = 1 + noise.uniform(0.02...0.04)
        let rates = apps.map { _ in noise.uniform(2...8) }, peaks = apps.indices.map { Double($0) / 3 + noise.uniform(0...0.1) }
        let perRequest = 0.6 * heapMax / (rates[leaking] * 0.6 * 300 * Double(times.count))
        var counts = Array(repeating: 0.0, count: apps.count), heap = 0.2 * heapMax, mysql = 0.0
        var requests = apps.map { _ in [(Int64, Double)]() }, heapPoints: [(Int64, Double)] = [], cpu: [(Int64, Double)] = [], db: [(Int64, Double)] = []
        for t in times {
            let load = pow(growth, Double(t - start) / Double(Self.day))
            var total = 0.0
            for index in apps.indices {
                let rate = max(0, rates[index] * (0.6 + 0.35 * phase(t, peaks[index])) * load * (1 + 0.15 * noise.normal()))
                counts[index] += rate * 300
                total += rate
                requests[index].append((t, counts[index].rounded()))
                if index == leaking { heap += rate * 300 * perRequest }
            }
            mysql += total * 900
            db.append((t, mysql.rounded()))
            heapPoints.append((t, min(heapMax, heap + 0.005 * heapMax * noise.normal())))
            let pressure = max(0, (heap / heapMax - 0.55) / 0.45)
            cpu.append((t, min(1, 0.08 + 0.012 * total + 0.6 * pressure * pressure + 0.02 * noise.normal())))
        }
        // The truth: the same expected traffic carried on until the heap reaches its maximum.
        var t = end, expected = heap
        while expected < heapMax && t < end + 365 * Self.day {
            t += Self.step
            expected += rates[leaking] * (0.6 + 0.35 * phase(t, peaks[leaking])) * pow(growth, Double(t - start) / Double(Self.day)) * 300 * perRequest
        }
        heapFullTruth = t
        gauge("vm:crm", "cpu_usage_ratio", cpu)
        gauge("crm-guest", "cpu_usage_ratio", cpu.map { ($0.0, $0.1 * 0.98) })
        gauge("crm-guest/tomcat", "tomcat_jvm_memory_used_bytes", heapPoints)
        gauge("crm-guest/tomcat", "tomcat_jvm_memory_max_bytes", times.map { ($0, heapMax) })
        gauge("crm-guest/mysql", "mysql_commands_total", type: "counter", db)
        for (index, app) in apps.enumerated() {
            gauge("crm-guest/tomcat/\(app)", "tomcat_webapp_requests_total", type: "counter", requests[index])
        }

        // The other VMs on host-1: one starts a heavy job a few hours before the end; one spikes for half an hour.
        let heavy = ["mail", "build", "wiki"][Int(noise.uniform(0...2.999))]
        noisyVM = "vm:\(heavy)"
        let jobStart = end - Int64(noise.uniform(6...12) * 3_600_000)
        let spikeAt = end - Int64(noise.uniform(14...20) * 3_600_000)
        let spiky = ["mail", "build", "wiki"].first { "vm:\($0)" != noisyVM }!
        var host: [(Int64, Double)] = times.map { ($0, 0) }
        for vm in vms.dropFirst() + ["far"] {
            let base = noise.uniform(0.1...0.25)
            let points = times.map { t -> (Int64, Double) in
                var v = base * (0.8 + 0.3 * phase(t, 0.6)) + 0.02 * noise.normal()
                if "vm:\(vm)" == noisyVM, t >= jobStart { v += 0.5 + 0.05 * noise.normal() }
                if vm == "far" || (vm == spiky && "vm:\(vm)" != noisyVM), t >= spikeAt, t < spikeAt + 1_800_000 { v += 0.6 }
                return (t, v)
            }
            if vm != "far" { host = zip(host, points).map { ($0.0, $0.1 + $1.1 / 2) } }
            gauge("vm:\(vm)", "cpu_usage_ratio", points)
        }
        gauge("host-1", "cpu_usage_ratio", host)
        // The checkout service in the ERP guest suffers from the shared host's contention.
        resource("platform", "erp-guest", extra: ["relations": [["kind": "runs-in", "target": "vm:erp"]]])
        resource("server", "erp-guest/nginx", parent: "erp-guest")
        resource("service", "erp-guest/nginx/checkout", parent: "erp-guest/nginx")
        gauge("erp-guest/nginx/checkout", "request_latency_seconds", host.map { ($0.0, 0.1 + 2 * max(0, $0.1 - 0.45) + 0.005 * noise.normal()) })

        // A cache in the wiki VM warming up (rising, then flat) during the last day: a distractor.
        resource("platform", "wiki-guest", extra: ["relations": [["kind": "runs-in", "target": "vm:wiki"]]])
        resource("server", "wiki-guest/redis", parent: "wiki-guest")
        let warmAt = end - Int64(noise.uniform(16...22) * 3_600_000), cacheMax = noise.uniform(2e9...4e9)
        gauge("wiki-guest/redis", "process_resident_memory_bytes", times.map { t in
            let warm = t < warmAt ? 0 : 1 - exp(-Double(t - warmAt) / 10_800_000)
            return (t, cacheMax * (0.1 + 0.5 * warm) * (1 + 0.01 * noise.normal()))
        })

        // A shop site behind nginx in the build VM: its configuration is changed in the last day and 5xx errors follow;
        // Redis's configuration was changed days earlier, harmlessly.
        resource("platform", "build-guest", extra: ["relations": [["kind": "runs-in", "target": "vm:build"]]])
        resource("server", "build-guest/nginx", parent: "build-guest")
        resource("service", "build-guest/nginx/shop", parent: "build-guest/nginx")
        let changedAt = end - Int64(noise.uniform(5...15) * 3_600_000)
        changeTime = changedAt
        events.append(["resource": "build-guest/nginx", "kind": "config-change", "time": changedAt, "message": "/etc/nginx/conf.d/shop.conf changed"])
        events.append(["resource": "wiki-guest/redis", "kind": "config-change", "time": end - Int64(noise.uniform(2...4) * Double(Self.day)),
                       "message": "/etc/redis/redis.conf changed"])
        var shopCount = 0.0, shopRequests: [(Int64, Double)] = [], shopErrors: [(Int64, Double)] = []
        for t in times {
            let rate = 40 * (0.6 + 0.35 * phase(t, 0.55)) * (1 + 0.1 * noise.normal())
            shopCount += rate * 300
            shopRequests.append((t, shopCount.rounded()))
            shopErrors.append((t, rate * (t >= changedAt ? noise.uniform(0.05...0.12) : 0.002 * abs(noise.normal()))))
        }
        gauge("build-guest/nginx", "nginx_requests_total", type: "counter", shopRequests)
        gauge("build-guest/nginx/shop", "http_errors_per_second", shopErrors)

        // A filesystem in the mail guest that fills up.
        fillingGuest = "mail-guest"
        resource("platform", "mail-guest", extra: ["relations": [["kind": "runs-in", "target": "vm:mail"]]])
        let size = noise.uniform(100e9...400e9), fullAt = end + Int64(noise.uniform(3...8) * Double(Self.day))
        let used = times.map { t -> (Int64, Double) in
            (t, size * (0.95 - 0.4 * Double(fullAt - t) / Double(fullAt - start)) + size * 0.001 * noise.normal())
        }
        gauge("mail-guest", "filesystem_size_bytes", labels: ["mountpoint": "/"], times.map { ($0, size) })
        gauge("mail-guest", "filesystem_avail_bytes", labels: ["mountpoint": "/"], used.map { ($0.0, size - $0.1) })
        // Its mail spool fills within the last day, and Postfix starts failing when it is nearly full.
        resource("server", "mail-guest/postfix", parent: "mail-guest")
        let spool = noise.uniform(20e9...80e9), spoolFull = end - Int64(noise.uniform(4...10) * 3_600_000)
        let spoolUsed = times.map { t -> (Int64, Double) in
            (t, min(spool, spool * (0.985 - 0.3 * Double(spoolFull - t) / Double(spoolFull - start)) + spool * 0.001 * noise.normal()))
        }
        gauge("mail-guest", "filesystem_size_bytes", labels: ["mountpoint": "/var/spool"], times.map { ($0, spool) })
        gauge("mail-guest", "filesystem_avail_bytes", labels: ["mountpoint": "/var/spool"], spoolUsed.map { ($0.0, spool - $0.1) })
        gauge("mail-guest/postfix", "smtp_errors_per_second", spoolUsed.map { point in
            (point.0, (point.1 >= 0.98 * spool ? noise.uniform(2...5) : 0) + 0.02 * abs(noise.normal()))
        })
        fillTruth = fullAt + Int64(Double(fullAt - start) * 0.05 / 0.4)
    }

    /// When the mail guest's root filesystem is truly full.
    var fillTruth: Int64 = 0
    /// When Tomcat's heap truly reaches its maximum.
    var heapFullTruth: Int64 = 0
    /// When nginx's configuration was changed.
    var changeTime: Int64 = 0
}
