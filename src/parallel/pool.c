/*
 * pool.c - the persistent thread pool (see parallel.h for the contract).
 *
 * Open jobs sit in a list under the pool mutex.  An idle worker joins the
 * first job that still has tasks and a free participant slot, then takes
 * tasks from the job's atomic counter until none is left, and leaves.  The
 * submitter takes part as participant 0, unlinks the job once the counter
 * is exhausted (no new joins), and waits until every participant has left;
 * the job lives on the submitter's stack.
 *
 * Idle workers spin for a short while (jobs come in bursts: one kernel
 * after the other) before they sleep on a condition variable; the
 * submitter only broadcasts when some worker sleeps.  Per task the cost is
 * one atomic fetch-add on the job counter.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parallel/parallel.h"

typedef struct ParJob {
    ParTaskFn fn;
    void *arg;
    int64_t ntasks;
    atomic_llong next;         /* next task to hand out */
    atomic_int active;         /* participants inside the job */
    int joined;                /* participants so far (mutex) = next wid */
    int max_threads;
    struct ParJob *link;       /* open-job list (mutex) */
} ParJob;

struct ParPool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;    /* workers wait for jobs */
    pthread_cond_t done_cv;    /* submitters wait for participants to leave */
    ParJob *jobs;              /* open jobs, newest first (mutex) */
    int sleepers;              /* workers waiting on work_cv (mutex) */
    int stop;                  /* (mutex) */
    atomic_uint gen;           /* bumped per new job (spinning workers watch it) */
    int nworkers;
    pthread_t *tids;
    atomic_llong n_jobs, n_tasks, n_inline;
};

/* Spin iterations of an idle worker before it sleeps (~tens of us). */
#define PAR_SPIN_IDLE 20000
/* Spin iterations of a submitter waiting for helpers before it sleeps. */
#define PAR_SPIN_DONE 200000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

int par_ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 4096 ? 4096 : (int)n);
}

/* Takes tasks until the counter runs out; returns the number done. */
static int64_t job_work(ParJob *j, int wid)
{
    int64_t done = 0;
    for (;;) {
        int64_t t = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (t >= j->ntasks) break;
        j->fn(j->arg, t, wid);
        done++;
    }
    return done;
}

/* First open job a worker may join (mutex held). */
static ParJob *find_job(ParPool *p)
{
    for (ParJob *j = p->jobs; j; j = j->link)
        if (j->joined < j->max_threads &&
            atomic_load_explicit(&j->next, memory_order_relaxed) < j->ntasks)
            return j;
    return NULL;
}

