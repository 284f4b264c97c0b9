import Foundation
import StrataCore
@testable import StrataAnalysis

extension RootCauseScenario {
    /// The seed's CRM story: a host with five VMs; the CRM VM runs Apache, Tomcat with three webapps and MySQL;
    /// traffic grows towards the quarter's end; one webapp (drawn by the seed) leaks memory per request into Tomcat's
    /// heap; garbage collection near the heap's maximum drives the VM's CPU up. Symptom: the VM's CPU, last 2 days.
    static func crm(seed: UInt64) -> RootCauseScenario {
        var noise = Noise(seed)
        let days = 14, times = times(days: days)
        let windowFrom = times.last! - 2 * day
        let apps = ["/portal", "/shop", "/admin", "/reports", "/api", "/billing"].shuffled(using: &noise.random).prefix(3).map { $0 }
        let leaking = noise.pick(Array(apps.indices))
        let heapMax = noise.uniform(2e9...4e9)
        let growth = 1 + noise.uniform(0.02...0.05)               // traffic grows this much a day towards quarter end
        let rates = apps.map { _ in noise.uniform(2...8) }          // requests per second at the rhythm's peak
        // Each webapp has its own day: its peak hour and how much quieter it is at night.
        let peaks = apps.indices.map { Double($0) / Double(apps.count) + noise.uniform(0...0.1) }
        let depths = apps.map { _ in noise.uniform(0.3...0.8) }
        func appRhythm(_ index: Int, _ t: Int64) -> Double {
            1 - depths[index] * (0.5 + 0.5 * cos(2 * Double.pi * (Double(t % day) / Double(day) - peaks[index])))
        }
        let perRequest = 0.55 * heapMax / (rates[leaking] * 0.7 * 300 * Double(times.count)) // ≈ 55 % of the heap over the run
        let restart = times[Int(noise.uniform(0.1...0.25) * Double(times.count))]
        var counters = Array(repeating: 0.0, count: apps.count), heap = 0.2 * heapMax
        var vmCPU: [TimePoint] = [], heapPoints: [TimePoint] = [], counterPoints = Array(repeating: [TimePoint](), count: apps.count)
        var apache: [TimePoint] = [], apacheCount = 0.0, mysql: [TimePoint] = [], mysqlCount = 0.0
        var lastHeapDeterministic = heap
        for t in times {
            let load = pow(growth, Double(t) / Double(day))
            var total = 0.0
            for index in apps.indices {
                let perSecond = max(0, rates[index] * appRhythm(index, t) * load * (1 + 0.15 * noise.normal()))
                counters[index] += perSecond * 300
                total += perSecond
                counterPoints[index].append(TimePoint(t, counters[index]))
                if index == leaking { heap += perSecond * 300 * perRequest }
            }
            if t == restart { heap = 0.2 * heapMax }
            lastHeapDeterministic = heap
            let used = min(heapMax, heap + 0.005 * heapMax * noise.normal())
            heapPoints.append(TimePoint(t, max(0, used)))
            apacheCount += total * 300 * 1.1
            apache.append(TimePoint(t, apacheCount))
            mysqlCount += total * 300 * 3
            mysql.append(TimePoint(t, mysqlCount))
            let pressure = max(0, (heap / heapMax - 0.55) / 0.45)
            vmCPU.append(TimePoint(t, min(1, 0.08 + 0.012 * total + 0.6 * pressure * pressure + 0.02 * noise.normal())))
        }
        // The truth: the same growth carried on (expected traffic) until the heap reaches its maximum.
        var t = times.last!, expected = lastHeapDeterministic
        while expected < heapMax && t < times.last! + 365 * day {
            t += step
            expected += rates[leaking] * appRhythm(leaking, t) * pow(growth, Double(t) / Double(day)) * 300 * perRequest
        }
        let vm = "vm-crm-\(seed)", guest = "guest-crm-\(seed)", tomcat = "tomcat-\(seed)"
        var signals: [Signal] = [
            gauge(guest, "crm guest", "platform", "cpu_usage_ratio", "the VM's guest OS", 1, vmCPU.map { TimePoint($0.t, $0.v * 0.98) }),
            gauge(tomcat, "Tomcat on crm", "server", "jvm_heap_used_bytes", "a server in the VM", 2, role: .memory(limit: heapMax), server: tomcat,
                  restarts: [restart], heapPoints),
            gauge("apache-\(seed)", "Apache on crm", "server", "http_requests_total", "a server in the VM", 2, role: .workload, server: "apache-\(seed)", apache),
            gauge("mysql-\(seed)", "MySQL on crm", "server", "mysql_queries_total", "a server in the VM", 2, role: .workload, server: "mysql-\(seed)", mysql),
        ]
        for (index, app) in apps.enumerated() {
            signals.append(gauge("webapp\(index)-\(seed)", "webapp \(app)", "service", "requests_total", "a service of Tomcat in the VM", 3,
                                 role: .workload, server: tomcat, counterPoints[index]))
        }
        signals += distractors(&noise, times: times, windowFrom: windowFrom, count: 4)
        let symptom = RootCauseRanker.Symptom(signal: gauge(vm, "crm", "vm", "cpu_usage_ratio", "", 0, vmCPU), from: windowFrom, to: times.last!)
        return RootCauseScenario(symptom: symptom, signals: signals, cause: "webapp\(leaking)-\(seed)", exhaustionMs: t)
    }

