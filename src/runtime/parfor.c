/*
 * parfor.c - task-parallel execution of parfor loops (DML.md 8).
 *
 * A parfor statement runs in four steps:
 *  1. Options (8.2): the values the parser checked, with their defaults.
 *  2. Plan: with opt=NONE the options are taken as they are; RULEBASED,
 *     CONSTRAINED and HEURISTIC choose the number of workers k (at most
 *     par, at most the iterations, and as many as fit in memory by the
 *     estimate below), the task partitioner, and the threads each worker's
 *     operators get (threads / k: loop-level x op-level <= the budget).
 *     CONSTRAINED keeps every value the script gave.
 *  3. Execution.  k = 1 runs the iterations in place on the caller's
 *     scope.  k > 1 runs k workers as one job on the shared pool; each
 *     worker has its own interpreter state (symbol table with references to
 *     the caller's values, so inputs are shared read-only without copies
 *     and a result variable is copied by the first write of that worker;
 *     error slot; statistics; plan cache) and pulls tasks from one queue fed
 *     by the partitioner (dynamic self-scheduling).  Nested parfors run the
 *     same way inside a worker with the worker's thread budget (usually 1:
 *     in place).
 *  4. Result merge (parfor_merge.c) of the variables that exist before the
 *     loop and are written in the body; scalars are never merged back
 *     (8.5), variables created in the body are dropped.
 *
 * Unseeded rand() inside the body draws its seed from the iteration, not
 * from the worker, so the results do not depend on the number of workers.
 *
 * -stats sums per parfor statement: executions, workers, tasks,
 * iterations, per-worker busy time and merge time.  -trace records one
 * event per task (and per merge) for a Chrome/Perfetto trace file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/rt_int.h"

/* ---- shared state ------------------------------------------------------------------ */

void rt_shared_init(RtShared *sh)
{
    memset(sh, 0, sizeof *sh);
    pthread_mutex_init(&sh->mu, NULL);
    hm_init(&sh->dml_mods);
}

void rt_shared_free(RtShared *sh)
{
    hm_free(&sh->dml_mods);
    for (int k = 0; k < sh->npf; k++) {
        free(sh->pf[k].busy_ns);
        free(sh->pf[k].where);
    }
    free(sh->pf);
    free(sh->ev);
    pthread_mutex_destroy(&sh->mu);
    memset(sh, 0, sizeof *sh);
}

/* ---- options (DML.md 8.2) ------------------------------------------------------------ */

enum { PF_OPT_NONE, PF_OPT_RULEBASED, PF_OPT_CONSTRAINED, PF_OPT_HEURISTIC };
static const char *const pf_opt_names[] = {"NONE", "RULEBASED", "CONSTRAINED", "HEURISTIC"};
/* log levels, most verbose first; DEBUG and below print the plan */
static const char *const pf_log_names[] = {"ALL", "TRACE", "DEBUG", "INFO",
                                           "WARN", "ERROR", "FATAL", "OFF"};
#define PF_LOG_DEBUG 2

typedef struct PfOpts {
    int par, par_given;
    ParPartKind part;
    int part_given;
    int64_t tasksize;
    int tasksize_given;
    int opt, log, profile;
    int datapart;   /* -1: not given (the optimizer decides), 0: NONE, 1: LOCAL */
} PfOpts;

static int name_index(const char *v, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (!strcasecmp(v, names[k])) return k;
    return -1;
}

static void parse_opts(const Interp *in, const Stmt *s, PfOpts *o)
{
    memset(o, 0, sizeof *o);
    o->par = in->ctx.par.threads;
    o->part = PAR_FIXED;
    o->tasksize = 1;
    o->opt = PF_OPT_RULEBASED;
    o->log = 3;   /* INFO */
    o->datapart = -1;
    for (int k = 0; k < s->u.fors.nopts; k++) {
        const char *n = s->u.fors.opts[k].name, *v = s->u.fors.opts[k].value;
        if (!v) continue;
        if (!strcasecmp(n, "par")) {
            o->par = (int)strtol(v, NULL, 10);
            o->par_given = 1;
        } else if (!strcasecmp(n, "taskpartitioner")) {
            int p = par_part_parse(v);
            if (p >= 0) {
                o->part = (ParPartKind)p;
                o->part_given = 1;
            }
        } else if (!strcasecmp(n, "tasksize")) {
            o->tasksize = strtoll(v, NULL, 10);
            o->tasksize_given = 1;
        } else if (!strcasecmp(n, "opt")) {
            int x = name_index(v, pf_opt_names, 4);
            if (x >= 0) o->opt = x;
        } else if (!strcasecmp(n, "log")) {
            int x = name_index(v, pf_log_names, 8);
            if (x >= 0) o->log = x;
        } else if (!strcasecmp(n, "profile")) {
            o->profile = strcmp(v, "0") != 0;
        } else if (!strcasecmp(n, "datapartitioner")) {
            o->datapart = strcasecmp(v, "NONE") != 0;   /* LOCAL, REMOTE_SPARK: local */
        }
        /* check is the validator's (sem_parfor.c); mode (LOCAL only: the
         * validator rejects REMOTE_*) and resultmerge (merged in memory)
         * only affect performance: accepted as given. */
    }
    if (o->par < 1) o->par = 1;
    if (o->tasksize < 1) o->tasksize = 1;
}

