/*
 * test_bufcache.c - the buffer cache of large blocks (bufcache.c, block.c),
 * the in-place cellwise kernels (matrix/inplace.c) and the interpreter's
 * in-place updates (runtime/inplace.c).
 *
 * Cache: size classes, reuse of freed buffers, best fit, the bound on kept
 * bytes (LRU eviction), zero-filling of mb_new_ctx on reuse, copies and
 * format conversions of cached blocks, the disabled cache, and a
 * thread-safety smoke test with allocations on pool threads.
 * Kernels: every cellwise operator and unary function in place, both
 * operand sides, scalar and matrix operands, against the out-of-place
 * kernels bit for bit (NaN/Inf/-0.0 cells, empty and 1x1 blocks), with 1
 * and k threads.  Dead temporaries: rt_binary_temp_inplace writes into the
 * temporary's block only when it may.  Interpreter: scripts give the same output with in-place
 * updates on and off (TSR_INPLACE), and the -stats counter shows which
 * statements updated in place (aliases, function arguments, lists must not).
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"
#include "runtime/rt_inplace.h"
#include "tessera.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MiB ((int64_t)1 << 20)

static Err E;

static MbCache *cache_new(int64_t max_bytes)
{
    MbCacheOpts o;
    mb_cache_opts_default(&o);
    o.max_bytes = max_bytes;
    MbCache *c = mb_cache_new(&o, &E);
    if (!c) {
        fprintf(stderr, "mb_cache_new failed: %s\n", E.msg);
        exit(2);
    }
    return c;
}

static MbCacheStats stats_of(MbCache *c)
{
    MbCacheStats st;
    mb_cache_stats(c, &st);
    return st;
}

/* ---- size classes ----------------------------------------------------------------- */

static void test_classes(void)
{
    CHECK(mb_cache_class(MiB) == MiB);
    CHECK(mb_cache_class(MiB + 1) == MiB + MiB / 8);
    CHECK(mb_cache_class(3 * MiB) == 3 * MiB);
    CHECK(mb_cache_class(3 * MiB + 5) == 3 * MiB + MiB / 4);
    CHECK(mb_cache_class(1) == 4096);
    CHECK(mb_cache_class(200000000) == 201326592);   /* 5000x5000 doubles -> 192 MiB */
    int ok = 1;
    for (int64_t b = MiB; b < 64 * MiB; b += 77777) {
        int64_t c = mb_cache_class(b);
        ok &= c >= b && c <= b + b / 8 + 4096 && c % 4096 == 0 && mb_cache_class(c) == c;
    }
    CHECK(ok);
}

/* ---- get / put ---------------------------------------------------------------------- */

static void test_reuse(void)
{
    MbCache *c = cache_new(64 * MiB);
    int64_t cap, cap2;
    int fresh, fresh2;
    double *p = mb_cache_get(c, 8 * MiB, &cap, &fresh);
    CHECK(p && fresh && cap == 8 * MiB);
    CHECK(p[0] == 0.0 && p[MiB - 1] == 0.0);   /* fresh mappings are zero */
    for (int64_t i = 0; i < MiB; i++) p[i] = (double)i;
    mb_cache_put(c, p, cap);
    MbCacheStats st = stats_of(c);
    CHECK(st.cached_bytes == 8 * MiB && st.cached_bufs == 1 && st.live_bufs == 0);
    double *q = mb_cache_get(c, 8 * MiB - 100, &cap2, &fresh2);   /* same class: reused */
    CHECK(q == p && !fresh2 && cap2 == cap);
    CHECK(q[12345] == 12345.0);   /* old contents: callers zero if they need to */
    st = stats_of(c);
    CHECK(st.hits == 1 && st.misses == 1 && st.cached_bytes == 0 && st.live_bufs == 1);
    mb_cache_put(c, q, cap2);
    mb_cache_free(c);
}

