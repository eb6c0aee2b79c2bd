/*
 * test_par_cellwise.c - the parallel cellwise kernels (elementwise.c), the
 * aggregates (aggregate.c), transpose (reorg.c) and rand (datagen.c)
 * against their sequential runs.
 *
 * Every kernel runs once with a NULL ParCtx (sequential, the reference) and
 * then on pool-backed contexts (a pool of 1 worker and one of 3, 2 and 4
 * threads, and one with a buffer cache so that outputs land in reused,
 * dirty buffers).  Chunks depend only on the data size, so the results
 * must be bit-identical: same shape, format, nnz, CSR structure and cell
 * bits.  Inputs are random dense and CSR matrices large enough to be split
 * (3000x700, 200000x3, ...), plus empty 0xN/Nx0, 1x1, all-zero, NaN/Inf
 * cells.  A few exact values (integer sums, min/max, known variances) pin
 * the aggregates themselves, and rand is checked to be identical for 1 and
 * 4 threads over seeds, sparsities and pdfs.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "blocks.h"

static Err E;

#define OK(call) CHECK((call) == TSR_OK)

/* ---- contexts ------------------------------------------------------------------------ */

#define NCTX 5
static ParPool *g_pool1, *g_pool3;
static MbCache *g_cache;
static ParCtx g_ctx[NCTX];
static const char *const g_ctx_name[NCTX] = {
    "pool1/2 threads", "pool1/4 threads", "pool3/2 threads", "pool3/4 threads",
    "pool3/4 threads + cache",
};

static void ctx_setup(void)
{
    g_pool1 = par_pool_new(1, &E);
    g_pool3 = par_pool_new(3, &E);
    g_cache = mb_cache_new(NULL, &E);
    if (!g_pool1 || !g_pool3 || !g_cache) {
        fprintf(stderr, "setup failed: %s\n", E.msg);
        exit(2);
    }
    ParPool *pools[NCTX] = { g_pool1, g_pool1, g_pool3, g_pool3, g_pool3 };
    const int threads[NCTX] = { 2, 4, 2, 4, 4 };
    for (int c = 0; c < NCTX; c++) {
        memset(&g_ctx[c], 0, sizeof g_ctx[c]);
        g_ctx[c].pool = pools[c];
        g_ctx[c].threads = threads[c];
    }
    g_ctx[NCTX - 1].cache = g_cache;
}

static void ctx_teardown(void)
{
    par_pool_free(g_pool1);
    par_pool_free(g_pool3);
    mb_cache_free(g_cache);
}

/* Jobs the pools ran in parallel so far (to check that work was split). */
static int64_t pool_jobs(void)
{
    ParPoolStats a, b;
    par_pool_stats(g_pool1, &a);
    par_pool_stats(g_pool3, &b);
    return a.jobs + b.jobs;
}

/* ---- inputs -------------------------------------------------------------------------- */

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;

static double urand(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) * 0x1p-53;
}

enum { SPECIAL_NONE = 0, SPECIAL_NANINF = 1 };

/* r x c dense block with about `density` non-zeros in [-4, 4) (a few small
 * integers and exact halves so that relational ops and %% see ties), and
 * with SPECIAL_NANINF some NaN, +-Inf and -0.0 cells. */
static MatBlock *gen(int64_t r, int64_t c, double density, int special)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) {
        fprintf(stderr, "mb_new failed: %s\n", E.msg);
        exit(2);
    }
    for (int64_t i = 0; i < r * c; i++) {
        if (urand() >= density) continue;
        double u = urand(), v = urand() * 8.0 - 4.0;
        if (u < 0.2) v = floor(v);
        else if (u < 0.3) v = floor(v * 2.0) / 2.0;
        if (special && u > 0.995) v = u > 0.9985 ? NAN : u > 0.997 ? INFINITY : -INFINITY;
        m->dense[i] = v;
    }
    if (special && r * c > 3) m->dense[r * c / 3] = -0.0;
    mb_recount_nnz(m);
    return m;
}

/* ---- comparison ---------------------------------------------------------------------- */


/* A kernel under test: runs on `par`, returns its status and output. */
typedef tsr_status (*KernelFn)(const ParCtx *par, const void *arg, MatBlock **out, Err *err);

