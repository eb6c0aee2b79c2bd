/*
 * test_dnn.c - unit tests of the deep-learning kernels (src/matrix/dnn*.c):
 * forward operators against naive loops over the DML.md 7.11 formulas, the
 * sparse paths against the dense ones, and every backward operator against
 * central finite differences of L = sum(forward(...) .* D) for a fixed
 * random D.  Also shape errors and the tie rule of max_pool_backward.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "blocks.h"

#define OK(call) CHECK((call) == TSR_OK)

static Err E;

/* ---- helpers ----------------------------------------------------------------------------------- */

static uint64_t g_rng = 88172645463325252ull;

static double urand(void)   /* xorshift64, uniform in [-1, 1) */
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) / 9007199254740992.0 * 2 - 1;
}

/* Random dense block; a fraction `zeros` of the cells set to 0. */
static MatBlock *rnd(int64_t r, int64_t c, double zeros)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) exit(2);
    for (int64_t k = 0; k < r * c; k++) {
        double u = urand();
        m->dense[k] = fabs(u) < zeros ? 0.0 : urand();
    }
    mb_recount_nnz(m);
    return m;
}

static double max_abs_diff(const MatBlock *a, const MatBlock *b)
{
    if (a->rows != b->rows || a->cols != b->cols) return INFINITY;
    double m = 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) m = fmax(m, fabs(mb_get(a, i, j) - mb_get(b, i, j)));
    return m;
}

/* sum(a .* d) */
static double dot(const MatBlock *a, const MatBlock *d)
{
    double s = 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) s += mb_get(a, i, j) * mb_get(d, i, j);
    return s;
}

/* A scalar loss of one perturbed input, evaluated by the test's closure. */
typedef double (*LossFn)(void *ctx);

/* Compares grad with central differences of loss w.r.t. every cell of in
 * (a dense block the closure reads); returns the max relative error. */
static double fd_check(MatBlock *in, const MatBlock *grad, LossFn loss, void *ctx, double h)
{
    double worst = 0;
    for (int64_t k = 0; k < MB_CELLS(in); k++) {
        double keep = in->dense[k];
        in->dense[k] = keep + h;
        double lp = loss(ctx);
        in->dense[k] = keep - h;
        double lm = loss(ctx);
        in->dense[k] = keep;
        double fd = (lp - lm) / (2 * h), g = mb_get(grad, k / in->cols, k % in->cols);
        worst = fmax(worst, fabs(fd - g) / fmax(1.0, fabs(g)));
    }
    return worst;
}

static KnConvShape shape(int64_t N, int64_t C, int64_t H, int64_t W, int64_t F, int64_t R,
                         int64_t S, int64_t sh, int64_t sw, int64_t ph, int64_t pw)
{
    KnConvShape s = { N, C, H, W, F, R, S, sh, sw, ph, pw, 0, 0 };
    if (kn_conv_shape(&s, &E)) {
        fprintf(stderr, "bad test shape: %s\n", E.msg);
        exit(2);
    }
    return s;
}

/* ---- naive forward operators -------------------------------------------------------------------- */

static double xat(const MatBlock *x, const KnConvShape *s, int64_t n, int64_t c, int64_t h,
                  int64_t w, int *valid)
{
    *valid = h >= 0 && h < s->H && w >= 0 && w < s->W;
    return *valid ? mb_get(x, n, (c * s->H + h) * s->W + w) : 0.0;
}

static MatBlock *naive_conv(const MatBlock *x, const MatBlock *f, const KnConvShape *s)
{
    MatBlock *o = mb_new(s->N, s->F * s->P * s->Q, &E);
    int valid;
    for (int64_t n = 0; n < s->N; n++)
        for (int64_t k = 0; k < s->F; k++)
            for (int64_t p = 0; p < s->P; p++)
                for (int64_t q = 0; q < s->Q; q++) {
                    double sum = 0;
                    for (int64_t c = 0; c < s->C; c++)
                        for (int64_t i = 0; i < s->R; i++)
                            for (int64_t j = 0; j < s->S; j++)
                                sum += xat(x, s, n, c, p * s->sh + i - s->ph,
                                           q * s->sw + j - s->pw, &valid) *
                                       mb_get(f, k, (c * s->R + i) * s->S + j);
                    o->dense[n * o->cols + (k * s->P + p) * s->Q + q] = sum;
                }
    mb_recount_nnz(o);
    return o;
}

