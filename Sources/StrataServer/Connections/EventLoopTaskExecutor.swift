import NIOCore

/// A task executor that runs jobs on one NIO event loop: a connection's task that prefers it reads its requests,
/// runs its handlers (and the default actors they call) and writes its answers on the thread that does the
/// connection's I/O, instead of handing each step between that thread and Swift's global pool.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
