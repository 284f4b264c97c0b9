import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import HummingbirdTLS
import Logging
import Prometheus
import ServiceLifecycle
import StrataCatalog
import StrataInventory
import StrataTSDB

/// The Strata server: catalog, sample store, ingest, REST API and availability monitor, run as services
/// of one `ServiceGroup` that shuts down gracefully on SIGINT and SIGTERM.
public struct StrataServer: Sendable {
    /// The effective configuration.
    public let configuration: ServerConfiguration
    /// The inventory catalog.
    public let catalog: SQLiteCatalog
    /// The time-series engine.
    public let store: TimeSeriesEngine
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// Attaches first-seen remote-written series to resources, in the background.
    let registrar: RemoteSeriesRegistrar
    /// Every stored event is emitted here: logged and published to subscribers (the event stream, alerting).
    public let events: EventSink
    /// TLS, when configured.
    public let tls: TLSSetup?
    /// Password checkers in order; nil means the built-in `LocalPasswords` only (docs/security.md).
    public var identityProviders: [any IdentityProvider]?
    /// Every route with its requirement, filled by `makeRouter`.
    public let routes = RouteTable()
    /// This server's hold on its data directory.
    let lock: DataDirectoryLock
    /// Committed samples of tenants with threshold definitions, on their way to the alert evaluator.
    let alertFeed = AlertFeed()
    /// Committed samples of tenants with open sample streams (`GET /api/v1/stream`).
    let streams = SampleStreams()
    /// Evaluates alert definitions as samples and events arrive.
    let alerts: AlertEvaluator
    /// Evaluates the Prometheus rule files of `DATA/rules`.
    let rules: RuleEngine
    let control: ControlService
    /// Group actions, and the schedules that start them.
    let groupRuns: GroupRunner
    let schedules: ScheduleService

    /// Opens (creating) the data directory's stores.
    /// A server of `configuration`; `clock` (Unix ms) times control commands, group runs, schedules and alerts —
    /// tests pass one they move by hand.
    public init(configuration: ServerConfiguration, registry: PrometheusCollectorRegistry, logger: Logger,
                clock givenClock: (@Sendable () -> Int64)? = nil) throws {
        let clock = givenClock ?? { Time.nowMs() }
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        try ListenProbe.check(host: configuration.host, port: configuration.port)
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        catalog = try SQLiteCatalog(path: configuration.dataDirectory + "/catalog.sqlite")
        try Self.restrictAccess(configuration.dataDirectory)
        var options = TimeSeriesEngine.Options()
        options.blockDurationMs = configuration.blockDurationMs
        // Persisting and maintenance run as the server's own services (HeadPersistence, BlockMaintenance).
        options.automaticPersist = false
        options.automaticMaintenance = false
        for (level, ms) in configuration.retentionMs {
            if let resolution = Resolution(rawValue: level) { options.retentionMs[resolution] = ms }
        }
        store = try TimeSeriesEngine(directory: configuration.dataDirectory + "/tsdb", options: options, logger: logger)
        events = EventSink(logger: logger)
        registrar = RemoteSeriesRegistrar(catalog: catalog, events: events, logger: logger)
        control = ControlService(catalog: catalog, sink: events, logger: logger, clock: clock)
        let audit = AuditTrail(catalog: catalog, logger: logger)
        groupRuns = GroupRunner(catalog: catalog, control: control, audit: audit, logger: logger, clock: clock)
        schedules = ScheduleService(catalog: catalog, runner: groupRuns, audit: audit, logger: logger, clock: clock)
        alerts = AlertEvaluator(catalog: catalog, querier: store, sink: events, feed: alertFeed, logger: logger, clock: { Time.nowMs() },
                                control: control)
        rules = RuleEngine(alerts: alerts, querier: store, catalog: catalog, writer: RuleSeriesWriter(store: store, alertFeed: alertFeed, streams: streams),
                           defaultIntervalMs: configuration.ruleIntervalMs, queryTimeoutMs: configuration.queryTimeoutMs, logger: logger)
        tls = try TLSSetup.make(configuration)
    }