/* Runs fn sequentially and on every context (twice on the cached one, so
 * that the second run gets the dirty buffers of the first); every run must
 * give the status and the bits of the sequential one. */
static int par_same(KernelFn fn, const void *arg, const char *what, int line)
{
    MatBlock *ref = NULL;
    Err e0;
    err_clear(&e0);
    tsr_status st0 = fn(NULL, arg, &ref, &e0);
    int ok = st0 != TSR_OK || tb_valid(ref);
    if (!ok) fprintf(stderr, "%s: sequential result invalid\n", what);
    for (int c = 0; c < NCTX + 1; c++) {
        const ParCtx *par = &g_ctx[c < NCTX ? c : NCTX - 1];
        MatBlock *z = NULL;
        Err e;
        err_clear(&e);
        tsr_status st = fn(par, arg, &z, &e);
        int good = st == st0 && (st != TSR_OK || tb_same_bits(ref, z));
        if (!good)
            fprintf(stderr, "%s: %s differs from the sequential run\n", what,
                    g_ctx_name[c < NCTX ? c : NCTX - 1]);
        ok &= good;
        mb_free(z);
    }
    mb_free(ref);
    check_at(ok, what, __FILE__, line);
    return ok;
}

/* ---- binary -------------------------------------------------------------------------- */

typedef struct BinArg {
    int fn;            /* BinOp, or KnBinFn when is_fn */
    int is_fn;
    const MatBlock *a, *b;
    double s;          /* b == NULL: the scalar */
    int left;
} BinArg;

static tsr_status run_bin(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const BinArg *x = arg;
    if (x->b)
        return x->is_fn ? kn_binary_fn(par, (KnBinFn)x->fn, x->a, x->b, out, err)
                        : kn_binary(par, (BinOp)x->fn, x->a, x->b, out, err);
    return x->is_fn ? kn_binary_fn_scalar(par, (KnBinFn)x->fn, x->a, x->s, x->left, out, err)
                    : kn_binary_scalar(par, (BinOp)x->fn, x->a, x->s, x->left, out, err);
}

static const BinOp all_ops[] = { BOP_POW, BOP_INTDIV, BOP_MOD, BOP_MUL, BOP_DIV,
                                 BOP_ADD, BOP_SUB,    BOP_LT,  BOP_LE,  BOP_GT,
                                 BOP_GE,  BOP_EQ,     BOP_NE,  BOP_AND, BOP_OR };
#define NOPS ((int)(sizeof all_ops / sizeof all_ops[0]))

/* a op b over every format combination of a and b (b's vector forms too). */
static void bin_formats(int fn, int is_fn, const MatBlock *a, const MatBlock *b, const char *what)
{
    char name[160];
    for (int fa = 0; fa < 2; fa++)
        for (int fb = 0; fb < 2; fb++) {
            MatBlock *x = tb_as_fmt(a, fa), *y = tb_as_fmt(b, fb);
            BinArg arg = { fn, is_fn, x, y, 0.0, 0 };
            snprintf(name, sizeof name, "%s op %d%s a:%s b:%s", what, fn, is_fn ? " (fn)" : "",
                     fa ? "csr" : "dense", fb ? "csr" : "dense");
            par_same(run_bin, &arg, name, __LINE__);
            mb_free(x), mb_free(y);
        }
}