static void *worker_main(void *arg)
{
    ParPool *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        ParJob *j = find_job(p);
        if (j) {
            int wid = j->joined++;
            atomic_fetch_add_explicit(&j->active, 1, memory_order_relaxed);
            pthread_mutex_unlock(&p->mu);
            int64_t n = job_work(j, wid);
            atomic_fetch_add_explicit(&p->n_tasks, n, memory_order_relaxed);
            pthread_mutex_lock(&p->mu);
            /* Under the mutex, so a submitter checking `active` under the
             * mutex cannot miss the broadcast. */
            if (atomic_fetch_sub_explicit(&j->active, 1, memory_order_acq_rel) == 1)
                pthread_cond_broadcast(&p->done_cv);
            continue;
        }
        /* Idle: spin a little for the next job, then sleep. */
        unsigned g = atomic_load_explicit(&p->gen, memory_order_acquire);
        pthread_mutex_unlock(&p->mu);
        int seen = 0;
        for (int i = 0; i < PAR_SPIN_IDLE; i++) {
            if (atomic_load_explicit(&p->gen, memory_order_acquire) != g) {
                seen = 1;
                break;
            }
            cpu_relax();
        }
        pthread_mutex_lock(&p->mu);
        if (seen || p->stop || find_job(p)) continue;
        p->sleepers++;
        pthread_cond_wait(&p->work_cv, &p->mu);
        p->sleepers--;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

ParPool *par_pool_new(int workers, Err *err)
{
    if (workers < 0) workers = 0;
    ParPool *p = calloc(1, sizeof *p);
    if (!p) {
        err_set(err, TSR_NOMEM, "out of memory creating the thread pool");
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    atomic_init(&p->gen, 0);
    atomic_init(&p->n_jobs, 0);
    atomic_init(&p->n_tasks, 0);
    atomic_init(&p->n_inline, 0);
    p->tids = workers ? calloc((size_t)workers, sizeof *p->tids) : NULL;
    if (workers && !p->tids) {
        par_pool_free(p);
        err_set(err, TSR_NOMEM, "out of memory creating the thread pool");
        return NULL;
    }
    for (int i = 0; i < workers; i++) {
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, (size_t)16 << 20);  /* kernels + nested DML */
        int rc = pthread_create(&p->tids[i], &at, worker_main, p);
        pthread_attr_destroy(&at);
        if (rc != 0) {
            par_pool_free(p);
            err_set(err, TSR_RUNTIME, "cannot start thread %d of the thread pool: %s", i + 1,
                    strerror(rc));
            return NULL;
        }
        p->nworkers++;
    }
    return p;
}

void par_pool_free(ParPool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nworkers; i++) pthread_join(p->tids[i], NULL);
    free(p->tids);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int par_pool_workers(const ParPool *p)
{
    return p ? p->nworkers : 0;
}

void par_pool_stats(const ParPool *p, ParPoolStats *st)
{
    memset(st, 0, sizeof *st);
    if (!p) return;
    ParPool *q = (ParPool *)p;
    st->jobs = atomic_load(&q->n_jobs);
    st->tasks = atomic_load(&q->n_tasks);
    st->inline_jobs = atomic_load(&q->n_inline);
}

int par_width(const ParCtx *ctx, int64_t ntasks)
{
    if (!ctx || !ctx->pool || ctx->threads <= 1 || ntasks <= 1) return 1;
    int w = ctx->threads;
    int cap = ctx->pool->nworkers + 1;
    if (w > cap) w = cap;
    if ((int64_t)w > ntasks) w = (int)ntasks;
    return w;
}

void par_run(const ParCtx *ctx, int64_t ntasks, ParTaskFn fn, void *arg)
{
    if (ntasks <= 0) return;
    int width = par_width(ctx, ntasks);
    if (width <= 1) {
        if (ctx && ctx->pool) atomic_fetch_add_explicit(&ctx->pool->n_inline, 1,
                                                        memory_order_relaxed);
        for (int64_t t = 0; t < ntasks; t++) fn(arg, t, 0);
        return;
    }
    ParPool *p = ctx->pool;
    ParJob j;
    j.fn = fn;
    j.arg = arg;
    j.ntasks = ntasks;
    atomic_init(&j.next, 0);
    atomic_init(&j.active, 1);
    j.joined = 1;
    j.max_threads = width;

    pthread_mutex_lock(&p->mu);
    j.link = p->jobs;
    p->jobs = &j;
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    if (p->sleepers) pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);

    int64_t n = job_work(&j, 0);
    atomic_fetch_add_explicit(&p->n_tasks, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->n_jobs, 1, memory_order_relaxed);

    /* No task left: close the job to new participants. */
    pthread_mutex_lock(&p->mu);
    for (ParJob **pp = &p->jobs; *pp; pp = &(*pp)->link)
        if (*pp == &j) {
            *pp = j.link;
            break;
        }
    atomic_fetch_sub_explicit(&j.active, 1, memory_order_acq_rel);
    pthread_mutex_unlock(&p->mu);

    /* Wait for helpers still finishing their last task.  A helper no longer
     * touches j once it has decremented `active` (it may still hold the
     * mutex on its way out), so j may leave scope as soon as active is 0. */
    for (int i = 0; i < PAR_SPIN_DONE; i++) {
        if (atomic_load_explicit(&j.active, memory_order_acquire) == 0) return;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&j.active, memory_order_acquire) != 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

typedef struct RangeJob {
    ParRangeFn fn;
    void *arg;
    int64_t n, grain;
} RangeJob;

static void range_task(void *arg, int64_t t, int wid)
{
    RangeJob *r = arg;
    int64_t lo = t * r->grain;
    int64_t hi = lo + r->grain < r->n ? lo + r->grain : r->n;
    r->fn(r->arg, lo, hi, wid);
}

void par_for(const ParCtx *ctx, int64_t n, int64_t grain, ParRangeFn fn, void *arg)
{
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t nt = par_nchunks(n, grain);
    if (nt == 1) {
        fn(arg, 0, n, 0);
        return;
    }
    RangeJob r = {fn, arg, n, grain};
    par_run(ctx, nt, range_task, &r);
}

int64_t par_grain(int64_t n, double cost_per_item)
{
    if (n <= 1) return 1;
    if (cost_per_item < 1e-3) cost_per_item = 1e-3;
    if ((double)n * cost_per_item < PAR_MIN_OP_WORK) return n;
    int64_t g = (n + PAR_MAX_TASKS - 1) / PAR_MAX_TASKS;
    int64_t gmin = (int64_t)(PAR_MIN_TASK_WORK / cost_per_item);
    if (g < gmin) g = gmin;
    if (g < 1) g = 1;
    return g > n ? n : g;
}

ParCtx par_nested(const ParCtx *ctx, int k)
{
    ParCtx c = {0, 1, 0};
    if (!ctx) return c;
    c.pool = ctx->pool;
    c.cache = ctx->cache;   /* nested work allocates from the same cache */
    c.threads = k > 0 ? ctx->threads / k : ctx->threads;
    if (c.threads < 1) c.threads = 1;
    return c;
}

void par_status_init(ParStatus *s)
{
    atomic_init(&s->failed, 0);
    err_clear(&s->err);
}

void par_status_fail(ParStatus *s, tsr_status st, const Err *err)
{
    int expect = 0;
    if (atomic_compare_exchange_strong(&s->failed, &expect, 1)) {
        if (err) s->err = *err;
        if (s->err.code == TSR_OK) s->err.code = st;
    }
}

int par_status_failed(const ParStatus *s)
{
    return atomic_load(&((ParStatus *)s)->failed);
}
