#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a plugin starts, stops and reloads one of its servers, from what the agent remembered of it
/// (`ServerLaunch`): the server's own control program where it has one (`nginx -s reload`, `apache2ctl graceful`,
/// `catalina.sh start`, `pg_ctl reload`), else signals to the main process and the remembered command line. A
/// restart is `stop`, a wait until the main process is gone, then `start`. Every program runs as the server's user
/// with its kept environment, from an argument array, never through a shell.
public struct ServerLifecycle: Sendable, Equatable {
    /// One step.
    public enum Step: Sendable, Equatable {
        /// Send this signal to the main process.
        case signal(Int32)
        /// Run this control program (`argv`, `argv[0]` an absolute path) and wait for it; a non-zero exit fails.
        case run([String])
        /// Start the server from this command line in a session of its own, never the agent's child; fails when it
        /// ends with a non-zero status within the first moments (a launcher that daemonizes exits 0).
        case launch([String])
    }

    /// How to start it, nil when it cannot be started again (with `cannotStart` saying why).
    public var start: Step?
    /// Why it cannot be started, when `start` is nil.
    public var cannotStart: String
    /// How to stop it.
    public var stop: Step
    /// How to make it re-read its configuration, nil when it cannot (a JVM ends on SIGHUP).
    public var reload: Step?
    /// Variables set for its programs over the server's kept environment (Tomcat's `CATALINA_HOME`).
    public var environment: [String: String] = [:]

    /// A lifecycle.
    public init(start: Step?, cannotStart: String = "", stop: Step, reload: Step?) {
        self.start = start
        self.cannotStart = cannotStart
        self.stop = stop
        self.reload = reload
    }

    /// Signals and the remembered command line: start runs the executable with the arguments it had, stop and
    /// reload are the plugin's declared `stop`/`reload` signals, else SIGTERM and SIGHUP.
    public static func signals(_ launch: ServerLaunch, declared: [ControlAction]) -> ServerLifecycle {
        func signal(_ name: String, else fallback: Int32) -> Int32 {
            for entry in declared where entry.name == name { if case .signal(let number) = entry.method { return number } }
            return fallback
        }
        return ServerLifecycle(start: .launch([launch.executable] + launch.arguments), stop: .signal(signal("stop", else: SIGTERM)),
                               reload: .signal(signal("reload", else: SIGHUP)))
    }
}

extension ServerPlugin {
    public var launchEnvironment: [String] { [] }

    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        .signals(launch, declared: controlActions)
    }
}