    /// The data directory holds credentials, samples and the audit log: it is made 0700 (also when it existed
    /// with looser modes) and the catalog's files 0600. (`strata server` also sets umask 077, so whatever it
    /// creates later is private too; the library leaves the process's umask alone.)
    static func restrictAccess(_ directory: String) throws {
        guard chmod(directory, 0o700) == 0 else {
            throw ServerStartError.dataDirectory("cannot make \(directory) private (chmod 0700): \(String(cString: strerror(errno)))")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("catalog.sqlite") {
            _ = chmod(directory + "/" + name, 0o600)
        }
    }

    /// Creates the admin user and agent token on first start; returns them only then.
    public func bootstrap() async throws -> BootstrapCredentials? {
        try await Bootstrap.run(catalog: catalog, configuration: configuration)
    }

    /// The router with every route and middleware. Every route is registered through a `SecuredGroup`,
    /// which checks its requirement first and records it in `routes`.
    public func makeRouter() -> Router<StrataRequestContext> {
        let audit = AuditTrail(catalog: catalog, logger: logger)
        let authenticator = Authenticator(catalog: catalog, audit: audit,
                                          failures: FailureLimiter(maxFailures: configuration.authFailuresPerMinute, windowMs: 60_000),
                                          providers: identityProviders)
        let authorizer = Authorizer(catalog: catalog)
        let pipeline = IngestPipeline(catalog: catalog, store: store, maxAgeMs: store.options.retentionMs[.raw],
                                      events: events, alertFeed: alertFeed, streams: streams, logger: logger)
        let router = Router(context: StrataRequestContext.self)
        router.add(middleware: ExecutorPlacementMiddleware(routes: routes, maxOnLoopBodyBytes: 256 << 10))
        router.add(middleware: ErrorEnvelopeMiddleware())
        if configuration.rateLimitPerSecond > 0 {
            let rate = Double(configuration.rateLimitPerSecond)
            router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(ratePerSecond: rate, burst: 2 * rate)))
        }
        router.add(middleware: MetricsMiddleware())
        let json = configuration.maxJSONBytes
        func secured(_ prefix: String, _ audience: Audience?) -> SecuredGroup {
            let group = router.group(RouterPath(prefix))
            if let audience { group.add(middleware: AuthMiddleware(authenticator: authenticator, audience: audience)) }
            return SecuredGroup(group: group, prefix: "/" + prefix, table: routes, authorizer: authorizer)
        }

        secured("healthz", nil).get("", .none) { _, _ in Envelope.success(["healthy": .bool(true)]) }
        UIRoutes(files: WebFiles.locate(configured: configuration.uiDirectory)).register(on: router, table: routes, assets: secured("ui", nil))

        let agentAPI = secured("api/agent/v1", .agents)
        AgentRoutes(pipeline: pipeline, catalog: catalog, audit: audit, maxBatchBytes: configuration.maxBatchBytes, maxJSONBytes: json,
                    authority: tls?.authority, mutualTLS: tls?.mutualTLS ?? "off")
            .register(on: agentAPI)
        AgentCommandRoutes(control: control, audit: audit, maxJSONBytes: json).register(on: agentAPI)

