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
 * runtime picks the final format).  Scratch space is planned once per call
 * (one im2col matrix per worker), with a table of the input cell behind
 * each im2col cell, so im2col and col2im are one gather / scatter-add loop
 * per image.  Images are processed in parallel in
 * fixed chunks (see "parallel frame"); the filter gradient sums per-chunk
 * partials in chunk order, so any thread count gives the same bits.
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

/* The scratch of one call: the filter cells (shared, read-only) and, per
 * worker of the job, an im2col matrix and one row buffer. */
typedef struct ConvWork {
    int64_t chw, crs, pq;
    int width;       /* workers (par_width of the image chunks) */
    double **col;    /* per worker: crs x pq im2col matrix */
    double **row;    /* per worker: one input / gradient row, max(chw, F*pq) */
    double *filt;    /* F x crs filter cells (row-major) */
    int32_t *gidx;   /* crs x pq: the input cell of each im2col cell, -1 for padding */
} ConvWork;

static void work_free(ConvWork *w)
{
    for (int k = 0; k < w->width; k++) {
        if (w->col) free(w->col[k]);
        if (w->row) free(w->row[k]);
    }
    free(w->col);
    free(w->row);
    free(w->filt);
    free(w->gidx);
}

static void im2col_index(const KnConvShape *s, int32_t *g);

/* Plans the scratch of one call for `width` workers; the filter block (may
 * be NULL) is read into w->filt once. */
