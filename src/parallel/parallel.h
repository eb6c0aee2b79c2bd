/*
 * parallel.h - the thread pool and the task partitioners (prefix par_),
 * shared by the parallel kernels, parfor and paramserv.
 *
 * Pool.  One persistent pool per process (owned by the runtime context)
 * with `cores - 1` background threads; the thread that submits work always
 * works on it too.  Work is a *job*: ntasks independent tasks handed out
 * one at a time from an atomic counter (dynamic self-scheduling), so the
 * per-task cost is one atomic increment and a call.  Jobs may be submitted
 * from inside tasks (nested parallelism): idle pool threads help any open
 * job, and the submitter can always finish its own job alone, so nesting
 * never deadlocks.
 *
 * Budget.  Kernels receive a ParCtx: the pool and the number of threads
 * one operation may keep busy (the caller included).  A job never has more
 * participants than its budget, and the pool never has more busy threads
 * than its size plus the submitting threads, so no configuration
 * oversubscribes the cores.  A parfor with k workers hands each worker
 * par_nested(ctx, k), i.e. floor(threads / k) threads for its operators.
 *
 * Sequential back end.  A ParCtx with pool == NULL or threads == 1 (or a
 * NULL ParCtx) runs every task inline on the caller, in task order: the
 * same interface, deterministic, for tests and for small operations.
 *
 * Partitioners.  One module for every task-size sequence (NAIVE, STATIC,
 * FIXED, GSS, TSS, FACTORING, FACTORING_CMIN, FACTORING_CMAX): an iterator
 * that yields task sizes for n iterations on k workers.
 */
#ifndef TSR_PARALLEL_H
#define TSR_PARALLEL_H

#include <stdatomic.h>
#include <stdint.h>
#include "util/util.h"

/* ---- thread pool ------------------------------------------------------------ */
typedef struct ParPool ParPool;
struct MbCache;   /* the buffer cache of large blocks (matrix/matrix.h) */

typedef struct ParCtx {
    ParPool *pool;   /* NULL: sequential back end */
    int threads;     /* threads one operation may keep busy, caller included (>= 1) */
    /* Where kernels get large output buffers (mb_new_ctx/mb_new_uninit) and
     * where freed ones go back; owned by the runtime, thread-safe.  NULL:
     * plain calloc/free (the par_serial() default). */
    struct MbCache *cache;
} ParCtx;

/* Number of online cores (>= 1). */
int par_ncores(void);
/* A pool with `workers` background threads (0 is valid: everything runs on
 * the submitting threads).  NULL with err on failure. */
ParPool *par_pool_new(int workers, Err *err);
/* Stops and joins the threads.  No job may be running. */
void par_pool_free(ParPool *p);
int par_pool_workers(const ParPool *p);

/* Counters of a pool (for -stats and tests): jobs run in parallel, tasks
 * they ran, and jobs that ran inline on the caller. */
typedef struct ParPoolStats {
    int64_t jobs, tasks, inline_jobs;
} ParPoolStats;
void par_pool_stats(const ParPool *p, ParPoolStats *st);

/* One task: `task` in [0, ntasks); `wid` in [0, par_width()) is unique
 * among the threads working on this job at the same time (per-thread
 * scratch space, partial results). */
typedef void (*ParTaskFn)(void *arg, int64_t task, int wid);

/* Threads that may take part in a job of ntasks tasks under ctx:
 * min(ctx->threads, ntasks), and 1 for the sequential back end.  Size
 * per-thread scratch arrays with this. */
int par_width(const ParCtx *ctx, int64_t ntasks);

/* Runs fn(arg, t, wid) for every t in [0, ntasks) and returns when all
 * have finished.  Tasks must not fail by longjmp/exit; a task that fails
 * records its error in arg (see ParStatus below) and the others still run. */
void par_run(const ParCtx *ctx, int64_t ntasks, ParTaskFn fn, void *arg);

/* Range form: splits [0, n) into chunks of `grain` items (the last one
 * shorter) and runs fn(arg, lo, hi, wid) per chunk.  The chunk bounds
 * depend only on n and grain, never on the thread count: a kernel that
 * reduces per-chunk partials in chunk order gives the same result for any
 * number of threads. */
