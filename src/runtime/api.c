/*
 * api.c - the public embedding API (include/tessera.h): contexts, running a
 * script (load -> validate -> execute), the rendered last error, and the
 * statistics block of DML.md 11.2.
 *
 * A run owns everything it creates (program, validator, symbol table) and
 * frees it before returning, on success and on every error path; only the
 * rendered error message and the statistics survive until the next run.
 * The interpreter's recursion guard needs the bounds of the calling
 * thread's stack, which it reads with pthread_getattr_np (GNU).
 *
 * A context owns the thread pool and the buffer cache of large blocks
 * (matrix.h, MbCache), both reached by kernels through RtCtx.par.  The
 * cache is configured from the environment at tsr_open (docs/parallel.md,
 * "Memory reuse"): TSR_BUFCACHE=0 disables it (plain calloc/free), a size
 * such as 512M or 2G bounds the free buffers it keeps (default
 * min(RAM/4, 4 GiB)); TSR_HUGEPAGES=0 stops MADV_HUGEPAGE advice;
 * TSR_INPLACE=0 stops in-place updates of variables (X = X * 2 + 1).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"
#include "runtime/rt_int.h"

#ifndef TSR_VERSION
#define TSR_VERSION "0.1.0"
#endif
#ifndef TSR_SCRIPTS_DIR
#define TSR_SCRIPTS_DIR "scripts"
#endif

struct tsr_ctx {
    tsr_options opt;
    Interp in;
    RtShared sh;         /* modules, parfor statistics and trace of the last run */
    char *errmsg;        /* rendered "file:line:col: error: msg", or "" */
    int ran;             /* a run has finished (statistics are valid) */
    ParPool *pool;       /* threads - 1 workers; NULL when threads == 1 */
    int threads;         /* effective degree of parallelism */
    MbCache *cache;      /* buffer cache of large blocks; NULL if it could not be made */
};

void tsr_options_default(tsr_options *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 0;
    o->seed = -1;
    o->stats = 0;
    o->stats_top = 10;
    o->out = NULL;
    o->err = NULL;
    o->scripts_dir = NULL;
    o->optlevel = 2;
    o->explain = 0;
}

/* A byte count "N", "N[kKmMgG]"; -1 if malformed. */
static int64_t parse_bytes(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0) return -1;
    int64_t mul = 1;
    switch (tolower((unsigned char)*end)) {
    case '\0': break;
    case 'k': mul = (int64_t)1 << 10; end++; break;
    case 'm': mul = (int64_t)1 << 20; end++; break;
    case 'g': mul = (int64_t)1 << 30; end++; break;
    default: return -1;
    }
    if (*end || v > INT64_MAX / mul) return -1;
    return (int64_t)v * mul;
}

/* An environment switch: unset or anything but "0"/"off" is on. */
static int env_on(const char *name)
{
    const char *v = getenv(name);
    return !v || (strcmp(v, "0") != 0 && strcmp(v, "off") != 0);
}

/* The buffer cache as the environment configures it (see the top). */
static MbCache *cache_from_env(void)
{
    MbCacheOpts o;
    mb_cache_opts_default(&o);
    const char *v = getenv("TSR_BUFCACHE");
    if (v && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0)) o.max_bytes = 0;
    else if (v && parse_bytes(v) > 0) o.max_bytes = parse_bytes(v);
    o.hugepages = env_on("TSR_HUGEPAGES");
    o.inplace = env_on("TSR_INPLACE");
    Err err;
    err_clear(&err);
    return mb_cache_new(&o, &err);   /* NULL: run without (calloc/free, no in-place) */
}