static void test_binary(void)
{
    int64_t jobs0 = pool_jobs();
    /* medium size: every operator, every broadcast, every format (splits: > 2^17 cells) */
    MatBlock *a = gen(460, 300, 0.3, SPECIAL_NANINF), *b = gen(460, 300, 0.3, SPECIAL_NANINF);
    MatBlock *col = gen(460, 1, 0.7, SPECIAL_NANINF), *row = gen(1, 300, 0.7, SPECIAL_NANINF);
    MatBlock *one = gen(1, 1, 1.0, 0);
    for (int o = 0; o < NOPS; o++) {
        bin_formats(all_ops[o], 0, a, b, "same shape");
        bin_formats(all_ops[o], 0, a, col, "column vector");
        bin_formats(all_ops[o], 0, a, row, "row vector");
        bin_formats(all_ops[o], 0, a, one, "1x1");
    }
    for (int f = KB_MIN; f <= KB_LOG; f++) {
        bin_formats(f, 1, a, b, "same shape");
        bin_formats(f, 1, a, col, "column vector");
        bin_formats(f, 1, a, row, "row vector");
    }
    mb_free(a), mb_free(b), mb_free(col), mb_free(row), mb_free(one);

    /* the sizes of the brief: a big matrix and a tall one, sparse-safe and not */
    const BinOp big_ops[] = { BOP_ADD, BOP_DIV };
    MatBlock *big = gen(3000, 700, 0.25, SPECIAL_NANINF), *big2 = gen(3000, 700, 0.25, 0);
    MatBlock *bcol = gen(3000, 1, 0.5, 0), *brow = gen(1, 700, 0.5, 0);
    MatBlock *tall = gen(200000, 3, 0.3, SPECIAL_NANINF), *tall2 = gen(200000, 3, 0.3, 0);
    MatBlock *tcol = gen(200000, 1, 0.5, 0);
    for (size_t o = 0; o < sizeof big_ops / sizeof big_ops[0]; o++) {
        bin_formats(big_ops[o], 0, big, big2, "3000x700");
        bin_formats(big_ops[o], 0, big, bcol, "3000x700 column vector");
        bin_formats(big_ops[o], 0, big, brow, "3000x700 row vector");
        bin_formats(big_ops[o], 0, tall, tall2, "200000x3");
        bin_formats(big_ops[o], 0, tall, tcol, "200000x3 column vector");
    }
    mb_free(big), mb_free(big2), mb_free(bcol), mb_free(brow);
    mb_free(tall), mb_free(tall2), mb_free(tcol);
    CHECK(pool_jobs() > jobs0);   /* the work was split */

    /* a wide row vector and a long column vector, dense: cell ranges cross rows */
    MatBlock *wide = gen(3, 100000, 0.9, 0), *wrow = gen(1, 100000, 0.9, 0),
             *wcol = gen(3, 1, 1.0, 0);
    bin_formats(BOP_SUB, 0, wide, wrow, "3x100000 row vector");
    bin_formats(BOP_MUL, 0, wide, wcol, "3x100000 column vector");
    mb_free(wide), mb_free(wrow), mb_free(wcol);

    /* edge shapes: empty, 1x1, all zero */
    const int64_t shapes[][2] = { { 0, 5 }, { 5, 0 }, { 0, 0 }, { 1, 1 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        MatBlock *x = gen(shapes[s][0], shapes[s][1], 0.5, 0);
        MatBlock *y = gen(shapes[s][0], shapes[s][1], 0.5, 0);
        bin_formats(BOP_ADD, 0, x, y, "edge shape");
        bin_formats(BOP_EQ, 0, x, y, "edge shape");
        mb_free(x), mb_free(y);
    }
    MatBlock *z1 = gen(2000, 300, 0.0, 0), *z2 = gen(2000, 300, 0.0, 0);
    bin_formats(BOP_ADD, 0, z1, z2, "all zero");
    bin_formats(BOP_EQ, 0, z1, z2, "all zero");   /* 1 everywhere */
    bin_formats(BOP_DIV, 0, z1, z2, "all zero");  /* NaN everywhere */
    mb_free(z1), mb_free(z2);

    /* a size mismatch is the same error everywhere */
    MatBlock *p = gen(4, 5, 1.0, 0), *q = gen(5, 4, 1.0, 0);
    BinArg bad = { BOP_ADD, 0, p, q, 0.0, 0 };
    par_same(run_bin, &bad, "mismatch", __LINE__);
    mb_free(p), mb_free(q);
}

static void test_binary_scalar(void)
{
    const double scalars[] = { 0.0, 2.0, -1.5, NAN };
    MatBlock *a = gen(3000, 700, 0.2, SPECIAL_NANINF), *t = gen(200000, 3, 0.3, SPECIAL_NANINF);
    MatBlock *m = gen(400, 340, 0.3, SPECIAL_NANINF);
    char name[160];
    for (int o = 0; o < NOPS; o++)
        for (size_t s = 0; s < sizeof scalars / sizeof scalars[0]; s++)
            for (int left = 0; left < 2; left++)
                for (int f = 0; f < 2; f++) {
                    MatBlock *x = tb_as_fmt(m, f);
                    BinArg arg = { all_ops[o], 0, x, NULL, scalars[s], left };
                    snprintf(name, sizeof name, "scalar op %d s=%g left=%d %s", all_ops[o],
                             scalars[s], left, f ? "csr" : "dense");
                    par_same(run_bin, &arg, name, __LINE__);
                    mb_free(x);
                }
    const BinOp big_ops[] = { BOP_MUL, BOP_ADD, BOP_POW, BOP_GT };
    for (size_t o = 0; o < sizeof big_ops / sizeof big_ops[0]; o++)
        for (int f = 0; f < 2; f++) {
            MatBlock *x = tb_as_fmt(a, f), *y = tb_as_fmt(t, f);
            BinArg ax = { big_ops[o], 0, x, NULL, 2.0, 0 }, ay = { big_ops[o], 0, y, NULL, 2.0, 1 };
            par_same(run_bin, &ax, "3000x700 scalar", __LINE__);
            par_same(run_bin, &ay, "200000x3 scalar", __LINE__);
            mb_free(x), mb_free(y);
        }
    for (int fn = KB_MIN; fn <= KB_LOG; fn++)
        for (int f = 0; f < 2; f++) {
            MatBlock *x = tb_as_fmt(a, f);
            BinArg ax = { fn, 1, x, NULL, 0.5, 0 }, ay = { fn, 1, x, NULL, -1.0, 1 };
            par_same(run_bin, &ax, "3000x700 fn scalar", __LINE__);
            par_same(run_bin, &ay, "3000x700 fn scalar left", __LINE__);
            mb_free(x);
        }
    mb_free(a), mb_free(t), mb_free(m);

    /* x ^ 2 is x * x exactly (the scalar semantics too) */
    MatBlock *x = gen(1000, 300, 1.0, SPECIAL_NANINF), *z = NULL;
    OK(kn_binary_scalar(&g_ctx[3], BOP_POW, x, 2.0, 0, &z, &E));
    int ok = z != NULL;
    for (int64_t i = 0; ok && i < MB_CELLS(x); i++) {
        double want = x->dense[i] * x->dense[i];
        ok = same_double(z->dense[i], want) && same_double(kn_binop_double(BOP_POW, x->dense[i], 2.0), want);
    }
    CHECK(ok);
    mb_free(x), mb_free(z);
}

/* ---- unary and ifelse ------------------------------------------------------------------ */

typedef struct UnArg {
    KnUnary fn;
    const MatBlock *a;
} UnArg;

static tsr_status run_un(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const UnArg *x = arg;
    return kn_unary(par, x->fn, x->a, out, err);
}

static void test_unary(void)
{
    MatBlock *m = gen(600, 400, 0.3, SPECIAL_NANINF), *big = gen(3000, 700, 0.25, SPECIAL_NANINF);
    MatBlock *t = gen(200000, 3, 0.3, SPECIAL_NANINF), *z = gen(300, 500, 0.0, 0);
    const MatBlock *ins[] = { m, big, t, z };
    char name[96];
    for (int fn = 0; fn < KU__COUNT; fn++)
        for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++)
            for (int f = 0; f < 2; f++) {
                if ((i == 1 || i == 2) && fn % 4 != 0 && fn != KU_NEG) continue;   /* time */
                MatBlock *x = tb_as_fmt(ins[i], f);
                UnArg arg = { (KnUnary)fn, x };
                snprintf(name, sizeof name, "unary %d input %zu %s", fn, i, f ? "csr" : "dense");
                par_same(run_un, &arg, name, __LINE__);
                mb_free(x);
            }
    mb_free(m), mb_free(big), mb_free(t), mb_free(z);
    for (int f = 0; f < 2; f++) {
        MatBlock *e0 = gen(0, 7, 0, 0), *one0 = gen(1, 1, 1, 0);
        MatBlock *e = tb_as_fmt(e0, f), *one = tb_as_fmt(one0, f);
        UnArg a1 = { KU_EXP, e }, a2 = { KU_SQRT, one };
        par_same(run_un, &a1, "unary empty", __LINE__);
        par_same(run_un, &a2, "unary 1x1", __LINE__);
        mb_free(e), mb_free(one), mb_free(e0), mb_free(one0);
    }
}