        let sessions = SessionRoutes(authenticator: authenticator, catalog: catalog, audit: audit, maxJSONBytes: json,
                                     sessionHours: configuration.sessionHours, secureCookie: tls != nil)
        sessions.registerLogin(on: secured("api/v1", nil))
        let api = secured("api/v1", .users)
        sessions.register(on: api)
        let intake = PrometheusSampleIntake(store: store, registrar: registrar, alertFeed: alertFeed, streams: streams,
                                            maxAgeMs: store.options.retentionMs[.raw])
        let largeBodies = DecodedBytesBudget(limit: 8 * configuration.maxRemoteWriteBytes)
        let remoteWrite = RemoteWriteRoutes(intake: intake, maxBodyBytes: configuration.maxRemoteWriteBytes,
                                            maxDecodedBytes: 8 * configuration.maxRemoteWriteBytes, budget: largeBodies, logger: logger)
        remoteWrite.register(on: api, path: "write")
        let prometheusAPI = secured("prometheus/api/v1", .users)
        remoteWrite.register(on: prometheusAPI, path: "write")
        let otlp = OTLPRoutes(intake: intake, hosts: HostDirectory(catalog: catalog), maxBodyBytes: configuration.maxRemoteWriteBytes,
                              maxDecodedBytes: 8 * configuration.maxRemoteWriteBytes, budget: largeBodies, logger: logger)
        otlp.register(on: secured("v1", .users), path: "metrics")
        otlp.register(on: prometheusAPI, path: "otlp/v1/metrics")
        ResourceRoutes(catalog: catalog, querier: store).register(on: api)
        ResourceRemovalRoutes(catalog: catalog, events: events, audit: audit).register(on: api)
        let queries = QueryRoutes(querier: store, timeoutMs: configuration.queryTimeoutMs)
        queries.register(on: api)
        PrometheusAPIRoutes(reads: queries, catalog: catalog, startedMs: Time.nowMs(), retentionMs: store.options.retentionMs[.raw] ?? 0)
            .register(on: prometheusAPI)
        PrometheusQueryRoutes(reads: queries, catalog: catalog).register(on: prometheusAPI)
        AnalysisRoutes(catalog: catalog, queries: queries).register(on: api)
        UsageRoutes(catalog: catalog, queries: queries, dataDirectory: configuration.dataDirectory).register(on: api)
        PlanRoute(catalog: catalog, queries: queries, maxJSONBytes: json).register(on: api)
        LeakRoute(catalog: catalog, queries: queries).register(on: api)
        RuleRoutes(engine: rules).register(on: prometheusAPI)
        FederateRoute(reads: queries, catalog: catalog, now: { Time.nowMs() }).register(on: secured("prometheus/federate", .users))
        EventRoutes(catalog: catalog, events: events).register(on: api)
        StreamRoutes(streams: streams, querier: store, catalog: catalog, control: control).register(on: api)
        TokenRoutes(catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        UserRoutes(catalog: catalog, audit: audit, authenticator: authenticator, maxJSONBytes: json).register(on: api)
        TenantRoutes(catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        AgentAdminRoutes(catalog: catalog, audit: audit).register(on: api)
        AuditRoutes(catalog: catalog).register(on: api)
        PlacementRoutes(catalog: catalog).register(on: api)
        ConfigRoutes(catalog: catalog).register(on: api)
        GroupRoutes(catalog: catalog, audit: audit, authorizer: authorizer, maxJSONBytes: json).register(on: api)
        DiscoveryRoutes(catalog: catalog, events: events, audit: audit, maxJSONBytes: json).register(on: api)
        AlertRoutes(evaluator: alerts, catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        ControlRoutes(control: control, catalog: catalog, audit: audit, authorizer: authorizer, maxJSONBytes: json).register(on: api)
        LiveRoutes(control: control, maxJSONBytes: json).register(on: api)
        ControlGroupRoutes(runner: groupRuns, control: control, catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        ControlScheduleRoutes(schedules: schedules, catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        FailoverRoutes(catalog: catalog, audit: audit, maxJSONBytes: json).register(on: api)
        let importer = Importer(catalog: catalog, store: store, events: events, limits: ImportLimits(),
                                retentionMs: store.options.retentionMs.values.max() ?? 0, futureToleranceMs: store.options.futureToleranceMs,
                                logger: logger)
        ImportRoutes(importer: importer, audit: audit, maxBodyBytes: configuration.maxImportBytes).register(on: api)

        let registry = self.registry
        secured("metrics", .users).get("", .permission(.read)) { _, context in
            // The server's own metrics count every tenant's traffic: they are the provider's.
            guard try context.requirePrincipal().tenantID == defaultTenant else {
                throw APIError.forbidden("server metrics cover every tenant; only users of the provider tenant (default) may read them")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return router
    }

    /// HTTP/1.1 (with TLS when configured), each connection served on its event loop (`EventLoopPinnedChannel`).
    var httpServer: HTTPServerBuilder {
        .pinnedHTTP1(tls: tls?.configuration, idleTimeout: .milliseconds(configuration.idleTimeoutMs))
    }

    /// Runs until SIGINT or SIGTERM. `onRunning` receives the bound port once the server listens.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: makeRouter(),
            server: httpServer,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "strata"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        let monitor = AvailabilityMonitor(catalog: catalog, events: events, missedIntervals: configuration.missedIntervals,
                                          startedMs: Time.nowMs(), retireServersAfterMs: configuration.retireServersAfterMs, logger: logger)
        let retention = EventRetention(catalog: catalog, retentionMs: configuration.eventRetentionMs, logger: logger)
        // Each background job is a service; shutdown runs in reverse order: the HTTP server stops first, then the
        // jobs (the registrar attaches what is queued), the storage last.
        let storage = StorageService(engine: store, logger: logger)
        let persistence = HeadPersistence(engine: store, logger: logger)
        let maintenance = BlockMaintenance(engine: store, logger: logger)
        let alerting = AlertingService(evaluator: alerts, feed: alertFeed, sink: events,
                                       definitionsDirectory: configuration.dataDirectory + "/alerts", logger: logger)
        let ruleService = RuleService(engine: rules, catalog: catalog, directory: configuration.dataDirectory + "/rules", logger: logger,
                                      clock: { Time.nowMs() })
        let notifications = NotificationService(catalog: catalog, logger: logger)
        let failover = FailoverService(catalog: catalog, control: control, sink: events, logger: logger, clock: { Time.nowMs() })
        let group = ServiceGroup(configuration: .init(services: [storage, persistence, maintenance, registrar, monitor, retention, alerting,
                                                                 ruleService, notifications, ControlExpiry(control: control),
                                                                 ScheduleLoop(schedules: schedules, runner: groupRuns, clock: { Time.nowMs() }), failover, app],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            let address = "\(configuration.host):\(configuration.port)"
            throw ServerStartError.listen(address: address, reason: ListenProbe.reason(error.errnoCode))
        }
        logger.info("server stopped")
    }
}