tsr_ctx *tsr_open(const tsr_options *o)
{
    tsr_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (o) c->opt = *o;
    else tsr_options_default(&c->opt);
    c->errmsg = xstrdup("");
    rt_shared_init(&c->sh);
    /* Once per process, before any thread or BLAS call: pick OpenBLAS's
     * AVX2/AVX-512 kernels on CPUs its detection does not know. */
    kn_blas_setup();
    /* Once per process too: GSL's error handler returns NaN, never aborts. */
    kn_dist_setup();
    c->threads = c->opt.threads > 0 ? c->opt.threads : par_ncores();
    if (c->threads > 1) {
        Err err;
        err_clear(&err);
        c->pool = par_pool_new(c->threads - 1, &err);
        if (!c->pool) c->threads = 1;   /* no threads: run sequentially */
    }
    c->cache = cache_from_env();
    return c;
}

void tsr_close(tsr_ctx *c)
{
    if (!c) return;
    par_pool_free(c->pool);
    rt_shared_free(&c->sh);
    mb_cache_free(c->cache);   /* every block of the runs is freed by now */
    free(c->errmsg);
    free(c);
}

const char *tsr_errmsg(const tsr_ctx *c)
{
    return c->errmsg;
}

const char *tsr_version(void)
{
    return TSR_VERSION;
}

/* ---- running a script --------------------------------------------------------- */

/* The lowest stack address the interpreter may reach before it reports a
 * too-deep recursion (0: unknown, no check).  Leaves 1/8 of the stack, at
 * least 512 KiB, for builtins, kernels and the sanitizers. */
uintptr_t rt_stack_floor(void)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    int rc = pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || size == 0) return 0;
    size_t margin = size / 8 > ((size_t)512 << 10) ? size / 8 : (size_t)512 << 10;
    if (margin >= size) return 0;
    return (uintptr_t)addr + margin;
}

static void render_error(tsr_ctx *c, const Err *e)
{
    StrBuf sb;
    sb_init(&sb);
    if (e->span.file && e->span.line > 0)
        sb_printf(&sb, "%s:%d:%d: error: %s", e->span.file, e->span.line, e->span.col, e->msg);
    else if (e->span.file)
        sb_printf(&sb, "%s: error: %s", e->span.file, e->msg);
    else
        sb_printf(&sb, "error: %s", e->msg);
    free(c->errmsg);
    c->errmsg = sb_take(&sb);
}

static void interp_init(tsr_ctx *c, AstProgram *prog, SemCtx *sem)
{
    Interp *in = &c->in;
    memset(in, 0, sizeof *in);
    in->ctx.out = c->opt.out ? c->opt.out : stdout;
    in->ctx.errout = c->opt.err ? c->opt.err : stderr;
    in->ctx.seed = c->opt.seed >= 0 ? c->opt.seed : -1;
    in->ctx.threads = c->threads;
    in->ctx.par.pool = c->pool;
    in->ctx.par.threads = c->threads;
    in->ctx.par.cache = c->cache;
    in->ctx.block_format = c->opt.block_format == 1   ? MB_FMT_DENSE
                           : c->opt.block_format == 2 ? MB_FMT_SPARSE
                                                      : MB_FMT_AUTO;
    in->ctx.prog = prog;
    in->sem = sem;
    rt_shared_free(&c->sh);   /* the previous run's */
    rt_shared_init(&c->sh);
    c->sh.trace_on = c->opt.trace != NULL;
    in->sh = &c->sh;
    in->stats_on = c->opt.stats;
    in->cp.level = c->opt.optlevel;
    in->cp.fusion = c->opt.optlevel >= 1;
    in->cp.forced_sparse = c->opt.block_format == 2;
    in->explain = c->opt.explain;
    hm_init(&in->plans);
    rt_stats_init(in);
}

/* Executes the main script's statements in a fresh global scope. */
static tsr_status execute(Interp *in)
{
    Env globals;
    rt_env_init(&globals);
    in->env = &globals;
    in->file = in->ctx.prog->main->file;
    in->stack_floor = rt_stack_floor();
    tsr_status st = rt_exec_block(in, &in->ctx.prog->main->file->stmts);
    in->env = NULL;
    rt_env_free(&globals);
    return st;
}