/* ---- result variables ------------------------------------------------------------------ */

/* Names written in the body (assignments, multi-assignments, loop
 * variables of nested loops): value bit 1 = written, bit 2 = some write is
 * not an unindexed `+=`. */
static void note_write(HMap *w, const char *name, int accumulate)
{
    intptr_t f = (intptr_t)hm_get(w, name) | 1 | (accumulate ? 0 : 2);
    hm_put(w, name, (void *)f);
}

static void collect_writes(const StmtList *b, HMap *w)
{
    for (int k = 0; k < b->n; k++) {
        const Stmt *s = b->items[k];
        switch (s->kind) {
        case ST_ASSIGN:
            note_write(w, s->u.assign.target, s->u.assign.accumulate && !s->u.assign.indexed);
            break;
        case ST_MULTIASSIGN:
            for (int t = 0; t < s->u.massign.ntargets; t++)
                note_write(w, s->u.massign.targets[t], 0);
            break;
        case ST_IF:
            collect_writes(&s->u.ifs.then_b, w);
            collect_writes(&s->u.ifs.else_b, w);
            break;
        case ST_FOR:
            note_write(w, s->u.fors.var, 0);
            collect_writes(&s->u.fors.body, w);
            break;
        case ST_WHILE:
            collect_writes(&s->u.whiles.body, w);
            break;
        default:
            break;
        }
    }
}

typedef struct PfResult {
    char *name;
    int accumulate;
    Value old;        /* pre-loop value (a reference) */
} PfResult;

/* The matrix, frame and list variables of the caller's scope the body
 * writes (scalars are not merged back, DML.md 8.5). */
static PfResult *find_results(const Interp *in, const Stmt *s, int *nres)
{
    HMap w;
    hm_init(&w);
    collect_writes(&s->u.fors.body, &w);
    PfResult *r = xmalloc((w.count + 1) * sizeof *r);
    int n = 0;
    size_t it = 0;
    const char *name;
    void *flags;
    while (hm_next(&w, &it, &name, &flags)) {
        const Value *v = rt_env_get(in->env, name);
        if (!v || v->dt == DT_SCALAR || v->dt == DT_UNKNOWN) continue;
        r[n].name = xstrdup(name);
        r[n].accumulate = !((intptr_t)flags & 2);
        r[n].old = rt_copy(v);
        n++;
    }
    hm_free(&w);
    *nres = n;
    return r;
}

static void free_results(PfResult *r, int n)
{
    for (int k = 0; k < n; k++) {
        rt_release(&r[k].old);
        free(r[k].name);
    }
    free(r);
}

/* ---- memory estimate and plan ------------------------------------------------------------ */

static double value_bytes(const Value *v)
{
    const MatBlock *m = rt_mat_block(v);
    if (m) return (double)mb_bytes(m);
    const FrameBlock *f = rt_frame_block(v);
    if (f) return (double)f->rows * (double)f->cols * 16.0;
    return 64.0;
}

/* Variable names in the body's expressions (ast_visit_exprs callback). */
static void ref_name(const Expr *e, void *names)
{
    if (e->kind == EX_ID) hm_put(names, e->u.name, (void *)1);
}

typedef struct PfPlan {
    int k;                  /* workers */
    int op_threads;         /* threads of each worker's operators */
    ParPartKind part;
    int64_t tasksize;
    double shared_bytes;    /* inputs the workers share */
    double worker_bytes;    /* estimate per worker */
    double budget_bytes;
    int k_mem;              /* most workers that fit */
    double op_cells;        /* cells (non-zeros) of the largest matrix the body reads */
    int ops_split;          /* the body's operators are large enough to run in parallel */
} PfPlan;

/* Operators on inputs of at least this many cells split well over threads. */
#define PF_SPLIT_CELLS (4.0 * PAR_MIN_OP_WORK)

/* Cost model of the rule-based optimizer for a body whose operators split:
 * the loop's time in units of one iteration on one thread is ceil(n / k)
 * rounds of iterations whose operators run on t = threads / k threads at
 * 90% efficiency per thread.  (Operators too small to split run at the
 * speed of one thread: then more workers are always better.) */
static double loop_cost(int64_t n, int k, int threads)
{
    int t = threads / k < 1 ? 1 : threads / k;
    double rounds = (double)((n + k - 1) / k);
    return rounds / (t > 1 ? 0.9 * t : 1.0);
}

static double phys_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 4e9;
}

/* Memory per worker: a private copy of every result variable (the first
 * write copies it) plus intermediates, estimated as two values the size of
 * the largest input the body references.  Inputs are shared. */
