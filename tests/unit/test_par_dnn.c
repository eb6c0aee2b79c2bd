/*
 * test_par_dnn.c - the parallel table(), order() and DNN kernels (conv2d,
 * conv2d_backward_filter/data, max/avg pooling and their backward passes):
 * each is run with the sequential back end (NULL) and with pools of 1 and
 * 3 workers under budgets of 2 and 4 threads, on inputs large enough to be
 * split into many chunks, dense and sparse, with NaN/Inf cells and empty
 * shapes; the results must be bit-identical.  The sequential results are
 * also checked against naive loops (exact for counts and permutations,
 * within 1e-9 for sums whose order the chunking changes).
 */
#include "matrix/matrix_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "blocks.h"

static Err E;
static ParPool *g_pool[2];
static ParCtx g_ctx[4];

static void make_pools(void)
{
    const int workers[2] = { 1, 3 }, threads[2] = { 2, 4 };
    for (int p = 0; p < 2; p++) {
        g_pool[p] = par_pool_new(workers[p], &E);
        if (!g_pool[p]) { printf("pool: %s\n", E.msg); exit(2); }
        for (int t = 0; t < 2; t++) {
            ParCtx c = { .pool = g_pool[p], .threads = threads[t] };
            g_ctx[2 * p + t] = c;
        }
    }
}

static uint64_t g_rng = 88172645463325252ull;
static uint64_t rnd64(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}
static double urand(void)   /* uniform in [-1, 1) */
{
    return (double)(rnd64() >> 11) / 9007199254740992.0 * 2 - 1;
}

/* Random dense block: a fraction `zeros` of zero cells, `special` of NaN/Inf. */
static MatBlock *rnd(int64_t r, int64_t c, double zeros, double special)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) exit(2);
    for (int64_t k = 0; k < r * c; k++) {
        double u = (urand() + 1) / 2;
        m->dense[k] = u < zeros ? 0.0 : u < zeros + special ? (rnd64() % 2 ? NAN : -INFINITY)
                                                            : urand();
    }
    mb_recount_nnz(m);
    return m;
}

static double max_rel_diff(const MatBlock *a, const MatBlock *b)
{
    if (a->rows != b->rows || a->cols != b->cols) return INFINITY;
    double m = 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            double x = mb_get(a, i, j), y = mb_get(b, i, j);
            if (isnan(x) || isnan(y)) { if (isnan(x) != isnan(y)) return INFINITY; continue; }
            if (x == y) continue;
            m = fmax(m, fabs(x - y) / fmax(1.0, fabs(y)));
        }
    return m;
}

/* One kernel call under a context (the argument bundle differs per kernel). */
typedef tsr_status (*RunFn)(const ParCtx *par, const void *arg, MatBlock **out);

/* Runs fn sequentially and under every context; all must agree bit for
 * bit (or fail alike).  Returns the sequential result. */
static MatBlock *all_same(RunFn fn, const void *arg, const char *what, int line)
{
    MatBlock *ref = NULL, *got = NULL;
    err_clear(&E);
    tsr_status st0 = fn(NULL, arg, &ref);
    char msg0[ERR_MSG_MAX];
    snprintf(msg0, sizeof msg0, "%s", E.msg);
    for (int c = 0; c < 4; c++) {
        err_clear(&E);
        tsr_status st = fn(&g_ctx[c], arg, &got);
        int ok = st == st0 && (st0 == TSR_OK ? tb_same_bits(ref, got) : strcmp(E.msg, msg0) == 0);
        if (!check_count(ok))
            fprintf(stderr, "%s:%d: FAILED: %s differs under context %d\n", __FILE__, line, what, c);
        mb_free(got);
    }
    err_clear(&E);
    if (st0 != TSR_OK) snprintf(E.msg, sizeof E.msg, "%s", msg0);
    E.code = st0;
    return ref;
}

/* ---- DNN ------------------------------------------------------------------------------- */

