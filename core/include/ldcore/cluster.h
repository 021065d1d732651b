/*
 * ldcore/cluster.h - beyond one machine: a LoadDensity worker that joins a
 * real Locust 2.x master over its own protocol (ZeroMQ DEALER + msgpack),
 * and the master side, which is Locust's own master started with the
 * locustfile the project ships (locust/loaddensity_master.py).
 *
 * A scenario is one LD_start_test action of an action file; the Locust user
 * class that stands for it is user_detail_dict.class_name, else
 * "LoadDensityUser" for the first LD_start_test of the file and
 * "LoadDensityUser<k>" for the k-th (k >= 2). The shipped locustfile derives
 * the same names from the same file. With one scenario every class the
 * master names runs it.
 *
 * Ownership: ld_cluster_scenarios_t owns its document and plans until
 * ld_cluster_scenarios_free; ld_cluster_worker_run borrows the scenarios.
 */
#ifndef LDCORE_CLUSTER_H
#define LDCORE_CLUSTER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/engine.h"
#include "ldcore/exec.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Class name of a scenario with no class_name, the first of its file. */
#define LD_CLUSTER_DEFAULT_CLASS "LoadDensityUser"
/** Seconds a worker waits for a master's ack before giving up (Locust's
 *  own worker: 60 tries of 5 s). */
#define LD_CLUSTER_CONNECT_TIMEOUT_S 300.0
/** Seconds a master waits for expected_workers (the seeds' rule). */
#define LD_CLUSTER_EXPECT_WAIT_S 60

typedef struct ld_cluster_scenario {
    char *class_name;     /* the Locust user class it answers to */
    ld_test_plan_t *plan; /* compiled as a local plan */
} ld_cluster_scenario_t;

typedef struct ld_cluster_scenarios {
    ld_cluster_scenario_t *items;
    size_t n;
    void *priv; /* the document the plans were read from */
} ld_cluster_scenarios_t;

/**
 * The class name of the index-th (0-based) LD_start_test of a file (see
 * above) into buf. Returns 0, or LD_EINVAL when class_name is not a valid
 * Python identifier (d says where).
 */
int ld_cluster_class_name(const ld_args_t *args, size_t index, char *buf,
                          size_t size, ld_diag_t *d);

/** Compile LD_start_test arguments into a plan whatever their runner_mode
 *  says (as ld_test_plan_new does for a local run). */
int ld_cluster_plan_new(const ld_args_t *args, ld_params_t *params,
                        ld_test_plan_t **out, ld_diag_t *d);

/**
 * Every LD_start_test action of a file (JSON or YAML), in order, as a
 * scenario. Other actions are not run. Variables and CSV sources of each
 * action are registered into params. Returns 0, LD_ENOTFOUND when the file
 * has no LD_start_test, or the error of the first bad action (positioned).
 */
int ld_cluster_scenarios_load(const char *path, ld_params_t *params,
                              ld_cluster_scenarios_t *out, ld_diag_t *d);
void ld_cluster_scenarios_free(ld_cluster_scenarios_t *s);

typedef struct ld_worker_opts {
    const char *master_host;   /* NULL: "127.0.0.1" */
    int master_port;           /* 0: 5557 */
    unsigned threads;          /* engine threads per scenario; 0: default */
    bool keep_records;         /* else records are dropped once counted */
    double connect_timeout_s;  /* no master for this long: give up;
                                  0: LD_CLUSTER_CONNECT_TIMEOUT_S */
    volatile sig_atomic_t *interrupt; /* > 0: leave the master and stop */
    FILE *log;                 /* one line per event; NULL: silent */
} ld_worker_opts_t;

/**
 * Be a Locust worker: register with the master, answer spawn / stop / quit
 * by running the scenarios' users, heartbeat every second and report
 * statistics every 3 s, until the master says quit (returns 0) or *interrupt
 * is set (sends the last statistics and quit; returns 0). A master that
 * restarts is joined again. Returns LD_EIO when no master answered within
 * connect_timeout_s, LD_EINVAL for bad options. Records (when kept) are
 * appended to records (may be NULL).
 */
int ld_cluster_worker_run(const ld_cluster_scenario_t *sc, size_t n,
                          const ld_worker_opts_t *o, ld_records_t *records,
                          ld_diag_t *d);

typedef struct ld_master_opts {
    const char *bind_host;    /* NULL: "*" */
    int bind_port;            /* 0: 5557 */
    const char *action_file;  /* LOADDENSITY_FILE for the locustfile */
    const char *classes;      /* "Name:weight,...": LOADDENSITY_CLASSES */
    unsigned users;           /* -u */
    double spawn_rate;        /* -r */
    double run_time_s;        /* -t; < 0: until stopped */
    unsigned expected_workers;
    double expect_wait_s;     /* 0: LD_CLUSTER_EXPECT_WAIT_S */
    const char *web_host;     /* NULL: headless */
    int web_port;
    const char *host;         /* -H, or NULL */
    const char *csv_prefix;   /* --csv, or NULL */
    volatile sig_atomic_t *interrupt; /* 1: SIGINT to Locust, 2: SIGTERM */
    FILE *log;
} ld_master_opts_t;

/**
 * Run Locust's master (`locust` on PATH, or $LOADDENSITY_LOCUST) with the
 * shipped locustfile ($LOADDENSITY_LOCUSTFILE, else the source tree's or
 * the installed copy) until it exits; *exit_code gets its exit status.
 * Returns 0, LD_EUNAVAIL when Locust or the locustfile cannot be found.
 */
int ld_cluster_master_run(const ld_master_opts_t *o, int *exit_code,
                          ld_diag_t *d);
/** Path of the shipped locustfile, or NULL when none is found. */
const char *ld_cluster_locustfile(void);

/**
 * A summary (ld_summary_build's shape, from every request rather than the
 * successful ones) read from a Locust `<prefix>_stats.csv`. NULL when the
 * file cannot be read (d says why).
 */
json_t *ld_cluster_summary_from_csv(const char *path, ld_diag_t *d);

/** LD_start_test with runner_mode "worker" or "master" (called by the
 *  LD_start_test handler). */
int ld_cluster_start_test(ld_ctx_t *ctx, const ld_args_t *args,
                          json_t **result, ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