static void estimate_memory(const Interp *in, const Stmt *s, const PfResult *res, int nres,
                            PfPlan *pl)
{
    HMap names;
    hm_init(&names);
    ast_visit_exprs(&s->u.fors.body, ref_name, &names);
    double shared = 0, largest = 0, own = 0;
    size_t it = 0;
    const char *name;
    while (hm_next(&names, &it, &name, NULL)) {
        const Value *v = rt_env_get(in->env, name);
        if (!v || v->dt == DT_SCALAR) continue;
        double b = value_bytes(v);
        shared += b;
        if (b > largest) largest = b;
        const MatBlock *m = rt_mat_block(v);
        double cells = m ? (m->sparse ? (double)m->nnz : (double)m->rows * (double)m->cols) : 0;
        if (cells > pl->op_cells) pl->op_cells = cells;
    }
    for (int k = 0; k < nres; k++) own += value_bytes(&res[k].old);
    hm_free(&names);
    pl->shared_bytes = shared;
    pl->worker_bytes = own + 2.0 * largest + 1e5;
    pl->budget_bytes = 0.7 * phys_bytes() - shared;
    double fit = pl->budget_bytes / pl->worker_bytes;
    pl->k_mem = fit < 1 ? 1 : fit > 1e6 ? 1000000 : (int)fit;
}

static void make_plan(const Interp *in, const Stmt *s, const PfOpts *o, int64_t n,
                      const PfResult *res, int nres, PfPlan *pl)
{
    int threads = in->ctx.par.threads < 1 ? 1 : in->ctx.par.threads;
    memset(pl, 0, sizeof *pl);
    pl->part = o->part;
    pl->tasksize = o->tasksize;
    estimate_memory(in, s, res, nres, pl);
    if (o->opt == PF_OPT_NONE) {
        pl->k = o->par;
    } else {
        /* Workers: at most par (the budget when not given), at most one per
         * iteration, and as many as fit in memory (CONSTRAINED keeps a
         * given par). */
        int k = o->par_given ? o->par : threads;
        if ((int64_t)k > n) k = n < 1 ? 1 : (int)n;
        int fixed = o->opt == PF_OPT_CONSTRAINED && o->par_given;
        if (!fixed && k > pl->k_mem) k = pl->k_mem;
        if (k < 1) k = 1;
        /* Loop-level against operator-level parallelism: the number of
         * workers of the least estimated time (ties: more workers). */
        pl->ops_split = pl->op_cells >= PF_SPLIT_CELLS;
        if (!fixed && pl->ops_split) {
            int best = k;
            for (int c = k - 1; c >= 1; c--)
                if (loop_cost(n, c, threads) < loop_cost(n, best, threads)) best = c;
            k = best;
        }
        pl->k = k;
        /* Tasks: factoring (large tasks first, small ones at the end to
         * balance) unless the script chose a partitioner. */
        if (!o->part_given && !o->tasksize_given) {
            pl->part = PAR_FACTORING;
            pl->tasksize = 1;
        }
    }
    pl->op_threads = threads / pl->k < 1 ? 1 : threads / pl->k;
}

static void log_plan(Interp *in, const Stmt *s, const PfOpts *o, int64_t n, const PfPlan *pl,
                     const char *parts)
{
    FILE *f = in->ctx.errout ? in->ctx.errout : stderr;
    fprintf(f,
            "PARFOR %s:%d:%d: opt=%s, %" PRId64 " iterations, k=%d workers (par=%d%s, memory "
            "allows %d), %d thread%s per worker's operators, taskpartitioner=%s tasksize=%" PRId64
            "; operators %s (largest input %.0f cells); column-partitioned inputs: %s; memory "
            "estimate: %.1f MB shared inputs, %.1f MB per worker, budget %.1f MB\n",
            s->span.file ? s->span.file : "", s->span.line, s->span.col, pf_opt_names[o->opt],
            n, pl->k, o->par, o->par_given ? "" : " default", pl->k_mem, pl->op_threads,
            pl->op_threads == 1 ? "" : "s", par_part_name(pl->part), pl->tasksize,
            pl->ops_split ? "split" : "do not split", pl->op_cells,
            parts && *parts ? parts : "none", pl->shared_bytes / 1e6, pl->worker_bytes / 1e6,
            pl->budget_bytes / 1e6);
}

/* ---- data partitioning ------------------------------------------------------------------ */

/* Counts, per variable, the read sites X[, e] / X[a:b, e] (one column) in
 * the body, nested loops and branches included (ast_visit_exprs callback). */
static void col_site(const Expr *e, void *sites)
{
    if (e->kind != EX_INDEX || e->u.index.target->kind != EX_ID || !e->u.index.has_comma ||
        e->u.index.row.kind == IDX_SINGLE || e->u.index.col.kind != IDX_SINGLE)
        return;
    const char *x = e->u.index.target->u.name;
    hm_put(sites, x, (void *)((intptr_t)hm_get(sites, x) + 1));
}