    /// A noisy neighbour: another VM on the same host starts a heavy job in the window; the host's CPU saturates and
    /// the symptom VM's request latency rises with it. Symptom: latency of the service in the VM.
    static func noisyNeighbour(seed: UInt64) -> RootCauseScenario {
        var noise = Noise(seed)
        let times = times(days: 7)
        let windowFrom = times.last! - day
        let start = windowFrom + Int64(noise.uniform(0.2...0.5) * Double(day))
        let vms = (0..<4).map { _ in noise.uniform(0.1...0.25) }
        let heavy = Int(noise.uniform(0...3.99))
        var cpu = vms.map { _ in [TimePoint]() }, host: [TimePoint] = [], latency: [TimePoint] = []
        for t in times {
            var sum = 0.0
            for (index, base) in vms.enumerated() {
                var v = base * (0.6 + 0.6 * rhythm(t)) + 0.02 * noise.normal()
                if index == heavy, t >= start { v += 0.45 + 0.1 * noise.normal() }
                cpu[index].append(TimePoint(t, v))
                sum += v
            }
            host.append(TimePoint(t, sum / 2 + 0.01 * noise.normal()))
            let contention = max(0, sum / 2 - 0.45)
            latency.append(TimePoint(t, 0.12 + 0.05 * rhythm(t) + 1.5 * contention + 0.01 * noise.normal()))
        }
        var signals = cpu.enumerated().map { index, values in
            gauge("vm-\(index)-\(seed)", "vm-\(index)", "vm", "cpu_usage_ratio", "a VM on the same host", 2, values)
        }
        signals.append(gauge("host-\(seed)", "host", "host", "cpu_usage_ratio", "the VM's host", 2, aggregate: true, host))
        signals += distractors(&noise, times: times, windowFrom: windowFrom, count: 3)
        let symptom = RootCauseRanker.Symptom(signal: gauge("svc-\(seed)", "checkout", "service", "request_latency_seconds", "", 0, latency),
                                              from: windowFrom, to: times.last!)
        return RootCauseScenario(symptom: symptom, signals: signals, cause: "vm-\(heavy)-\(seed)")
    }