/* The interpreter runs on its own thread with a large stack, so that
 * RT_MAX_CALL_DEPTH nested DML calls fit (about 1-2 KiB of C stack per DML
 * call level, several times that under sanitizers).  The stack is reserved
 * virtually and committed only as used.  If the thread cannot be created,
 * execution falls back to the calling thread (the stack guard still turns
 * deep recursion into an error). */
#define RT_EXEC_STACK ((size_t)256 << 20)

typedef struct ExecJob {
    Interp *in;
    tsr_status st;
} ExecJob;

static void *exec_thread(void *p)
{
    ExecJob *j = p;
    j->st = execute(j->in);
    return NULL;
}

static tsr_status execute_on_big_stack(Interp *in)
{
    pthread_attr_t attr;
    pthread_t th;
    ExecJob job = {in, TSR_OK};
    if (pthread_attr_init(&attr) != 0) return execute(in);
    int rc = pthread_attr_setstacksize(&attr, RT_EXEC_STACK);
    if (rc == 0) rc = pthread_create(&th, &attr, exec_thread, &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) return execute(in);
    pthread_join(th, NULL);
    return job.st;
}

static ParseArgs parse_args_of(const tsr_args *a)
{
    ParseArgs pa;
    memset(&pa, 0, sizeof pa);
    if (!a) return pa;
    pa.pos = a->pos;
    pa.npos = a->npos;
    pa.keys = a->keys;
    pa.vals = a->vals;
    pa.nnamed = a->nnamed;
    return pa;
}

/* Records the outcome of a run and frees everything the run created. */
static void finish_run(tsr_ctx *c, tsr_status st, const Err *err, AstProgram *prog,
                       SemCtx *sem)
{
    fflush(c->in.ctx.out);
    c->in.ctx.stats.t_exec_end = tm_now_ns();
    c->ran = 1;
    if (st) render_error(c, err);   /* before the program (owner of span.file) is freed */
    else c->errmsg[0] = '\0';
    if (c->opt.trace) {
        Err terr;
        err_clear(&terr);
        if (rt_trace_write(&c->sh, c->opt.trace, c->in.ctx.stats.t_start, &terr) != TSR_OK)
            fprintf(c->in.ctx.errout, "WARNING: %s\n", terr.msg);
    }
    hm_free(&c->sh.dml_mods);   /* the modules belong to the program */
    hm_init(&c->sh.dml_mods);
    rt_plans_free(&c->in);
    rt_stats_free(&c->in);
    c->in.ctx.prog = NULL;
    c->in.sem = NULL;
    if (sem) sem_free(sem);
    if (prog) prs_free_program(prog);
}

int tsr_run(tsr_ctx *c, const char *path, const char *text, const tsr_args *args)
{
    Err err;
    err_clear(&err);
    ParseArgs pa = parse_args_of(args);
    const char *scripts = c->opt.scripts_dir ? c->opt.scripts_dir : TSR_SCRIPTS_DIR;
    int64_t t_start = tm_now_ns();
    AstProgram *prog = prs_load_program(path ? path : "<script>", text, &pa, scripts, &err);
    int64_t t_parse = tm_now_ns();
    SemCtx *sem = prog ? sem_new(prog, c->opt.err ? c->opt.err : stderr) : NULL;
    tsr_status st = prog ? sem_validate(sem, &err) : (err.code ? err.code : TSR_SYNTAX);
    interp_init(c, prog, sem);
    c->in.ctx.stats.t_start = t_start;
    c->in.ctx.stats.t_parse = t_parse;
    c->in.ctx.stats.t_compile = tm_now_ns();
    HMap unread;
    hm_init(&unread);
    if (st == TSR_OK && c->opt.optlevel >= 1) {
        int removed = cp_remove_branches(prog);
        cp_find_unread(prog, &unread);
        c->in.cp.unread = &unread;
        if (removed && c->opt.explain)
            fprintf(c->in.ctx.out, "PROGRAM REWRITES: %d constant branch%s removed\n", removed,
                    removed == 1 ? "" : "es");
    }
    if (st == TSR_OK) {
        st = execute_on_big_stack(&c->in);
        if (st) err = c->in.ctx.err;
    }
    c->in.cp.unread = NULL;
    finish_run(c, st, &err, prog, sem);
    hm_free(&unread);
    return (int)st;
}