/* Inputs the loop partitions column-wise, with a reference held for the
 * loop's duration (so their blocks cannot change meanwhile). */
typedef struct PfParts {
    Value *held;
    int n;
} PfParts;

/* Column partitioning (datapartitioner=LOCAL; chosen by the optimizer when
 * not given): a dense input that the body reads only through column
 * indexing X[, j], and does not write, gets its transpose attached, so each
 * X[, j] copies a contiguous row instead of gathering strided cells
 * (one cache miss each).  The optimizer does it when the loop reads at
 * least a quarter of the columns' worth (iterations x read sites >= cols / 4)
 * and the copy fits in a quarter of the memory budget.  Only at the top
 * level: workers share the objects. */
static void partition_inputs(Interp *in, const Stmt *s, const PfOpts *o, int64_t n,
                             const PfPlan *pl, PfParts *parts, StrBuf *log)
{
    parts->held = NULL;
    parts->n = 0;
    if (in->worker > 0 || o->datapart == 0 || (o->datapart < 0 && o->opt == PF_OPT_NONE)) return;
    HMap sites, writes;
    hm_init(&sites);
    hm_init(&writes);
    ast_visit_exprs(&s->u.fors.body, col_site, &sites);
    collect_writes(&s->u.fors.body, &writes);
    parts->held = xmalloc((sites.count + 1) * sizeof *parts->held);
    size_t it = 0;
    const char *name;
    void *cnt;
    while (hm_next(&sites, &it, &name, &cnt)) {
        Value *v = rt_env_get(in->env, name);
        if (!v || v->dt != DT_MATRIX || hm_has(&writes, name) || v->u.m->colpart) continue;
        const MatBlock *b = v->u.m->blk;
        if (b->sparse || !b->dense || b->rows < 16 || b->cols < 2) continue;
        double reads = (double)n * (double)(intptr_t)cnt;
        if (o->datapart < 0 &&
            (reads < (double)b->cols / 4 || (double)mb_bytes(b) > pl->budget_bytes / 4))
            continue;
        MatBlock *t = NULL;
        Err err;
        err_clear(&err);
        if (kn_transpose(&in->ctx.par, b, &t, &err) != TSR_OK) continue;   /* only a speed-up */
        v->u.m->colpart = t;
        parts->held[parts->n++] = rt_copy(v);
        if (log) sb_printf(log, "%s%s", parts->n > 1 ? ", " : "", name);
    }
    hm_free(&sites);
    hm_free(&writes);
}

static void unpartition(PfParts *parts)
{
    for (int k = 0; k < parts->n; k++) {
        MatObj *m = parts->held[k].u.m;
        mb_free(m->colpart);
        m->colpart = NULL;
        rt_release(&parts->held[k]);
    }
    free(parts->held);
}

/* ---- statistics and trace --------------------------------------------------------------- */

static int os_tid(void)
{
    return (int)syscall(SYS_gettid);
}

/* Index of s's statistics record (mutex held). */
static int stat_index(RtShared *sh, const Stmt *s)
{
    for (int k = 0; k < sh->npf; k++)
        if (sh->pf[k].stmt == s) return k;
    if (sh->npf == sh->cappf) {
        sh->cappf = sh->cappf ? 2 * sh->cappf : 8;
        sh->pf = xrealloc(sh->pf, (size_t)sh->cappf * sizeof *sh->pf);
    }
    PfStat *p = &sh->pf[sh->npf];
    memset(p, 0, sizeof *p);
    p->stmt = s;
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s:%d:%d", s->span.file ? s->span.file : "", s->span.line, s->span.col);
    p->where = sb_take(&sb);
    return sh->npf++;
}

typedef struct PfWorkerLog {
    int64_t tasks, iters, busy_ns;
    int64_t init_ns;            /* setting up the worker's environment */
    PfEvent *ev;
    int nev, capev;
} PfWorkerLog;

static void log_event(PfWorkerLog *l, int trace, int64_t ts, int64_t dur, int64_t from,
                      int64_t to, int worker)
{
    if (!trace) return;
    if (l->nev == l->capev) {
        l->capev = l->capev ? 2 * l->capev : 64;
        l->ev = xrealloc(l->ev, (size_t)l->capev * sizeof *l->ev);
    }
    PfEvent *e = &l->ev[l->nev++];
    e->pf = -1;
    e->ts_ns = ts;
    e->dur_ns = dur;
    e->from = from;
    e->to = to;
    e->tid = os_tid();
    e->worker = worker;
}

