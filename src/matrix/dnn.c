/*
 * dnn.c - 2-D convolution kernels of DML.md 7.11: conv2d,
 * conv2d_backward_filter, conv2d_backward_data, and the shape check shared
 * with the pooling kernels (dnn_pool.c).
 *
 * Tensors are N x (C*H*W) blocks in NCHW row-major layout.  The dense path
 * works per image: im2col unrolls the receptive fields of one image into a
 * (C*R*S) x (P*Q) scratch matrix and one BLAS dgemm with the filter matrix
 * gives the F x (P*Q) output row (the backward passes use the transposed
 * products and col2im).  A sparse input image is scattered straight into
 * the output (conv2d) or into a zeroed im2col matrix (backward filter), so
 * the work is proportional to its non-zeros.  Filters and output gradients
 * of any format are read through the block API; outputs are dense (the
 * runtime picks the final format).  Scratch space is planned once per call.
 * Not here: pooling and bias (dnn_pool.c), batch norm (dnn_norm.c), LSTM
 * (dnn_lstm.c).
 */
#include "matrix/matrix_int.h"

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- shapes ---------------------------------------------------------------------------------- */

/* Output extent of one dimension (DML.md 7.11): floor((H + 2p - R)/s) + 1,
 * with the error texts of SystemDS's DnnUtils.getP. */
static tsr_status out_extent(int64_t h, int64_t r, int64_t s, int64_t p, const char *what,
                             int64_t *out, Err *err)
{
    if (h <= 0 || r <= 0 || p < 0 || s <= 0)
        return err_set(err, TSR_RUNTIME, "Incorrect parameters: %s=%lld filter_%s=%lld stride=%lld "
                       "pad=%lld", what, (long long)h, what, (long long)r, (long long)s,
                       (long long)p);
    int64_t padded = h + 2 * p;
    if (padded < r)
        return err_set(err, TSR_RUNTIME, "Incorrect parameters: padded image %s:%lld cannot be "
                       "less than filter_%s:%lld", what, (long long)padded, what, (long long)r);
    *out = (padded - r) / s + 1;
    return TSR_OK;
}

/* Dimensions larger than this are refused (they feed int BLAS arguments
 * and int32 sparse column indexes). */
#define DNN_MAX_DIM ((int64_t)1 << 24)

tsr_status kn_conv_shape(KnConvShape *s, Err *err)
{
    const int64_t dims[] = { s->C, s->H, s->W, s->F, s->R, s->S, s->sh, s->sw, s->ph, s->pw };
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++)
        if (dims[k] > DNN_MAX_DIM)
            return err_set(err, TSR_LIMIT, "Incorrect parameters: dimension %lld is too large",
                           (long long)dims[k]);
    if (s->N < 0 || s->C <= 0 || s->F <= 0)
        return err_set(err, TSR_RUNTIME, "Incorrect parameters: N=%lld C=%lld K=%lld",
                       (long long)s->N, (long long)s->C, (long long)s->F);
    if (out_extent(s->H, s->R, s->sh, s->ph, "height", &s->P, err) ||
        out_extent(s->W, s->S, s->sw, s->pw, "width", &s->Q, err))
        return err->code;
    /* cells of one tensor row (input, filter, output, pooled output) */
    const int64_t rows[4][3] = { { s->C, s->H, s->W }, { s->C, s->R, s->S },
                                 { s->F, s->P, s->Q }, { s->C, s->P, s->Q } };
    for (int k = 0; k < 4; k++) {
        int64_t ab, abc;
        if (mul_overflows_i64(rows[k][0], rows[k][1], &ab) ||
            mul_overflows_i64(ab, rows[k][2], &abc) || abc > INT32_MAX)
            return err_set(err, TSR_LIMIT, "Incorrect parameters: tensor dimensions too large");
    }
    return TSR_OK;
}

tsr_status kn_dnn_check_dims(const char *fn, const char *what, const MatBlock *m, int64_t rows,
                             int64_t cols, Err *err)
{
    if (m->rows == rows && m->cols == cols) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "Incorrect input dimensions in %s: %s is %lldx%lld, "
                   "expected %lldx%lld", fn, what, (long long)m->rows, (long long)m->cols,
                   (long long)rows, (long long)cols);
}

/* ---- scratch ------------------------------------------------------------------------------------ */

typedef struct ConvWork {
    int64_t chw, crs, pq;
    double *col;     /* crs x pq im2col matrix */
    double *filt;    /* F x crs filter cells (row-major) */
    double *row;     /* one input / gradient row, max(chw, F*pq) */
} ConvWork;

static void work_free(ConvWork *w)
{
    free(w->col);
    free(w->filt);
    free(w->row);
}

/* Plans the scratch of one call; the filter block (may be NULL) is read
 * into w->filt once. */
