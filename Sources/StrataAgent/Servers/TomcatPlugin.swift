#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// Apache Tomcat: a `java` process running `org.apache.catalina.startup.Bootstrap`; its base directory
/// from `-Dcatalina.base`, HTTP connectors from `conf/server.xml`; JVM memory, thread pools and
/// per-connector requests from the manager's status page (`/manager/status/all?XML=true`); web
/// applications with requests, errors, processing time and sessions from the manager's JMX proxy. The
/// manager user comes from `tomcat.user`/`tomcat.password` in the credentials file and needs the roles
/// `manager-status` and `manager-jmx`; without `manager-jmx` the webapps are listed from the app base
/// directory, without their metrics.
public struct TomcatPlugin: ServerPlugin {
    public var type: String { "tomcat" }
    public var processNames: Set<String> { ["java"] }
    public var controlActions: [ControlAction] {
        [ControlAction("thread-dump", "every JVM thread's stack (jcmd Thread.print, else SIGQUIT and catalina.out)", .signal(SIGQUIT)),
         ControlAction("stop", "shut Tomcat down cleanly (SIGTERM)", .signal(SIGTERM))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        process.name == "java" && process.arguments.contains("org.apache.catalina.startup.Bootstrap")
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "tomcat:\(Self.base(process.arguments))"
    }

    /// `-Dcatalina.base` (else `-Dcatalina.home`).
    static func base(_ arguments: [String]) -> String {
        for prefix in ["-Dcatalina.base=", "-Dcatalina.home="] {
            if let argument = arguments.first(where: { $0.hasPrefix(prefix) }) { return String(argument.dropFirst(prefix.count)) }
        }
        return "/var/lib/tomcat10"
    }

    public var launchEnvironment: [String] {
        ["CATALINA_*", "JAVA_HOME", "JAVA_OPTS", "JRE_HOME", "JPDA_*", "JSSE_OPTS", "LOGGING_*", "CLASSPATH", "UMASK", "USE_NOHUP"]
    }

    /// `CATALINA_HOME/bin/catalina.sh start` with the same `CATALINA_HOME`, `CATALINA_BASE` and `JAVA_OPTS`/
    /// `CATALINA_OPTS` the JVM had (its environment, else its `-Dcatalina.home`/`-Dcatalina.base`); `catalina.sh stop`
    /// when `server.xml` has a shutdown port, else SIGTERM (the JVM's shutdown hook stops Tomcat cleanly). No reload:
    /// a JVM ends on SIGHUP.
    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        guard let home = launch.setting("CATALINA_HOME", property: "catalina.home") else {
            return ServerLifecycle(start: nil, cannotStart: "the JVM shows no CATALINA_HOME or -Dcatalina.home", stop: .signal(SIGTERM), reload: nil)
        }
        let base = launch.setting("CATALINA_BASE", property: "catalina.base") ?? home
        let script = home + "/bin/catalina.sh"
        let shutdownPort = fs.read(base + "/conf/server.xml", limit: 1 << 20).flatMap(Self.shutdownPort)
        var lifecycle = ServerLifecycle(start: .launch([script, "start"]), stop: shutdownPort == nil ? .signal(SIGTERM) : .run([script, "stop"]),
                                        reload: nil)
        lifecycle.environment = ["CATALINA_HOME": home, "CATALINA_BASE": base]
        return lifecycle
    }

    /// The shutdown port of `<Server port=…>`, nil when it is disabled (`-1`) or absent.
    static func shutdownPort(_ serverXML: String) -> UInt16? {
        guard let server = XMLTags(serverXML).tags.first(where: { $0.name == "Server" }),
              let port = server.attributes["port"].flatMap({ UInt16($0) }), port > 0 else { return nil }
        return port
    }