static KnConvShape shape(int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t R,
                         int64_t S, int64_t st, int64_t pad)
{
    KnConvShape s = { N, C, H, W, F, R, S, st, st, pad, pad, 0, 0 };
    if (kn_conv_shape(&s, &E)) { printf("shape: %s\n", E.msg); exit(2); }
    return s;
}

typedef struct DnnArgs {
    const MatBlock *x, *w, *d;
    KnConvShape s;
    KnPool t;
} DnnArgs;

static tsr_status run_conv(const ParCtx *p, const void *a, MatBlock **o)
{
    const DnnArgs *d = a;
    return kn_conv2d(p, d->x, d->w, &d->s, o, &E);
}
static tsr_status run_bwd_filter(const ParCtx *p, const void *a, MatBlock **o)
{
    const DnnArgs *d = a;
    return kn_conv2d_bwd_filter(p, d->x, d->d, &d->s, o, &E);
}
static tsr_status run_bwd_data(const ParCtx *p, const void *a, MatBlock **o)
{
    const DnnArgs *d = a;
    return kn_conv2d_bwd_data(p, d->w, d->d, &d->s, o, &E);
}
static tsr_status run_pool(const ParCtx *p, const void *a, MatBlock **o)
{
    const DnnArgs *d = a;
    return kn_pool(p, d->t, d->x, &d->s, o, &E);
}
static tsr_status run_pool_bwd(const ParCtx *p, const void *a, MatBlock **o)
{
    const DnnArgs *d = a;
    return kn_pool_bwd(p, d->t, d->x, d->d, &d->s, o, &E);
}

static double xat(const MatBlock *x, const KnConvShape *s, int64_t n, int64_t c, int64_t h,
                  int64_t w)
{
    if (h < 0 || h >= s->H || w < 0 || w >= s->W) return 0.0;
    return mb_get(x, n, (c * s->H + h) * s->W + w);
}

/* Naive conv2d and filter gradient (DML.md 7.11). */
static MatBlock *naive_conv(const MatBlock *x, const MatBlock *f, const KnConvShape *s)
{
    MatBlock *o = mb_new(s->N, s->F * s->P * s->Q, &E);
    for (int64_t n = 0; n < s->N; n++)
        for (int64_t k = 0; k < s->F; k++)
            for (int64_t p = 0; p < s->P; p++)
                for (int64_t q = 0; q < s->Q; q++) {
                    double sum = 0;
                    for (int64_t c = 0; c < s->C; c++)
                        for (int64_t i = 0; i < s->R; i++)
                            for (int64_t j = 0; j < s->S; j++)
                                sum += mb_get(f, k, (c * s->R + i) * s->S + j) *
                                       xat(x, s, n, c, p * s->sh + i - s->ph, q * s->sw + j - s->pw);
                    o->dense[n * o->cols + (k * s->P + p) * s->Q + q] = sum;
                }
    mb_recount_nnz(o);
    return o;
}

static MatBlock *naive_bwd_filter(const MatBlock *x, const MatBlock *d, const KnConvShape *s)
{
    MatBlock *o = mb_new(s->F, s->C * s->R * s->S, &E);
    for (int64_t k = 0; k < s->F; k++)
        for (int64_t c = 0; c < s->C; c++)
            for (int64_t i = 0; i < s->R; i++)
                for (int64_t j = 0; j < s->S; j++) {
                    double sum = 0;
                    for (int64_t n = 0; n < s->N; n++)
                        for (int64_t p = 0; p < s->P; p++)
                            for (int64_t q = 0; q < s->Q; q++)
                                sum += mb_get(d, n, (k * s->P + p) * s->Q + q) *
                                       xat(x, s, n, c, p * s->sh + i - s->ph, q * s->sw + j - s->pw);
                    o->dense[k * o->cols + (c * s->R + i) * s->S + j] = sum;
                }
    mb_recount_nnz(o);
    return o;
}