static tsr_status work_init(ConvWork *w, const KnConvShape *s, const MatBlock *filter, Err *err)
{
    w->chw = s->C * s->H * s->W;
    w->crs = s->C * s->R * s->S;
    w->pq = s->P * s->Q;
    int64_t rowlen = w->chw > s->F * w->pq ? w->chw : s->F * w->pq;
    int64_t colcells;
    if (mul_overflows_i64(w->crs, w->pq, &colcells) || colcells > MB_MAX_CELLS)
        return err_set(err, TSR_LIMIT, "Incorrect parameters: im2col matrix of %lldx%lld cells "
                       "is too large", (long long)w->crs, (long long)w->pq);
    w->col = malloc((size_t)(colcells ? colcells : 1) * sizeof(double));
    w->filt = malloc((size_t)(s->F * w->crs) * sizeof(double));
    w->row = malloc((size_t)(rowlen ? rowlen : 1) * sizeof(double));
    if (!w->col || !w->filt || !w->row) {
        work_free(w);
        return err_set(err, TSR_NOMEM, "out of memory for convolution scratch space");
    }
    if (filter) mb_read_cells(filter, w->filt);
    return TSR_OK;
}

/* Row i of m as a contiguous array: the block's own storage when dense,
 * else a copy in buf. */
static const double *row_of(const MatBlock *m, int64_t i, double *buf)
{
    if (!m->sparse) return m->dense + i * m->cols;
    mb_read_row(m, i, buf);
    return buf;
}

static MatBlock *new_out(int64_t rows, int64_t cols, ConvWork *w, Err *err)
{
    MatBlock *o = mb_new(rows, cols, err);
    if (!o) work_free(w);
    return o;
}

/* ---- im2col / col2im ------------------------------------------------------------------------------- */

/* col[(c*R+i)*S+j][p*Q+q] = x[c, p*sh+i-ph, q*sw+j-pw] (0 outside). */
static void im2col_dense(const double *x, const KnConvShape *s, double *col)
{
    int64_t pq = s->P * s->Q;
    for (int64_t c = 0; c < s->C; c++)
        for (int64_t i = 0; i < s->R; i++)
            for (int64_t j = 0; j < s->S; j++) {
                double *dst = col + ((c * s->R + i) * s->S + j) * pq;
                for (int64_t p = 0; p < s->P; p++) {
                    int64_t h = p * s->sh + i - s->ph;
                    double *d = dst + p * s->Q;
                    if (h < 0 || h >= s->H) {
                        memset(d, 0, (size_t)s->Q * sizeof(double));
                        continue;
                    }
                    const double *xr = x + (c * s->H + h) * s->W;
                    for (int64_t q = 0; q < s->Q; q++) {
                        int64_t w = q * s->sw + j - s->pw;
                        d[q] = (w >= 0 && w < s->W) ? xr[w] : 0.0;
                    }
                }
            }
}

/* Output positions whose window covers input coordinate h at filter offset
 * i: p*sh + i - ph == h.  Returns p or -1. */
static int64_t cover(int64_t h, int64_t i, int64_t stride, int64_t pad, int64_t extent)
{
    int64_t t = h + pad - i;
    if (t < 0 || t % stride) return -1;
    t /= stride;
    return t < extent ? t : -1;
}

/* The non-zeros of sparse row n of x scattered into a zeroed im2col matrix. */
static void im2col_sparse(const MatBlock *x, int64_t n, const KnConvShape *s, double *col)
{
    int64_t hw = s->H * s->W, pq = s->P * s->Q;
    memset(col, 0, (size_t)(s->C * s->R * s->S * pq) * sizeof(double));
    for (int64_t k = x->ptr[n]; k < x->ptr[n + 1]; k++) {
        int64_t c = x->idx[k] / hw, h = x->idx[k] % hw / s->W, w = x->idx[k] % s->W;
        for (int64_t i = 0; i < s->R; i++) {
            int64_t p = cover(h, i, s->sh, s->ph, s->P);
            if (p < 0) continue;
            for (int64_t j = 0; j < s->S; j++) {
                int64_t q = cover(w, j, s->sw, s->pw, s->Q);
                if (q >= 0) col[((c * s->R + i) * s->S + j) * pq + p * s->Q + q] = x->val[k];
            }
        }
    }
}

/* dx[c, h, w] += col[(c,i,j)][(p,q)] for every in-range position. */
static void col2im_add(const double *col, const KnConvShape *s, double *dx)
{
    int64_t pq = s->P * s->Q;
    for (int64_t c = 0; c < s->C; c++)
        for (int64_t i = 0; i < s->R; i++)
            for (int64_t j = 0; j < s->S; j++) {
                const double *src = col + ((c * s->R + i) * s->S + j) * pq;
                for (int64_t p = 0; p < s->P; p++) {
                    int64_t h = p * s->sh + i - s->ph;
                    if (h < 0 || h >= s->H) continue;
                    double *xr = dx + (c * s->H + h) * s->W;
                    for (int64_t q = 0; q < s->Q; q++) {
                        int64_t w = q * s->sw + j - s->pw;
                        if (w >= 0 && w < s->W) xr[w] += src[p * s->Q + q];
                    }
                }
            }
}