    /// HTTP connector ports and the app base directory from `server.xml`.
    static func serverConfig(_ text: String) -> (httpPorts: [UInt16], appBase: String) {
        var ports: [UInt16] = []
        var appBase = "webapps"
        for tag in XMLTags(text).tags {
            if tag.name == "Connector", let port = tag.attributes["port"].flatMap({ UInt16($0) }),
               !(tag.attributes["protocol"] ?? "").uppercased().contains("AJP") {
                ports.append(port)
            }
            if tag.name == "Host", let base = tag.attributes["appBase"] { appBase = base }
        }
        return (ports, appBase)
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let base = Self.base(process.arguments)
        let serverXML = base + "/conf/server.xml"
        let config = context.fs.read(serverXML).map(Self.serverConfig) ?? (httpPorts: [], appBase: "webapps")
        let appBase = config.appBase.hasPrefix("/") ? config.appBase : base + "/" + config.appBase
        var report = ServerReport(key: key(for: process, context: context), name: "tomcat \(base)",
                                  properties: [("type", .string("tomcat")), ("executable", .string(process.executable)),
                                               ("catalina_base", .string(base)),
                                               ("config_files", .list(["server.xml", "context.xml", "web.xml", "tomcat-users.xml"].map { .string(base + "/conf/" + $0) })),
                                               ("log_directory", .string(base + "/logs")),
                                               ("log_files", .list(["catalina.out", "catalina.*.log", "localhost.*.log"].map { .string(base + "/logs/" + $0) })),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        let authorization = "Basic " + Base64.encode(Array("\(context.settings["tomcat.user"] ?? "strata"):\(context.settings["tomcat.password"] ?? "")".utf8))
        let ports = config.httpPorts.filter(process.listeningPorts.contains)
        let candidates = context.settings["tomcat.manager_url"].map { [$0] } ?? (ports.isEmpty ? process.listeningPorts : ports).map {
            "http://127.0.0.1:\($0)/manager"
        }
        let headers = [("Authorization", authorization)]
        let found = StatusPage.first(candidates.map { $0 + "/status/all?XML=true" }, what: "a manager status document", headers: headers,
                                     timeoutMs: context.timeoutMs, parse: { $0.text.contains("<status>") ? $0.text : nil })
        guard case .success(let page) = found else {
            if case .failure(let failure) = found { report.status = .failed(failure.description) }
            return report
        }
        let managerURL = String(page.url.dropLast("/status/all?XML=true".count))
        report.properties.append(("manager_url", .string(managerURL)))
        Self.recordStatus(page.parsed, into: &report.metrics)
        func jmx(_ query: String) -> String? {
            guard var client = try? HTTPClient(baseURL: managerURL) else { return nil }
            client.timeoutMs = context.timeoutMs
            guard let response = try? client.send(method: "GET", path: "/jmxproxy/?qry=" + query, headers: headers),
                  response.status == 200, response.text.hasPrefix("OK") else { return nil }
            return response.text
        }
        if let modules = jmx("Catalina:j2eeType=WebModule,*") {
            if let info = jmx("Catalina:type=Server").flatMap({ Self.jmxBeans($0).first?["serverInfo"] }), let slash = info.firstIndex(of: "/") {
                report.properties.append(("version", .string(String(info[info.index(after: slash)...].prefix { $0 != " " }))))
            }
            report.services = Self.webapps(modules: Self.jmxBeans(modules), managers: Self.jmxBeans(jmx("Catalina:type=Manager,*") ?? ""))
        } else {
            // Without manager-jmx: the webapps the app base holds, without their readings.
            report.services = context.fs.list(appBase).sorted().filter { !$0.hasSuffix(".war") && !$0.hasPrefix(".") }.map { name in
                let path = name == "ROOT" ? "/" : "/" + name
                return ServiceReport(key: path, name: path, properties: [("kind", .string("webapp")), ("path", .string(path)),
                                                                        ("doc_base", .string(appBase + "/" + name))])
            }
        }
        return report
    }

    /// JVM memory and per-connector readings of the manager's XML status.
    static func recordStatus(_ text: String, into sink: inout MetricSink) {
        var connector = ""
        var heap = (used: 0.0, committed: 0.0)
        var nonHeap = (used: 0.0, committed: 0.0)
        for tag in XMLTags(text).tags {
            let attributes = tag.attributes
            func number(_ name: String) -> Double? { attributes[name].flatMap { Double($0) } }
            switch tag.name {
            case "memory":
                if let free = number("free") { sink.gauge("tomcat_jvm_memory_free_bytes", free) }
                if let total = number("total") { sink.gauge("tomcat_jvm_memory_total_bytes", total) }
                if let max = number("max") { sink.gauge("tomcat_jvm_memory_max_bytes", max) }
            case "memorypool":
                let used = number("usageUsed") ?? 0
                let committed = number("usageCommitted") ?? 0
                if attributes["type"] == "Heap memory" {
                    heap.used += used; heap.committed += committed
                } else {
                    nonHeap.used += used; nonHeap.committed += committed
                }
            case "connector":
                connector = (attributes["name"] ?? "").filter { $0 != "\"" }
            case "threadInfo":
                let labels: Labels = ["connector": connector]
                if let value = number("maxThreads") { sink.gauge("tomcat_threads_max", value, labels) }
                if let value = number("currentThreadCount") { sink.gauge("tomcat_threads", value, labels) }
                if let value = number("currentThreadsBusy") { sink.gauge("tomcat_threads_busy", value, labels) }
            case "requestInfo":
                let labels: Labels = ["connector": connector]
                if let value = number("requestCount") { sink.counter("tomcat_requests_total", value, labels) }
                if let value = number("errorCount") { sink.counter("tomcat_errors_total", value, labels) }
                if let value = number("processingTime") { sink.counter("tomcat_processing_time_ms_total", value, labels) }
                if let value = number("maxTime") { sink.gauge("tomcat_request_max_time_ms", value, labels) }
                if let value = number("bytesReceived") { sink.counter("tomcat_received_bytes_total", value, labels) }
                if let value = number("bytesSent") { sink.counter("tomcat_sent_bytes_total", value, labels) }
            default: continue
            }
        }
        sink.gauge("tomcat_jvm_memory_used_bytes", heap.used, ["area": "heap"])
        sink.gauge("tomcat_jvm_memory_committed_bytes", heap.committed, ["area": "heap"])
        sink.gauge("tomcat_jvm_memory_used_bytes", nonHeap.used, ["area": "nonheap"])
        sink.gauge("tomcat_jvm_memory_committed_bytes", nonHeap.committed, ["area": "nonheap"])
    }

    /// The beans of a JMX proxy answer (`OK - Number of results: N`, then `Name: …` blocks of `key: value`).
    static func jmxBeans(_ text: String) -> [[String: String]] {
        var beans: [[String: String]] = []
        var current: [String: String] = [:]
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.trimmingSpaces.isEmpty {
                if !current.isEmpty { beans.append(current); current = [:] }
                continue
            }
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("OK") else { continue }
            current[String(line[..<colon])] = line[line.index(after: colon)...].trimmingSpaces
        }
        if !current.isEmpty { beans.append(current) }
        return beans
    }

    /// One service per web module, with the session readings of its manager bean.
    static func webapps(modules: [[String: String]], managers: [[String: String]]) -> [ServiceReport] {
        var sessionsByContext: [String: [String: String]] = [:]
        for bean in managers {
            guard let name = bean["Name"], let range = name.firstRange(of: "context=") else { continue }
            sessionsByContext[String(name[range.upperBound...].prefix { $0 != "," })] = bean
        }
        var services: [ServiceReport] = []
        for module in modules {
            guard let rawPath = module["path"] else { continue }
            let path = rawPath.isEmpty ? "/" : rawPath
            var service = ServiceReport(key: path, name: path, properties: [("kind", .string("webapp")), ("path", .string(path))])
            if let docBase = module["docBase"] { service.properties.append(("doc_base", .string(docBase))) }
            if let display = module["displayName"], !display.isEmpty { service.properties.append(("display_name", .string(display))) }
            if let state = module["stateName"] { service.properties.append(("state", .string(state))) }
            func number(_ bean: [String: String]?, _ name: String) -> Double? { bean?[name].flatMap { Double($0) } }
            if let value = number(module, "requestCount") { service.metrics.counter("tomcat_webapp_requests_total", value) }
            if let value = number(module, "errorCount") { service.metrics.counter("tomcat_webapp_errors_total", value) }
            if let value = number(module, "processingTime") { service.metrics.counter("tomcat_webapp_processing_time_ms_total", value) }
            let manager = sessionsByContext[rawPath]
            if let value = number(manager, "activeSessions") { service.metrics.gauge("tomcat_webapp_sessions_active", value) }
            if let value = number(manager, "sessionCounter") { service.metrics.counter("tomcat_webapp_sessions_created_total", value) }
            if let value = number(manager, "expiredSessions") { service.metrics.counter("tomcat_webapp_sessions_expired_total", value) }
            if let value = number(manager, "rejectedSessions") { service.metrics.counter("tomcat_webapp_sessions_rejected_total", value) }
            services.append(service)
        }
        return services.sorted { $0.key < $1.key }
    }
}
