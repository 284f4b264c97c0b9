#ifndef STRATA_SPAWN_H
#define STRATA_SPAWN_H

#include <sys/types.h>

/* Starting a program as another user, which posix_spawn cannot do: fork, then in the child only
   async-signal-safe calls (setsid or setpgid, chdir, setgroups, setgid, setuid, dup2, sigprocmask, execve).
   Never a shell: `path` is executed with `argv` and `envp` as given. */

typedef struct {
    /* The program's pid (for a detached start: the server's pid, the grandchild of the caller). */
    pid_t pid;
    /* Detached only: 1 when the program ended within the grace period, with its wait status in `status`. */
    int exited;
    int status;
    /* The errno of a failed setup or execve in the child (0 when the program was executed). */
    int child_errno;
    /* Which step failed in the child: "chdir", "setgroups", "setgid", "setuid", "execve", or "". */
    char failed_step[16];
} strata_spawn_result;

/* Starts `path`. stdin is /dev/null; stdout and stderr are `out_fd` and `err_fd`. `cwd` may be NULL.
   When `change_user` is non-zero the child sets its groups to `groups` (`group_count` of them), its gid and
   its uid before executing (the caller must be root to change them).
   `detach_grace_ms` < 0: the child runs in a process group of its own; the caller waits for it.
   `detach_grace_ms` >= 0: the program runs in a session of its own as the grandchild of the caller, which is
   never its parent; the intermediate child watches it for that many milliseconds and reports whether it ended.
   Returns 0 on success (see `result`), else an errno of the caller's own fork or pipe. */
int strata_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int change_user, uid_t uid, gid_t gid, const gid_t *groups, int group_count,
                 int out_fd, int err_fd, int detach_grace_ms, strata_spawn_result *result);

#endif