/* ---- conv2d ------------------------------------------------------------------------------------------ */

/* Sparse image: out[f, p, q] += v * W[f, c, i, j] for every non-zero v at
 * (c, h, w) and every filter offset whose window covers it. */
static void conv_sparse_row(const MatBlock *x, int64_t n, const KnConvShape *s,
                            const double *filt, double *out)
{
    int64_t hw = s->H * s->W, pq = s->P * s->Q, crs = s->C * s->R * s->S;
    for (int64_t k = x->ptr[n]; k < x->ptr[n + 1]; k++) {
        int64_t c = x->idx[k] / hw, h = x->idx[k] % hw / s->W, w = x->idx[k] % s->W;
        double v = x->val[k];
        for (int64_t i = 0; i < s->R; i++) {
            int64_t p = cover(h, i, s->sh, s->ph, s->P);
            if (p < 0) continue;
            for (int64_t j = 0; j < s->S; j++) {
                int64_t q = cover(w, j, s->sw, s->pw, s->Q);
                if (q < 0) continue;
                const double *fc = filt + (c * s->R + i) * s->S + j;
                double *o = out + p * s->Q + q;
                for (int64_t f = 0; f < s->F; f++) o[f * pq] += v * fc[f * crs];
            }
        }
    }
}

tsr_status kn_conv2d(const ParCtx *par, const MatBlock *x, const MatBlock *filter,
                     const KnConvShape *s,
                     MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    if (kn_dnn_check_dims("conv2d", "input", x, s->N, s->C * s->H * s->W, err) ||
        kn_dnn_check_dims("conv2d", "filter", filter, s->F, s->C * s->R * s->S, err) ||
        work_init(&w, s, filter, err))
        return err->code;
    MatBlock *o = new_out(s->N, s->F * w.pq, &w, err);
    if (!o) return err->code;
    for (int64_t n = 0; n < s->N; n++) {
        double *orow = o->dense + n * o->cols;
        if (x->sparse) {
            conv_sparse_row(x, n, s, w.filt, orow);
            continue;
        }
        im2col_dense(x->dense + n * x->cols, s, w.col);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->F, (int)w.pq, (int)w.crs,
                    1.0, w.filt, (int)w.crs, w.col, (int)w.pq, 0.0, orow, (int)w.pq);
    }
    work_free(&w);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

/* ---- backward passes --------------------------------------------------------------------------------- */

/* dW (F x CRS) = sum_n dout_n (F x PQ) . col_n^T. */
tsr_status kn_conv2d_bwd_filter(const ParCtx *par, const MatBlock *x, const MatBlock *dout,
                                const KnConvShape *s,
                                MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    const char *fn = "conv2d_backward_filter";
    if (kn_dnn_check_dims(fn, "input", x, s->N, s->C * s->H * s->W, err) ||
        kn_dnn_check_dims(fn, "dout", dout, s->N, s->F * s->P * s->Q, err) ||
        work_init(&w, s, NULL, err))
        return err->code;
    MatBlock *o = new_out(s->F, w.crs, &w, err);
    if (!o) return err->code;
    for (int64_t n = 0; n < s->N; n++) {
        if (dout->sparse && dout->ptr[n] == dout->ptr[n + 1]) continue;   /* zero gradient */
        if (x->sparse) im2col_sparse(x, n, s, w.col);
        else im2col_dense(x->dense + n * x->cols, s, w.col);
        const double *d = row_of(dout, n, w.row);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s->F, (int)w.crs, (int)w.pq,
                    1.0, d, (int)w.pq, w.col, (int)w.pq, 1.0, o->dense, (int)w.crs);
    }
    work_free(&w);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

/* dX_n = col2im(W^T (CRS x F) . dout_n (F x PQ)). */
tsr_status kn_conv2d_bwd_data(const ParCtx *par, const MatBlock *filter, const MatBlock *dout,
                              const KnConvShape *s,
                              MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    const char *fn = "conv2d_backward_data";
    if (kn_dnn_check_dims(fn, "filter", filter, s->F, s->C * s->R * s->S, err) ||
        kn_dnn_check_dims(fn, "dout", dout, s->N, s->F * s->P * s->Q, err) ||
        work_init(&w, s, filter, err))
        return err->code;
    MatBlock *o = new_out(s->N, w.chw, &w, err);
    if (!o) return err->code;
    for (int64_t n = 0; n < s->N; n++) {
        if (dout->sparse && dout->ptr[n] == dout->ptr[n + 1]) continue;
        const double *d = row_of(dout, n, w.row);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)w.crs, (int)w.pq, (int)s->F,
                    1.0, w.filt, (int)w.crs, d, (int)w.pq, 0.0, w.col, (int)w.pq);
        col2im_add(w.col, s, o->dense + n * o->cols);
    }
    work_free(&w);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}
