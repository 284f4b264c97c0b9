import Foundation
import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

/// The pure parts of starting, stopping and restarting servers: what is read from /proc (a fixture tree), which
/// environment is kept, which control program each plugin chooses, and the launch book that survives a restart.
@Suite struct ServerLifecycleTests {
    /// A fixture root with `/proc/4242` of a Tomcat JVM and the files its plugins look at.
    static func fixture() throws -> String {
        let root = NSTemporaryDirectory() + "strata-launch-\(UUID().uuidString)"
        let proc = root + "/proc/4242"
        try FileManager.default.createDirectory(atPath: proc, withIntermediateDirectories: true)
        try "Name:\tjava\nUid:\t995\t995\t995\t995\nGid:\t996\t996\t996\t996\n".write(toFile: proc + "/status", atomically: true, encoding: .utf8)
        let environ = ["PATH=/usr/bin:/bin", "CATALINA_BASE=/srv/tomcat", "CATALINA_HOME=/usr/share/tomcat10", "JAVA_OPTS=-Xmx512m",
                       "STRATA_AGENT_TOKEN=secret", "DB_PASSWORD=hunter2", "CATALINA_SECRET_KEY=x", "OLDPWD=/root", "LC_ALL=C.UTF-8"]
        try Data(environ.joined(separator: "\0").utf8).write(to: URL(fileURLWithPath: proc + "/environ"))
        try FileManager.default.createSymbolicLink(atPath: proc + "/cwd", withDestinationPath: "/srv/tomcat")
        try FileManager.default.createDirectory(atPath: root + "/srv/tomcat/conf", withIntermediateDirectories: true)
        return root
    }

    static let jvm = ProcessEntry(pid: 4242, ppid: 1, name: "java", executable: "/usr/lib/jvm/java-17/bin/java",
                                  arguments: ["/usr/lib/jvm/java-17/bin/java", "-Dcatalina.base=/srv/tomcat", "org.apache.catalina.startup.Bootstrap", "start"],
                                  uid: 995, startTicks: 77, listeningPorts: [8080])

