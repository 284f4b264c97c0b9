import CStrataVirt
import Foundation
import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

/// Server actions on a real nginx and VM actions on libvirt's test driver.
@Suite(.serialized) struct ServerAndVMControlTests {
    let fs = HostFS(root: "/")
    var processes: ProcessControl { ProcessControl(fs: fs) }

    func waitFor(_ what: String, seconds: Int = 10, _ condition: () -> Bool) {
        for _ in 0..<(seconds * 100) where !condition() { usleep(10_000) }
        #expect(condition(), "\(what)")
    }

    /// nginx in the foreground with two workers, its files in a temporary directory.
    static func startNginx() throws -> (process: Process, directory: String) {
        let directory = NSTemporaryDirectory() + "strata-nginx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let probe = Loopback.listen()
        close(probe.fd)
        let port = probe.port
        let config = """
            worker_processes 2;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 16; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body; proxy_temp_path \(directory)/proxy; fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi; scgi_temp_path \(directory)/scgi;
                server { listen 127.0.0.1:\(port); location / { return 200 "hello\\n"; } }
            }

            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-c", directory + "/nginx.conf", "-g", "daemon off;"]
        try process.run()
        return (process, directory)
    }

    func workers(of master: Int32) -> Set<Int32> { Set(processes.tree(of: master).dropFirst()) }

    /// Runs `body` with nginx started (its master's pid, its directory) and both workers up; stops nginx after.
    func withNginx(_ body: (Process, Int32, String) throws -> Void) throws {
        let (nginx, directory) = try Self.startNginx()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let master = nginx.processIdentifier
        waitFor("two workers") { workers(of: master).count == 2 }
        try body(nginx, master, directory)
    }

    @Test func nginxReloadsWithNewWorkersFreezesAndThaws() throws { try withNginx { nginx, master, directory in
        let server = ServerProcess(type: "nginx", pid: master, startTicks: try #require(processes.startTicks(master)),
                                   declared: NginxPlugin().controlActions)
        let preparation = ActionPreparation(fs: fs, actionsDirectory: "/nonexistent")
        let key = "machine-id:x/nginx:\(directory)/nginx.conf"
        func prepare(_ action: String, _ parameters: [String: String] = [:]) throws -> PreparedAction {
            try preparation.prepare(action, parameters, server: server, key: key).get()
        }
        guard case .signal(SIGQUIT, [master], _) = try prepare("graceful-stop") else { Issue.record("nginx stops gracefully on SIGQUIT"); return }
        guard case .signal(SIGTERM, [master], _) = try prepare("stop") else { Issue.record("stop is SIGTERM"); return }

        let before = workers(of: master)
        let reload = try prepare("reload").run(fs: fs)
        #expect(reload.succeeded && reload.message == "sent SIGHUP to pid \(master) of nginx server \(key)")
        waitFor("new workers after the reload") { let now = workers(of: master); return now.count == 2 && now.isDisjoint(with: before) }
        #expect(nginx.isRunning && processes.startTicks(master) == server.startTicks, "the master stays")

        let family = processes.tree(of: master)
        // freeze, throttle-cpu, limit-memory: each in the agent's cgroup strata-server-PID, given up by its opposite.
        for (action, parameters, undo) in [("freeze", [:], "thaw"), ("throttle-cpu", ["percent": "50"], "unthrottle-cpu"),
                                           ("limit-memory", ["size": "67108864"], "unlimit-memory")] {
            let done = try prepare(action, parameters).run(fs: fs)
            let cgroup = try #require(done.message.split(separator: "in cgroup ").last?.split(separator: ",").first.map(String.init), "\(done.message)")
            #expect(done.succeeded && cgroup.hasSuffix("/strata-server-\(master)")
                    && done.message.hasSuffix("holding 3 processes (\(family.map(String.init).joined(separator: ", "))) of nginx server \(key)"), "\(done.message)")
            #expect(Set(CgroupFiles(fs: fs).processes(cgroup)) == Set(family))
            let undone = try prepare(undo).run(fs: fs)
            #expect(undone.succeeded && !fs.exists(cgroup), "\(undone.message)")
        }
        waitFor("every nginx process running") { family.allSatisfy { processes.state($0) == "S" } }
        let renice = try prepare("renice", ["priority": "4"]).run(fs: fs)
        #expect(renice.succeeded && family.allSatisfy { processes.nice($0) == 4 })

        nginx.terminate()
        nginx.waitUntilExit()
        #expect(preparation.prepare("reload", [:], server: server, key: key).failure?.description.hasPrefix("the main process of \(key) (pid \(master)) has exited") == true)
    } }

    @Test func aTestDriverVMIsPausedResumedAndSnapshotted() throws {
        // The test driver's default host is shared by every connection of this process while one is open.
        let observer = try LibvirtConnection(uri: "test:///default", readWrite: true)
        let domain = try #require(try observer.domains().first)
        let uuid = domain.uuid
        func state() throws -> Int32 { try observer.domains().first { $0.uuid == uuid }?.info.state ?? -1 }
        func run(_ action: String, _ snapshot: String? = nil) -> ActionOutcome {
            PreparedAction.vm(action: action, uri: "test:///default", uuid: uuid, snapshot: snapshot).run(fs: fs)
        }
        #expect(try state() == 1)
        let suspend = run("suspend")
        #expect(suspend.succeeded && suspend.message == "paused VM \(uuid) on test:///default")
        #expect(try state() == 3, "paused")
        #expect(run("resume").succeeded)
        #expect(try state() == 1, "running")

        #expect(run("snapshot-create", "before-upgrade").succeeded)
        #expect(try observer.hasSnapshot(uuid, named: "before-upgrade"))
        #expect(run("suspend").succeeded)
        let revert = run("snapshot-revert", "before-upgrade")
        #expect(revert.succeeded, "\(revert.message)")
        #expect(try state() == 1, "back to the running state the snapshot holds")
        #expect(run("snapshot-delete", "before-upgrade").succeeded)
        #expect(try !observer.hasSnapshot(uuid, named: "before-upgrade"))
        let missing = run("snapshot-revert", "never-taken")
        #expect(!missing.succeeded && missing.message.contains("never-taken"))
        #expect(!run("resume").succeeded, "resuming a running VM fails with libvirt's reason")
    }

    @Test func aFailoverStartDefinesTheDomainFromItsDefinitionStartsItOnceAndRefusesAnotherDomainsDefinition() throws {
        let observer = try LibvirtConnection(uri: "test:///default", readWrite: true)
        let uuid = "fa11fa11-0000-4000-8000-000000000001"
        let definition = "<domain type='test'>  <name>failover-probe</name> <uuid>\(uuid)</uuid> <memory>65536</memory> "
            + "<os><type>hvm</type></os> </domain>"
        defer {
            try? observer.destroy(uuid)
            try? observer.undefine(uuid)
        }
        let preparation = ActionPreparation(fs: fs, actionsDirectory: "/nonexistent")
        func prepared(_ parameters: [String: String]) -> Result<PreparedAction, CommandRefusal> {
            let command = ControlCommand(id: "f1", agentID: "a", resourceKind: .hypervisor, resourceKey: "m/libvirt:test:///default",
                                         action: "failover-start", parameters: [], issuedMs: 0, deadlineMs: 1)
            return preparation.prepare(CheckedCommand(command: command, target: .hypervisor(uri: "test:///default"), parameters: parameters))
        }
        guard case .failure(let refusal) = prepared(["uuid": "6695eb01-f6a4-8304-79aa-97f2502e193f", "definition": definition]) else {
            Issue.record("another domain's definition was accepted")
            return
        }
        #expect(refusal.description.contains("not that of domain"))
        let action = try prepared(["uuid": uuid, "definition": definition]).get()
        let first = action.run(fs: fs)
        #expect(first.succeeded && first.message.contains("defined VM \(uuid)"), "\(first.message)")
        #expect(try observer.domains().first { $0.uuid == uuid }?.info.state == 1, "running")
        let second = action.run(fs: fs)
        #expect(second.succeeded && second.message.contains("already runs"), "started once: \(second.message)")
    }

    @Test func theRegistryNamesResourcesByTheKeysTheBatchesReport() throws { try withNginx { _, master, directory in
        let hold = try LibvirtConnection(uri: "test:///default")
        let uuid = try #require(try hold.domains().first?.uuid)
        var builder = BatchBuilder(fs: fs, intervalMs: 10_000, refreshEvery: 1,
                                   collectors: [ServerDiscovery(fs: fs), HypervisorCollector(uris: ["test:///default"])])
        let batch = builder.build(agentID: "agent", sequence: 1, timestampMs: 1_700_000_000_000)
        let registry = ControlRegistry()
        registry.update(platformKey: builder.platform?.identityKey, targets: builder.controlTargets)

        let platformKey = try #require(batch.resources.first { $0.kind == .platform }?.key)
        #expect(registry.target(kind: .platform, key: platformKey) == .platform)
        #expect(registry.target(kind: .platform, key: platformKey + "x") == nil)
        let nginxKey = try #require(batch.resources.first { $0.kind == .server && $0.key.hasSuffix("nginx:\(directory)/nginx.conf") }?.key)
        guard case .server(let server)? = registry.target(kind: .server, key: nginxKey) else {
            Issue.record("nginx \(nginxKey) is a target"); return
        }
        #expect(server.pid == master && server.type == "nginx" && server.startTicks == processes.startTicks(master))
        #expect(server.declared.contains { $0.name == "graceful-stop" && $0.method == .signal(SIGQUIT) })
        #expect(registry.target(kind: .vm, key: nginxKey) == nil, "a key names a resource of its own kind only")
        let vmKey = ResourceKey.vm(uuid: uuid)
        #expect(batch.resources.contains { $0.kind == .vm && $0.key == vmKey })
        #expect(registry.target(kind: .vm, key: vmKey) == .vm(uri: "test:///default", uuid: uuid))
    } }
}
