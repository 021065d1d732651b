/*
 * master.c - the master side: Locust's own master (`locust --master`) with
 * the locustfile the project ships, which declares one user class per
 * scenario of the action file (LOADDENSITY_FILE) or the classes it is given
 * (LOADDENSITY_CLASSES). Locust runs in its own process group, so a Ctrl-C
 * reaches it once, forwarded by us; its statistics come back through its
 * CSV output, read into a summary of the usual shape.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster/cluster_int.h"

#ifndef LD_LOCUSTFILE_SRC
#define LD_LOCUSTFILE_SRC "locust/loaddensity_master.py"
#endif
#ifndef LD_LOCUSTFILE_INSTALLED
#define LD_LOCUSTFILE_INSTALLED \
    "/usr/local/share/loaddensity/loaddensity_master.py"
#endif

#define KILL_AFTER_NS 15000000000ull /* SIGKILL this long after SIGINT */

extern char **environ;

const char *ld_cluster_locustfile(void)
{
    const char *e = getenv("LOADDENSITY_LOCUSTFILE");
    if (e && *e)
        return access(e, R_OK) ? NULL : e;
    if (!access(LD_LOCUSTFILE_SRC, R_OK))
        return LD_LOCUSTFILE_SRC;
    if (!access(LD_LOCUSTFILE_INSTALLED, R_OK))
        return LD_LOCUSTFILE_INSTALLED;
    return NULL;
}

typedef struct argv_b {
    char *v[48];
    size_t n;
    char nums[8][48];
    size_t nn;
} argv_b;

static void arg(argv_b *a, const char *s)
{
    if (a->n + 1 < sizeof(a->v) / sizeof(a->v[0]))
        a->v[a->n++] = (char *)(uintptr_t)s; /* exec* takes char *const[] */
}

static void argf(argv_b *a, const char *fmt, double v)
{
    if (a->nn >= sizeof(a->nums) / sizeof(a->nums[0]))
        return;
    snprintf(a->nums[a->nn], sizeof(a->nums[0]), fmt, v);
    arg(a, a->nums[a->nn++]);
}

static void build_argv(argv_b *a, const ld_master_opts_t *o, const char *cmd,
                       const char *file)
{
    arg(a, cmd);
    arg(a, "-f");
    arg(a, file);
    arg(a, "--master");
    arg(a, "--master-bind-host");
    arg(a, o->bind_host ? o->bind_host : "*");
    arg(a, "--master-bind-port");
    argf(a, "%.0f", o->bind_port ? o->bind_port : 5557);
    arg(a, "-u");
    argf(a, "%.0f", o->users);
    arg(a, "-r");
    argf(a, "%g", o->spawn_rate > 0 ? o->spawn_rate : 1);
    if (o->web_host) {
        arg(a, "--web-host");
        arg(a, o->web_host);
        arg(a, "--web-port");
        argf(a, "%.0f", o->web_port ? o->web_port : 8089);
    } else {
        arg(a, "--headless");
        if (o->run_time_s >= 0) {
            arg(a, "-t");
            argf(a, "%.0fs", o->run_time_s < 1 ? 1 : ceil(o->run_time_s));
        }
        if (o->expected_workers) {
            arg(a, "--expect-workers");
            argf(a, "%.0f", o->expected_workers);
            arg(a, "--expect-workers-max-wait");
            argf(a, "%.0f", o->expect_wait_s > 0 ? o->expect_wait_s
                                                 : LD_CLUSTER_EXPECT_WAIT_S);
        }
    }
    if (o->host) {
        arg(a, "-H");
        arg(a, o->host);
    }
    if (o->csv_prefix) {
        arg(a, "--csv");
        arg(a, o->csv_prefix);
    }
    a->v[a->n] = NULL;
}

/* environ without our variables, plus the ones given. */
static char **build_env(const ld_master_opts_t *o, char **own, size_t nown)
{
    size_t n = 0, k = 0;
    char **env;
    while (environ[n])
        n++;
    if (!(env = calloc(n + nown + 1, sizeof(*env))))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LOADDENSITY_FILE=", 17) &&
            strncmp(environ[i], "LOADDENSITY_CLASSES=", 20))
            env[k++] = environ[i];
    for (size_t i = 0; i < nown; i++)
        if (own[i])
            env[k++] = own[i];
    env[k] = NULL;
    (void)o;
    return env;
}

static char *env_var(const char *name, const char *value)
{
    size_t n;
    char *s;
    if (!value)
        return NULL;
    n = strlen(name) + strlen(value) + 2;
    if ((s = malloc(n)))
        snprintf(s, n, "%s=%s", name, value);
    return s;
}

static int spawn_locust(const ld_master_opts_t *o, pid_t *pid, ld_diag_t *d)
{
    const char *file = ld_cluster_locustfile();
    const char *cmd = getenv("LOADDENSITY_LOCUST");
    char *own[2] = {env_var("LOADDENSITY_FILE", o->action_file),
                    env_var("LOADDENSITY_CLASSES", o->classes)};
    posix_spawnattr_t attr;
    argv_b a;
    char **env;
    int err;
    if (!file)
        return ld_diag_set(d, LD_EUNAVAIL, NULL, NULL,
                           "the shipped locustfile (loaddensity_master.py) "
                           "was not found; set LOADDENSITY_LOCUSTFILE");
    if (!cmd || !*cmd)
        cmd = "locust";
    memset(&a, 0, sizeof(a));
    build_argv(&a, o, cmd, file);
    if (!(env = build_env(o, own, 2))) {
        free(own[0]);
        free(own[1]);
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    }
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    err = posix_spawnp(pid, cmd, NULL, &attr, a.v, env);
    posix_spawnattr_destroy(&attr);
    free(env);
    free(own[0]);
    free(own[1]);
    if (err)
        return ld_diag_set(d, LD_EUNAVAIL, NULL, NULL,
                           "cannot start the Locust master '%s': %s "
                           "(install python3-locust, or set "
                           "LOADDENSITY_LOCUST)",
                           cmd, strerror(err));
    if (o->log)
        fprintf(o->log, "loaddensity master: started %s -f %s (pid %ld)\n",
                cmd, file, (long)*pid);
    return 0;
}

static int wait_locust(const ld_master_opts_t *o, pid_t pid)
{
    struct timespec ts = {0, 50 * 1000000L};
    int status = 0, sent = 0;
    uint64_t int_ns = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        int intr = o->interrupt
                       ? __atomic_load_n(o->interrupt, __ATOMIC_RELAXED)
                       : 0;
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return 70;
        if (intr >= 1 && sent < 1) {
            kill(pid, SIGINT); /* Locust quits its workers, writes CSVs */
            int_ns = ld_now_ns();
            sent = 1;
        }
        if (sent >= 1 && sent < 2 && intr >= 2) {
            kill(pid, SIGTERM);
            sent = 2;
        }
        if (sent >= 1 && sent < 3 && ld_now_ns() - int_ns > KILL_AFTER_NS) {
            kill(pid, SIGKILL);
            sent = 3;
        }
        nanosleep(&ts, NULL);
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 70;
}

int ld_cluster_master_run(const ld_master_opts_t *o, int *exit_code,
                          ld_diag_t *d)
{
    pid_t pid;
    int rc;
    *exit_code = -1;
    if ((rc = spawn_locust(o, &pid, d)))
        return rc;
    *exit_code = wait_locust(o, pid);
    return 0;
}