static tsr_status work_init(ConvWork *w, const KnConvShape *s, const MatBlock *filter, int width,
                            Err *err)
{
    memset(w, 0, sizeof *w);
    w->chw = s->C * s->H * s->W;
    w->crs = s->C * s->R * s->S;
    w->pq = s->P * s->Q;
    int64_t rowlen = w->chw > s->F * w->pq ? w->chw : s->F * w->pq;
    int64_t colcells;
    if (mul_overflows_i64(w->crs, w->pq, &colcells) || colcells > MB_MAX_CELLS)
        return err_set(err, TSR_LIMIT, "Incorrect parameters: im2col matrix of %lldx%lld cells "
                       "is too large", (long long)w->crs, (long long)w->pq);
    if (w->chw > INT32_MAX)
        return err_set(err, TSR_LIMIT, "Incorrect parameters: images of %lld cells are too "
                       "large", (long long)w->chw);
    w->width = width;
    w->col = calloc((size_t)width, sizeof *w->col);
    w->row = calloc((size_t)width, sizeof *w->row);
    w->filt = malloc((size_t)(s->F * w->crs) * sizeof(double));
    w->gidx = malloc((size_t)(colcells ? colcells : 1) * sizeof(int32_t));
    int ok = w->col && w->row && w->filt && w->gidx;
    for (int k = 0; ok && k < width; k++) {
        w->col[k] = malloc((size_t)(colcells ? colcells : 1) * sizeof(double));
        w->row[k] = malloc((size_t)(rowlen ? rowlen : 1) * sizeof(double));
        ok = w->col[k] && w->row[k];
    }
    if (!ok) {
        work_free(w);
        return err_set(err, TSR_NOMEM, "out of memory for convolution scratch space");
    }
    if (filter) mb_read_cells(filter, w->filt);
    im2col_index(s, w->gidx);
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

/* A zero-filled output from the context's buffer cache. */
static MatBlock *new_out(const ParCtx *par, int64_t rows, int64_t cols, ConvWork *w, Err *err)
{
    MatBlock *o = mb_new_ctx(par, rows, cols, err);
    if (!o) work_free(w);
    return o;
}

/* ---- parallel frame ------------------------------------------------------------------------------
 * Every kernel is a loop over the N images: par_for over fixed chunks of
 * images (par_grain of the per-image flops, so the chunks depend only on
 * the shapes), per-worker scratch, per-chunk non-zero counts (and, for the
 * filter gradient, per-chunk partial sums reduced in chunk order).  So 1
 * and k threads give bit-identical results. */

typedef struct ConvJob {
    const KnConvShape *s;
    const MatBlock *x, *filter, *dout;
    ConvWork *w;
    MatBlock *o;
    int64_t grain;
    int64_t *nz;       /* per chunk: non-zeros written */
    double *part;      /* backward filter: per chunk, F x crs */
} ConvJob;

/* Chunk grain of n images of `flops` each. */
static int64_t image_grain(int64_t n, double flops)
{
    return par_grain(n, flops > 1.0 ? flops : 1.0);
}

/* Runs fn over the image chunks and sets o->nnz from the chunk counts. */
static tsr_status run_images(const ParCtx *par, ConvJob *j, int64_t n, ParRangeFn fn, Err *err)
{
    int64_t nc = par_nchunks(n, j->grain);
    j->nz = calloc((size_t)(nc > 0 ? nc : 1), sizeof *j->nz);
    if (!j->nz) return err_set(err, TSR_NOMEM, "out of memory for convolution scratch space");
    par_for(par, n, j->grain, fn, j);
    j->o->nnz = 0;
    for (int64_t c = 0; c < nc; c++) j->o->nnz += j->nz[c];
    free(j->nz);
    j->nz = NULL;
    return TSR_OK;
}

/* ---- im2col / col2im ------------------------------------------------------------------------------- */

/* g[(c*R+i)*S+j][p*Q+q] = the cell of x[c, p*sh+i-ph, q*sw+j-pw] in an image
 * row, -1 outside the image (padding): im2col and col2im of every image of
 * a call then are one loop over this table (the convolution's geometry is
 * walked once per call, not per image). */
static void im2col_index(const KnConvShape *s, int32_t *g)
{
    int64_t pq = s->P * s->Q;
    for (int64_t c = 0; c < s->C; c++)
        for (int64_t i = 0; i < s->R; i++)
            for (int64_t j = 0; j < s->S; j++) {
                int32_t *dst = g + ((c * s->R + i) * s->S + j) * pq;
                for (int64_t p = 0; p < s->P; p++) {
                    int64_t h = p * s->sh + i - s->ph;
                    int32_t *d = dst + p * s->Q;
                    for (int64_t q = 0; q < s->Q; q++) {
                        int64_t wc = q * s->sw + j - s->pw;
                        d[q] = h < 0 || h >= s->H || wc < 0 || wc >= s->W
                                   ? -1 : (int32_t)((c * s->H + h) * s->W + wc);
                    }
                }
            }
}

/* col = im2col(x) for one dense image x by the table g (n cells). */
static void im2col_dense(const double *restrict x, const int32_t *restrict g, int64_t n,
                         double *restrict col)
{
    for (int64_t t = 0; t < n; t++) col[t] = g[t] >= 0 ? x[g[t]] : 0.0;
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

/* dx[c, h, w] += col[(c,i,j)][(p,q)] for every in-range position, in the
 * order of the table (c, i, j, p, q increasing). */
static void col2im_add(const double *restrict col, const int32_t *restrict g, int64_t n,
                       double *restrict dx)
{
    for (int64_t t = 0; t < n; t++)
        if (g[t] >= 0) dx[g[t]] += col[t];
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

static void conv_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    ConvJob *j = arg;
    const KnConvShape *s = j->s;
    const ConvWork *w = j->w;
    int64_t nz = 0;
    for (int64_t n = lo; n < hi; n++) {
        double *orow = j->o->dense + n * j->o->cols;
        if (j->x->sparse) {
            conv_sparse_row(j->x, n, s, w->filt, orow);
        } else {
            im2col_dense(j->x->dense + n * j->x->cols, w->gidx, w->crs * w->pq, w->col[wid]);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->F, (int)w->pq,
                        (int)w->crs, 1.0, w->filt, (int)w->crs, w->col[wid], (int)w->pq, 0.0,
                        orow, (int)w->pq);
        }
        nz += kn_count_nz(orow, j->o->cols);
    }
    j->nz[lo / j->grain] = nz;
}

tsr_status kn_conv2d(const ParCtx *par, const MatBlock *x, const MatBlock *filter,
                     const KnConvShape *s,
                     MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    int64_t grain = image_grain(s->N, 2.0 * (double)s->F * (double)(s->C * s->R * s->S) *
                                (double)(s->P * s->Q));
    if (kn_dnn_check_dims("conv2d", "input", x, s->N, s->C * s->H * s->W, err) ||
        kn_dnn_check_dims("conv2d", "filter", filter, s->F, s->C * s->R * s->S, err) ||
        work_init(&w, s, filter, par_width(par, par_nchunks(s->N, grain)), err))
        return err->code;
    MatBlock *o = new_out(par, s->N, s->F * w.pq, &w, err);
    if (!o) return err->code;
    ConvJob j = { s, x, filter, NULL, &w, o, grain, NULL, NULL };
    tsr_status st = run_images(par, &j, s->N, conv_chunk, err);
    work_free(&w);
    if (st != TSR_OK) {
        mb_free(o);
        return st;
    }
    *out = o;
    return TSR_OK;
}

/* ---- backward passes --------------------------------------------------------------------------------- */

/* Images [lo, hi) into the chunk's partial dW (zeroed first). */
static void bwd_filter_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    ConvJob *j = arg;
    const KnConvShape *s = j->s;
    const ConvWork *w = j->w;
    double *dw = j->part ? j->part + (lo / j->grain) * s->F * w->crs : j->o->dense;
    if (j->part) memset(dw, 0, (size_t)(s->F * w->crs) * sizeof *dw);
    for (int64_t n = lo; n < hi; n++) {
        if (j->dout->sparse && j->dout->ptr[n] == j->dout->ptr[n + 1]) continue;   /* zero gradient */
        if (j->x->sparse) im2col_sparse(j->x, n, s, w->col[wid]);
        else im2col_dense(j->x->dense + n * j->x->cols, w->gidx, w->crs * w->pq, w->col[wid]);
        const double *d = row_of(j->dout, n, w->row[wid]);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)s->F, (int)w->crs, (int)w->pq,
                    1.0, d, (int)w->pq, w->col[wid], (int)w->pq, 1.0, dw, (int)w->crs);
    }
}

