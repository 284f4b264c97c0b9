#define _GNU_SOURCE
#include "strata_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void close_between(unsigned int low, unsigned int high);

/* What a child reports on its close-on-exec pipe when a step fails: EOF means execve succeeded. */
typedef struct { int error; char step[16]; } failure;

static void report_failure(int fd, const char *step) {
    failure f;
    f.error = errno;
    memset(f.step, 0, sizeof f.step);
    strncpy(f.step, step, sizeof f.step - 1);
    ssize_t ignored = write(fd, &f, sizeof f);
    (void)ignored;
    _exit(127);
}

/* In the child, after fork: set everything up and execute; never returns. */
static void become(const char *path, char *const argv[], char *const envp[], const char *cwd, int change_user,
                   uid_t uid, gid_t gid, const gid_t *groups, int group_count, int null_fd, int out_fd, int err_fd,
                   int report_fd) {
    sigset_t empty;
    sigemptyset(&empty);
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &empty, NULL);
    if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) report_failure(report_fd, "dup2");
    /* Nothing of the agent's leaks into the program, not even descriptors opened without close-on-exec: a server
       that outlives the agent must not hold its sockets (or those of whoever waits for the agent to exit). */
    if (report_fd > 3) close_between(3, (unsigned int)report_fd - 1);
    close_between((unsigned int)report_fd + 1, ~0U);
    if (cwd != NULL && chdir(cwd) != 0) report_failure(report_fd, "chdir");
    if (change_user) {
        if (setgroups((size_t)group_count, groups) != 0) report_failure(report_fd, "setgroups");
        if (setgid(gid) != 0) report_failure(report_fd, "setgid");
        if (setuid(uid) != 0) report_failure(report_fd, "setuid");
    }
    execve(path, argv, envp);
    report_failure(report_fd, "execve");
}

/* Closes every descriptor from `low` to `high` (inclusive): close_range where the kernel has it, else one by one. */
static void close_between(unsigned int low, unsigned int high) {
    if (low > high) return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, low, high, 0) == 0) return;
#endif
    struct rlimit limit;
    unsigned int last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? (unsigned int)limit.rlim_cur : 65536;
    if (high > last) high = last;
    for (unsigned int fd = low; fd <= high; fd++) close((int)fd);
}

static void sleep_ms(int ms) {
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

int strata_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int change_user, uid_t uid, gid_t gid, const gid_t *groups, int group_count,
                 int out_fd, int err_fd, int detach_grace_ms, strata_spawn_result *result) {
    memset(result, 0, sizeof *result);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) return errno;
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) { int e = errno; close(null_fd); return e; }
    /* Detached: the intermediate child tells the pid, and whether the program ended, on this pipe. */
    int watch[2] = { -1, -1 };
    if (detach_grace_ms >= 0 && pipe2(watch, O_CLOEXEC) != 0) {
        int e = errno; close(null_fd); close(report[0]); close(report[1]); return e;
    }
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(null_fd); close(report[0]); close(report[1]);
        if (watch[0] >= 0) { close(watch[0]); close(watch[1]); }
        return e;
    }
    if (child == 0) {
        close(report[0]);
        if (detach_grace_ms < 0) {
            setpgid(0, 0);
            become(path, argv, envp, cwd, change_user, uid, gid, groups, group_count, null_fd, out_fd, err_fd, report[1]);
        }
        close(watch[0]);
        setsid();
        pid_t program = fork();
        if (program < 0) _exit(126);
        if (program == 0) {
            become(path, argv, envp, cwd, change_user, uid, gid, groups, group_count, null_fd, out_fd, err_fd, report[1]);
        }
        int outcome[3] = { program, 0, 0 };
        for (int waited = 0; waited <= detach_grace_ms; waited += 50) {
            int status = 0;
            if (waitpid(program, &status, WNOHANG) == program) { outcome[1] = 1; outcome[2] = status; break; }
            if (waited < detach_grace_ms) sleep_ms(50);
        }
        ssize_t ignored = write(watch[1], outcome, sizeof outcome);
        (void)ignored;
        _exit(0);
    }
    close(null_fd);
    close(report[1]);
    if (detach_grace_ms >= 0) close(watch[1]);
    result->pid = child;
    if (detach_grace_ms >= 0) {
        int outcome[3] = { 0, 0, 0 };
        ssize_t got;
        while ((got = read(watch[0], outcome, sizeof outcome)) < 0 && errno == EINTR) {}
        close(watch[0]);
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        result->pid = got == (ssize_t)sizeof outcome ? outcome[0] : 0;
        result->exited = outcome[1];
        result->status = outcome[2];
    }
    failure f;
    ssize_t got;
    while ((got = read(report[0], &f, sizeof f)) < 0 && errno == EINTR) {}
    close(report[0]);
    if (got == (ssize_t)sizeof f) {
        result->child_errno = f.error;
        memcpy(result->failed_step, f.step, sizeof f.step);
        if (detach_grace_ms < 0) {
            int status;
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
            result->pid = 0;
        }
    }
    return 0;
}
