/*
 * dnn_pool.c - pooling and bias kernels of DML.md 7.11: max_pool, avg_pool,
 * their backward passes, bias_add and bias_multiply.
 *
 * Pooling works per image and channel on one dense copy of the input row
 * (a sparse row is expanded through mb_read_row; its implicit zeros are real
 * values, only padding is not).  max_pool takes the maximum over the window
 * positions inside the image and ignores padding (a window lying entirely in
 * the padding gives -DBL_MAX, SystemDS's initial value); max_pool_backward
 * routes each gradient to the FIRST maximal position of its window in
 * row-major window order (the same scan as the forward pass), accumulating.
 * avg_pool divides the sum of the in-image cells by R*S (padding counts as
 * zero).  bias_multiply keeps a sparse input sparse; bias_add produces a
 * dense block.  Shapes are checked by kn_conv_shape (dnn.c).  Pooling and
 * its backward pass run over fixed chunks of images on the pool (images are
 * independent: the same bits for any thread count).
 */
#include "matrix/matrix_int.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

/* The in-image part [lo, hi) of the window starting at p*stride - pad. */
typedef struct Span1 {
    int64_t lo, hi;
} Span1;

static Span1 window(int64_t p, int64_t stride, int64_t pad, int64_t r, int64_t extent)
{
    Span1 w;
    w.lo = p * stride - pad;
    w.hi = w.lo + r;
    if (w.lo < 0) w.lo = 0;
    if (w.hi > extent) w.hi = extent;
    return w;
}

/* Index (into one channel plane) of the first maximal cell of the window,
 * or -1 for an empty window. */
static int64_t argmax_window(const double *plane, const KnConvShape *s, int64_t p, int64_t q)
{
    Span1 wh = window(p, s->sh, s->ph, s->R, s->H), ww = window(q, s->sw, s->pw, s->S, s->W);
    int64_t best = -1;
    for (int64_t h = wh.lo; h < wh.hi; h++)
        for (int64_t w = ww.lo; w < ww.hi; w++) {
            int64_t k = h * s->W + w;
            if (best < 0 || plane[k] > plane[best]) best = k;
        }
    return best;
}

static double sum_window(const double *plane, const KnConvShape *s, int64_t p, int64_t q)
{
    Span1 wh = window(p, s->sh, s->ph, s->R, s->H), ww = window(q, s->sw, s->pw, s->S, s->W);
    double sum = 0;
    for (int64_t h = wh.lo; h < wh.hi; h++)
        for (int64_t w = ww.lo; w < ww.hi; w++) sum += plane[h * s->W + w];
    return sum;
}

/* The common 2 x 2 window at stride 2 without padding, every window inside
 * the image (P = H/2, Q = W/2 rounded down). */
static int pool_2x2(const KnConvShape *s)
{
    return s->R == 2 && s->S == 2 && s->sh == 2 && s->sw == 2 && s->ph == 0 && s->pw == 0 &&
           s->P == s->H / 2 && s->Q == s->W / 2;
}

/* argmax_window for pool_2x2: the same comparisons in the same order. */
static inline int64_t argmax_2x2(const double *plane, int64_t W, int64_t p, int64_t q)
{
    int64_t k = 2 * p * W + 2 * q, best = k;
    if (plane[k + 1] > plane[best]) best = k + 1;
    if (plane[k + W] > plane[best]) best = k + W;
    if (plane[k + W + 1] > plane[best]) best = k + W + 1;
    return best;
}

/* One image: out (C x PQ) from x (C x HW). */
static void pool_row(KnPool t, const double *x, const KnConvShape *s, double *out)
{
    int64_t hw = s->H * s->W, pq = s->P * s->Q;
    if (t == KP_MAX && pool_2x2(s)) {
        for (int64_t c = 0; c < s->C; c++)
            for (int64_t p = 0; p < s->P; p++)
                for (int64_t q = 0; q < s->Q; q++)
                    out[c * pq + p * s->Q + q] =
                        x[c * hw + argmax_2x2(x + c * hw, s->W, p, q)];
        return;
    }
    double area = (double)(s->R * s->S);
    for (int64_t c = 0; c < s->C; c++) {
        const double *plane = x + c * hw;
        for (int64_t p = 0; p < s->P; p++)
            for (int64_t q = 0; q < s->Q; q++) {
                double v;
                if (t == KP_AVG) {
                    v = sum_window(plane, s, p, q) / area;
                } else {
                    int64_t k = argmax_window(plane, s, p, q);
                    v = k < 0 ? -DBL_MAX : plane[k];
                }
                out[c * pq + p * s->Q + q] = v;
            }
    }
}