typedef struct IfArg {
    const MatBlock *m[3];
    double s[3];
} IfArg;

static tsr_status run_if(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const IfArg *x = arg;
    return kn_ifelse(par, x->m[0], x->s[0], x->m[1], x->s[1], x->m[2], x->s[2], out, err);
}

static void test_ifelse(void)
{
    MatBlock *src[3] = { gen(2000, 300, 0.3, SPECIAL_NANINF), gen(2000, 300, 0.2, 0),
                         gen(2000, 300, 0.25, SPECIAL_NANINF) };
    const double sc[3] = { 1.0, 0.0, 3.5 };
    char name[96];
    /* each argument: 0 scalar, 1 dense, 2 CSR (at least one matrix) */
    for (int mode = 1; mode < 27; mode++) {
        int k[3] = { mode % 3, mode / 3 % 3, mode / 9 };
        MatBlock *m[3] = { NULL, NULL, NULL };
        for (int t = 0; t < 3; t++)
            if (k[t]) m[t] = tb_as_fmt(src[t], k[t] == 2);
        for (int zs = 0; zs < 2; zs++) {   /* scalars as given, or all zero */
            IfArg arg = { { m[0], m[1], m[2] },
                          { zs ? 0.0 : sc[0], zs ? 0.0 : sc[1], zs ? 0.0 : sc[2] } };
            snprintf(name, sizeof name, "ifelse %d%d%d zs=%d", k[0], k[1], k[2], zs);
            par_same(run_if, &arg, name, __LINE__);
        }
        for (int t = 0; t < 3; t++) mb_free(m[t]);
    }
    for (int t = 0; t < 3; t++) mb_free(src[t]);
    MatBlock *tall = gen(200000, 3, 0.3, 0), *ts = tb_as_fmt(tall, 1);
    IfArg a1 = { { ts, ts, NULL }, { 0, 0, -1 } }, a2 = { { tall, NULL, ts }, { 0, 2, 0 } };
    par_same(run_if, &a1, "ifelse tall csr", __LINE__);
    par_same(run_if, &a2, "ifelse tall mixed", __LINE__);
    mb_free(tall), mb_free(ts);
}