static MatBlock *naive_pool(KnPool t, const MatBlock *x, const KnConvShape *s)
{
    MatBlock *o = mb_new(s->N, s->C * s->P * s->Q, &E);
    int valid;
    for (int64_t n = 0; n < s->N; n++)
        for (int64_t c = 0; c < s->C; c++)
            for (int64_t p = 0; p < s->P; p++)
                for (int64_t q = 0; q < s->Q; q++) {
                    double acc = t == KP_MAX ? -DBL_MAX : 0;
                    for (int64_t i = 0; i < s->R; i++)
                        for (int64_t j = 0; j < s->S; j++) {
                            double v = xat(x, s, n, c, p * s->sh + i - s->ph,
                                           q * s->sw + j - s->pw, &valid);
                            if (t == KP_AVG) acc += v;
                            else if (valid && v > acc) acc = v;
                        }
                    o->dense[n * o->cols + (c * s->P + p) * s->Q + q] =
                        t == KP_AVG ? acc / (double)(s->R * s->S) : acc;
                }
    mb_recount_nnz(o);
    return o;
}

/* ---- shapes and errors ------------------------------------------------------------------------- */

static void test_shapes(void)
{
    KnConvShape s = { 2, 3, 28, 28, 8, 5, 5, 1, 1, 2, 2, 0, 0 };
    OK(kn_conv_shape(&s, &E));
    CHECK(s.P == 28 && s.Q == 28);
    s = (KnConvShape){ 1, 1, 7, 6, 1, 3, 2, 2, 3, 0, 1, 0, 0 };
    OK(kn_conv_shape(&s, &E));
    CHECK(s.P == 3 && s.Q == 3);   /* floor((7-3)/2)+1, floor((6+2-2)/3)+1 */
    s = (KnConvShape){ 1, 1, 2, 2, 1, 3, 3, 1, 1, 0, 0, 0, 0 };
    CHECK(kn_conv_shape(&s, &E) == TSR_RUNTIME);
    CHECK(strcmp(E.msg, "Incorrect parameters: padded image height:2 cannot be less than "
                 "filter_height:3") == 0);
    s = (KnConvShape){ 1, 1, 4, 4, 1, 2, 2, 0, 1, 0, 0, 0, 0 };
    CHECK(kn_conv_shape(&s, &E) == TSR_RUNTIME);
    CHECK(strncmp(E.msg, "Incorrect parameters: height=4 filter_height=2 stride=0", 55) == 0);
    s = (KnConvShape){ 1, 1, 4, 4, 1, 2, 2, 1, 1, 0, -1, 0, 0 };
    CHECK(kn_conv_shape(&s, &E) == TSR_RUNTIME);
    CHECK(strstr(E.msg, "width=4 filter_width=2 stride=1 pad=-1") != NULL);

    KnConvShape ok = shape(2, 1, 4, 4, 1, 2, 2, 1, 1, 0, 0);
    MatBlock *x = rnd(2, 15, 0), *f = rnd(1, 4, 0), *o = NULL;
    CHECK(kn_conv2d(NULL, x, f, &ok, &o, &E) == TSR_RUNTIME && o == NULL);
    CHECK(strcmp(E.msg, "Incorrect input dimensions in conv2d: input is 2x15, expected 2x16") == 0);
    MatBlock *b = rnd(4, 1, 0);
    CHECK(kn_bias(0, x, b, &o, &E) == TSR_RUNTIME);
    CHECK(strcmp(E.msg, "Incorrect inputs for bias_add: input[2 X 15] and bias[4 X 1]") == 0);
    mb_free(x);
    mb_free(f);
    mb_free(b);
}

/* ---- convolution ---------------------------------------------------------------------------------- */

typedef struct ConvCtx {
    MatBlock *x, *f, *d;
    const KnConvShape *s;
} ConvCtx;

static double conv_loss(void *p)
{
    ConvCtx *c = p;
    MatBlock *o = NULL;
    if (kn_conv2d(NULL, c->x, c->f, c->s, &o, &E)) exit(2);
    double l = dot(o, c->d);
    mb_free(o);
    return l;
}