static void test_best_fit(void)
{
    MbCache *c = cache_new(64 * MiB);
    int64_t caps[3], cap;
    int fresh;
    void *b[3];
    int64_t sizes[3] = {2 * MiB, 4 * MiB, 8 * MiB};
    for (int k = 0; k < 3; k++) b[k] = mb_cache_get(c, sizes[k], &caps[k], &fresh);
    for (int k = 2; k >= 0; k--) mb_cache_put(c, b[k], caps[k]);
    /* 3.9 MiB takes the 4 MiB buffer (smallest that fits) */
    void *q = mb_cache_get(c, 4 * MiB - MiB / 10, &cap, &fresh);
    CHECK(q == b[1] && !fresh);
    mb_cache_put(c, q, cap);
    /* 1.5 MiB would waste a third of the 2 MiB buffer: a fresh one */
    q = mb_cache_get(c, 3 * MiB / 2, &cap, &fresh);
    CHECK(q != b[0] && fresh && cap == 3 * MiB / 2);
    mb_cache_put(c, q, cap);
    /* 1.8 MiB fits the 2 MiB buffer within 25% */
    q = mb_cache_get(c, 2 * MiB - MiB / 5, &cap, &fresh);
    CHECK(q == b[0] && !fresh && cap == 2 * MiB);
    mb_cache_put(c, q, cap);
    /* bigger than anything cached: fresh */
    q = mb_cache_get(c, 9 * MiB, &cap, &fresh);
    CHECK(fresh && cap == mb_cache_class(9 * MiB));
    mb_cache_put(c, q, cap);
    mb_cache_free(c);
}

static void test_bound(void)
{
    MbCache *c = cache_new(10 * MiB);
    void *b[3];
    int64_t cap[3];
    int fresh;
    for (int k = 0; k < 3; k++) b[k] = mb_cache_get(c, 4 * MiB, &cap[k], &fresh);
    mb_cache_put(c, b[0], cap[0]);
    mb_cache_put(c, b[1], cap[1]);
    MbCacheStats st = stats_of(c);
    CHECK(st.cached_bytes == 8 * MiB && st.evictions == 0);
    mb_cache_put(c, b[2], cap[2]);   /* 12 MiB > 10 MiB: the least recent (b[0]) goes */
    st = stats_of(c);
    CHECK(st.cached_bytes == 8 * MiB && st.cached_bufs == 2 && st.evictions == 1);
    CHECK(st.peak_cached_bytes <= 10 * MiB);
    int64_t c1, c2;
    void *q1 = mb_cache_get(c, 4 * MiB, &c1, &fresh);
    void *q2 = mb_cache_get(c, 4 * MiB, &c2, &fresh);
    CHECK(q1 != b[0] && q2 != b[0] && (q1 == b[1] || q1 == b[2]) && (q2 == b[1] || q2 == b[2]));
    mb_cache_put(c, q1, c1);
    mb_cache_put(c, q2, c2);
    /* a buffer larger than the bound is never kept */
    void *big = mb_cache_get(c, 16 * MiB, &c1, &fresh);
    mb_cache_put(c, big, c1);
    st = stats_of(c);
    CHECK(st.cached_bytes == 8 * MiB && st.evictions == 2 && st.live_bufs == 0);
    mb_cache_trim(c);
    st = stats_of(c);
    CHECK(st.cached_bytes == 0 && st.cached_bufs == 0);
    mb_cache_free(c);
}

/* ---- blocks through the cache ------------------------------------------------------- */

static int all_zero(const MatBlock *m)
{
    for (int64_t i = 0; i < m->rows * m->cols; i++)
        if (m->dense[i] != 0.0 || signbit(m->dense[i])) return 0;
    return 1;
}