/* Adds one execution's numbers (mutex taken here). */
static void record_run(Interp *in, const Stmt *s, PfWorkerLog *logs, int k, int64_t merge_ns,
                       int64_t wall_ns)
{
    RtShared *sh = in->sh;
    if (!in->stats_on && !sh->trace_on) return;
    pthread_mutex_lock(&sh->mu);
    int idx = stat_index(sh, s);
    PfStat *p = &sh->pf[idx];
    p->runs++;
    p->merge_ns += merge_ns;
    p->wall_ns += wall_ns;
    if (k > p->workers) {
        p->busy_ns = xrealloc(p->busy_ns, (size_t)k * sizeof *p->busy_ns);
        for (int w = p->workers; w < k; w++) p->busy_ns[w] = 0;
        p->workers = k;
    }
    for (int w = 0; w < k; w++) {
        p->tasks += logs[w].tasks;
        p->iters += logs[w].iters;
        p->busy_ns[w] += logs[w].busy_ns;
        for (int e = 0; e < logs[w].nev; e++) {
            if (sh->nev >= RT_TRACE_MAX_EVENTS) {
                sh->ev_dropped++;
                continue;
            }
            if (sh->nev == sh->capev) {
                sh->capev = sh->capev ? 2 * sh->capev : 1024;
                sh->ev = xrealloc(sh->ev, (size_t)sh->capev * sizeof *sh->ev);
            }
            sh->ev[sh->nev] = logs[w].ev[e];
            sh->ev[sh->nev].pf = idx;
            sh->nev++;
        }
    }
    pthread_mutex_unlock(&sh->mu);
}

static void print_profile(Interp *in, const Stmt *s, PfWorkerLog *logs, int k, int64_t merge_ns,
                          int64_t wall_ns)
{
    FILE *f = in->ctx.errout ? in->ctx.errout : stderr;
    int64_t tasks = 0, iters = 0;
    for (int w = 0; w < k; w++) {
        tasks += logs[w].tasks;
        iters += logs[w].iters;
    }
    fprintf(f, "PARFOR %s:%d:%d profile: %.6f s, %d worker%s, %" PRId64 " tasks, %" PRId64
            " iterations, merge %.6f s; busy per worker:", s->span.file ? s->span.file : "",
            s->span.line, s->span.col, (double)wall_ns / 1e9, k, k == 1 ? "" : "s", tasks, iters,
            (double)merge_ns / 1e9);
    for (int w = 0; w < k; w++) fprintf(f, " %.6f", (double)logs[w].busy_ns / 1e9);
    fprintf(f, "\n");
}

void rt_pf_print_stats(const RtShared *sh, FILE *f)
{
    if (sh->npf == 0) return;
    fprintf(f, "ParFor loops optimized:\t\t%" PRId64 ".\n", sh->pf_optimized);
    fprintf(f, "ParFor optimize time:\t\t%.3f sec.\n", (double)sh->pf_opt_ns / 1e9);
    fprintf(f, "ParFor initialize time:\t\t%.3f sec.\n", (double)sh->pf_init_ns / 1e9);
    fprintf(f, "ParFor result merge time:\t%.3f sec.\n", (double)sh->pf_merge_ns / 1e9);
    fprintf(f, "ParFOR loops (runs, workers, tasks, iterations; busy time per worker; merge):\n");
    for (int k = 0; k < sh->npf; k++) {
        const PfStat *p = &sh->pf[k];
        fprintf(f, "  %s: %" PRId64 " run%s, %d worker%s, %" PRId64 " tasks, %" PRId64
                " iterations, %.3f sec.; busy", p->where, p->runs, p->runs == 1 ? "" : "s",
                p->workers, p->workers == 1 ? "" : "s", p->tasks, p->iters,
                (double)p->wall_ns / 1e9);
        for (int w = 0; w < p->workers; w++) fprintf(f, " %.3f", (double)p->busy_ns[w] / 1e9);
        fprintf(f, " sec.; merge %.3f sec.\n", (double)p->merge_ns / 1e9);
    }
}

/* s as the contents of a JSON string (quotes, backslashes and control
 * characters of a file name escaped). */
static void json_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
}