/* dW cells [lo, hi): the chunk partials summed in chunk order. */
static void bwd_filter_reduce(void *arg, int64_t lo, int64_t hi, int wid)
{
    ConvJob *j = arg;
    int64_t cells = j->o->rows * j->o->cols, nc = par_nchunks(j->s->N, j->grain);
    for (int64_t c = 0; c < nc; c++) {
        const double *t = j->part + c * cells;
        for (int64_t q = lo; q < hi; q++) j->o->dense[q] += t[q];
    }
}

/* Partial filter gradients in memory at once (doubles) at most. */
#define DNN_PART_BUDGET ((int64_t)1 << 22)

/* dW (F x CRS) = sum_n dout_n (F x PQ) . col_n^T. */
tsr_status kn_conv2d_bwd_filter(const ParCtx *par, const MatBlock *x, const MatBlock *dout,
                                const KnConvShape *s,
                                MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    const char *fn = "conv2d_backward_filter";
    int64_t fcrs = s->F * s->C * s->R * s->S;
    int64_t grain = image_grain(s->N, 2.0 * (double)fcrs * (double)(s->P * s->Q));
    /* bound the partials: fewer, larger chunks for big filters */
    int64_t maxc = DNN_PART_BUDGET / (fcrs > 0 ? fcrs : 1);
    if (maxc < 1) maxc = 1;
    if (par_nchunks(s->N, grain) > maxc) grain = (s->N + maxc - 1) / maxc;
    int64_t nc = par_nchunks(s->N, grain);
    if (kn_dnn_check_dims(fn, "input", x, s->N, s->C * s->H * s->W, err) ||
        kn_dnn_check_dims(fn, "dout", dout, s->N, s->F * s->P * s->Q, err) ||
        work_init(&w, s, NULL, par_width(par, nc), err))
        return err->code;
    MatBlock *o = new_out(par, s->F, w.crs, &w, err);
    if (!o) return err->code;
    ConvJob j = { s, x, NULL, dout, &w, o, grain, NULL, NULL };
    tsr_status st = TSR_OK;
    if (nc > 1 && !(j.part = malloc((size_t)(nc * fcrs) * sizeof *j.part)))
        st = err_set(err, TSR_NOMEM, "out of memory for convolution scratch space");
    if (st == TSR_OK) {
        par_for(par, s->N, grain, bwd_filter_chunk, &j);
        if (j.part) par_for(par, fcrs, par_grain(fcrs, (double)nc), bwd_filter_reduce, &j);
    }
    free(j.part);
    work_free(&w);
    if (st != TSR_OK) {
        mb_free(o);
        return st;
    }
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

static void bwd_data_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    ConvJob *j = arg;
    const KnConvShape *s = j->s;
    const ConvWork *w = j->w;
    int64_t nz = 0;
    for (int64_t n = lo; n < hi; n++) {
        if (j->dout->sparse && j->dout->ptr[n] == j->dout->ptr[n + 1]) continue;
        const double *d = row_of(j->dout, n, w->row[wid]);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)w->crs, (int)w->pq, (int)s->F,
                    1.0, w->filt, (int)w->crs, d, (int)w->pq, 0.0, w->col[wid], (int)w->pq);
        double *orow = j->o->dense + n * j->o->cols;
        col2im_add(w->col[wid], w->gidx, w->crs * w->pq, orow);
        nz += kn_count_nz(orow, j->o->cols);
    }
    j->nz[lo / j->grain] = nz;
}

/* dX_n = col2im(W^T (CRS x F) . dout_n (F x PQ)). */
tsr_status kn_conv2d_bwd_data(const ParCtx *par, const MatBlock *filter, const MatBlock *dout,
                              const KnConvShape *s,
                              MatBlock **out, Err *err)
{
    ConvWork w;
    *out = NULL;
    const char *fn = "conv2d_backward_data";
    int64_t grain = image_grain(s->N, 2.0 * (double)s->F * (double)(s->C * s->R * s->S) *
                                (double)(s->P * s->Q));
    if (kn_dnn_check_dims(fn, "filter", filter, s->F, s->C * s->R * s->S, err) ||
        kn_dnn_check_dims(fn, "dout", dout, s->N, s->F * s->P * s->Q, err) ||
        work_init(&w, s, filter, par_width(par, par_nchunks(s->N, grain)), err))
        return err->code;
    MatBlock *o = new_out(par, s->N, w.chw, &w, err);
    if (!o) return err->code;
    ConvJob j = { s, NULL, filter, dout, &w, o, grain, NULL, NULL };
    tsr_status st = run_images(par, &j, s->N, bwd_data_chunk, err);
    work_free(&w);
    if (st != TSR_OK) {
        mb_free(o);
        return st;
    }
    *out = o;
    return TSR_OK;
}