static void test_blocks(ParCtx *par)
{
    MbCache *c = par->cache;
    MatBlock *a = mb_new_ctx(par, 1000, 1000, &E);   /* 8 MB */
    CHECK(a && a->dense_cap >= 8000000 && a->cache == c && a->nnz == 0 && all_zero(a));
    double *buf = a->dense;
    for (int64_t i = 0; i < 1000000; i++) a->dense[i] = -7.0;
    mb_free(a);
    MatBlock *b = mb_new_ctx(par, 1000, 1000, &E);    /* reused and cleared */
    CHECK(b && b->dense == buf && all_zero(b));
    mb_free(b);
    MatBlock *u = mb_new_uninit(par, 999, 1001, &E);   /* same class: reused, not cleared */
    CHECK(u && u->dense == buf);
    for (int64_t i = 0; i < 999 * 1001; i++) u->dense[i] = (double)(i % 7) - 3.0;
    mb_recount_nnz(u);
    /* a copy of a cached block uses the cache too */
    MatBlock *cp = mb_copy(u, &E);
    CHECK(cp && cp->dense_cap > 0 && cp->cache == c && cp->nnz == u->nnz);
    CHECK(cp && memcmp(cp->dense, u->dense, 999 * 1001 * sizeof(double)) == 0);
    /* to CSR and back: the dense buffers go back to / come from the cache */
    MbCacheStats s0 = stats_of(c);
    CHECK(mb_to_sparse_inplace(cp, &E) == TSR_OK && cp->sparse && cp->cache == c &&
          cp->dense_cap == 0);
    MbCacheStats s1 = stats_of(c);
    CHECK(s1.puts == s0.puts + 1);
    CHECK(mb_to_dense_inplace(cp, &E) == TSR_OK && !cp->sparse && cp->dense_cap > 0);
    CHECK(stats_of(c).hits == s1.hits + 1);
    CHECK(memcmp(cp->dense, u->dense, 999 * 1001 * sizeof(double)) == 0);
    MatBlock *sp = mb_copy(u, &E);
    mb_to_sparse_inplace(sp, &E);
    MatBlock *sc = mb_copy(sp, &E);   /* a CSR copy remembers the cache */
    CHECK(sc && sc->cache == c);
    mb_free(sc);
    mb_free(sp);
    mb_free(cp);
    mb_free(u);
    /* small blocks and empty blocks: calloc/free */
    MatBlock *s = mb_new_ctx(par, 10, 10, &E);
    CHECK(s && s->dense_cap == 0 && s->cache == c && all_zero(s));
    mb_free(s);
    MatBlock *e = mb_new_ctx(par, 0, 5000, &E);
    CHECK(e && !e->dense && e->dense_cap == 0);
    mb_free(e);
    /* errors as mb_new */
    CHECK(!mb_new_ctx(par, -1, 3, &E) && E.code == TSR_RUNTIME);
    CHECK(!mb_new_uninit(par, (int64_t)1 << 30, (int64_t)1 << 30, &E) && E.code == TSR_LIMIT);
    CHECK(stats_of(c).live_bufs == 0);
}

static void test_disabled(void)
{
    MbCache *c = cache_new(0);
    ParCtx par = par_serial();
    par.cache = c;
    CHECK(!mb_cache_enabled(c) && !mb_cache_enabled(NULL));
    MatBlock *a = mb_new_ctx(&par, 1000, 1000, &E);
    CHECK(a && a->dense_cap == 0 && all_zero(a));
    mb_free(a);
    MatBlock *n = mb_new_ctx(NULL, 1000, 1000, &E);   /* no ParCtx: mb_new */
    CHECK(n && n->dense_cap == 0 && !n->cache && all_zero(n));
    mb_free(n);
    MbCacheStats st = stats_of(c);
    CHECK(st.hits == 0 && st.misses == 0 && st.puts == 0);
    mb_cache_free(c);
}

/* ---- thread-safety smoke test ------------------------------------------------------- */

typedef struct Smoke {
    const ParCtx *par;
    atomic_int bad;
} Smoke;

static void smoke_task(void *arg, int64_t t, int wid)
{
    Smoke *s = arg;
    Err err;
    err_clear(&err);
    ParCtx serial = par_serial();
    serial.cache = s->par->cache;
    for (int it = 0; it < 20; it++) {
        int64_t rows = 200 + (t * 37 + it * 11) % 400;   /* 1.6 .. 4.8 MB */
        int zero = (t + it) % 2;
        MatBlock *m = zero ? mb_new_ctx(&serial, rows, 1000, &err)
                           : mb_new_uninit(&serial, rows, 1000, &err);
        if (!m) {
            atomic_fetch_add(&s->bad, 1);
            continue;
        }
        int64_t n = rows * 1000;
        if (zero && !all_zero(m)) atomic_fetch_add(&s->bad, 1);
        for (int64_t i = 0; i < n; i++) m->dense[i] = (double)(t * 1000 + it + wid);
        for (int64_t i = 0; i < n; i += 4093)
            if (m->dense[i] != (double)(t * 1000 + it + wid)) atomic_fetch_add(&s->bad, 1);
        mb_free(m);
    }
}