/* ---- aggregates ------------------------------------------------------------------------ */

typedef struct AggArg {
    KnAgg fn;
    int dir;    /* -1: kn_agg_full */
    const MatBlock *a;
} AggArg;

static tsr_status run_agg(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const AggArg *x = arg;
    if (x->dir >= 0) return kn_agg_dir(par, x->fn, (KnDir)x->dir, x->a, out, err);
    double v = 0;
    tsr_status st = kn_agg_full(par, x->fn, x->a, &v, err);
    if (st != TSR_OK) return st;
    *out = mb_new(1, 1, err);
    if (!*out) return err->code;
    (*out)->dense[0] = v;
    mb_recount_nnz(*out);
    return TSR_OK;
}

/* Every aggregate in every direction, dense and CSR, against the
 * sequential run; sums and column sums also equal across formats. */
static void agg_all_of(const MatBlock *m, const char *what)
{
    char name[128];
    MatBlock *fm[2] = { tb_as_fmt(m, 0), tb_as_fmt(m, 1) };
    for (int fn = KA_SUM; fn <= KA_PROD; fn++)
        for (int dir = -1; dir <= KD_COL; dir++)
            for (int f = 0; f < 2; f++) {
                AggArg arg = { (KnAgg)fn, dir, fm[f] };
                snprintf(name, sizeof name, "%s agg %d dir %d %s", what, fn, dir,
                         f ? "csr" : "dense");
                par_same(run_agg, &arg, name, __LINE__);
            }
    /* sums, means and products are bit-identical across formats */
    const KnAgg exact[] = { KA_SUM, KA_MEAN, KA_PROD, KA_MIN, KA_MAX };
    for (size_t e = 0; e < sizeof exact / sizeof exact[0]; e++)
        for (int dir = -1; dir <= KD_COL; dir++) {
            AggArg ad = { exact[e], dir, fm[0] }, as = { exact[e], dir, fm[1] };
            MatBlock *zd = NULL, *zs = NULL;
            int ok = run_agg(&g_ctx[3], &ad, &zd, &E) == TSR_OK &&
                     run_agg(&g_ctx[3], &as, &zs, &E) == TSR_OK && tb_same_cells(zd, zs);
            if (!ok) fprintf(stderr, "%s: agg %d dir %d dense != csr\n", what, exact[e], dir);
            check_count(ok);
            mb_free(zd), mb_free(zs);
        }
    mb_free(fm[0]), mb_free(fm[1]);
}