    /// A filling disk: a guest's data disk grows steadily and fills in the window; MySQL's errors start when it is
    /// nearly full. Symptom: MySQL's error rate.
    static func fillingDisk(seed: UInt64) -> RootCauseScenario {
        var noise = Noise(seed)
        let times = times(days: 10)
        let windowFrom = times.last! - day
        let size = noise.uniform(50e9...500e9)
        let fullAt = windowFrom + Int64(noise.uniform(0.3...0.7) * Double(day))
        let perMs = size * noise.uniform(0.3...0.6) / Double(fullAt)
        var disk: [TimePoint] = [], errors: [TimePoint] = [], queries: [TimePoint] = [], count = 0.0
        for t in times {
            let used = min(size, size * 0.97 - perMs * Double(fullAt - t) + size * 0.002 * noise.normal())
            disk.append(TimePoint(t, used))
            let full = used >= size * 0.985
            errors.append(TimePoint(t, max(0, (full ? noise.uniform(3...6) : 0) + 0.05 * abs(noise.normal()))))
            count += 300 * 40 * rhythm(t) * (1 + 0.1 * noise.normal())
            queries.append(TimePoint(t, count))
        }
        let guest = "guest-db-\(seed)"
        var signals: [Signal] = [
            gauge(guest, "db guest", "platform", "filesystem_used_bytes", "the guest OS under MySQL", 1, role: .usage(limit: size), disk),
            gauge("mysql-\(seed)", "MySQL", "server", "mysql_queries_total", "the same server", 0, role: .workload, server: "mysql-\(seed)", queries),
        ]
        signals += distractors(&noise, times: times, windowFrom: windowFrom, count: 4)
        let symptom = RootCauseRanker.Symptom(signal: gauge("mysql-\(seed)", "MySQL", "server", "mysql_errors_per_second", "", 0, errors),
                                              from: windowFrom, to: times.last!)
        // A harmless change two days earlier must not win.
        let changes = [ChangeEvent(resourceID: "apache-\(seed)", resourceName: "Apache", resourceKind: "server", relation: "a server in the VM",
                                   distance: 2, time: windowFrom - 2 * day, summary: "/etc/apache2/apache2.conf changed")]
        return RootCauseScenario(symptom: symptom, signals: signals, changes: changes, cause: guest)
    }

    /// A bad configuration change: nginx's configuration is changed in the window and the site's 5xx errors rise
    /// right after; an unrelated change on another server happened earlier. Symptom: the site's error rate.
    static func badChange(seed: UInt64) -> RootCauseScenario {
        var noise = Noise(seed)
        let times = times(days: 5)
        let windowFrom = times.last! - day
        let changedAt = windowFrom + Int64(noise.uniform(0.2...0.6) * Double(day))
        var errors: [TimePoint] = [], requests: [TimePoint] = [], count = 0.0
        for t in times {
            let rate = 50 * rhythm(t) * (1 + 0.1 * noise.normal())
            count += rate * 300
            requests.append(TimePoint(t, count))
            let share = t >= changedAt ? noise.uniform(0.05...0.12) : 0.002 * abs(noise.normal())
            errors.append(TimePoint(t, rate * share))
        }
        var signals: [Signal] = [gauge("nginx-\(seed)", "nginx", "server", "nginx_requests_total", "the server of the site", 1, role: .workload,
                                       server: "nginx-\(seed)", requests)]
        signals += distractors(&noise, times: times, windowFrom: windowFrom, count: 4)
        let changes = [
            ChangeEvent(resourceID: "nginx-\(seed)", resourceName: "nginx", resourceKind: "server", relation: "the server of the site",
                        distance: 1, time: changedAt, summary: "/etc/nginx/conf.d/site.conf changed"),
            ChangeEvent(resourceID: "redis-\(seed)", resourceName: "Redis", resourceKind: "server", relation: "a server on a VM on the same host",
                        distance: 4, time: windowFrom - Int64(noise.uniform(0.5...1.5) * Double(day)), summary: "/etc/redis/redis.conf changed"),
        ]
        let symptom = RootCauseRanker.Symptom(signal: gauge("site-\(seed)", "shop site", "service", "http_errors_per_second", "", 0, errors),
                                              from: windowFrom, to: times.last!)
        return RootCauseScenario(symptom: symptom, signals: signals, changes: changes, cause: "nginx-\(seed)")
    }
}