static void test_threads(ParPool *pool)
{
    MbCache *c = cache_new(24 * MiB);
    ParCtx par = {pool, 4, c};
    Smoke s;
    s.par = &par;
    atomic_init(&s.bad, 0);
    par_run(&par, 32, smoke_task, &s);
    MbCacheStats st = stats_of(c);
    CHECK(atomic_load(&s.bad) == 0);
    CHECK(st.live_bufs == 0 && st.cached_bytes <= 24 * MiB && st.peak_cached_bytes <= 24 * MiB);
    CHECK(st.hits + st.misses == 32 * 20 && st.hits > 0 && st.puts == 32 * 20);
    /* parallel zero-filling of a reused buffer */
    MatBlock *a = mb_new_uninit(&par, 2000, 1000, &E);
    for (int64_t i = 0; i < 2000000; i++) a->dense[i] = NAN;
    mb_free(a);
    a = mb_new_ctx(&par, 2000, 1000, &E);
    CHECK(a && all_zero(a));
    mb_free(a);
    mb_cache_free(c);
}

/* ---- in-place kernels -------------------------------------------------------------------- */

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static double rnd01(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) * 0x1p-53;
}

/* Dense block with zeros of both signs, NaN, +-Inf and small integers. */
static MatBlock *gen(int64_t r, int64_t c)
{
    MatBlock *m = mb_new(r, c, &E);
    for (int64_t i = 0; i < r * c; i++) {
        double u = rnd01();
        m->dense[i] = u < 0.05 ? NAN : u < 0.08 ? INFINITY : u < 0.11 ? -INFINITY
                    : u < 0.2 ? 0.0 : u < 0.25 ? -0.0 : floor((rnd01() - 0.5) * 10.0) / 4.0;
    }
    mb_recount_nnz(m);
    return m;
}

static int same_cells(const MatBlock *a, const MatBlock *b)
{
    if (a->rows != b->rows || a->cols != b->cols || a->nnz != b->nnz) return 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            double x = mb_get(a, i, j), y = mb_get(b, i, j);
            if (!(x != x && y != y) && !(x == y && signbit(x) == signbit(y))) return 0;
        }
    return 1;
}

/* A dense copy (the out-of-place kernels may answer in either format). */
static MatBlock *dense_of(MatBlock *m)
{
    mb_to_dense_inplace(m, &E);
    return m;
}

static void check_binary(const ParCtx *par, BinOp op, int64_t r, int64_t c)
{
    static const double scalars[] = {0.0, -0.0, 2.5, -3.0, NAN, INFINITY};
    MatBlock *x = gen(r, c), *y = gen(r, c);
    int ok = 1;
    for (int side = 0; side <= 1; side++) {
        for (size_t k = 0; k < sizeof scalars / sizeof scalars[0]; k++) {
            MatBlock *ref = NULL, *ip = mb_copy(x, &E);
            kn_binary_scalar(NULL, op, x, scalars[k], !side, &ref, &E);
            kn_binary_inplace(par, op, ip, side, NULL, scalars[k]);
            ok &= ref && same_cells(dense_of(ref), ip);
            mb_free(ref);
            mb_free(ip);
        }
        MatBlock *ref = NULL, *ip = mb_copy(x, &E);
        if (side) kn_binary(NULL, op, x, y, &ref, &E);
        else kn_binary(NULL, op, y, x, &ref, &E);
        kn_binary_inplace(par, op, ip, side, y, 0.0);
        ok &= ref && same_cells(dense_of(ref), ip);
        mb_free(ref);
        mb_free(ip);
    }
    MatBlock *ref = NULL, *ip = mb_copy(x, &E);   /* the operand is x itself */
    kn_binary(NULL, op, x, x, &ref, &E);
    kn_binary_inplace(par, op, ip, 1, ip, 0.0);
    ok &= ref && same_cells(dense_of(ref), ip);
    mb_free(ref);
    mb_free(ip);
    if (!ok) fprintf(stderr, "  binary op %d on %lldx%lld\n", (int)op, (long long)r, (long long)c);
    CHECK(ok);
    mb_free(x);
    mb_free(y);
}

static void check_unary(const ParCtx *par, KnUnary fn, int64_t r, int64_t c)
{
    MatBlock *x = gen(r, c), *ref = NULL, *ip = mb_copy(x, &E);
    kn_unary(NULL, fn, x, &ref, &E);
    kn_unary_inplace(par, fn, ip);
    int ok = ref && same_cells(dense_of(ref), ip);
    if (!ok) fprintf(stderr, "  unary fn %d on %lldx%lld\n", (int)fn, (long long)r, (long long)c);
    CHECK(ok);
    mb_free(ref);
    mb_free(ip);
    mb_free(x);
}