static void conv_case(KnConvShape s, double zeros, double special, int sparse, int naive)
{
    MatBlock *x = rnd(s.N, s.C * s.H * s.W, zeros, special);
    MatBlock *w = rnd(s.F, s.C * s.R * s.S, 0.1, 0.0);
    MatBlock *d = rnd(s.N, s.F * s.P * s.Q, zeros, 0.0);
    if (sparse) {
        MatBlock *t = tb_as_fmt(x, 1);
        mb_free(x);
        x = t;
        t = tb_as_fmt(d, 1);
        mb_free(d);
        d = t;
    }
    DnnArgs a = { x, w, d, s, KP_MAX };
    MatBlock *c = all_same(run_conv, &a, "conv2d", __LINE__);
    MatBlock *bf = all_same(run_bwd_filter, &a, "conv2d_backward_filter", __LINE__);
    MatBlock *bd = all_same(run_bwd_data, &a, "conv2d_backward_data", __LINE__);
    CHECK(c && bf && bd);
    if (naive && c && bf) {
        MatBlock *nc = naive_conv(x, w, &s), *nf = naive_bwd_filter(x, d, &s);
        CHECK(max_rel_diff(c, nc) <= 1e-9);
        CHECK(max_rel_diff(bf, nf) <= 1e-9);
        mb_free(nc);
        mb_free(nf);
    }
    mb_free(c);
    mb_free(bf);
    mb_free(bd);
    KnConvShape ps = s;
    ps.F = 1;
    if (kn_conv_shape(&ps, &E)) exit(2);
    MatBlock *pd = rnd(s.N, s.C * ps.P * ps.Q, zeros, 0.0);
    for (int t = 0; t < 2; t++) {
        DnnArgs pa = { x, NULL, pd, ps, t ? KP_AVG : KP_MAX };
        MatBlock *po = all_same(run_pool, &pa, "pool", __LINE__);
        MatBlock *pb = all_same(run_pool_bwd, &pa, "pool_backward", __LINE__);
        CHECK(po && pb);
        mb_free(po);
        mb_free(pb);
    }
    mb_free(pd);
    mb_free(x);
    mb_free(w);
    mb_free(d);
}

static void test_dnn(void)
{
    /* many chunks: 200 images of ~4k flops each */
    conv_case(shape(200, 2, 8, 8, 3, 3, 3, 1, 1), 0.2, 0.0, 0, 1);
    conv_case(shape(200, 2, 8, 8, 3, 3, 3, 1, 1), 0.2, 0.01, 0, 0);   /* NaN / -Inf */
    conv_case(shape(97, 1, 12, 12, 4, 5, 5, 2, 2), 0.9, 0.0, 1, 1);   /* sparse */
    conv_case(shape(64, 1, 28, 28, 8, 5, 5, 1, 0), 0.0, 0.0, 0, 0);
    conv_case(shape(1, 1, 3, 3, 1, 1, 1, 1, 0), 0.0, 0.0, 0, 1);      /* 1 image, 1x1 */
    conv_case(shape(0, 2, 4, 4, 2, 3, 3, 1, 1), 0.0, 0.0, 0, 1);      /* no images */
    /* big filters: the partial gradients are capped (fewer, larger chunks) */
    conv_case(shape(40, 16, 10, 10, 64, 3, 3, 1, 1), 0.5, 0.0, 0, 0);
}

/* ---- table ------------------------------------------------------------------------------ */

typedef struct TabArgs {
    const MatBlock *a, *b, *w;
    double as, bs, ws;
    int64_t d1, d2;
} TabArgs;

static tsr_status run_table(const ParCtx *p, const void *arg, MatBlock **o)
{
    const TabArgs *t = arg;
    return kn_table(p, t->a, t->as, t->b, t->bs, t->w, t->ws, t->d1, t->d2, o, &E);
}

