/*
 * test_fused.c - the fused cellwise-program kernel kn_fused (fused.c)
 * against the unfused kernels.
 *
 * Random programs (binary operators, min/max/xor/log, unary functions,
 * ifelse, constants) over random inputs of every broadcast shape (full,
 * row vector, column vector, 1x1, scalar), dense and CSR, with NaN, +-Inf
 * and -0.0 cells, on cell spaces from 0xN and 1x1 to sizes that are split
 * into parallel chunks (1000x700, 1x300000, 40x40000 whose column sums run
 * per column).  The reference materialises every op as a dense block with
 * the unfused kernels (kn_binary / kn_binary_scalar, kn_binary_fn(_scalar),
 * kn_unary, kn_ifelse) and aggregates the outputs with kn_agg_full /
 * kn_agg_dir: every output must have the same bits (NaN payloads aside,
 * they depend on the operand order the compiler picks).  Every program also
 * runs on pools of 3 workers with budgets 2 and 4 (one with a buffer cache)
 * and must give the sequential run's bits exactly.  Sparse-driver programs
 * (X*3, X^2, abs(X)*2, (X!=0)*X, relu, X*Y, ...) must give the dense path's
 * cells as CSR and the aggregates of that CSR result.  Then the examples of
 * the brief, a multi-output program (one pass), and the argument errors.
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

/* ---- contexts ------------------------------------------------------------------------ */

#define NCTX 3
static ParPool *g_pool;
static MbCache *g_cache;
static ParCtx g_ctx[NCTX];

static void ctx_setup(void)
{
    g_pool = par_pool_new(3, &E);
    g_cache = mb_cache_new(NULL, &E);
    if (!g_pool || !g_cache) {
        fprintf(stderr, "setup failed: %s\n", E.msg);
        exit(2);
    }
    const int threads[NCTX] = { 2, 4, 4 };
    for (int c = 0; c < NCTX; c++) {
        memset(&g_ctx[c], 0, sizeof g_ctx[c]);
        g_ctx[c].pool = g_pool;
        g_ctx[c].threads = threads[c];
    }
    g_ctx[NCTX - 1].cache = g_cache;
}

static int64_t pool_jobs(void)
{
    ParPoolStats st;
    par_pool_stats(g_pool, &st);
    return st.jobs;
}

/* ---- inputs -------------------------------------------------------------------------- */

static uint64_t g_rng = 0x2545F4914F6CDD1Dull;

static double urand(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) * 0x1p-53;
}


static int irand(int n) { return (int)(urand() * n); }

static void die_gen(void)
{
    fprintf(stderr, "mb_new failed: %s\n", E.msg);
    exit(2);
}

/* r x c dense block with about `density` non-zeros in [-4, 4) (small
 * integers and halves among them); with `special` some NaN, +-Inf and -0.0,
 * and magnitudes from 2^-60 to 2^62 so that compensated sums depend on the
 * order of their terms (a different chunking shows in the bits). */
static MatBlock *gen(int64_t r, int64_t c, double density, int special)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) die_gen();
    for (int64_t i = 0; i < r * c; i++) {
        if (urand() >= density) {
            if (special && urand() < 0.02) m->dense[i] = -0.0;
            continue;
        }
        double u = urand(), v = urand() * 8.0 - 4.0;
        if (u < 0.2) v = floor(v);
        else if (u < 0.3) v = floor(v * 2.0) / 2.0;
        if (special && u > 0.99) v = u > 0.997 ? NAN : u > 0.9935 ? INFINITY : -INFINITY;
        else if (special && urand() < 0.3) v = ldexp(v, irand(121) - 60);   /* cancellation */
        m->dense[i] = v;
    }
    mb_recount_nnz(m);
    return m;
}

/* r x c dense block of values of magnitudes 2^-60 .. 2^62 that cancel:
 * cell (i, c-1-j) = -(i, j) (mirror 0: every row sums to about 0), or
 * (r-1-i, j) = -(i, j) (mirror 1: columns).  The compensated sums of such
 * data keep rounding errors of very different sizes, so their bits depend
 * on the order of the terms: a chunking other than the aggregates' shows. */
static MatBlock *gen_cancel(int64_t r, int64_t c, int mirror)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) die_gen();
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) {
            int64_t mi = mirror ? r - 1 - i : i, mj = mirror ? j : c - 1 - j;
            double *x = &m->dense[i * c + j];
            if (mi * c + mj < i * c + j) *x = -m->dense[mi * c + mj];
            else *x = ldexp(urand() + 0.5, irand(123) - 60) * (urand() < 0.5 ? -1 : 1);
        }
    mb_recount_nnz(m);
    return m;
}

enum { SH_FULL, SH_ROW, SH_COL, SH_ONE, SH_SCALAR, SH__COUNT };

typedef struct TIn {
    MatBlock *m;   /* NULL: the scalar s */
    double s;
} TIn;

static TIn tin_make(int shape, int sparse, int64_t r, int64_t c, double density, int special)
{
    TIn t = { NULL, 0.0 };
    MatBlock *m = NULL;
    switch (shape) {
    case SH_FULL: m = gen(r, c, density, special); break;
    case SH_ROW: m = gen(1, c, density, special); break;
    case SH_COL: m = gen(r, 1, density, special); break;
    case SH_ONE: m = gen(1, 1, 0.8, special); break;
    default: t.s = urand() < 0.2 ? 2.0 : floor(urand() * 8.0 - 4.0) / 2.0; return t;
    }
    t.m = tb_as_fmt(m, sparse);
    mb_free(m);
    return t;
}

/* ---- reference: every op materialised by the unfused kernels ----------------------- */

typedef struct RVal {
    MatBlock *m;   /* rows x cols dense, or NULL: the uniform value s */
    double s;
} RVal;

static void die(const char *what)
{
    fprintf(stderr, "%s failed: %s\n", what, E.msg);
    exit(2);
}

static RVal rscalar(double s)
{
    RVal v = { NULL, s };
    return v;
}