static void test_inplace_kernels(ParPool *pool)
{
    ParCtx ctxs[2] = {par_serial(), {pool, 3, NULL}};
    int64_t shapes[][2] = {{0, 7}, {1, 1}, {13, 17}, {400, 700}};
    for (int p = 0; p < 2; p++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            for (int op = 0; op < BOP__COUNT; op++)
                if (kn_binop_is_cellwise((BinOp)op))
                    check_binary(&ctxs[p], (BinOp)op, shapes[s][0], shapes[s][1]);
            for (int fn = 0; fn < KU__COUNT; fn++)
                check_unary(&ctxs[p], (KnUnary)fn, shapes[s][0], shapes[s][1]);
        }
    CHECK(!kn_binop_is_cellwise(BOP_MATMUL) && kn_binop_is_cellwise(BOP_ADD));
    MatBlock *z = mb_new(3, 3, &E);
    for (int i = 0; i < 9; i++) z->dense[i] = i % 2 ? -0.0 : (double)i;
    kn_dense_clear_negzero(NULL, z);
    int ok = 1;
    for (int i = 0; i < 9; i++) ok &= !signbit(z->dense[i]) && z->dense[i] == (i % 2 ? 0.0 : i);
    CHECK(ok);
    mb_free(z);
}

/* ---- dead temporaries ------------------------------------------------------------------- */

static void test_temporaries(ParPool *pool)
{
    MbCache *c = cache_new(64 * MiB);
    Interp in;
    memset(&in, 0, sizeof in);
    in.ctx.par.pool = pool;
    in.ctx.par.threads = 3;
    in.ctx.par.cache = c;
    in.ctx.block_format = MB_FMT_AUTO;
    MatBlock *x = gen(300, 200), *y = gen(300, 200), *ref = NULL;
    Value none, out, sc = rt_dbl(2.5), var = rt_mat_take(mb_copy(y, &E));
    memset(&none, 0, sizeof none);
    /* left temporary, scalar operand: the result lands in the temporary's block */
    Value ta = rt_mat_take(mb_copy(x, &E)), tb = none;
    MatBlock *blk = ta.u.m->blk;
    CHECK(rt_binary_temp_inplace(&in, BOP_MUL, &ta, &ta, &tb, &sc, &out) == 1);
    kn_binary_scalar(NULL, BOP_MUL, x, 2.5, 0, &ref, &E);
    CHECK(ta.dt == DT_UNKNOWN && out.dt == DT_MATRIX && out.u.m->blk == blk &&
          same_cells(dense_of(ref), rt_mat_block(&out)));
    mb_free(ref);
    rt_release(&out);
    /* right temporary, a variable on the left: var - temp */
    tb = rt_mat_take(mb_copy(x, &E));
    ta = none;
    blk = tb.u.m->blk;
    CHECK(rt_binary_temp_inplace(&in, BOP_SUB, &ta, &var, &tb, &tb, &out) == 1);
    kn_binary(NULL, BOP_SUB, y, x, &ref, &E);
    CHECK(tb.dt == DT_UNKNOWN && out.u.m->blk == blk && same_cells(dense_of(ref), out.u.m->blk));
    CHECK(var.u.m->refcnt == 1 && same_cells(var.u.m->blk, y));   /* the variable untouched */
    mb_free(ref);
    rt_release(&out);
    /* not when: shared, a variable, broadcasting or mismatched shapes, %*%, policy off */
    ta = rt_mat_take(mb_copy(x, &E));
    Value share = rt_copy(&ta);
    CHECK(rt_binary_temp_inplace(&in, BOP_ADD, &ta, &ta, &tb, &sc, &out) == 0);
    rt_release(&share);
    CHECK(rt_binary_temp_inplace(&in, BOP_ADD, &tb, &var, &tb, &sc, &out) == 0);
    Value col = rt_mat_take(mb_new(300, 1, &E));
    CHECK(rt_binary_temp_inplace(&in, BOP_ADD, &ta, &ta, &tb, &col, &out) == 0);
    CHECK(rt_binary_temp_inplace(&in, BOP_ADD, &tb, &col, &ta, &ta, &out) == 0);
    CHECK(rt_binary_temp_inplace(&in, BOP_MATMUL, &ta, &ta, &tb, &sc, &out) == 0);
    MbCacheOpts o = *mb_cache_opts(c);
    o.inplace = 0;
    MbCache *off = mb_cache_new(&o, &E);
    in.ctx.par.cache = off;
    CHECK(rt_binary_temp_inplace(&in, BOP_ADD, &ta, &ta, &tb, &sc, &out) == 0);
    CHECK(ta.dt == DT_MATRIX && same_cells(ta.u.m->blk, x));
    rt_release(&ta);
    rt_release(&col);
    rt_release(&var);
    mb_cache_free(off);
    mb_free(x);
    mb_free(y);
    mb_cache_free(c);
}