/* ---- statistics (DML.md 11.2) -------------------------------------------------- */

static int by_time_desc(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The heavy-hitter table: the top n operations by total time. */
static void print_heavy_hitters(const RtStats *st, int n, FILE *f)
{
    int64_t order[256][2];   /* (ns, index): sorted by ns descending */
    size_t width = strlen("Instruction");
    for (int k = 0; k < st->nops; k++) {
        order[k][0] = st->ops[k].ns;
        order[k][1] = k;
        size_t w = strlen(st->ops[k].name);
        if (w > width) width = w;
    }
    qsort(order, (size_t)st->nops, sizeof order[0], by_time_desc);
    fprintf(f, "Heavy hitter instructions:\n");
    fprintf(f, " %3s  %-*s  %10s  %10s\n", "#", (int)width, "Instruction", "Time(s)", "Count");
    for (int k = 0; k < st->nops && k < n; k++) {
        const int i = (int)order[k][1];
        fprintf(f, " %3d  %-*s  %10.3f  %10lld\n", k + 1, (int)width, st->ops[i].name,
                (double)st->ops[i].ns / 1e9, (long long)st->ops[i].count);
    }
}

void tsr_print_stats(const tsr_ctx *c, FILE *f)
{
    const RtStats *st = &c->in.ctx.stats;
    double exec = c->ran ? (double)(st->t_exec_end - st->t_compile) / 1e9 : 0.0;
    fprintf(f, "SystemDS Statistics:\n");
    if (!c->opt.stats) {
        fprintf(f, "Total execution time:\t\t%.3f sec.\n", exec);
        return;
    }
    double total = c->ran ? (double)(st->t_exec_end - st->t_start) / 1e9 : 0.0;
    double parse = c->ran ? (double)(st->t_parse - st->t_start) / 1e9 : 0.0;
    double comp = c->ran ? (double)(st->t_compile - st->t_parse) / 1e9 : 0.0;
    fprintf(f, "Total elapsed time:\t\t%.3f sec.\n", total);
    fprintf(f, "Total parse time:\t\t%.3f sec.\n", parse);
    fprintf(f, "Total compilation time:\t\t%.3f sec.\n", comp);
    fprintf(f, "Total execution time:\t\t%.3f sec.\n", exec);
    fprintf(f, "Plans (compiled/cached, compile time):\t%lld/%lld, %.3f sec.\n",
            (long long)st->plans_compiled, (long long)st->plan_hits,
            (double)st->compile_ns / 1e9);
    {
        ParPoolStats ps;
        par_pool_stats(c->pool, &ps);
        fprintf(f, "Threads (pool jobs/tasks/inline):\t%d (%lld/%lld/%lld).\n", c->threads,
                (long long)ps.jobs, (long long)ps.tasks, (long long)ps.inline_jobs);
    }
    if (c->cache) {
        MbCacheStats cs;
        mb_cache_stats(c->cache, &cs);
        fprintf(f, "Buffer cache (hits/fresh/evicted):\t%lld/%lld/%lld, %.1f MB kept.\n",
                (long long)cs.hits, (long long)cs.misses, (long long)cs.evictions,
                (double)cs.cached_bytes / 1e6);
        fprintf(f, "In-place updates:\t\t%lld (%.1f MB).\n", (long long)cs.inplace_steps,
                (double)cs.inplace_bytes / 1e6);
    }
    rt_pf_print_stats(&c->sh, f);
    print_heavy_hitters(st, c->opt.stats_top > 0 ? c->opt.stats_top : 10, f);
}