static void test_agg_par(void)
{
    int64_t jobs0 = pool_jobs();
    MatBlock *m;
    agg_all_of(m = gen(3000, 700, 0.3, 0), "3000x700"), mb_free(m);
    agg_all_of(m = gen(900, 400, 0.2, SPECIAL_NANINF), "900x400 nan/inf"), mb_free(m);
    agg_all_of(m = gen(200000, 3, 0.3, 0), "200000x3"), mb_free(m);
    agg_all_of(m = gen(1, 300000, 0.3, 0), "1x300000"), mb_free(m);
    agg_all_of(m = gen(32, 40000, 0.2, 0), "32x40000 (column ranges)"), mb_free(m);
    agg_all_of(m = gen(32, 40000, 0.1, SPECIAL_NANINF), "32x40000 nan/inf"), mb_free(m);
    agg_all_of(m = gen(2000, 300, 0.0, 0), "all zero"), mb_free(m);
    agg_all_of(m = gen(0, 5, 0, 0), "0x5"), mb_free(m);
    agg_all_of(m = gen(5, 0, 0, 0), "5x0"), mb_free(m);
    agg_all_of(m = gen(0, 0, 0, 0), "0x0"), mb_free(m);
    agg_all_of(m = gen(1, 1, 1, 0), "1x1"), mb_free(m);
    agg_all_of(m = gen(300001, 1, 0.5, 0), "300001x1"), mb_free(m);
    CHECK(pool_jobs() > jobs0);
}

/* Exact values on inputs large enough to be split. */
static void test_agg_values(void)
{
    const ParCtx *par = &g_ctx[3];
    int64_t r = 100000, c = 7;
    MatBlock *m = mb_new(r, c, &E), *z = NULL;
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) m->dense[i * c + j] = (double)((i * 7 + j * 3) % 11) - 5.0;
    mb_recount_nnz(m);
    for (int f = 0; f < 2; f++) {
        MatBlock *x = tb_as_fmt(m, f);
        double v;
        long long tot = 0;
        for (int64_t i = 0; i < r * c; i++) tot += (long long)m->dense[i];
        OK(kn_agg_full(par, KA_SUM, x, &v, &E));
        CHECK(v == (double)tot);
        OK(kn_agg_full(par, KA_MIN, x, &v, &E));
        CHECK(v == -5.0);
        OK(kn_agg_full(par, KA_MAX, x, &v, &E));
        CHECK(v == 5.0);
        /* column sums and variances against a long double two-pass reference */
        OK(kn_agg_dir(par, KA_SUM, KD_COL, x, &z, &E));
        for (int64_t j = 0; z && j < c; j++) {
            long long s = 0;
            for (int64_t i = 0; i < r; i++) s += (long long)m->dense[i * c + j];
            CHECK(z->dense[j] == (double)s);
        }
        mb_free(z);
        OK(kn_agg_dir(par, KA_VAR, KD_COL, x, &z, &E));
        for (int64_t j = 0; z && j < c; j++) {
            long double mu = 0, ss = 0;
            for (int64_t i = 0; i < r; i++) mu += m->dense[i * c + j];
            mu /= r;
            for (int64_t i = 0; i < r; i++) ss += (m->dense[i * c + j] - mu) * (m->dense[i * c + j] - mu);
            CHECK_NEAR(z->dense[j], (double)(ss / (r - 1)), 1e-12 * (double)(ss / (r - 1)));
        }
        mb_free(z);
        mb_free(x);
    }
    mb_free(m);
    /* var of 0..n-1 is n(n+1)/12; a large offset tests the pairwise merge */
    int64_t n = 1000000;
    m = mb_new(n, 1, &E);
    for (int64_t i = 0; i < n; i++) m->dense[i] = 1e9 + (double)i;
    mb_recount_nnz(m);
    double v;
    OK(kn_agg_full(par, KA_VAR, m, &v, &E));
    CHECK_NEAR(v, (double)n * (double)(n + 1) / 12.0, 1e-9 * (double)n * (double)n);
    OK(kn_agg_full(par, KA_MEAN, m, &v, &E));
    CHECK(v == 1e9 + (double)(n - 1) / 2.0);
    OK(kn_agg_full(par, KA_PROD, m, &v, &E));
    CHECK(isinf(v) && v > 0);
    m->dense[n / 2] = NAN;
    OK(kn_agg_full(par, KA_MAX, m, &v, &E));
    CHECK(isnan(v));
    OK(kn_agg_full(par, KA_VAR, m, &v, &E));
    CHECK(isnan(v));
    mb_free(m);
}