/* A column of n integers in [1, k] with a few NaN cells. */
static MatBlock *ints(int64_t n, int64_t k, double nan_frac)
{
    MatBlock *m = mb_new(n, 1, &E);
    for (int64_t i = 0; i < n; i++)
        m->dense[i] = (urand() + 1) / 2 < nan_frac ? NAN : (double)(1 + (int64_t)(rnd64() % (uint64_t)k));
    mb_recount_nnz(m);
    return m;
}

static void test_table(void)
{
    int64_t n = 200000;
    MatBlock *a = ints(n, 7, 0.001), *b = ints(n, 5, 0.001), *w = rnd(n, 1, 0.0, 0.0);
    TabArgs t = { a, b, NULL, 0, 0, 1.0, -1, -1 };
    MatBlock *z = all_same(run_table, &t, "table counts", __LINE__);
    /* exact counts against a naive loop */
    double cnt[8][6] = { { 0 } };
    for (int64_t k = 0; k < n; k++)
        if (a->dense[k] == a->dense[k] && b->dense[k] == b->dense[k])
            cnt[(int)a->dense[k]][(int)b->dense[k]] += 1.0;
    int exact = z && z->rows == 7 && z->cols == 5;
    for (int i = 1; exact && i <= 7; i++)
        for (int j = 1; j <= 5; j++) exact &= mb_get(z, i - 1, j - 1) == cnt[i][j];
    CHECK(exact);
    mb_free(z);

    /* weights: sums in chunk order, close to the input-order sums */
    t.w = w;
    z = all_same(run_table, &t, "table weights", __LINE__);
    MatBlock *ref = mb_new(7, 5, &E);
    for (int64_t k = 0; k < n; k++)
        if (a->dense[k] == a->dense[k] && b->dense[k] == b->dense[k])
            ref->dense[((int)a->dense[k] - 1) * 5 + (int)b->dense[k] - 1] += w->dense[k];
    CHECK(z && max_rel_diff(z, ref) <= 1e-9);
    mb_free(z);
    mb_free(ref);

    /* fixed smaller dimensions (drops), a sparse input, a scalar */
    t.d1 = 4;
    t.d2 = 6;
    mb_free(all_same(run_table, &t, "table fixed dims", __LINE__));
    MatBlock *sa = tb_as_fmt(a, 1);
    t.a = sa;
    t.w = NULL;
    t.d1 = t.d2 = -1;
    mb_free(all_same(run_table, &t, "table sparse input", __LINE__));
    t.b = NULL;
    t.bs = 2.0;
    mb_free(all_same(run_table, &t, "table scalar b", __LINE__));

    /* large sparse output: table(seq(1, n), y) */
    MatBlock *sq = mb_new(n, 1, &E);
    for (int64_t k = 0; k < n; k++) sq->dense[k] = (double)(k + 1);
    mb_recount_nnz(sq);
    TabArgs t2 = { sq, b, NULL, 0, 0, 1.0, -1, -1 };
    z = all_same(run_table, &t2, "table seq", __LINE__);
    CHECK(z && z->sparse && z->rows == n);
    mb_free(z);

    /* the first bad entry in input order is the one reported */
    a->dense[150001] = 0.0;
    a->dense[180000] = -3.5;
    t.a = a;
    t.b = b;
    z = all_same(run_table, &t, "table error", __LINE__);
    CHECK(!z && strstr(E.msg, "one of the value <= zero): 0.0 ") != NULL);
    a->dense[150001] = 1.0;
    z = all_same(run_table, &t, "table error 2", __LINE__);
    CHECK(!z && strstr(E.msg, "-3.5") != NULL);

    /* empty input */
    MatBlock *e0 = mb_new(0, 1, &E);
    TabArgs t3 = { e0, e0, NULL, 0, 0, 1.0, -1, -1 };
    z = all_same(run_table, &t3, "table empty", __LINE__);
    CHECK(z && z->rows == 0 && z->cols == 0);
    mb_free(z);
    mb_free(e0);
    mb_free(sq);
    mb_free(sa);
    mb_free(a);
    mb_free(b);
    mb_free(w);
}