tsr_status rt_trace_write(const RtShared *sh, const char *path, int64_t t0, Err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return err_set(err, TSR_IO, "cannot write the trace file '%s': %s", path,
                           strerror(errno));
    fprintf(f, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n");
    fprintf(f, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, "
               "\"args\": {\"name\": \"tessera\"}}");
    for (int64_t k = 0; k < sh->nev; k++) {
        const PfEvent *e = &sh->ev[k];
        const char *where = e->pf >= 0 ? sh->pf[e->pf].where : "";
        double ts = (double)(e->ts_ns - t0) / 1e3, dur = (double)e->dur_ns / 1e3;
        if (e->to < e->from)
            fprintf(f, ",\n{\"name\": \"merge\", \"cat\": \"parfor\", \"ph\": \"X\", \"ts\": %.3f, "
                       "\"dur\": %.3f, \"pid\": 1, \"tid\": %d, \"args\": {\"parfor\": \"",
                    ts, dur, e->tid);
        else
            fprintf(f, ",\n{\"name\": \"task %" PRId64 "..%" PRId64 "\", \"cat\": \"parfor\", "
                       "\"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 1, \"tid\": %d, "
                       "\"args\": {\"worker\": %d, \"iterations\": %" PRId64 ", \"parfor\": \"",
                    e->from, e->to, ts, dur, e->tid, e->worker, e->to - e->from + 1);
        json_text(f, where);
        fputs("\"}}", f);
    }
    fprintf(f, "\n],\n\"otherData\": {\"events_dropped\": %" PRId64 "}}\n", sh->ev_dropped);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return err_set(err, TSR_IO, "cannot write the trace file '%s'", path);
    return TSR_OK;
}

/* ---- iteration space and seeds ------------------------------------------------------------ */

typedef struct PfRange {
    int64_t from, incr, n;
} PfRange;

static int64_t iter_value(const PfRange *r, int64_t k)
{
    return (int64_t)((uint64_t)r->from + (uint64_t)k * (uint64_t)r->incr);
}

/* rand() counter of iteration k: the unseeded-rand seeds of an iteration
 * depend on the loop and the iteration only (not on the worker). */
static uint64_t iter_rand(uint64_t base, int64_t k)
{
    uint64_t x = base * 0x9E3779B97F4A7C15ull + (uint64_t)k + 1;
    x = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

/* ---- the task queue ---------------------------------------------------------------------- */

/* Tasks of the FIXED, NAIVE and STATIC partitioners are computed from their
 * number, so workers take them with one atomic increment; the adaptive
 * partitioners (FACTORING*, GSS, TSS) step the partitioner under a mutex. */
typedef struct PfQueue {
    pthread_mutex_t mu;
    ParPart part;
    int64_t next;            /* first iteration (0-based) of the next task (mutex) */
    int arith;               /* tasks by number: size (FIXED, NAIVE) or STATIC's q, r */
    int64_t n, size, q, r;
    atomic_llong task;
} PfQueue;

static void queue_init(PfQueue *q, const PfPlan *pl, int64_t n, int k)
{
    pthread_mutex_init(&q->mu, NULL);
    par_part_init(&q->part, pl->part, n, k, pl->tasksize);
    q->next = 0;
    q->n = n;
    q->arith = pl->part == PAR_FIXED || pl->part == PAR_NAIVE || pl->part == PAR_STATIC;
    q->size = pl->part == PAR_NAIVE ? 1 : pl->tasksize;
    q->q = n / k;   /* STATIC: k tasks, the first n mod k one larger */
    q->r = n % k;
    atomic_init(&q->task, 0);
}

static int queue_next(PfQueue *q, int64_t *k0, int64_t *cnt)
{
    if (q->arith) {
        int64_t t = atomic_fetch_add_explicit(&q->task, 1, memory_order_relaxed);
        if (q->part.kind == PAR_STATIC) {
            *k0 = t * q->q + (t < q->r ? t : q->r);
            *cnt = q->q + (t < q->r ? 1 : 0);
        } else {
            *k0 = t > q->n / q->size ? q->n : t * q->size;
            *cnt = q->size;
        }
        if (*k0 >= q->n || *cnt <= 0) return 0;
        if (*cnt > q->n - *k0) *cnt = q->n - *k0;
        return 1;
    }
    pthread_mutex_lock(&q->mu);
    int64_t s = par_part_next(&q->part);
    *k0 = q->next;
    *cnt = s;
    q->next += s;
    pthread_mutex_unlock(&q->mu);
    return s > 0;
}

/* ---- sequential execution (k = 1) ------------------------------------------------------ */

/* Deletes the variables of env that `keep` does not name. */
static void drop_new_vars(Env *env, const Env *keep)
{
    size_t it = 0, n = 0;
    const char *name;
    char **drop = xmalloc((env->vars.count + 1) * sizeof *drop);
    while (hm_next(&env->vars, &it, &name, NULL))
        if (!hm_has(&keep->vars, name)) drop[n++] = xstrdup(name);
    for (size_t k = 0; k < n; k++) {
        rt_env_del(env, drop[k]);
        free(drop[k]);
    }
    free(drop);
}

/* Runs all iterations in order on the caller's scope, task by task (for
 * the statistics and the trace).  Without dependencies (what check=1
 * proves) this is the merge's result: each result cell is written by one
 * iteration; accumulators sum up in place.  Visibility rules are kept:
 * variables created in the body are removed afterwards and pre-existing
 * scalars get their pre-loop values back. */
static tsr_status run_in_place(Interp *in, const Stmt *s, const PfRange *r, const PfPlan *pl,
                               uint64_t rand_base, PfWorkerLog *log)
{
    Env saved;   /* pre-loop scalars (copies) and names of all variables */
    rt_env_init(&saved);
    size_t it = 0;
    const char *name;
    void *val;
    while (hm_next(&in->env->vars, &it, &name, &val)) {
        const Value *v = val;
        rt_env_set(&saved, name, v->dt == DT_SCALAR ? rt_copy(v) : rt_int(0));
    }
    ParPart part;
    par_part_init(&part, pl->part, r->n, 1, pl->tasksize);
    tsr_status st = TSR_OK;
    int64_t k0 = 0;
    for (int64_t cnt; st == TSR_OK && (cnt = par_part_next(&part)) > 0; k0 += cnt) {
        int64_t t0 = tm_now_ns();
        for (int64_t k = k0; k < k0 + cnt && st == TSR_OK; k++) {
            rt_env_set(in->env, s->u.fors.var, rt_int(iter_value(r, k)));
            in->ctx.rand_calls = iter_rand(rand_base, k);
            st = rt_exec_block(in, &s->u.fors.body);
        }
        int64_t dt = tm_now_ns() - t0;
        log->tasks++;
        log->iters += cnt;
        log->busy_ns += dt;
        log_event(log, in->sh->trace_on, t0, dt, iter_value(r, k0), iter_value(r, k0 + cnt - 1),
                  0);
    }
    it = 0;
    while (hm_next(&saved.vars, &it, &name, &val)) {
        Value *cur = rt_env_get(in->env, name);
        if (cur && cur->dt == DT_SCALAR && ((Value *)val)->dt == DT_SCALAR)
            rt_env_set(in->env, name, rt_copy(val));
    }
    drop_new_vars(in->env, &saved);
    rt_env_free(&saved);
    return st;
}

/* ---- workers ----------------------------------------------------------------------------- */

typedef struct PfWorker {
    Interp in;               /* the worker's own interpreter state */
    Env env;
    Value *res;              /* final values of the result variables */
    int ran;
} PfWorker;

typedef struct PfRun {
    Interp *parent;
    const Stmt *s;
    PfRange r;
    PfQueue q;
    PfPlan plan;
    PfWorker *w;
    PfWorkerLog *logs;
    PfResult *res;
    int nres;
    uint64_t rand_base;
    ParStatus status;
} PfRun;

static void worker_init(PfRun *run, PfWorker *w, int wid)
{
    const Interp *p = run->parent;
    w->in = *p;
    err_clear(&w->in.ctx.err);
    memset(&w->in.ctx.stats, 0, sizeof w->in.ctx.stats);
    rt_stats_init(&w->in);
    w->in.ctx.par = par_nested(&p->ctx.par, run->plan.k);
    w->in.ctx.par.threads = run->plan.op_threads;
    w->in.ctx.threads = run->plan.op_threads;
    w->in.explain = wid == 0 ? p->explain : 0;   /* print each plan once */
    w->in.worker = p->worker + 1;
    w->in.stack_floor = rt_stack_floor();
    hm_init(&w->in.plans);
    /* The caller's variables by reference: inputs are shared, a write copies. */
    rt_env_init(&w->env);
    size_t it = 0;
    const char *name;
    void *val;
    while (hm_next(&p->env->vars, &it, &name, &val)) rt_env_set(&w->env, name, rt_copy(val));
    w->in.env = &w->env;
    w->ran = 1;
}

/* Keeps the result variables' final values and frees the rest. */
static void worker_finish(PfRun *run, PfWorker *w)
{
    w->res = xcalloc((size_t)run->nres + 1, sizeof *w->res);
    for (int j = 0; j < run->nres; j++) w->res[j] = rt_env_take(&w->env, run->res[j].name);
    rt_env_free(&w->env);
    rt_plans_free(&w->in);
    w->in.env = NULL;
}

static void worker_task(void *arg, int64_t t, int wid)
{
    (void)wid;
    PfRun *run = arg;
    PfWorker *w = &run->w[t];
    PfWorkerLog *log = &run->logs[t];
    const Stmt *s = run->s;
    int trace = run->parent->sh->trace_on;
    if (par_status_failed(&run->status)) return;
    int64_t t_init = tm_now_ns();
    worker_init(run, w, (int)t);
    log->init_ns = tm_now_ns() - t_init;
    int64_t k0, cnt;
    while (!par_status_failed(&run->status) && queue_next(&run->q, &k0, &cnt)) {
        int64_t t0 = tm_now_ns();
        tsr_status st = TSR_OK;
        for (int64_t k = k0; k < k0 + cnt; k++) {
            rt_env_set(&w->env, s->u.fors.var, rt_int(iter_value(&run->r, k)));
            w->in.ctx.rand_calls = iter_rand(run->rand_base, k);
            st = rt_exec_block(&w->in, &s->u.fors.body);
            if (st) {
                par_status_fail(&run->status, st, &w->in.ctx.err);
                break;
            }
        }
        int64_t dt = tm_now_ns() - t0;
        log->tasks++;
        log->iters += cnt;
        log->busy_ns += dt;
        log_event(log, trace, t0, dt, iter_value(&run->r, k0), iter_value(&run->r, k0 + cnt - 1),
                  (int)t);
        if (st) break;
    }
    worker_finish(run, w);
}

static void free_workers(PfRun *run)
{
    for (int w = 0; w < run->plan.k; w++) {
        PfWorker *x = &run->w[w];
        if (x->ran) {
            for (int j = 0; j < run->nres; j++) rt_release(&x->res[j]);
            free(x->res);
            rt_stats_free(&x->in);
        }
    }
    free(run->w);
}

/* Merges every result variable into the caller's scope. */
static tsr_status merge_results(PfRun *run)
{
    Interp *in = run->parent;
    int k = run->plan.k;
    const Value **nv = xmalloc((size_t)k * sizeof *nv);
    tsr_status st = TSR_OK;
    for (int j = 0; j < run->nres && st == TSR_OK; j++) {
        for (int w = 0; w < k; w++) nv[w] = run->w[w].ran ? &run->w[w].res[j] : NULL;
        Value out;
        st = rt_pf_merge(in, run->res[j].name, &run->res[j].old, nv, k, run->res[j].accumulate,
                         run->s->span, &out);
        if (st == TSR_OK) rt_env_set(in->env, run->res[j].name, out);
    }
    free(nv);
    return st;
}

static tsr_status run_workers(Interp *in, PfRun *run)
{
    int k = run->plan.k;
    run->w = xcalloc((size_t)k, sizeof *run->w);
    queue_init(&run->q, &run->plan, run->r.n, k);
    par_status_init(&run->status);
    /* One job of k tasks (one per worker) on the shared pool; k threads at
     * most take part (fewer when the pool is smaller: then a late worker
     * finds the queue empty). */
    ParCtx job = in->ctx.par;
    job.threads = k;
    par_run(&job, k, worker_task, run);
    pthread_mutex_destroy(&run->q.mu);
    for (int w = 0; w < k; w++)
        if (run->w[w].ran) rt_stats_merge(in, &run->w[w].in);
    if (par_status_failed(&run->status)) {
        in->ctx.err = run->status.err;
        return in->ctx.err.code ? in->ctx.err.code : TSR_RUNTIME;
    }
    /* Variables created in the body stay in the workers; the loop variable
     * of the caller (if any) keeps its pre-loop value. */
    return TSR_OK;
}

/* ---- entry ----------------------------------------------------------------------------- */

tsr_status rt_exec_parfor(Interp *in, const Stmt *s)
{
    PfRange r;
    tsr_status st = rt_for_range(in, s, &r.from, &r.incr, &r.n);
    if (st) return rt_fail_at(in, s->span);
    int64_t t_start = tm_now_ns();
    PfOpts o;
    parse_opts(in, s, &o);
    int nres = 0;
    PfResult *res = find_results(in, s, &nres);
    PfPlan pl;
    make_plan(in, s, &o, r.n, res, nres, &pl);
    int64_t t_plan = tm_now_ns();
    PfParts parts;
    StrBuf plog;
    sb_init(&plog);
    partition_inputs(in, s, &o, r.n, &pl, &parts, &plog);
    int64_t init_ns = tm_now_ns() - t_plan;
    if (o.log <= PF_LOG_DEBUG) log_plan(in, s, &o, r.n, &pl, plog.s);
    sb_free(&plog);
    uint64_t rand_base = in->ctx.rand_calls++;
    int64_t merge_ns = 0;
    PfWorkerLog *logs;
    int k = pl.k;
    if (k <= 1 || r.n <= 1) {
        k = 1;
        logs = xcalloc(1, sizeof *logs);
        st = run_in_place(in, s, &r, &pl, rand_base, logs);
    } else {
        PfRun run;
        memset(&run, 0, sizeof run);
        run.parent = in;
        run.s = s;
        run.r = r;
        run.plan = pl;
        run.res = res;
        run.nres = nres;
        run.rand_base = rand_base;
        run.logs = xcalloc((size_t)k, sizeof *run.logs);
        st = run_workers(in, &run);
        for (int w = 0; w < k; w++)
            if (run.logs[w].init_ns > 0) init_ns += run.logs[w].init_ns / k;   /* mean */
        if (st == TSR_OK) {
            int64_t m0 = tm_now_ns();
            st = merge_results(&run);
            merge_ns = tm_now_ns() - m0;
            if (in->sh->trace_on)
                log_event(&run.logs[0], 1, m0, merge_ns, 1, 0, 0);
        }
        free_workers(&run);
        logs = run.logs;
    }
    int64_t wall = tm_now_ns() - t_start;
    record_run(in, s, logs, k, merge_ns, wall);
    if (in->stats_on) {
        pthread_mutex_lock(&in->sh->mu);
        in->sh->pf_optimized += o.opt != PF_OPT_NONE;
        in->sh->pf_opt_ns += t_plan - t_start;
        in->sh->pf_init_ns += init_ns;
        in->sh->pf_merge_ns += merge_ns;
        pthread_mutex_unlock(&in->sh->mu);
    }
    if (o.profile) print_profile(in, s, logs, k, merge_ns, wall);
    for (int w = 0; w < k; w++) free(logs[w].ev);
    free(logs);
    free_results(res, nres);
    unpartition(&parts);
    rt_stats_end(in, "parfor", t_start);
    return st ? rt_fail_at(in, s->span) : TSR_OK;
}