/* ---- the interpreter ------------------------------------------------------------------ */

typedef struct Run {
    int rc;
    char *out, *err, *stats;
    long inplace;   /* "In-place updates" of -stats, -1 if missing */
} Run;

static Run run(const char *script, int block_format, int optlevel)
{
    Run r;
    size_t n1, n2, n3;
    FILE *out = open_memstream(&r.out, &n1), *err = open_memstream(&r.err, &n2);
    tsr_options o;
    tsr_options_default(&o);
    o.out = out;
    o.err = err;
    o.stats = 1;
    o.block_format = block_format;
    o.optlevel = optlevel;
    tsr_ctx *c = tsr_open(&o);
    r.rc = tsr_run(c, "t.dml", script, NULL);
    fprintf(err, "%s", tsr_errmsg(c));
    FILE *st = open_memstream(&r.stats, &n3);
    tsr_print_stats(c, st);
    fclose(st);
    tsr_close(c);
    fclose(out);
    fclose(err);
    const char *p = strstr(r.stats, "In-place updates:");
    r.inplace = p ? strtol(p + strlen("In-place updates:"), NULL, 10) : -1;
    return r;
}

static void run_free(Run *r)
{
    free(r->out);
    free(r->err);
    free(r->stats);
}

/* The script prints the same with in-place updates on and off, in every
 * block format, and (format AUTO) updates in place `want` times when run
 * statement by statement (-O0: the interpreter's in-place mechanism, no
 * fusion); compiled with rewrites and fusion (-O2) it prints the same
 * again, with in-place updates on and off. */
static void same_both_ways(const char *script, long want, int line)
{
    for (int fmt = 0; fmt <= 2; fmt++) {
        setenv("TSR_INPLACE", "0", 1);
        Run off = run(script, fmt, 0), off2 = run(script, fmt, 2);
        unsetenv("TSR_INPLACE");
        Run on = run(script, fmt, 0), on2 = run(script, fmt, 2);
        int ok = off.rc == on.rc && strcmp(off.out, on.out) == 0 && strcmp(off.err, on.err) == 0;
        ok &= off.inplace == 0 && (fmt != 0 || on.inplace == want);
        for (int k = 0; k < 2; k++) {
            const Run *o2 = k ? &on2 : &off2;
            ok &= o2->rc == on.rc && strcmp(o2->out, on.out) == 0 && strcmp(o2->err, on.err) == 0;
        }
        ok &= off2.inplace == 0;
        if (!check_count(ok))
            fprintf(stderr, "test_bufcache.c:%d: FAILED (format %d): in place %ld (want %ld)\n"
                    "--- off (rc %d):\n%s%s--- on (rc %d):\n%s%s", line, fmt, on.inplace, want,
                    off.rc, off.out, off.err, on.rc, on.out, on.err);
        run_free(&off);
        run_free(&on);
        run_free(&off2);
        run_free(&on2);
    }
}
#define SAME(script, want) same_both_ways(script, want, __LINE__)