/* One image: dx (C x HW) += routed dout (C x PQ). */
static void pool_bwd_row(KnPool t, const double *x, const double *dout, const KnConvShape *s,
                         double *dx)
{
    int64_t hw = s->H * s->W, pq = s->P * s->Q;
    double area = (double)(s->R * s->S);
    if (t == KP_MAX && pool_2x2(s)) {
        for (int64_t c = 0; c < s->C; c++)
            for (int64_t p = 0; p < s->P; p++)
                for (int64_t q = 0; q < s->Q; q++)
                    dx[c * hw + argmax_2x2(x + c * hw, s->W, p, q)] +=
                        dout[c * pq + p * s->Q + q];
        return;
    }
    for (int64_t c = 0; c < s->C; c++)
        for (int64_t p = 0; p < s->P; p++)
            for (int64_t q = 0; q < s->Q; q++) {
                double g = dout[c * pq + p * s->Q + q];
                if (t == KP_MAX) {
                    int64_t k = argmax_window(x + c * hw, s, p, q);
                    if (k >= 0) dx[c * hw + k] += g;
                    continue;
                }
                Span1 wh = window(p, s->sh, s->ph, s->R, s->H);
                Span1 ww = window(q, s->sw, s->pw, s->S, s->W);
                for (int64_t h = wh.lo; h < wh.hi; h++)
                    for (int64_t w = ww.lo; w < ww.hi; w++) dx[c * hw + h * s->W + w] += g / area;
            }
}

static const char *pool_name(KnPool t, int backward)
{
    if (t == KP_MAX) return backward ? "max_pool_backward" : "max_pool";
    return backward ? "avg_pool_backward" : "avg_pool";
}

/* Row i of m, the block's storage when dense, else copied into buf. */
static const double *row_of(const MatBlock *m, int64_t i, double *buf)
{
    if (!m->sparse) return m->dense + i * m->cols;
    mb_read_row(m, i, buf);
    return buf;
}

/* ---- parallel frame: fixed chunks of images (par_grain of the window
 * work per image), per-worker row buffers, per-chunk non-zero counts; the
 * images are independent, so any thread count gives the same bits. */

typedef struct PoolJob {
    KnPool t;
    const KnConvShape *s;
    const MatBlock *x, *dout;
    MatBlock *o;
    int64_t grain;
    double **xb, **db;   /* per worker: an input row, a gradient row */
    int64_t *nz;         /* per chunk */
} PoolJob;

static void pool_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    PoolJob *j = arg;
    int64_t nz = 0;
    for (int64_t n = lo; n < hi; n++) {
        double *orow = j->o->dense + n * j->o->cols;
        pool_row(j->t, row_of(j->x, n, j->xb[wid]), j->s, orow);
        nz += kn_count_nz(orow, j->o->cols);
    }
    j->nz[lo / j->grain] = nz;
}

static void pool_bwd_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    PoolJob *j = arg;
    int64_t nz = 0;
    for (int64_t n = lo; n < hi; n++) {
        double *orow = j->o->dense + n * j->o->cols;
        const double *xr = j->t == KP_MAX ? row_of(j->x, n, j->xb[wid]) : NULL;
        pool_bwd_row(j->t, xr, row_of(j->dout, n, j->db[wid]), j->s, orow);
        nz += kn_count_nz(orow, j->o->cols);
    }
    j->nz[lo / j->grain] = nz;
}

static void pool_job_free(PoolJob *j, int width)
{
    for (int k = 0; k < width; k++) {
        if (j->xb) free(j->xb[k]);
        if (j->db) free(j->db[k]);
    }
    free(j->xb);
    free(j->db);
    free(j->nz);
}

/* Scratch for `width` workers (a gradient row too when dlen > 0), the
 * output block (zero-filled if `zero`, else fn writes every cell; from the
 * context's buffer cache), then the chunks; sets *out or returns the error. */
static tsr_status pool_run(const ParCtx *par, PoolJob *j, int64_t xlen, int64_t dlen,
                           int64_t ocols, int zero, ParRangeFn fn, MatBlock **out, Err *err)
{
    int64_t nc = par_nchunks(j->s->N, j->grain);
    int width = par_width(par, nc);
    j->xb = calloc((size_t)width, sizeof *j->xb);
    j->db = calloc((size_t)width, sizeof *j->db);
    j->nz = calloc((size_t)(nc > 0 ? nc : 1), sizeof *j->nz);
    int ok = j->xb && j->db && j->nz;
    for (int k = 0; ok && k < width; k++) {
        j->xb[k] = malloc((size_t)(xlen > 0 ? xlen : 1) * sizeof(double));
        j->db[k] = dlen > 0 ? malloc((size_t)dlen * sizeof(double)) : NULL;
        ok = j->xb[k] && (dlen <= 0 || j->db[k]);
    }
    j->o = !ok ? NULL : zero ? mb_new_ctx(par, j->s->N, ocols, err)
                             : mb_new_uninit(par, j->s->N, ocols, err);
    if (!j->o) {
        pool_job_free(j, width);
        return ok ? err->code : err_set(err, TSR_NOMEM, "out of memory for pooling");
    }
    par_for(par, j->s->N, j->grain, fn, j);
    j->o->nnz = 0;
    for (int64_t c = 0; c < nc; c++) j->o->nnz += j->nz[c];
    pool_job_free(j, width);
    *out = j->o;
    return TSR_OK;
}

