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
 * dense block.  Shapes are checked by kn_conv_shape (dnn.c).
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

/* One image: out (C x PQ) from x (C x HW). */
static void pool_row(KnPool t, const double *x, const KnConvShape *s, double *out)
{
    int64_t hw = s->H * s->W, pq = s->P * s->Q;
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

tsr_status kn_pool(const ParCtx *par, KnPool t, const MatBlock *x, const KnConvShape *s,
                   MatBlock **out, Err *err)
{
    int64_t chw = s->C * s->H * s->W;
    *out = NULL;
    if (kn_dnn_check_dims(pool_name(t, 0), "input", x, s->N, chw, err)) return err->code;
    double *buf = malloc((size_t)chw * sizeof(double));
    MatBlock *o = buf ? mb_new(s->N, s->C * s->P * s->Q, err) : NULL;
    if (!o) {
        free(buf);
        return buf ? err->code : err_set(err, TSR_NOMEM, "out of memory for pooling");
    }
    for (int64_t n = 0; n < s->N; n++) pool_row(t, row_of(x, n, buf), s, o->dense + n * o->cols);
    free(buf);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
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
    double *xb = malloc((size_t)chw * sizeof(double));
    double *db = malloc((size_t)cpq * sizeof(double));
    MatBlock *o = xb && db ? mb_new(s->N, chw, err) : NULL;
    if (!o) {
        free(xb);
        free(db);
        return xb && db ? err->code : err_set(err, TSR_NOMEM, "out of memory for pooling");
    }
    for (int64_t n = 0; n < s->N; n++) {
        const double *xr = t == KP_MAX ? row_of(x, n, xb) : NULL;
        pool_bwd_row(t, xr, row_of(dout, n, db), s, o->dense + n * o->cols);
    }
    free(xb);
    free(db);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
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
    for (int64_t i = 0; i < x->rows; i++) {
        double *r = o->dense + i * o->cols;
        mb_read_row(x, i, r);
        for (int64_t j = 0; j < x->cols; j++)
            r[j] = multiply ? r[j] * bias[j / hw] : r[j] + bias[j / hw];
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