/* ---- transpose ------------------------------------------------------------------------- */

typedef struct OneArg {
    const MatBlock *a;
} OneArg;

static tsr_status run_t(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    return kn_transpose(par, ((const OneArg *)arg)->a, out, err);
}

static void test_transpose(void)
{
    const int64_t shapes[][2] = { { 3000, 700 }, { 700, 3000 }, { 200000, 3 }, { 3, 200000 },
                                  { 1, 300000 }, { 300000, 1 }, { 1037, 1029 }, { 0, 4 },
                                  { 4, 0 },      { 1, 1 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        MatBlock *m = gen(shapes[s][0], shapes[s][1], 0.2, SPECIAL_NANINF);
        for (int f = 0; f < 2; f++) {
            MatBlock *x = tb_as_fmt(m, f), *t = NULL;
            OneArg arg = { x };
            par_same(run_t, &arg, "transpose", __LINE__);
            OK(kn_transpose(&g_ctx[3], x, &t, &E));
            int ok = t && t->rows == x->cols && t->cols == x->rows && t->sparse == x->sparse &&
                     t->nnz == x->nnz && tb_valid(t);
            for (int64_t k = 0; ok && k < 2000 && MB_CELLS(x) > 0; k++) {
                int64_t i = (int64_t)(urand() * (double)x->rows), j = (int64_t)(urand() * (double)x->cols);
                ok = same_double(mb_get(t, j, i), mb_get(m, i, j));
            }
            CHECK(ok);
            mb_free(x), mb_free(t);
        }
        mb_free(m);
    }
}

/* ---- rowIndexMax / rowIndexMin ---------------------------------------------------------- */

typedef struct RowIdxArg {
    const MatBlock *a;
    int is_max;
} RowIdxArg;

static tsr_status run_rowidx(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const RowIdxArg *x = arg;
    return kn_row_index(par, x->is_max, x->a, out, err);
}

static void test_row_index(void)
{
    const int64_t shapes[][2] = { { 200000, 10 }, { 3000, 700 }, { 1, 5 }, { 0, 3 }, { 5, 0 } };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        MatBlock *m = gen(shapes[s][0], shapes[s][1], 0.3, SPECIAL_NANINF);
        for (int f = 0; f < 2; f++) {
            MatBlock *x = tb_as_fmt(m, f);
            for (int mx = 0; mx < 2; mx++) {
                RowIdxArg arg = { x, mx };
                par_same(run_rowidx, &arg, mx ? "rowIndexMax" : "rowIndexMin", __LINE__);
            }
            mb_free(x);
        }
        mb_free(m);
    }
    /* exact values: ties go to the last position, all-NaN rows to 1 */
    MatBlock *t = mb_new(3, 3, &E), *z = NULL;
    const double cells[9] = { 1, 5, 5, NAN, NAN, NAN, -1, -3, -2 };
    memcpy(t->dense, cells, sizeof cells);
    mb_recount_nnz(t);
    OK(kn_row_index(&g_ctx[3], 1, t, &z, &E));
    CHECK(z && z->dense[0] == 3 && z->dense[1] == 1 && z->dense[2] == 1);
    mb_free(z);
    OK(kn_row_index(&g_ctx[3], 0, t, &z, &E));
    CHECK(z && z->dense[0] == 1 && z->dense[1] == 1 && z->dense[2] == 2);
    mb_free(z);
    mb_free(t);
}