/* Window cells visited per image (the cost estimate for the chunks). */
static double pool_work(const KnConvShape *s)
{
    return (double)(s->C * s->P * s->Q) * (double)(s->R * s->S) + (double)(s->C * s->H * s->W);
}

tsr_status kn_pool(const ParCtx *par, KnPool t, const MatBlock *x, const KnConvShape *s,
                   MatBlock **out, Err *err)
{
    int64_t chw = s->C * s->H * s->W;
    *out = NULL;
    if (kn_dnn_check_dims(pool_name(t, 0), "input", x, s->N, chw, err)) return err->code;
    PoolJob j = { t, s, x, NULL, NULL, par_grain(s->N, pool_work(s)), NULL, NULL, NULL };
    return pool_run(par, &j, chw, 0, s->C * s->P * s->Q, 0, pool_chunk, out, err);
}

tsr_status kn_pool_bwd(const ParCtx *par, KnPool t, const MatBlock *x, const MatBlock *dout,
                       const KnConvShape *s,
                       MatBlock **out, Err *err)
{
    int64_t chw = s->C * s->H * s->W, cpq = s->C * s->P * s->Q;
    const char *fn = pool_name(t, 1);
    *out = NULL;
    if (kn_dnn_check_dims(fn, "input", x, s->N, chw, err) ||
        kn_dnn_check_dims(fn, "dout", dout, s->N, cpq, err))
        return err->code;
    PoolJob j = { t, s, x, dout, NULL, par_grain(s->N, 2.0 * pool_work(s)), NULL, NULL, NULL };
    return pool_run(par, &j, chw, cpq > 0 ? cpq : 1, chw, 1, pool_bwd_chunk, out, err);
}

/* ---- bias_add, bias_multiply --------------------------------------------------------------------- */

/* b must be C x 1 and ncol(x) a multiple of C (SystemDS's text). */
static tsr_status bias_check(int multiply, const MatBlock *x, const MatBlock *b, Err *err)
{
    if (b->cols == 1 && b->rows > 0 && x->cols % b->rows == 0) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "Incorrect inputs for %s: input[%lld X %lld] and bias[%lld "
                   "X %lld]", multiply ? "bias_multiply" : "bias_add", (long long)x->rows,
                   (long long)x->cols, (long long)b->rows, (long long)b->cols);
}

/* Sparse x times a per-channel factor: stays sparse. */
static tsr_status bias_mul_sparse(const MatBlock *x, const double *bias, int64_t hw, MatBlock **out,
                                  Err *err)
{
    MatBlock *o = mb_new_sparse(x->rows, x->cols, x->nnz, err);
    if (!o) return err->code;
    for (int64_t i = 0; i < x->rows; i++) {
        for (int64_t k = x->ptr[i]; k < x->ptr[i + 1]; k++)
            if (mb_csr_push(o, x->idx[k], x->val[k] * bias[x->idx[k] / hw], err)) {
                mb_free(o);
                return err->code;
            }
        mb_csr_end_row(o, i);
    }
    *out = o;
    return TSR_OK;
}

static void bias_dense(int multiply, const MatBlock *x, const double *bias, int64_t hw,
                       MatBlock *o)
{
    int64_t nch = hw > 0 ? x->cols / hw : 0;
    for (int64_t i = 0; i < x->rows; i++) {
        double *r = o->dense + i * o->cols;
        mb_read_row(x, i, r);
        for (int64_t c = 0; c < nch; c++) {   /* channel c: cells [c*hw, (c+1)*hw) */
            double *rc = r + c * hw, v = bias[c];
            if (multiply)
                for (int64_t k = 0; k < hw; k++) rc[k] *= v;
            else
                for (int64_t k = 0; k < hw; k++) rc[k] += v;
        }
    }
    mb_recount_nnz(o);
}

tsr_status kn_bias(int multiply, const MatBlock *x, const MatBlock *b, MatBlock **out, Err *err)
{
    *out = NULL;
    if (bias_check(multiply, x, b, err)) return err->code;
    int64_t hw = x->cols / b->rows;
    double *bias = malloc((size_t)b->rows * sizeof(double));
    if (!bias) return err_set(err, TSR_NOMEM, "out of memory for bias");
    mb_read_cells(b, bias);
    tsr_status st = TSR_OK;
    if (MB_CELLS(x) == 0) {
        *out = mb_new(x->rows, x->cols, err);
        st = *out ? TSR_OK : err->code;
    } else if (multiply && x->sparse) {
        st = bias_mul_sparse(x, bias, hw, out, err);
    } else {
        *out = mb_new(x->rows, x->cols, err);
        if (*out) bias_dense(multiply, x, bias, hw, *out);
        else st = err->code;
    }
    free(bias);
    return st;
}
