import Synchronization
import StrataCore

/// What the agent needs to act on one of its resources.
enum ControlTarget: Sendable, Equatable {
    /// The agent's own platform (the host it runs on).
    case platform
    /// A server the discovery found, by its main process.
    case server(ServerProcess)
    /// A server the agent found before (since it started, or in an earlier run: `ServerLaunchBook`) that is not
    /// running now: only `start` applies.
    case stoppedServer(ServerLaunch, ServerLifecycle)
    /// A VM of a hypervisor the agent collects.
    case vm(uri: String, uuid: String)
    /// A container the container collector found, by its cgroup directories (`ContainerInfo`'s `v2` and `v1`).
    case container(v2: String?, v1: [String: String])
    /// A hypervisor the agent collects (VM failover starts a VM there).
    case hypervisor(uri: String)
}

/// A discovered server's main process as the discovery last saw it, and what its plugin declares.
struct ServerProcess: Sendable, Equatable {
    /// The plugin's type, e.g. `nginx` (the server's `type`).
    var type: String
    /// Its main process.
    var pid: Int32
    /// The main process's start time in clock ticks after boot: with the pid, it tells the same process from a later
    /// one that reuses the pid.
    var startTicks: UInt64
    /// The actions its plugin declares, with their signals (`ServerPlugin.controlActions`).
    var declared: [ControlAction]
    /// What it was started with and how its plugin starts, stops and reloads it; nil when the agent could not read
    /// its launch record (signals only, no start).
    var launch: ServerLaunch? = nil
    var lifecycle: ServerLifecycle? = nil
}

/// The targets one collector found in its last run, by resource key.
struct ControlTargets: Sendable {
    /// The collector's name: its targets replace those of its previous run.
    var source: String
    /// Resource key → target.
    var targets: [String: ControlTarget]
}

/// The resources the agent may act on, updated by the collection loop after each collection and read by the
/// command thread, behind a lock (a command check reads it once; a collection replaces a source's map).
final class ControlRegistry: Sendable {
    private let state = Mutex<(platformKey: String?, sources: [String: [String: ControlTarget]])>((nil, [:]))

    init() {}

    /// Notes the platform's key and the targets of the collectors that reported this time (others keep theirs).
    func update(platformKey: String?, targets: [ControlTargets]) {
        state.withLock { state in
            if let platformKey { state.platformKey = platformKey }
            for found in targets { state.sources[found.source] = found.targets }
        }
    }

    /// The target the resource `kind`/`key` names, nil when it is not one the agent currently knows.
    func target(kind: ResourceKind, key: String) -> ControlTarget? {
        state.withLock { state in
            if kind == .platform { return key == state.platformKey ? .platform : nil }
            for targets in state.sources.values {
                guard let target = targets[key] else { continue }
                switch (kind, target) {
                case (.server, .server), (.server, .stoppedServer), (.vm, .vm), (.container, .container), (.hypervisor, .hypervisor): return target
                default: continue
                }
            }
            return nil
        }
    }
}