/* ---- rand ------------------------------------------------------------------------------ */

typedef struct RandArg {
    int64_t rows, cols;
    double min, max, sparsity;
    uint64_t seed;
    KnPdf pdf;
    double lambda;
} RandArg;

static tsr_status run_rand(const ParCtx *par, const void *arg, MatBlock **out, Err *err)
{
    const RandArg *x = arg;
    return kn_rand(par, x->rows, x->cols, x->min, x->max, x->sparsity, x->seed, x->pdf, x->lambda,
                   out, err);
}

static void test_rand(void)
{
    int64_t jobs0 = pool_jobs();
    /* every pdf and sparsity on moderate shapes (edge blocks, one row/column) */
    const int64_t shapes[][2] = { { 1001, 1003 }, { 2100, 300 }, { 700, 1 }, { 1, 5000 },
                                  { 0, 3 },       { 1, 1 } };
    const double sparsity[] = { 1.0, 0.5, 0.3, 0.1, 0.001, 0.0 };
    const uint64_t seeds[] = { 7, 123456789, 0xFFFFFFFFFFull };
    char name[128];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t p = 0; p < sizeof sparsity / sizeof sparsity[0]; p++)
            for (int pdf = KR_UNIFORM; pdf <= KR_POISSON; pdf++) {
                if (pdf != KR_UNIFORM && (p == 1 || p == 3)) continue;   /* time */
                RandArg arg = { shapes[s][0], shapes[s][1], -1.0, 3.0, sparsity[p],
                                seeds[(s + p + (size_t)pdf) % 3], (KnPdf)pdf, 3.0 };
                snprintf(name, sizeof name, "rand %lldx%lld sparsity %g pdf %d",
                         (long long)arg.rows, (long long)arg.cols, arg.sparsity, pdf);
                par_same(run_rand, &arg, name, __LINE__);
            }
    /* the brief's sizes, uniform (and poisson with a large lambda on the tall one) */
    const int64_t big[][2] = { { 3000, 700 }, { 200000, 3 }, { 2500, 2500 } };
    const double bsp[] = { 1.0, 0.3, 0.01 };
    for (size_t s = 0; s < sizeof big / sizeof big[0]; s++)
        for (size_t p = 0; p < sizeof bsp / sizeof bsp[0]; p++) {
            RandArg arg = { big[s][0], big[s][1], 0.0, 1.0, bsp[p], 99 + s, KR_UNIFORM, 1.0 };
            snprintf(name, sizeof name, "rand %lldx%lld sparsity %g", (long long)arg.rows,
                     (long long)arg.cols, arg.sparsity);
            par_same(run_rand, &arg, name, __LINE__);
        }
    RandArg pois = { 200000, 3, 0.0, 1.0, 0.2, 5, KR_POISSON, 25.0 };
    par_same(run_rand, &pois, "rand poisson lambda 25", __LINE__);
    CHECK(pool_jobs() > jobs0);
    /* a sparse result's cells are those of sparsity 1 (the same seed) */
    MatBlock *f = NULL, *s = NULL;
    OK(kn_rand(&g_ctx[3], 2500, 1700, 0, 1, 1.0, 42, KR_UNIFORM, 1, &f, &E));
    OK(kn_rand(&g_ctx[3], 2500, 1700, 0, 1, 0.05, 42, KR_UNIFORM, 1, &s, &E));
    int ok = f && s && s->sparse && tb_valid(s) && s->nnz > 0;
    for (int64_t i = 0; ok && i < s->rows; i++)
        for (int64_t k = s->ptr[i]; ok && k < s->ptr[i + 1]; k++)
            ok = s->val[k] == f->dense[i * f->cols + s->idx[k]];
    CHECK(ok);
    mb_free(f), mb_free(s);
}

int main(void)
{
    ctx_setup();
    test_binary();
    test_binary_scalar();
    test_unary();
    test_ifelse();
    test_agg_par();
    test_agg_values();
    test_transpose();
    test_row_index();
    test_rand();
    ctx_teardown();
    return check_summary();
}