    @Test func aLaunchRecordHoldsTheCommandLineUserDirectoryAndOnlyTheEnvironmentThatMatters() throws {
        let root = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launch = try #require(ServerLaunch.read(Self.jvm, type: "tomcat", keep: TomcatPlugin().launchEnvironment, configFiles: [],
                                                    fs: HostFS(root: root)))
        #expect(launch.executable == "/usr/lib/jvm/java-17/bin/java" && launch.arguments.last == "start")
        #expect(launch.uid == 995 && launch.gid == 996 && launch.workingDirectory == "/srv/tomcat" && launch.ports == [8080])
        #expect(launch.environment == ["PATH": "/usr/bin:/bin", "CATALINA_BASE": "/srv/tomcat", "CATALINA_HOME": "/usr/share/tomcat10",
                                       "JAVA_OPTS": "-Xmx512m", "LC_ALL": "C.UTF-8"],
                "the agent's token, anything named like a secret and what no plugin asked for are left out")
    }

    @Test func secretsAndTheAgentsOwnVariablesAreNeverKeptWhateverAPluginAsks() {
        let kept = LaunchEnvironment.kept(["STRATA_URL": "x", "MY_TOKEN": "t", "API_KEY": "k", "APP_HOME": "/a", "APP_PASSWD": "p", "TZ": "UTC"],
                                          keep: ["APP_*", "STRATA_*", "MY_TOKEN"])
        #expect(kept == ["APP_HOME": "/a", "TZ": "UTC"])
    }

    @Test func tomcatStartsThroughCatalinaWithItsHomeAndBaseAndStopsThroughTheShutdownPortWhenItHasOne() throws {
        let root = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = HostFS(root: root)
        var launch = try #require(ServerLaunch.read(Self.jvm, type: "tomcat", keep: TomcatPlugin().launchEnvironment, configFiles: [], fs: fs))
        launch.environment["CATALINA_HOME"] = nil
        launch.commandLine.insert("-Dcatalina.home=/opt/tomcat", at: 1)
        try #"<Server port="-1" shutdown="SHUTDOWN"><Service/></Server>"#.write(toFile: root + "/srv/tomcat/conf/server.xml", atomically: true, encoding: .utf8)
        let disabled = TomcatPlugin().lifecycle(launch, fs: fs)
        #expect(disabled.start == .launch(["/opt/tomcat/bin/catalina.sh", "start"]))
        #expect(disabled.stop == .signal(SIGTERM) && disabled.reload == nil, "no shutdown port: SIGTERM; a JVM has no reload")
        #expect(disabled.environment == ["CATALINA_HOME": "/opt/tomcat", "CATALINA_BASE": "/srv/tomcat"])
        try #"<Server port="8005" shutdown="SHUTDOWN"/>"#.write(toFile: root + "/srv/tomcat/conf/server.xml", atomically: true, encoding: .utf8)
        #expect(TomcatPlugin().lifecycle(launch, fs: fs).stop == .run(["/opt/tomcat/bin/catalina.sh", "stop"]))
    }

    @Test func nginxIsControlledWithTheOptionsItsMasterTitleShows() {
        let title = ["nginx: master process /usr/sbin/nginx -c /srv/nginx.conf -p /srv -g daemon off; pid /run/x.pid;"]
        #expect(NginxPlugin.options(title) == ["-c", "/srv/nginx.conf", "-p", "/srv", "-g", "daemon off; pid /run/x.pid;"])
        #expect(NginxPlugin.options(["nginx: master process /usr/sbin/nginx"]) == [])
        let launch = ServerLaunch(type: "nginx", executable: "/usr/sbin/nginx", commandLine: title, uid: 0, gid: 0)
        let lifecycle = NginxPlugin().lifecycle(launch, fs: HostFS())
        #expect(lifecycle.reload == .run(["/usr/sbin/nginx", "-c", "/srv/nginx.conf", "-p", "/srv", "-g", "daemon off; pid /run/x.pid;", "-s", "reload"]))
        #expect(lifecycle.start == .launch(["/usr/sbin/nginx", "-c", "/srv/nginx.conf", "-p", "/srv", "-g", "daemon off; pid /run/x.pid;"]))
    }

    @Test func apacheUsesApache2ctlForThePackagedSetupAndHttpdMinusKWithItsOwnConfiguration() {
        let packaged = ServerLaunch(type: "apache", executable: "/usr/sbin/apache2", commandLine: ["/usr/sbin/apache2", "-k", "start"], uid: 0, gid: 0)
        #expect(ApachePlugin.controlProgram(packaged, exists: { $0 == "/usr/sbin/apache2ctl" }) == ["/usr/sbin/apache2ctl"])
        #expect(ApachePlugin.controlProgram(packaged, exists: { _ in false }) == ["/usr/sbin/apache2", "-k"])
        let own = ServerLaunch(type: "apache", executable: "/usr/sbin/apache2",
                               commandLine: ["/usr/sbin/apache2", "-f", "/srv/httpd.conf", "-DFOREGROUND", "-D", "SSL"], uid: 0, gid: 0)
        #expect(ApachePlugin.controlProgram(own, exists: { _ in true }) == ["/usr/sbin/apache2", "-f", "/srv/httpd.conf", "-DFOREGROUND", "-D", "SSL", "-k"])
    }

    @Test func postgresqlUsesPgCtlWithItsDataDirectoryAndRedisNeedsAConfigurationFileToStart() throws {
        let root = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/usr/lib/postgresql/15/bin", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/usr/lib/postgresql/15/bin/pg_ctl", contents: Data())
        let postgres = ServerLaunch(type: "postgresql", executable: "/usr/lib/postgresql/15/bin/postgres",
                                    commandLine: ["postgres", "-D", "/srv/pg", "-p", "5433"], uid: 104, gid: 104)
        let lifecycle = PostgresPlugin().lifecycle(postgres, fs: HostFS(root: root))
        #expect(lifecycle.reload == .run(["/usr/lib/postgresql/15/bin/pg_ctl", "reload", "-D", "/srv/pg"]))
        #expect(lifecycle.start == .launch(["/usr/lib/postgresql/15/bin/postgres", "-D", "/srv/pg", "-p", "5433"]))
        #expect(PostgresPlugin().lifecycle(postgres, fs: HostFS(root: root + "/nowhere")).reload == .signal(SIGHUP), "no pg_ctl: signals")
        let redis = ServerLaunch(type: "redis", executable: "/usr/bin/redis-server", commandLine: ["/usr/bin/redis-server 127.0.0.1:6379"], uid: 0, gid: 0)
        #expect(RedisPlugin().lifecycle(redis, fs: HostFS()).start == nil)
        var configured = redis
        configured.configFiles = ["/etc/redis/redis.conf"]
        #expect(RedisPlugin().lifecycle(configured, fs: HostFS()).start == .launch(["/usr/bin/redis-server", "/etc/redis/redis.conf"]))
    }

    @Test func theLaunchBookSurvivesAnAgentRestartThroughItsFile() throws {
        let root = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/server-launches.json"
        let launch = ServerLaunch(type: "nginx", executable: "/usr/sbin/nginx", commandLine: ["nginx: master process /usr/sbin/nginx -c /a b.conf"],
                                  workingDirectory: "/srv", uid: 33, gid: 34, environment: ["PATH": "/bin", "LANG": "C"], configFiles: ["/a"], ports: [80])
        let book = ServerLaunchBook(path: path) { NginxPlugin().lifecycle($0, fs: HostFS()) }
        try book.note("nginx:/a b.conf", process: ProcessEntry(pid: 9, ppid: 1, name: "nginx", executable: "", arguments: [], uid: 33, startTicks: 5,
                                                               listeningPorts: [80])) {
            ServerLaunchBook.Entry(launch: launch, lifecycle: NginxPlugin().lifecycle(launch, fs: HostFS()), pid: 9, startTicks: 5)
        }
        var mode = stat()
        #expect(stat(path, &mode) == 0 && mode.st_mode & 0o777 == 0o600)
        let reloaded = ServerLaunchBook(path: path) { NginxPlugin().lifecycle($0, fs: HostFS()) }
        #expect(reloaded.entry("nginx:/a b.conf")?.launch == launch)
        #expect(reloaded.entry("nginx:/a b.conf")?.lifecycle.start == .launch(["/usr/sbin/nginx", "-c", "/a"]), "words of the title: a path with a space is cut")
    }

    @Test func everyServerOffersStartAndRestartAndOnlyTomcatAThreadDump() throws {
        let nginx = ActionCatalog.actions(kind: .server, serverType: "nginx").map(\.name)
        #expect(nginx.contains("start") && nginx.contains("restart") && !nginx.contains("thread-dump"))
        #expect(try ActionCatalog.action("thread-dump", kind: .server, serverType: "tomcat").parameters.isEmpty)
        #expect(throws: ControlError.self) { try ActionCatalog.action("thread-dump", kind: .server, serverType: "redis") }
    }
}