/* Input as a value: scalars and 1x1 blocks are uniform, vectors expanded. */
static RVal ref_input(const TIn *t, int64_t r, int64_t c)
{
    const MatBlock *m = t->m;
    if (!m) return rscalar(t->s);
    if (m->rows == 1 && m->cols == 1 && !(r == 1 && c == 1)) return rscalar(mb_get(m, 0, 0));
    MatBlock *z = mb_new(r, c, &E);
    if (!z) die("mb_new");
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++)
            z->dense[i * c + j] = mb_get(m, m->rows == 1 ? 0 : i, m->cols == 1 ? 0 : j);
    mb_recount_nnz(z);
    RVal v = { z, 0.0 };
    return v;
}

/* A 1x1 kernel result as a uniform value. */
static RVal from_1x1(MatBlock *z)
{
    RVal v = rscalar(mb_get(z, 0, 0));
    mb_free(z);
    return v;
}

static RVal ref_bin(int is_fn, int op, RVal a, RVal b)
{
    MatBlock *z = NULL, *one = NULL;
    tsr_status st;
    if (!a.m && !b.m) {
        if (!(one = mb_scalar(a.s, &E))) die("mb_scalar");
        st = is_fn ? kn_binary_fn_scalar(NULL, (KnBinFn)op, one, b.s, 0, &z, &E)
                   : kn_binary_scalar(NULL, (BinOp)op, one, b.s, 0, &z, &E);
        mb_free(one);
        if (st) die("scalar op");
        return from_1x1(z);
    }
    if (!a.m || !b.m) {
        const MatBlock *x = a.m ? a.m : b.m;
        double s = a.m ? b.s : a.s;
        int left = !a.m;
        st = is_fn ? kn_binary_fn_scalar(NULL, (KnBinFn)op, x, s, left, &z, &E)
                   : kn_binary_scalar(NULL, (BinOp)op, x, s, left, &z, &E);
    } else {
        st = is_fn ? kn_binary_fn(NULL, (KnBinFn)op, a.m, b.m, &z, &E)
                   : kn_binary(NULL, (BinOp)op, a.m, b.m, &z, &E);
    }
    if (st) die("binary kernel");
    RVal v = { z, 0.0 };
    return v;
}

static RVal ref_un(int fn, RVal a)
{
    MatBlock *z = NULL, *one = NULL;
    if (!a.m) {
        if (!(one = mb_scalar(a.s, &E))) die("mb_scalar");
        if (kn_unary(NULL, (KnUnary)fn, one, &z, &E)) die("kn_unary");
        mb_free(one);
        return from_1x1(z);
    }
    if (kn_unary(NULL, (KnUnary)fn, a.m, &z, &E)) die("kn_unary");
    RVal v = { z, 0.0 };
    return v;
}

static RVal ref_ifelse(RVal c, RVal a, RVal b)
{
    MatBlock *z = NULL;
    if (kn_ifelse(NULL, c.m, c.s, a.m, a.s, b.m, b.s, &z, &E)) die("kn_ifelse");
    if (!c.m && !a.m && !b.m) return from_1x1(z);
    RVal v = { z, 0.0 };
    return v;
}

/* The reference outputs of p: mats[k] / scalars[k] as kn_fused returns them. */
static void ref_run(const KnFuseProg *p, const TIn *in, int64_t r, int64_t c, MatBlock **mats,
                    double *scalars)
{
    RVal v[KN_FUSE_MAX_OPS];
    for (int i = 0; i < p->nops; i++) {
        const KnFuseOp *o = &p->ops[i];
        switch (o->kind) {
        case KF_IN: v[i] = ref_input(&in[o->a], r, c); break;
        case KF_CONST: v[i] = rscalar(o->k); break;
        case KF_BIN: v[i] = ref_bin(0, o->op, v[o->a], v[o->b]); break;
        case KF_BINFN: v[i] = ref_bin(1, o->op, v[o->a], v[o->b]); break;
        case KF_UN: v[i] = ref_un(o->op, v[o->a]); break;
        case KF_IFELSE: v[i] = ref_ifelse(v[o->a], v[o->b], v[o->c]); break;
        }
    }
    static const KnAgg fn_of[] = { KA_SUM, KA_SUM, KA_MIN, KA_MAX, KA_SUM, KA_MIN, KA_MAX,
                                   KA_SUM, KA_MIN, KA_MAX };
    for (int k = 0; k < p->nouts; k++) {
        RVal x = v[p->outs[k].op];
        KnFuseAgg a = p->outs[k].agg;
        MatBlock *full = x.m ? mb_copy(x.m, &E) : mb_new_fill(r, c, x.s, &E);
        if (!full) die("materialise");
        mats[k] = NULL;
        scalars[k] = 0.0;
        if (a == KF_CELLS) {
            mats[k] = full;
            continue;
        }
        tsr_status st;
        if (a == KF_SUM || a == KF_MIN || a == KF_MAX)
            st = kn_agg_full(NULL, fn_of[a], full, &scalars[k], &E);
        else
            st = kn_agg_dir(NULL, fn_of[a], a <= KF_ROWMAX ? KD_ROW : KD_COL, full, &mats[k], &E);
        if (st) die("aggregate");
        mb_free(full);
    }
    for (int i = 0; i < p->nops; i++) mb_free(v[i].m);
}

/* ---- comparison ---------------------------------------------------------------------- */