typedef void (*ParRangeFn)(void *arg, int64_t lo, int64_t hi, int wid);
void par_for(const ParCtx *ctx, int64_t n, int64_t grain, ParRangeFn fn, void *arg);
/* Number of chunks par_for makes. */
static inline int64_t par_nchunks(int64_t n, int64_t grain)
{
    if (grain < 1) grain = 1;
    return n <= 0 ? 0 : (n + grain - 1) / grain;
}

/* Grain (items per task) for `n` items that cost about `cost_per_item`
 * units (flops, cells touched) each: n itself (one task, run inline) when
 * the whole operation is below PAR_MIN_OP_WORK, else at most PAR_MAX_TASKS
 * tasks of at least PAR_MIN_TASK_WORK units.  It does not depend on the
 * thread count, so per-chunk partial results reduced in chunk order are
 * the same for 1 and for k threads. */
#define PAR_MIN_OP_WORK   (1 << 17)
#define PAR_MIN_TASK_WORK (1 << 15)
#define PAR_MAX_TASKS     64
int64_t par_grain(int64_t n, double cost_per_item);

/* The budget for work running inside one of k concurrent tasks:
 * max(1, threads / k) threads on the same pool. */
ParCtx par_nested(const ParCtx *ctx, int k);

/* Sequential context (pool NULL, 1 thread). */
static inline ParCtx par_serial(void)
{
    ParCtx c = {0, 1, 0};
    return c;
}

/* First-error-wins status shared by the tasks of a job. */
typedef struct ParStatus {
    atomic_int failed;
    Err err;               /* set by the first failing task only */
} ParStatus;
void par_status_init(ParStatus *s);
/* Records st/err if no task failed before (thread-safe). */
void par_status_fail(ParStatus *s, tsr_status st, const Err *err);
int par_status_failed(const ParStatus *s);

/* ---- task partitioners ----------------------------------------------------------- */
#define PAR_PARTITIONERS(X)                                          \
    X(PAR_NAIVE, "NAIVE") X(PAR_STATIC, "STATIC") X(PAR_FIXED, "FIXED") \
    X(PAR_GSS, "GSS") X(PAR_TSS, "TSS") X(PAR_FACTORING, "FACTORING")  \
    X(PAR_FACTORING_CMIN, "FACTORING_CMIN")                          \
    X(PAR_FACTORING_CMAX, "FACTORING_CMAX")
typedef enum {
#define X(e, s) e,
    PAR_PARTITIONERS(X)
#undef X
    PAR__NPART
} ParPartKind;

const char *par_part_name(ParPartKind k);
/* Case-sensitive name -> kind; -1 if unknown. */
int par_part_parse(const char *name);

/* Iterator over task sizes:
 *   NAIVE          1 iteration per task;
 *   STATIC         k tasks (fewer if n < k): the first n mod k get
 *                  floor(n / k) + 1 iterations, the others floor(n / k);
 *   FIXED          `param` per task;
 *   GSS            guided self-scheduling: ceil(R / k) of the remaining R;
 *   TSS            trapezoid self-scheduling: first ceil(n / (2k)), last 1,
 *                  N = ceil(2n / (first + last)) tasks decreasing linearly;
 *   FACTORING      waves of k tasks of ceil(R / (2k)) over the remaining R
 *                  at the start of the wave;
 *   FACTORING_CMIN factoring with at least `param` per task;
 *   FACTORING_CMAX factoring with at most `param` per task.
 * The last task of any sequence is cut to what remains.  param < 1 is
 * treated as 1. */
typedef struct ParPart {
    ParPartKind kind;
    int64_t n, remaining, param;
    int k;
    int64_t wave_size;   /* FACTORING*: size of tasks in the current wave */
    int wave_left;       /* FACTORING*: tasks left in the current wave */
    int64_t tss_first, tss_count, tss_i;   /* tss_i: tasks so far (TSS, STATIC) */
    double tss_delta;
} ParPart;

void par_part_init(ParPart *p, ParPartKind kind, int64_t n, int k, int64_t param);
/* Size of the next task (> 0), or 0 when all n iterations are handed out. */
int64_t par_part_next(ParPart *p);
/* All task sizes at once; *sizes is malloc'ed (caller frees). */
tsr_status par_part_sizes(ParPartKind kind, int64_t n, int k, int64_t param,
                          int64_t **sizes, int64_t *count, Err *err);

#endif