static void conv_case(const KnConvShape *s)
{
    ConvCtx c = { rnd(s->N, s->C * s->H * s->W, 0.3), rnd(s->F, s->C * s->R * s->S, 0),
                  rnd(s->N, s->F * s->P * s->Q, 0), s };
    MatBlock *o = NULL, *os = NULL, *ref = naive_conv(c.x, c.f, s), *xs = tb_as_fmt(c.x, 1);
    MatBlock *fs = tb_as_fmt(c.f, 1), *ds = tb_as_fmt(c.d, 1);
    OK(kn_conv2d(NULL, c.x, c.f, s, &o, &E));
    CHECK(max_abs_diff(o, ref) < 1e-12);
    OK(kn_conv2d(NULL, xs, fs, s, &os, &E));   /* sparse direct path */
    CHECK(max_abs_diff(os, ref) < 1e-12);
    MatBlock *gf = NULL, *gfs = NULL, *gx = NULL, *gxs = NULL;
    OK(kn_conv2d_bwd_filter(NULL, c.x, c.d, s, &gf, &E));
    OK(kn_conv2d_bwd_filter(NULL, xs, ds, s, &gfs, &E));
    CHECK(gf->rows == s->F && gf->cols == s->C * s->R * s->S);
    CHECK(fd_check(c.f, gf, conv_loss, &c, 1e-5) < 1e-8);
    CHECK(max_abs_diff(gf, gfs) < 1e-12);
    OK(kn_conv2d_bwd_data(NULL, c.f, c.d, s, &gx, &E));
    OK(kn_conv2d_bwd_data(NULL, fs, ds, s, &gxs, &E));
    CHECK(fd_check(c.x, gx, conv_loss, &c, 1e-5) < 1e-8);
    CHECK(max_abs_diff(gx, gxs) < 1e-12);
    MatBlock *all[] = { c.x, c.f, c.d, o, os, ref, xs, fs, ds, gf, gfs, gx, gxs };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

static void test_conv(void)
{
    KnConvShape cases[] = {
        shape(2, 1, 5, 5, 2, 3, 3, 1, 1, 0, 0), shape(2, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1),
        shape(3, 2, 7, 7, 3, 3, 2, 2, 2, 1, 0), shape(1, 2, 4, 6, 2, 1, 1, 1, 2, 0, 0),
        shape(2, 1, 3, 3, 2, 2, 2, 3, 3, 2, 2), shape(1, 2, 5, 4, 1, 5, 4, 1, 1, 0, 0),
        /* im2col edges: a filter wider than the padded row reaches, stride 3 with padding */
        shape(1, 1, 3, 2, 1, 1, 4, 1, 1, 0, 1), shape(2, 2, 5, 7, 2, 2, 5, 1, 3, 0, 2),
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) conv_case(&cases[k]);
    /* empty batch */
    KnConvShape s = shape(0, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0);
    MatBlock *x = mb_new(0, 9, &E), *f = rnd(1, 4, 0), *o = NULL;
    OK(kn_conv2d(NULL, x, f, &s, &o, &E));
    CHECK(o->rows == 0 && o->cols == 4);
    mb_free(x);
    mb_free(f);
    mb_free(o);
}

/* ---- pooling ------------------------------------------------------------------------------------- */

typedef struct PoolCtx {
    KnPool t;
    MatBlock *x, *d;
    const KnConvShape *s;
} PoolCtx;

static double pool_loss(void *p)
{
    PoolCtx *c = p;
    MatBlock *o = NULL;
    if (kn_pool(NULL, c->t, c->x, c->s, &o, &E)) exit(2);
    double l = dot(o, c->d);
    mb_free(o);
    return l;
}

static void pool_case(KnPool t, const KnConvShape *s)
{
    PoolCtx c = { t, rnd(s->N, s->C * s->H * s->W, 0), rnd(s->N, s->C * s->P * s->Q, 0), s };
    MatBlock *o = NULL, *os = NULL, *ref = naive_pool(t, c.x, s), *xs = tb_as_fmt(c.x, 1);
    MatBlock *g = NULL, *gs = NULL, *ds = tb_as_fmt(c.d, 1);
    OK(kn_pool(NULL, t, c.x, s, &o, &E));
    CHECK(max_abs_diff(o, ref) < 1e-13);
    OK(kn_pool(NULL, t, xs, s, &os, &E));
    CHECK(max_abs_diff(os, ref) < 1e-13);
    OK(kn_pool_bwd(NULL, t, c.x, c.d, s, &g, &E));
    OK(kn_pool_bwd(NULL, t, xs, ds, s, &gs, &E));
    CHECK(fd_check(c.x, g, pool_loss, &c, 1e-7) < 1e-7);
    CHECK(max_abs_diff(g, gs) < 1e-13);
    MatBlock *all[] = { c.x, c.d, o, os, ref, xs, g, gs, ds };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

static void test_pool(void)
{
    KnConvShape cases[] = {
        shape(2, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0), shape(2, 3, 5, 5, 1, 3, 3, 1, 1, 1, 1),
        shape(1, 2, 7, 6, 1, 3, 2, 2, 1, 1, 0), shape(2, 2, 3, 3, 1, 2, 2, 1, 1, 0, 0),
        shape(2, 3, 5, 7, 1, 2, 2, 2, 2, 0, 0),   /* 2x2 stride 2, last row/column unused */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        pool_case(KP_MAX, &cases[k]);
        pool_case(KP_AVG, &cases[k]);
    }
    {   /* ties in the 2x2 stride-2 form: each window's first cell (row-major) */
        KnConvShape t2 = shape(1, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0);
        MatBlock *x = mb_new_fill(1, 16, 3.0, &E), *d = mb_new_fill(1, 4, 5.0, &E), *g = NULL;
        OK(kn_pool_bwd(NULL, KP_MAX, x, d, &t2, &g, &E));
        double want[16] = { 5, 0, 5, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0, 0, 0, 0 };
        int ok = 1;
        for (int k = 0; k < 16; k++) ok &= mb_get(g, 0, k) == want[k];
        CHECK(ok);
        mb_free(x);
        mb_free(d);
        mb_free(g);
    }
    /* ties: the gradient goes to the first maximal cell (row-major in the window) */
    KnConvShape s = shape(1, 1, 2, 2, 1, 2, 2, 1, 1, 0, 0);
    MatBlock *x = mb_new_fill(1, 4, 3.0, &E), *d = mb_new_fill(1, 1, 5.0, &E), *g = NULL;
    OK(kn_pool_bwd(NULL, KP_MAX, x, d, &s, &g, &E));
    CHECK(g->dense[0] == 5 && g->dense[1] == 0 && g->dense[2] == 0 && g->dense[3] == 0);
    mb_free(g);
    /* padding is ignored by max_pool: all-negative input keeps its maximum */
    MatBlock *neg = mb_new_fill(1, 4, -2.0, &E), *o = NULL;
    KnConvShape sp = shape(1, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1);
    OK(kn_pool(NULL, KP_MAX, neg, &sp, &o, &E));
    CHECK(o->cols == 9 && o->dense[0] == -2.0 && o->dense[4] == -2.0);
    mb_free(o);
    OK(kn_pool(NULL, KP_AVG, neg, &sp, &o, &E));
    CHECK(o->dense[0] == -0.5 && o->dense[4] == -2.0);   /* avg counts padding as zero */
    MatBlock *all[] = { x, d, neg, o };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

/* ---- bias ------------------------------------------------------------------------------------------ */

static void test_bias(void)
{
    MatBlock *x = rnd(3, 8, 0.5), *b = rnd(2, 1, 0), *xs = tb_as_fmt(x, 1);
    for (int mul = 0; mul < 2; mul++) {
        MatBlock *o = NULL, *os = NULL;
        OK(kn_bias(mul, x, b, &o, &E));
        OK(kn_bias(mul, xs, b, &os, &E));
        int good = 1;
        for (int64_t i = 0; i < 3; i++)
            for (int64_t j = 0; j < 8; j++) {
                double bv = b->dense[j / 4], xv = mb_get(x, i, j);
                good &= mb_get(o, i, j) == (mul ? xv * bv : xv + bv);
            }
        CHECK(good);
        CHECK(max_abs_diff(o, os) == 0);
        CHECK(!mul || (os->sparse && os->nnz == x->nnz));
        mb_free(o);
        mb_free(os);
    }
    mb_free(x);
    mb_free(b);
    mb_free(xs);
}

/* ---- batch norm ------------------------------------------------------------------------------------- */

typedef struct BnCtx {
    MatBlock *x, *gamma, *beta, *em, *ev, *d;
} BnCtx;

static double bn_loss(void *p)
{
    BnCtx *c = p;
    MatBlock *r[5];
    if (kn_batch_norm2d(c->x, c->gamma, c->beta, c->em, c->ev, 1, 1e-5, 0.9, r, &E)) exit(2);
    double l = dot(r[0], c->d);
    for (int k = 0; k < 5; k++) mb_free(r[k]);
    return l;
}

static void test_batch_norm(void)
{
    const int64_t N = 3, C = 2, HW = 4;
    BnCtx c = { rnd(N, C * HW, 0.2), rnd(C, 1, 0), rnd(C, 1, 0), rnd(C, 1, 0), rnd(C, 1, 0),
                rnd(N, C * HW, 0) };
    for (int64_t k = 0; k < C; k++) c.ev->dense[k] = fabs(c.ev->dense[k]) + 0.1;
    MatBlock *r[5], *g[3];
    OK(kn_batch_norm2d(c.x, c.gamma, c.beta, c.em, c.ev, 1, 1e-5, 0.9, r, &E));
    int good = 1;
    for (int64_t ch = 0; ch < C; ch++) {   /* naive channel statistics */
        double s = 0, ss = 0, m = (double)(N * HW);
        for (int64_t n = 0; n < N; n++)
            for (int64_t k = 0; k < HW; k++) s += mb_get(c.x, n, ch * HW + k);
        double mean = s / m;
        for (int64_t n = 0; n < N; n++)
            for (int64_t k = 0; k < HW; k++) ss += pow(mb_get(c.x, n, ch * HW + k) - mean, 2);
        double var = ss / m, iv = 1 / sqrt(var + 1e-5);
        good &= fabs(r[3]->dense[ch] - mean) < 1e-14 && fabs(r[4]->dense[ch] - iv) < 1e-12;
        good &= fabs(r[1]->dense[ch] - (0.9 * c.em->dense[ch] + 0.1 * mean)) < 1e-14;
        good &= fabs(r[2]->dense[ch] - (0.9 * c.ev->dense[ch] + 0.1 * var)) < 1e-14;
        double x0 = mb_get(c.x, 1, ch * HW + 2);
        good &= fabs(mb_get(r[0], 1, ch * HW + 2) -
                     ((x0 - mean) * iv * c.gamma->dense[ch] + c.beta->dense[ch])) < 1e-12;
    }
    CHECK(good);
    OK(kn_batch_norm2d_bwd(c.x, c.d, c.gamma, r[3], r[4], g, &E));
    CHECK(fd_check(c.x, g[0], bn_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.gamma, g[1], bn_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.beta, g[2], bn_loss, &c, 1e-6) < 1e-7);
    for (int k = 0; k < 5; k++) mb_free(r[k]);
    for (int k = 0; k < 3; k++) mb_free(g[k]);
    /* test mode: moving averages used and passed through */
    OK(kn_batch_norm2d(c.x, c.gamma, c.beta, c.em, c.ev, 0, 1e-5, 0.9, r, &E));
    CHECK(max_abs_diff(r[1], c.em) == 0 && max_abs_diff(r[3], c.em) == 0);
    CHECK(fabs(r[4]->dense[1] - 1 / sqrt(c.ev->dense[1] + 1e-5)) < 1e-15);
    for (int k = 0; k < 5; k++) mb_free(r[k]);
    MatBlock *bad = rnd(3, 1, 0);
    CHECK(kn_batch_norm2d(c.x, c.gamma, bad, c.em, c.ev, 1, 1e-5, 0.9, r, &E) == TSR_RUNTIME);
    CHECK(r[0] == NULL && strstr(E.msg, "beta must be a 2x1 matrix, found 3x1") != NULL);
    MatBlock *all[] = { c.x, c.gamma, c.beta, c.em, c.ev, c.d, bad };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

/* ---- lstm --------------------------------------------------------------------------------------------- */

typedef struct LstmCtx {
    MatBlock *x, *w, *b, *h0, *c0, *dout, *dc;
    int rs;
} LstmCtx;

static double lstm_loss(void *p)
{
    LstmCtx *c = p;
    MatBlock *r[5];
    if (kn_lstm(c->x, c->w, c->b, c->h0, c->c0, c->rs, r, &E)) exit(2);
    double l = dot(r[0], c->dout) + dot(r[1], c->dc);
    for (int k = 0; k < 5; k++) mb_free(r[k]);
    return l;
}

static double sigm(double v)
{
    return 1 / (1 + exp(-v));
}

/* T = 1 by hand: one cell of out and c. */
static void lstm_one_step(void)
{
    LstmCtx c = { rnd(2, 3, 0), rnd(3 + 2, 8, 0), rnd(1, 8, 0), rnd(2, 2, 0), rnd(2, 2, 0),
                  NULL, NULL, 0 };
    MatBlock *r[5];
    OK(kn_lstm(c.x, c.w, c.b, c.h0, c.c0, 0, r, &E));
    double a[8];
    for (int g = 0; g < 8; g++) {   /* row n = 1 */
        a[g] = c.b->dense[g];
        for (int k = 0; k < 3; k++) a[g] += mb_get(c.x, 1, k) * mb_get(c.w, k, g);
        for (int k = 0; k < 2; k++) a[g] += mb_get(c.h0, 1, k) * mb_get(c.w, 3 + k, g);
    }
    int m = 1;   /* i f o g blocks of width M = 2 */
    double cc = sigm(a[2 + m]) * mb_get(c.c0, 1, m) + sigm(a[m]) * tanh(a[6 + m]);
    CHECK(fabs(mb_get(r[1], 1, m) - cc) < 1e-14);
    CHECK(fabs(mb_get(r[0], 1, m) - sigm(a[4 + m]) * tanh(cc)) < 1e-14);
    CHECK(r[2]->rows == 1 && r[2]->cols == 4 && r[4]->cols == 16);
    for (int k = 0; k < 5; k++) mb_free(r[k]);
    MatBlock *all[] = { c.x, c.w, c.b, c.h0, c.c0 };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

static void lstm_grad_case(int rs)
{
    const int64_t N = 2, T = 3, D = 2, M = 3;
    LstmCtx c = { rnd(N, T * D, 0.2), rnd(D + M, 4 * M, 0), rnd(1, 4 * M, 0), rnd(N, M, 0),
                  rnd(N, M, 0), rnd(N, rs ? T * M : M, 0), rnd(N, M, 0), rs };
    MatBlock *r[5], *g[5];
    OK(kn_lstm(c.x, c.w, c.b, c.h0, c.c0, rs, r, &E));
    MatBlock *xs = tb_as_fmt(c.x, 1);
    OK(kn_lstm_bwd(xs, c.w, c.b, c.h0, c.c0, rs, c.dout, c.dc, r[2], r[3], r[4], g, &E));
    CHECK(fd_check(c.x, g[0], lstm_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.w, g[1], lstm_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.b, g[2], lstm_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.h0, g[3], lstm_loss, &c, 1e-6) < 1e-7);
    CHECK(fd_check(c.c0, g[4], lstm_loss, &c, 1e-6) < 1e-7);
    for (int k = 0; k < 5; k++) {
        mb_free(r[k]);
        mb_free(g[k]);
    }
    MatBlock *all[] = { c.x, c.w, c.b, c.h0, c.c0, c.dout, c.dc, xs };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

static void test_lstm(void)
{
    lstm_one_step();
    lstm_grad_case(1);
    lstm_grad_case(0);
    MatBlock *x = rnd(2, 5, 0), *w = rnd(5, 8, 0), *b = rnd(1, 8, 0), *h = rnd(2, 2, 0), *r[5];
    CHECK(kn_lstm(x, w, b, h, h, 0, r, &E) == TSR_RUNTIME && r[0] == NULL);
    CHECK(strstr(E.msg, "W must be (D+M)x4M") != NULL);   /* D = 3 does not divide 5 */
    MatBlock *all[] = { x, w, b, h };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) mb_free(all[k]);
}

int main(void)
{
    kn_blas_setup();
    test_shapes();
    test_conv();
    test_pool();
    test_bias();
    test_batch_norm();
    test_lstm();
    return check_summary();
}