/* ---- order ------------------------------------------------------------------------------ */

typedef struct OrdArgs {
    const MatBlock *a, *by;
    int dec, idx;
} OrdArgs;

static tsr_status run_order(const ParCtx *p, const void *arg, MatBlock **o)
{
    const OrdArgs *t = arg;
    return kn_order(p, t->a, t->by, t->dec, t->idx, o, &E);
}

/* Reference: stable sort of the row indexes by one key (NaN last). */
static const double *g_key;
static int g_dec;
static int cmp_ref(const void *x, const void *y)
{
    int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    int r = kn_cmp_nan_last(g_key[i], g_key[j]);
    if (g_dec) r = -r;
    return r ? r : (i > j) - (i < j);
}

static MatBlock *col_vec(const int64_t *v, int64_t n)
{
    MatBlock *m = mb_new(n, 1, &E);
    for (int64_t i = 0; i < n; i++) m->dense[i] = (double)v[i];
    mb_recount_nnz(m);
    return m;
}

static void test_order(void)
{
    int64_t m = 100000;
    MatBlock *x = mb_new(m, 1, &E);
    for (int64_t i = 0; i < m; i++) {
        uint64_t r = rnd64() % 100;
        x->dense[i] = r < 2 ? NAN : r < 5 ? -0.0 : r < 8 ? 0.0 : (double)(rnd64() % 500) / 4 - 50;
    }
    mb_recount_nnz(x);
    int64_t one = 1;
    MatBlock *by = col_vec(&one, 1);
    int64_t *ref = malloc((size_t)m * sizeof *ref);
    for (int dec = 0; dec < 2; dec++) {
        OrdArgs o = { x, by, dec, 1 };
        MatBlock *z = all_same(run_order, &o, "order index", __LINE__);
        for (int64_t i = 0; i < m; i++) ref[i] = i;
        g_key = x->dense;
        g_dec = dec;
        qsort(ref, (size_t)m, sizeof *ref, cmp_ref);
        int ok = z != NULL;
        for (int64_t i = 0; ok && i < m; i++) ok = z->dense[i] == (double)(ref[i] + 1);
        CHECK(ok);
        mb_free(z);
        o.idx = 0;
        mb_free(all_same(run_order, &o, "order values", __LINE__));
    }
    mb_free(x);

    /* several key columns with many ties, dense and sparse rows */
    MatBlock *y = rnd(30000, 4, 0.6, 0.0);
    for (int64_t k = 0; k < 30000 * 4; k++) y->dense[k] = round(y->dense[k] * 3);
    mb_recount_nnz(y);
    int64_t cols[2] = { 2, 1 };
    MatBlock *by2 = col_vec(cols, 2), *ys = tb_as_fmt(y, 1);
    for (int dec = 0; dec < 2; dec++)
        for (int idx = 0; idx < 2; idx++) {
            OrdArgs o = { y, by2, dec, idx };
            mb_free(all_same(run_order, &o, "order multi", __LINE__));
            o.a = ys;
            mb_free(all_same(run_order, &o, "order sparse", __LINE__));
        }
    /* small and empty inputs */
    MatBlock *e0 = mb_new(0, 3, &E), *s1 = mb_scalar(NAN, &E);
    OrdArgs o = { e0, by, 0, 0 };
    mb_free(all_same(run_order, &o, "order empty", __LINE__));
    o.a = s1;
    mb_free(all_same(run_order, &o, "order 1x1", __LINE__));
    mb_free(e0);
    mb_free(s1);
    mb_free(y);
    mb_free(ys);
    mb_free(by2);
    mb_free(by);
    free(ref);
}

int main(void)
{
    /* the BLAS kernel set the CLI uses (before any thread exists) */
    printf("BLAS kernels: %s\n", kn_blas_setup());
    make_pools();
    test_dnn();
    test_table();
    test_order();
    for (int p = 0; p < 2; p++) par_pool_free(g_pool[p]);
    return check_summary();
}