/* Same bits, any NaN equal to any NaN. */
static int same_bits(double a, double b)
{
    if (a != a || b != b) return a != a && b != b;
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Same shape, format, nnz and cell bits (NaN as above). */
static int same_block(const MatBlock *x, const MatBlock *y)
{
    if (!x || !y) return x == y;
    if (x->rows != y->rows || x->cols != y->cols || x->sparse != y->sparse || x->nnz != y->nnz)
        return 0;
    for (int64_t i = 0; i < x->rows; i++)
        for (int64_t j = 0; j < x->cols; j++)
            if (!same_bits(mb_get(x, i, j), mb_get(y, i, j))) return 0;
    return 1;
}


static const char *const kind_name[] = { "in", "const", "bin", "binfn", "un", "ifelse" };
static const char *const agg_name[] = { "cells", "sum", "min", "max", "rowsum", "rowmin",
                                        "rowmax", "colsum", "colmin", "colmax" };

static void print_prog(const KnFuseProg *p, int64_t r, int64_t c)
{
    fprintf(stderr, "   program over %lldx%lld (driver %d):\n", (long long)r, (long long)c,
            p->sparse_driver);
    for (int i = 0; i < p->nops; i++) {
        const KnFuseOp *o = &p->ops[i];
        fprintf(stderr, "     %d: %s op=%d a=%d b=%d c=%d k=%g\n", i, kind_name[o->kind], o->op,
                o->a, o->b, o->c, o->k);
    }
    for (int k = 0; k < p->nouts; k++)
        fprintf(stderr, "     out %d: op %d %s\n", k, p->outs[k].op, agg_name[p->outs[k].agg]);
}

static void free_outs(MatBlock **mats, int n)
{
    for (int k = 0; k < n; k++) {
        mb_free(mats[k]);
        mats[k] = NULL;
    }
}

static tsr_status fused(const ParCtx *par, const KnFuseProg *p, const TIn *in, int nin, int64_t r,
                        int64_t c, MatBlock **mats, double *sc)
{
    KnFuseIn fi[KN_FUSE_MAX_INPUTS + 1];
    for (int k = 0; k < nin && k <= KN_FUSE_MAX_INPUTS; k++) {
        fi[k].m = in[k].m;
        fi[k].s = in[k].s;
    }
    err_clear(&E);
    return kn_fused(par, p, fi, nin, r, c, mats, sc, &E);
}

/* Runs p on every context: the sequential run's bits exactly. */
static int par_same(const KnFuseProg *p, const TIn *in, int nin, int64_t r, int64_t c,
                    MatBlock **ref, const double *refs)
{
    int ok = 1;
    for (int x = 0; x < NCTX + 1; x++) {   /* the cached context twice: dirty buffers */
        MatBlock *mats[KN_FUSE_MAX_OUTS];
        double sc[KN_FUSE_MAX_OUTS];
        if (fused(&g_ctx[x < NCTX ? x : NCTX - 1], p, in, nin, r, c, mats, sc) != TSR_OK) {
            fprintf(stderr, "   parallel run failed: %s\n", E.msg);
            return 0;
        }
        for (int k = 0; k < p->nouts; k++) {
            int good = mats[k] ? tb_same_bits(mats[k], ref[k])
                               : !ref[k] && memcmp(&sc[k], &refs[k], sizeof sc[k]) == 0;
            if (!good) fprintf(stderr, "   output %d differs on context %d\n", k, x);
            ok &= good;
        }
        free_outs(mats, p->nouts);
    }
    return ok;
}

/* kn_fused(p) against the materialised reference, and on every context. */
static void check_prog(const KnFuseProg *p, const TIn *in, int nin, int64_t r, int64_t c,
                       const char *what, int line)
{
    MatBlock *got[KN_FUSE_MAX_OUTS], *want[KN_FUSE_MAX_OUTS];
    double gs[KN_FUSE_MAX_OUTS], ws[KN_FUSE_MAX_OUTS];
    int ok = fused(NULL, p, in, nin, r, c, got, gs) == TSR_OK;
    if (!ok) {
        fprintf(stderr, "   kn_fused failed: %s\n", E.msg);
        print_prog(p, r, c);
        check_at(0, what, __FILE__, line);
        return;
    }
    ref_run(p, in, r, c, want, ws);
    for (int k = 0; k < p->nouts; k++) {
        int good = want[k] ? same_block(got[k], want[k]) && tb_valid(got[k])
                           : !got[k] && same_bits(gs[k], ws[k]);
        if (!good) {
            fprintf(stderr, "   output %d (%s) differs from the unfused kernels", k,
                    agg_name[p->outs[k].agg]);
            if (!want[k]) fprintf(stderr, ": %.17g vs %.17g", gs[k], ws[k]);
            fprintf(stderr, "\n");
        }
        ok &= good;
    }
    if (ok) ok &= par_same(p, in, nin, r, c, got, gs);
    if (!ok) print_prog(p, r, c);
    check_at(ok, what, __FILE__, line);
    free_outs(got, p->nouts);
    free_outs(want, p->nouts);
}

/* ---- random programs ------------------------------------------------------------------ */

static const BinOp bin_ops[] = { BOP_POW, BOP_INTDIV, BOP_MOD, BOP_MUL, BOP_DIV, BOP_ADD,
                                 BOP_SUB, BOP_LT,     BOP_LE,  BOP_GT,  BOP_GE,  BOP_EQ,
                                 BOP_NE,  BOP_AND,    BOP_OR,  BOP_MUL, BOP_ADD, BOP_SUB };
static const double consts[] = { 2.0, 2.0, 0.5, -1.0, 0.0, -0.0, 3.0, 1e300, NAN, INFINITY };

static int pick_op(int i)
{
    /* recent ops more often, so that chains get deep */
    return urand() < 0.6 ? i - 1 - irand(i < 3 ? i : 3) : irand(i);
}

static void push(KnFuseProg *p, KnFuseKind kind, int op, int a, int b, int c, double k)
{
    KnFuseOp *o = &p->ops[p->nops++];
    o->kind = kind;
    o->op = op;
    o->a = a;
    o->b = b;
    o->c = c;
    o->k = k;
}

static void gen_prog(KnFuseProg *p, int nin, int extra, int nouts)
{
    memset(p, 0, sizeof *p);
    p->sparse_driver = -1;
    for (int k = 0; k < nin; k++) push(p, KF_IN, 0, k, 0, 0, 0.0);
    for (int e = 0; e < extra && p->nops < KN_FUSE_MAX_OPS; e++) {
        int i = p->nops;
        double u = urand();
        if (u < 0.45) {
            int op = bin_ops[irand((int)(sizeof bin_ops / sizeof bin_ops[0]))];
            int b = pick_op(i);
            if (op == BOP_POW && urand() < 0.6 && p->nops + 1 < KN_FUSE_MAX_OPS) {
                push(p, KF_CONST, 0, 0, 0, 0, 2.0);   /* x ^ 2 */
                b = i++;
            }
            push(p, KF_BIN, op, pick_op(i), b, 0, 0.0);
        } else if (u < 0.58) {
            push(p, KF_BINFN, irand(4), pick_op(i), pick_op(i), 0, 0.0);
        } else if (u < 0.8) {
            push(p, KF_UN, irand(KU__COUNT), pick_op(i), 0, 0, 0.0);
        } else if (u < 0.9) {
            push(p, KF_IFELSE, 0, pick_op(i), pick_op(i), pick_op(i), 0.0);
        } else {
            push(p, KF_CONST, 0, 0, 0, 0, consts[irand((int)(sizeof consts / sizeof consts[0]))]);
        }
    }
    p->nouts = nouts;
    for (int k = 0; k < nouts; k++) {
        p->outs[k].op = k == 0 || urand() < 0.3 ? p->nops - 1 : irand(p->nops);
        p->outs[k].agg = (KnFuseAgg)irand(KF_COLMAX + 1);
    }
}

/* Random programs over random inputs of the given cell space. */
static void random_programs(int64_t r, int64_t c, int trials, int special)
{
    char what[128];
    for (int t = 0; t < trials; t++) {
        int nin = 1 + irand(4);
        TIn in[4];
        for (int k = 0; k < nin; k++)
            in[k] = tin_make(k == 0 ? SH_FULL : irand(SH__COUNT), urand() < 0.35, r, c,
                             urand() < 0.3 ? 0.1 : 0.8, special);
        KnFuseProg p;
        gen_prog(&p, nin, 2 + irand(10), 1 + irand(4));
        snprintf(what, sizeof what, "random program %d over %lldx%lld", t, (long long)r,
                 (long long)c);
        check_prog(&p, in, nin, r, c, what, __LINE__);
        for (int k = 0; k < nin; k++) mb_free(in[k].m);
    }
}

static void test_random(void)
{
    static const int64_t sizes[][3] = {   /* rows, cols, trials */
        { 0, 5, 10 },   { 5, 0, 10 },   { 0, 0, 5 },    { 1, 1, 40 },    { 7, 13, 150 },
        { 1, 37, 40 },  { 37, 1, 40 },  { 3, 513, 40 }, { 2, 1031, 30 }, { 300, 257, 40 },
        { 1000, 700, 12 }, { 1, 300000, 6 }, { 150000, 3, 6 }, { 40, 40000, 5 },
    };
    int64_t jobs0 = pool_jobs();
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        random_programs(sizes[s][0], sizes[s][1], (int)sizes[s][2], urand() < 0.8);
    CHECK(pool_jobs() > jobs0);   /* the big ones were split */
}

/* ---- the brief's examples and a multi-output program ---------------------------------- */

static KnFuseProg prog0(void)
{
    KnFuseProg p;
    memset(&p, 0, sizeof p);
    p.sparse_driver = -1;
    return p;
}

static void test_examples(void)
{
    const int64_t sizes[][2] = { { 7, 13 }, { 1000, 700 }, { 20000, 100 }, { 1, 300000 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t r = sizes[s][0], c = sizes[s][1];
        TIn in[4] = { tin_make(SH_FULL, 0, r, c, 1.0, 1), tin_make(SH_FULL, 0, r, c, 1.0, 0),
                      tin_make(SH_FULL, 1, r, c, 0.3, 0), tin_make(SH_ROW, 0, r, c, 1.0, 0) };
        /* sum((X*2+Y)^2/(Z+1)), and its cells */
        KnFuseProg p = prog0();
        push(&p, KF_IN, 0, 0, 0, 0, 0);
        push(&p, KF_CONST, 0, 0, 0, 0, 2.0);
        push(&p, KF_BIN, BOP_MUL, 0, 1, 0, 0);
        push(&p, KF_IN, 0, 1, 0, 0, 0);
        push(&p, KF_BIN, BOP_ADD, 2, 3, 0, 0);
        push(&p, KF_BIN, BOP_POW, 4, 1, 0, 0);
        push(&p, KF_IN, 0, 2, 0, 0, 0);
        push(&p, KF_CONST, 0, 0, 0, 0, 1.0);
        push(&p, KF_BIN, BOP_ADD, 6, 7, 0, 0);
        push(&p, KF_BIN, BOP_DIV, 5, 8, 0, 0);
        p.nouts = 2;
        p.outs[0] = (KnFuseOut){ 9, KF_SUM };
        p.outs[1] = (KnFuseOut){ 9, KF_CELLS };
        check_prog(&p, in, 3, r, c, "sum((X*2+Y)^2/(Z+1))", __LINE__);
        /* rowSums((X-mu)^2), rowMaxs, colMins of the same */
        p = prog0();
        push(&p, KF_IN, 0, 0, 0, 0, 0);
        push(&p, KF_IN, 0, 3, 0, 0, 0);
        push(&p, KF_BIN, BOP_SUB, 0, 1, 0, 0);
        push(&p, KF_CONST, 0, 0, 0, 0, 2.0);
        push(&p, KF_BIN, BOP_POW, 2, 3, 0, 0);
        p.nouts = 3;
        p.outs[0] = (KnFuseOut){ 4, KF_ROWSUM };
        p.outs[1] = (KnFuseOut){ 4, KF_ROWMAX };
        p.outs[2] = (KnFuseOut){ 2, KF_COLMIN };
        check_prog(&p, in, 4, r, c, "rowSums((X-mu)^2)", __LINE__);
        /* colSums(X*Y) with Y sparse, and colMaxs */
        p = prog0();
        push(&p, KF_IN, 0, 0, 0, 0, 0);
        push(&p, KF_IN, 0, 2, 0, 0, 0);
        push(&p, KF_BIN, BOP_MUL, 0, 1, 0, 0);
        p.nouts = 2;
        p.outs[0] = (KnFuseOut){ 2, KF_COLSUM };
        p.outs[1] = (KnFuseOut){ 2, KF_COLMAX };
        check_prog(&p, in, 3, r, c, "colSums(X*Y)", __LINE__);
        for (int k = 0; k < 4; k++) mb_free(in[k].m);
    }

    /* sum(A*B), sum(A^2), sum(B^2): one program, one pass over 10^6 cells */
    TIn ab[2] = { tin_make(SH_FULL, 0, 1000, 1000, 1.0, 0), tin_make(SH_FULL, 0, 1000, 1000, 1.0, 0) };
    KnFuseProg p = prog0();
    push(&p, KF_IN, 0, 0, 0, 0, 0);
    push(&p, KF_IN, 0, 1, 0, 0, 0);
    push(&p, KF_BIN, BOP_MUL, 0, 1, 0, 0);
    push(&p, KF_CONST, 0, 0, 0, 0, 2.0);
    push(&p, KF_BIN, BOP_POW, 0, 3, 0, 0);
    push(&p, KF_BIN, BOP_POW, 1, 3, 0, 0);
    p.nouts = 3;
    p.outs[0] = (KnFuseOut){ 2, KF_SUM };
    p.outs[1] = (KnFuseOut){ 4, KF_SUM };
    p.outs[2] = (KnFuseOut){ 5, KF_SUM };
    check_prog(&p, ab, 2, 1000, 1000, "sum(A*B), sum(A^2), sum(B^2)", __LINE__);
    MatBlock *mats[3];
    double sc[3];
    int64_t jobs0 = pool_jobs();
    CHECK(fused(&g_ctx[1], &p, ab, 2, 1000, 1000, mats, sc) == TSR_OK);
    CHECK(pool_jobs() - jobs0 == 1);   /* one parallel pass for the three sums */
    CHECK(!mats[0] && !mats[1] && !mats[2]);
    /* a full sum and column sums of a large space need two passes, same results */
    p.outs[1].agg = KF_COLSUM;
    p.outs[2].agg = KF_ROWSUM;
    check_prog(&p, ab, 2, 1000, 1000, "sum, colSums, rowSums", __LINE__);
    mb_free(ab[0].m), mb_free(ab[1].m);
}

/* ---- sparse driver --------------------------------------------------------------------- */

/* Appends op; returns its index. */
static int add(KnFuseProg *p, KnFuseKind kind, int op, int a, int b, int c, double k)
{
    push(p, kind, op, a, b, c, k);
    return p->nops - 1;
}

/* Builds the sparse-safe program number `which` over inputs X (0, CSR),
 * Y (1, dense, finite), W (2, CSR), r (3, row vector), v (4, column
 * vector); returns the op of its value. */
static int safe_prog(KnFuseProg *p, int which)
{
    int x = add(p, KF_IN, 0, 0, 0, 0, 0);
    switch (which) {
    case 0: return add(p, KF_BIN, BOP_MUL, x, add(p, KF_CONST, 0, 0, 0, 0, 3.0), 0, 0);
    case 1: return add(p, KF_BIN, BOP_POW, x, add(p, KF_CONST, 0, 0, 0, 0, 2.0), 0, 0);
    case 2: return add(p, KF_BIN, BOP_MUL, add(p, KF_UN, KU_ABS, x, 0, 0, 0),
                       add(p, KF_CONST, 0, 0, 0, 0, 2.0), 0, 0);
    case 3: {
        int ne = add(p, KF_BIN, BOP_NE, x, add(p, KF_CONST, 0, 0, 0, 0, 0.0), 0, 0);
        return add(p, KF_BIN, BOP_MUL, ne, x, 0, 0);
    }
    case 4: return add(p, KF_BINFN, KB_MAX, x, add(p, KF_CONST, 0, 0, 0, 0, 0.0), 0, 0);   /* relu */
    case 5: return add(p, KF_BINFN, KB_MIN, x, add(p, KF_CONST, 0, 0, 0, 0, 0.0), 0, 0);
    case 6: {
        int y1 = add(p, KF_BIN, BOP_ADD, add(p, KF_IN, 0, 1, 0, 0, 0),
                     add(p, KF_CONST, 0, 0, 0, 0, 1.0), 0, 0);
        return add(p, KF_BIN, BOP_MUL, x, y1, 0, 0);   /* X * (Y + 1) */
    }
    case 7: return add(p, KF_BIN, BOP_MUL, x, add(p, KF_IN, 0, 2, 0, 0, 0), 0, 0);   /* X * W */
    case 8: {
        int xr = add(p, KF_BIN, BOP_MUL, x, add(p, KF_IN, 0, 3, 0, 0, 0), 0, 0);
        return add(p, KF_BIN, BOP_DIV, xr, add(p, KF_IN, 0, 4, 0, 0, 0), 0, 0);
    }
    case 9: {
        int c = add(p, KF_BIN, BOP_GT, x, add(p, KF_CONST, 0, 0, 0, 0, 0.5), 0, 0);
        int t = add(p, KF_UN, KU_SQRT, add(p, KF_UN, KU_ABS, x, 0, 0, 0), 0, 0, 0);
        return add(p, KF_IFELSE, 0, c, t, add(p, KF_CONST, 0, 0, 0, 0, 0.0), 0);
    }
    default: {   /* X * exp(Y) - X / 2 */
        int e = add(p, KF_BIN, BOP_MUL, x, add(p, KF_UN, KU_EXP, add(p, KF_IN, 0, 1, 0, 0, 0), 0, 0, 0), 0, 0);
        int h = add(p, KF_BIN, BOP_DIV, x, add(p, KF_CONST, 0, 0, 0, 0, 2.0), 0, 0);
        return add(p, KF_BIN, BOP_SUB, e, h, 0, 0);
    }
    }
}
#define NSAFE 11

static void sparse_case(int64_t r, int64_t c, int which, int special)
{
    char what[128];
    snprintf(what, sizeof what, "sparse driver program %d over %lldx%lld", which, (long long)r,
             (long long)c);
    TIn in[5] = { tin_make(SH_FULL, 1, r, c, 0.08, special), tin_make(SH_FULL, 0, r, c, 0.9, 0),
                  tin_make(SH_FULL, 1, r, c, 0.3, 0), tin_make(SH_ROW, urand() < 0.5, r, c, 1.0, 0),
                  tin_make(SH_COL, 0, r, c, 1.0, 0) };
    for (int64_t i = 0; i < MB_CELLS(in[4].m); i++)   /* divisor without zeros */
        if (in[4].m->dense[i] == 0.0) in[4].m->dense[i] = 0.5;
    mb_recount_nnz(in[4].m);
    KnFuseProg p = prog0();
    int v = safe_prog(&p, which);
    static const KnFuseAgg aggs[] = { KF_CELLS, KF_SUM, KF_MIN, KF_MAX, KF_ROWSUM,
                                      KF_ROWMIN, KF_COLSUM, KF_COLMAX };
    p.nouts = 8;
    for (int k = 0; k < 8; k++) p.outs[k] = (KnFuseOut){ v, aggs[k] };
    /* the dense path: the reference cells */
    MatBlock *dm[8], *sm[8];
    double ds[8], ss[8];
    int ok = fused(NULL, &p, in, 5, r, c, dm, ds) == TSR_OK;
    p.sparse_driver = 0;
    ok &= fused(NULL, &p, in, 5, r, c, sm, ss) == TSR_OK;
    if (!ok) {
        fprintf(stderr, "   kn_fused failed: %s\n", E.msg);
        check_at(0, what, __FILE__, __LINE__);
        for (int k = 0; k < 5; k++) mb_free(in[k].m);
        return;
    }
    /* cells: CSR, valid, the dense path's values */
    ok &= sm[0]->sparse && tb_valid(sm[0]) && tb_same_cells(sm[0], dm[0]);
    if (!ok) fprintf(stderr, "   sparse cells differ from the dense path\n");
    /* aggregates: those of the CSR result */
    static const KnAgg fn_of[] = { KA_SUM, KA_SUM, KA_MIN, KA_MAX, KA_SUM, KA_MIN, KA_MAX,
                                   KA_SUM, KA_MIN, KA_MAX };
    for (int k = 1; k < 8; k++) {
        KnFuseAgg a = aggs[k];
        double w = 0.0;
        MatBlock *wm = NULL;
        if (a == KF_SUM || a == KF_MIN || a == KF_MAX) {
            CHECK(kn_agg_full(NULL, fn_of[a], sm[0], &w, &E) == TSR_OK);
            if (!same_bits(w, ss[k])) {
                fprintf(stderr, "   %s: %.17g vs %.17g of the CSR result\n", agg_name[a], ss[k], w);
                ok = 0;
            }
        } else {
            CHECK(kn_agg_dir(NULL, fn_of[a], a <= KF_ROWMAX ? KD_ROW : KD_COL, sm[0], &wm, &E) == TSR_OK);
            if (!same_block(sm[k], wm)) {
                fprintf(stderr, "   %s differs from the CSR result's\n", agg_name[a]);
                ok = 0;
            }
            mb_free(wm);
        }
    }
    if (ok) ok &= par_same(&p, in, 5, r, c, sm, ss);
    if (!ok) print_prog(&p, r, c);
    check_at(ok, what, __FILE__, __LINE__);
    free_outs(dm, 8);
    free_outs(sm, 8);
    for (int k = 0; k < 5; k++) mb_free(in[k].m);
}

static void test_sparse_driver(void)
{
    static const int64_t sizes[][2] = { { 7, 13 }, { 300, 257 }, { 1000, 700 }, { 1, 300000 },
                                        { 150000, 3 }, { 40, 40000 }, { 0, 5 }, { 5, 0 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int w = 0; w < NSAFE; w++)   /* big spaces: a third of the programs each */
            if (sizes[s][0] * sizes[s][1] < 100000 || (w + (int)s) % 3 == 0)
                sparse_case(sizes[s][0], sizes[s][1], w, s % 2 == 0);

    /* a dense input named as the driver: the dense path, same results */
    TIn x = tin_make(SH_FULL, 0, 300, 257, 0.2, 1);
    KnFuseProg p = prog0();
    int v = safe_prog(&p, 0);
    p.nouts = 2;
    p.outs[0] = (KnFuseOut){ v, KF_CELLS };
    p.outs[1] = (KnFuseOut){ v, KF_SUM };
    MatBlock *a[2], *b[2];
    double as[2], bs[2];
    CHECK(fused(NULL, &p, &x, 1, 300, 257, a, as) == TSR_OK);
    p.sparse_driver = 0;
    CHECK(fused(NULL, &p, &x, 1, 300, 257, b, bs) == TSR_OK);
    CHECK(!b[0]->sparse && tb_same_bits(a[0], b[0]) && same_bits(as[1], bs[1]));
    free_outs(a, 2);
    free_outs(b, 2);
    mb_free(x.m);

    /* all zero driver: empty CSR, sum 0, min/max 0 */
    TIn z = { NULL, 0.0 };
    MatBlock *zero = mb_new_sparse(50, 60, 0, &E);
    z.m = zero;
    p = prog0();
    v = safe_prog(&p, 1);
    p.nouts = 4;
    p.outs[0] = (KnFuseOut){ v, KF_CELLS };
    p.outs[1] = (KnFuseOut){ v, KF_SUM };
    p.outs[2] = (KnFuseOut){ v, KF_MIN };
    p.outs[3] = (KnFuseOut){ v, KF_ROWMAX };
    p.sparse_driver = 0;
    MatBlock *m4[4];
    double s4[4];
    CHECK(fused(NULL, &p, &z, 1, 50, 60, m4, s4) == TSR_OK);
    CHECK(m4[0]->sparse && m4[0]->nnz == 0 && tb_valid(m4[0]));
    CHECK_D(s4[1], 0.0);
    CHECK_D(s4[2], 0.0);
    CHECK(m4[3]->rows == 50 && m4[3]->nnz == 0);
    free_outs(m4, 4);
    mb_free(zero);
}

/* ---- exact values and edge cases ------------------------------------------------------ */

static void test_values(void)
{
    /* 1..12 in a 3x4 block: exact sums, min/max, and broadcasting of a row
     * vector, a column vector and a scalar */
    MatBlock *x = mb_new(3, 4, &E), *rv = mb_new(1, 4, &E), *cv = mb_new(3, 1, &E);
    for (int i = 0; i < 12; i++) x->dense[i] = i + 1;
    for (int j = 0; j < 4; j++) rv->dense[j] = 10.0 * j;
    for (int i = 0; i < 3; i++) cv->dense[i] = -100.0 * i;
    mb_recount_nnz(x), mb_recount_nnz(rv), mb_recount_nnz(cv);
    TIn in[4] = { { x, 0 }, { rv, 0 }, { cv, 0 }, { NULL, 0.5 } };
    KnFuseProg p = prog0();
    push(&p, KF_IN, 0, 0, 0, 0, 0);
    push(&p, KF_IN, 0, 1, 0, 0, 0);
    push(&p, KF_IN, 0, 2, 0, 0, 0);
    push(&p, KF_IN, 0, 3, 0, 0, 0);
    push(&p, KF_BIN, BOP_ADD, 0, 1, 0, 0);   /* x + rv */
    push(&p, KF_BIN, BOP_ADD, 4, 2, 0, 0);   /* + cv */
    push(&p, KF_BIN, BOP_MUL, 5, 3, 0, 0);   /* * 0.5 */
    p.nouts = 6;
    p.outs[0] = (KnFuseOut){ 6, KF_CELLS };
    p.outs[1] = (KnFuseOut){ 6, KF_SUM };
    p.outs[2] = (KnFuseOut){ 6, KF_MIN };
    p.outs[3] = (KnFuseOut){ 6, KF_MAX };
    p.outs[4] = (KnFuseOut){ 6, KF_ROWSUM };
    p.outs[5] = (KnFuseOut){ 6, KF_COLSUM };
    MatBlock *m[6];
    double s[6];
    CHECK(fused(NULL, &p, in, 4, 3, 4, m, s) == TSR_OK);
    CHECK_D(m[0]->dense[0], 0.5);             /* (1 + 0 + 0) / 2 */
    CHECK_D(m[0]->dense[11], (12 + 30 - 200) * 0.5);
    CHECK_D(s[1], (78.0 + 3 * 60 - 4 * 300) * 0.5);
    CHECK_D(s[2], (9.0 - 200) * 0.5);
    CHECK_D(s[3], (4.0 + 30) * 0.5);
    CHECK(m[4]->rows == 3 && m[4]->cols == 1 && m[5]->rows == 1 && m[5]->cols == 4);
    CHECK_D(m[4]->dense[0], (10.0 + 60) * 0.5);
    CHECK_D(m[5]->dense[3], (4 + 8 + 12 + 90 - 300) * 0.5);
    CHECK(!m[1] && !m[2] && !m[3] && s[0] == 0.0 && s[4] == 0.0);
    free_outs(m, 6);
    check_prog(&p, in, 4, 3, 4, "3x4 broadcasting", __LINE__);
    mb_free(x), mb_free(rv), mb_free(cv);

    /* empty spaces: sum 0, min +Inf, max -Inf, empty blocks; 0xN rows and
     * Nx0 columns of the aggregates' initial values */
    p = prog0();
    push(&p, KF_IN, 0, 0, 0, 0, 0);
    p.nouts = 7;
    p.outs[0] = (KnFuseOut){ 0, KF_SUM };
    p.outs[1] = (KnFuseOut){ 0, KF_MIN };
    p.outs[2] = (KnFuseOut){ 0, KF_MAX };
    p.outs[3] = (KnFuseOut){ 0, KF_CELLS };
    p.outs[4] = (KnFuseOut){ 0, KF_ROWMIN };
    p.outs[5] = (KnFuseOut){ 0, KF_COLMAX };
    p.outs[6] = (KnFuseOut){ 0, KF_ROWSUM };
    TIn e = { mb_new(4, 0, &E), 0.0 };
    MatBlock *em[7];
    double es[7];
    CHECK(fused(NULL, &p, &e, 1, 4, 0, em, es) == TSR_OK);
    CHECK_D(es[0], 0.0);
    CHECK_D(es[1], INFINITY);
    CHECK_D(es[2], -INFINITY);
    CHECK(em[3]->rows == 4 && em[3]->cols == 0 && em[3]->nnz == 0);
    CHECK(em[4]->rows == 4 && em[4]->cols == 1 && em[4]->dense[3] == INFINITY);
    CHECK(em[5]->rows == 1 && em[5]->cols == 0);
    CHECK_D(em[6]->dense[0], 0.0);
    free_outs(em, 7);
    mb_free(e.m);
    check_prog(&p, &(TIn){ NULL, 3.0 }, 1, 0, 7, "0x7 of a scalar", __LINE__);

    /* -0.0, NaN and Inf through min/max and the sums */
    MatBlock *z = mb_new(1, 3, &E);
    z->dense[0] = -0.0, z->dense[1] = 0.0, z->dense[2] = -0.0;
    mb_recount_nnz(z);
    TIn zi = { z, 0.0 };
    p.nouts = 3;
    MatBlock *zm[3];
    double zs[3];
    CHECK(fused(NULL, &p, &zi, 1, 1, 3, zm, zs) == TSR_OK);
    CHECK_D(zs[0], 0.0);
    CHECK_D(zs[1], -0.0);
    CHECK_D(zs[2], 0.0);
    free_outs(zm, 3);
    z->dense[1] = NAN;
    CHECK(fused(NULL, &p, &zi, 1, 1, 3, zm, zs) == TSR_OK);
    CHECK(isnan(zs[0]) && isnan(zs[1]) && isnan(zs[2]));
    free_outs(zm, 3);
    mb_free(z);
}

/* Sums whose bits depend on the order of the terms, over spaces that are
 * split into chunks and bands (and bands too wide: one run per column):
 * the aggregates' own chunking, exactly. */
static void test_chunking(void)
{
    static const int64_t sizes[][2] = { { 1000, 700 }, { 66, 32000 }, { 150000, 3 },
                                        { 1, 300000 }, { 300, 257 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int mirror = 0; mirror < 2; mirror++)
            for (int sparse = 0; sparse < 2; sparse++) {
                int64_t r = sizes[s][0], c = sizes[s][1];
                MatBlock *x = gen_cancel(r, c, mirror);
                TIn in[2] = { { tb_as_fmt(x, sparse), 0 }, { NULL, 0.75 } };
                mb_free(x);
                KnFuseProg p = prog0();
                push(&p, KF_IN, 0, 0, 0, 0, 0);
                push(&p, KF_IN, 0, 1, 0, 0, 0);
                push(&p, KF_BIN, BOP_MUL, 0, 1, 0, 0);
                p.nouts = 6;
                p.outs[0] = (KnFuseOut){ 0, KF_SUM };
                p.outs[1] = (KnFuseOut){ 0, KF_ROWSUM };
                p.outs[2] = (KnFuseOut){ 0, KF_COLSUM };
                p.outs[3] = (KnFuseOut){ 2, KF_SUM };
                p.outs[4] = (KnFuseOut){ 2, KF_ROWSUM };
                p.outs[5] = (KnFuseOut){ 2, KF_COLSUM };
                check_prog(&p, in, 2, r, c, "order-sensitive sums", __LINE__);
                if (sparse) {   /* the sparse path: kn_agg_* of its CSR result */
                    p.sparse_driver = 0;
                    p.outs[1] = (KnFuseOut){ 2, KF_CELLS };
                    MatBlock *m[6], *w = NULL;
                    double sc[6], v;
                    CHECK(fused(NULL, &p, in, 2, r, c, m, sc) == TSR_OK);
                    CHECK(kn_agg_full(NULL, KA_SUM, m[1], &v, &E) == TSR_OK && same_bits(v, sc[3]));
                    CHECK(kn_agg_full(NULL, KA_SUM, in[0].m, &v, &E) == TSR_OK && same_bits(v, sc[0]));
                    CHECK(kn_agg_dir(NULL, KA_SUM, KD_COL, m[1], &w, &E) == TSR_OK && same_block(w, m[5]));
                    mb_free(w);
                    CHECK(kn_agg_dir(NULL, KA_SUM, KD_ROW, m[1], &w, &E) == TSR_OK && same_block(w, m[4]));
                    mb_free(w);
                    free_outs(m, 6);
                }
                mb_free(in[0].m);
            }
}

/* ---- errors ----------------------------------------------------------------------------- */

static void expect_error(const KnFuseProg *p, const TIn *in, int nin, int64_t r, int64_t c,
                         const char *msg, int line)
{
    MatBlock *m[KN_FUSE_MAX_OUTS];
    double s[KN_FUSE_MAX_OUTS];
    for (int k = 0; k < KN_FUSE_MAX_OUTS; k++) m[k] = (MatBlock *)&E;   /* poison */
    tsr_status st = fused(NULL, p, in, nin, r, c, m, s);
    int ok = st != TSR_OK && (!msg || strstr(E.msg, msg) != NULL);
    int n = p->nouts < 0 ? 0 : p->nouts > KN_FUSE_MAX_OUTS ? KN_FUSE_MAX_OUTS : p->nouts;
    for (int k = 0; k < n; k++) ok &= m[k] == NULL;
    if (!ok) fprintf(stderr, "   status %d, message \"%s\"\n", (int)st, E.msg);
    check_at(ok, msg ? msg : "error", __FILE__, line);
}

static void test_errors(void)
{
    TIn x = tin_make(SH_FULL, 0, 5, 4, 1.0, 0), bad = tin_make(SH_FULL, 0, 3, 4, 1.0, 0);
    TIn two[2] = { x, bad };
    KnFuseProg p = prog0();
    push(&p, KF_IN, 0, 0, 0, 0, 0);
    p.nouts = 1;
    p.outs[0] = (KnFuseOut){ 0, KF_SUM };
    expect_error(&p, two, 2, 5, 4, "fused: input 1 of shape 3x4 does not broadcast to 5x4", __LINE__);
    expect_error(&p, &x, 1, 4, 5, "fused: input 0 of shape 5x4 does not broadcast to 4x5", __LINE__);
    KnFuseProg q = p;
    q.nops = 0;
    expect_error(&q, &x, 1, 5, 4, "ops", __LINE__);
    q.nops = KN_FUSE_MAX_OPS + 1;
    expect_error(&q, &x, 1, 5, 4, "ops", __LINE__);
    q = p;
    q.nouts = 0;
    expect_error(&q, &x, 1, 5, 4, "outputs", __LINE__);
    q.nouts = KN_FUSE_MAX_OUTS + 1;
    expect_error(&q, &x, 1, 5, 4, "outputs", __LINE__);
    TIn many[KN_FUSE_MAX_INPUTS + 1];
    for (int k = 0; k <= KN_FUSE_MAX_INPUTS; k++) many[k] = x;
    expect_error(&p, many, KN_FUSE_MAX_INPUTS + 1, 5, 4, "inputs", __LINE__);
    expect_error(&p, &x, -1, 5, 4, "inputs", __LINE__);
    q = p;
    q.ops[0].a = 1;   /* a missing input */
    expect_error(&q, &x, 1, 5, 4, "reads input 1", __LINE__);
    q = p;
    push(&q, KF_BIN, BOP_ADD, 0, 1, 0, 0);   /* uses itself */
    q.outs[0].op = 1;
    expect_error(&q, &x, 1, 5, 4, "uses op 1", __LINE__);
    q.ops[1].b = 5;   /* a later op */
    expect_error(&q, &x, 1, 5, 4, "uses op 5", __LINE__);
    q.ops[1] = (KnFuseOp){ KF_BIN, BOP_MATMUL, 0, 0, 0, 0 };
    expect_error(&q, &x, 1, 5, 4, "not cellwise", __LINE__);
    q.ops[1] = (KnFuseOp){ KF_UN, KU__COUNT, 0, 0, 0, 0 };
    expect_error(&q, &x, 1, 5, 4, "unknown unary", __LINE__);
    q.ops[1] = (KnFuseOp){ KF_BINFN, 7, 0, 0, 0, 0 };
    expect_error(&q, &x, 1, 5, 4, "unknown function", __LINE__);
    q.ops[1] = (KnFuseOp){ (KnFuseKind)42, 0, 0, 0, 0, 0 };
    expect_error(&q, &x, 1, 5, 4, "unknown kind", __LINE__);
    q.ops[1] = (KnFuseOp){ KF_IFELSE, 0, 0, 0, 1, 0 };
    expect_error(&q, &x, 1, 5, 4, "uses op 1", __LINE__);
    q = p;
    q.outs[0].op = 3;
    expect_error(&q, &x, 1, 5, 4, "output 0 is op 3", __LINE__);
    q.outs[0] = (KnFuseOut){ 0, (KnFuseAgg)99 };
    expect_error(&q, &x, 1, 5, 4, "unknown aggregate", __LINE__);
    q = p;
    q.sparse_driver = 3;
    expect_error(&q, &x, 1, 5, 4, "sparse driver", __LINE__);
    TIn sc = { NULL, 1.0 };
    expect_error(&p, &sc, 1, (int64_t)1 << 30, (int64_t)1 << 20, "exceed", __LINE__);
    CHECK(E.code == TSR_LIMIT);
    expect_error(&p, &sc, 1, -1, 3, "negative", __LINE__);
    mb_free(x.m), mb_free(bad.m);
}

int main(void)
{
    ctx_setup();
    test_values();
    test_errors();
    test_examples();
    test_sparse_driver();
    test_chunking();
    test_random();
    par_pool_free(g_pool);
    mb_cache_free(g_cache);
    return check_summary();
}