static void test_interpreter(void)
{
    /* seq(1, 12) / 7 - 0.5 as literals: the set-up itself has no operator
     * that could run in place, so the counts below are the bodies' own. */
    const char *base = "X = matrix(\"-0.35714285714285715 -0.2142857142857143 "
                       "-0.07142857142857145 0.0714285714285714 0.2142857142857143 "
                       "0.3571428571428571 0.5 0.6428571428571428 0.7857142857142858 "
                       "0.9285714285714286 1.0714285714285714 1.2142857142857142\", 4, 3)\n";
    char buf[4096];
#define WITH(body) (snprintf(buf, sizeof buf, "%s%s", base, body), buf)
    SAME(WITH("X = X * 2 + 1\nprint(toString(X, decimal=17))\n"), 2);
    /* aliases: the old value must survive */
    /* (X * 2 is a fresh temporary: the + 1 runs in it) */
    SAME(WITH("Y = X\nX = X * 2 + 1\nprint(sum(Y))\nprint(sum(X))\n"), 1);
    /* dead temporaries in expression trees: X * 2 takes + 1, then the
     * left temporary takes the division; X itself is never written */
    SAME(WITH("Z = (X * 2 + 1) / (X + 3)\nprint(toString(Z, decimal=17))\nprint(sum(X))\n"),
         2);
    SAME(WITH("Z = 1 - (X + 3)\nW = Z * (Z + 1)\nprint(sum(Z))\nprint(sum(W))\n"), 2);
    SAME(WITH("L = list(X)\nX = -X\nprint(sum(as.matrix(L[1])))\nprint(sum(X))\n"), 0);
    /* function arguments: shared with the caller; a temporary argument is not */
    SAME(WITH("f = function(matrix[double] A) return (matrix[double] B) { A = A * 3; B = A }\n"
              "B = f(X)\nprint(sum(X))\nprint(sum(B))\nC = f(X + 1)\nprint(sum(C))\n"), 1);
    /* the operand holds X, or X appears twice */
    SAME(WITH("X = X + X\nX = X * sum(X)\nX = (X + 1) / (X - 10)\nprint(sum(X))\n"), 3);
    /* spine on the right, unary, builtins, relational, accumulate */
    SAME(WITH("X = 1 / (1 + exp(-X))\nX = 2 ^ X\nX = abs(10 - X)\nX = X > 1.5\n"
              "X += matrix(1, 4, 3)\nX += 2\nprint(toString(X, decimal=17))\n"), 10);
    /* left indexing and copy-on-write */
    SAME(WITH("Y = X\nX[1, 1] = 5\nX = X + 1\nW = X\nW[2, 2] = 100\nX = X * 2\n"
              "print(sum(X))\nprint(sum(Y))\nprint(sum(W))\n"), 2);
    /* loops */
    /* (parfor iterations run on parallel workers: print order inside the body is
     * unspecified, so the sums are collected in S and printed after the loop) */
    SAME(WITH("for (i in 1:5) { X = X * i + i }\nk = 0\nwhile (k < 3) { X = X / 4; k = k + 1 }\n"
              "S = matrix(0, 3, 1)\n"
              "parfor (i in 1:3) { Z = X + i\n Z = Z * 2\n S[i, 1] = sum(Z) }\n"
              "print(toString(S, decimal=17))\nprint(sum(X))\n"), 16);
    /* broadcasting and strings go the ordinary way */
    SAME(WITH("X = X + matrix(1, 4, 1)\nX = X * matrix(2, 1, 3)\nprint(sum(X))\n"), 0);
    SAME(WITH("X = X + \"a\"\n"), 0);
    /* failing statements: same error, same location; X intact before it */
    SAME(WITH("Y = matrix(1, 2, 2)\nX = X * 2 + Y\n"), 0);
    SAME(WITH("X = X * 2 + undefinedVar\n"), 0);
    SAME(WITH("X = (X * 2) %*% matrix(1, 4, 3)\n"), 0);
    /* -0.0 and sparsity: in AUTO, X * 0 would be stored as CSR, which drops -0.0 */
    SAME(WITH("X = 1 / (X * 0)\nprint(toString(X))\n"), 2);
    SAME(WITH("X = 1 / ((X * 0) * -1)\nprint(toString(X))\n"), 3);
    SAME(WITH("X = X * 0 + 1\nprint(sum(X))\n"), 2);
    /* a 1x1 right operand is a scalar; a 1x1 X */
    SAME(WITH("X = X - matrix(3, 1, 1)\nZ = matrix(2, 1, 1)\nZ = Z * 4\nprint(sum(X) + sum(Z))\n"),
         2);
#undef WITH
}

int main(void)
{
    err_clear(&E);
    Err err;
    err_clear(&err);
    ParPool *pool = par_pool_new(3, &err);
    CHECK(pool != NULL);
    test_classes();
    test_reuse();
    test_best_fit();
    test_bound();
    MbCache *c = cache_new(64 * MiB);
    ParCtx serial = par_serial(), par = {pool, 4, c};
    serial.cache = c;
    test_blocks(&serial);
    test_blocks(&par);
    mb_cache_free(c);
    test_disabled();
    test_threads(pool);
    test_inplace_kernels(pool);
    test_temporaries(pool);
    test_interpreter();
    par_pool_free(pool);
    return check_summary();
}
