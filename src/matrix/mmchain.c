/*
 * mmchain.c - the fused matrix-vector chain t(X) %*% (w * (X %*% v)) and
 * t(X) %*% (X %*% v) (SystemDS's "mmchain"), the inner step of conjugate
 * gradient and of many GLM solvers.
 *
 * Unfused, the chain reads X twice (once for X v, once for t(X) u) and
 * allocates the n x 1 intermediate.  Here X is read once: rows are split
 * into chunks (one task each); a chunk walks its rows in cache-sized blocks
 * and, per block, computes u = X_b v (dgemv, or a CSR dot product per row),
 * scales u by w_b, and adds t(X_b) u into the chunk's k x c partial while
 * X_b is still in cache.  The partials are added in chunk order.  Chunks
 * depend only on the shapes and nnz, so the result is the same for any
 * thread count; it differs from the unfused product only by summation
 * order.  v may have a few columns (c > 1 uses dgemm per block).
 * kn_mmchain_xv also returns X v (the block products, before the scaling by
 * w), for programs that use X %*% v besides the chain: no second pass.
 *
 * It does not check that the operands come from the same variable or build
 * any expression: the interpreter recognises the pattern (runtime/interp_mm.c)
 * and calls this only with shapes that fit.
 */
#include "matrix/matrix_int.h"

#include <cblas.h>
#include <limits.h>
#include <string.h>

/* Bytes of X one block of rows may span, so that the second product of the
 * block reads it from L2. */
#define CHAIN_BLOCK_BYTES (256 * 1024)

typedef struct ChainJob {
    const MatBlock *x;
    const double *v, *w;     /* v: k x c row-major; w: n cells or NULL */
    int64_t c;
    double *xv;              /* X v (n x c) when also wanted, else NULL */
    double *out, *part;      /* chunk 0 adds into out, chunk p > 0 into part[p - 1] */
    double *scratch;         /* per wid: blk * c cells (dense) or c cells (CSR) */
    int64_t grain, blk;
} ChainJob;

static double *chunk_dst(const ChainJob *j, int64_t lo)
{
    int64_t ch = lo / j->grain, kc = j->x->cols * j->c;
    if (ch == 0) return j->out;
    double *d = j->part + (ch - 1) * kc;
    memset(d, 0, (size_t)kc * sizeof *d);
    return d;
}

/* Rows [lo, hi) of a dense X, block by block. */
static void chain_dense(void *arg, int64_t lo, int64_t hi, int wid)
{
    const ChainJob *j = arg;
    const int k = (int)j->x->cols, c = (int)j->c;
    double *dst = chunk_dst(j, lo), *u = j->scratch + (int64_t)wid * j->blk * c;
    for (int64_t s = lo; s < hi; s += j->blk) {
        int r = (int)(s + j->blk < hi ? j->blk : hi - s);
        const double *xb = j->x->dense + s * k;
        double *xv = j->xv ? j->xv + s * c : u;   /* X_b v: kept, or in the scratch */
        if (c == 1)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, r, k, 1.0, xb, k, j->v, 1, 0.0, xv, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, c, k, 1.0, xb, k, j->v, c,
                        0.0, xv, c);
        if (j->w)
            for (int i = 0; i < r; i++)
                for (int q = 0; q < c; q++) u[(int64_t)i * c + q] = xv[(int64_t)i * c + q] * j->w[s + i];
        const double *us = j->w ? u : xv;
        if (c == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, r, k, 1.0, xb, k, us, 1, 1.0, dst, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, c, r, 1.0, xb, k, us, c, 1.0,
                        dst, c);
    }
}

/* Rows [lo, hi) of a CSR X: per row its dot products with v (over the stored
 * cells, as the sparse %*% kernels do), scaled by w, scattered back. */
static void chain_csr(void *arg, int64_t lo, int64_t hi, int wid)
{
    const ChainJob *j = arg;
    const MatBlock *x = j->x;
    const int64_t c = j->c;
    double *restrict dst = chunk_dst(j, lo), *restrict d = j->scratch + (int64_t)wid * c;
    const double *restrict v = j->v;
    for (int64_t i = lo; i < hi; i++) {
        int64_t b = x->ptr[i], e = x->ptr[i + 1];
        if (b == e) continue;
        if (c == 1) {
            double s = 0.0;
            for (int64_t q = b; q < e; q++) s += x->val[q] * v[x->idx[q]];
            if (j->xv) j->xv[i] = s;
            if (j->w) s *= j->w[i];
            for (int64_t q = b; q < e; q++) dst[x->idx[q]] += x->val[q] * s;
            continue;
        }
        for (int64_t t = 0; t < c; t++) d[t] = 0.0;
        for (int64_t q = b; q < e; q++)
            for (int64_t t = 0; t < c; t++) d[t] += x->val[q] * v[(int64_t)x->idx[q] * c + t];
        if (j->xv) memcpy(j->xv + i * c, d, (size_t)c * sizeof *d);
        if (j->w)
            for (int64_t t = 0; t < c; t++) d[t] *= j->w[i];
        for (int64_t q = b; q < e; q++)
            for (int64_t t = 0; t < c; t++) dst[(int64_t)x->idx[q] * c + t] += x->val[q] * d[t];
    }
}

/* The cells of a vector or small matrix operand as a dense row-major array:
 * the block's own array when dense, else a copy in *own. */
static const double *dense_cells(const MatBlock *m, double **own, Err *err)
{
    *own = NULL;
    if (!m->sparse) return m->dense;
    int64_t n = MB_CELLS(m);
    *own = malloc((size_t)(n ? n : 1) * sizeof **own);
    if (!*own) {
        err_set(err, TSR_NOMEM, "out of memory in mmchain");
        return NULL;
    }
    mb_read_cells(m, *own);
    return *own;
}

static tsr_status chain_check(const MatBlock *x, const MatBlock *v, const MatBlock *w, Err *err)
{
    if (v->rows != x->cols)
        return err_set(err, TSR_RUNTIME, "dimension mismatch in %%*%%: %lldx%lld %%*%% %lldx%lld",
                       (long long)x->rows, (long long)x->cols, (long long)v->rows,
                       (long long)v->cols);
    if (v->cols < 1)
        return err_set(err, TSR_RUNTIME, "mmchain: v must have at least one column");
    if (w && (w->rows != x->rows || w->cols != 1))
        return err_set(err, TSR_RUNTIME, "mmchain: w must be %lldx1, found %lldx%lld",
                       (long long)x->rows, (long long)w->rows, (long long)w->cols);
    if (!x->sparse && (x->rows > INT_MAX || x->cols > INT_MAX || v->cols > INT_MAX))
        return err_set(err, TSR_LIMIT, "mmchain of a %lldx%lld matrix exceeds the BLAS size limit",
                       (long long)x->rows, (long long)x->cols);
    return TSR_OK;
}

/* Chunk plan: rows of X with the chunk count capped so that the partials
 * (k x c each) stay small next to the chunk's share of X. */
static void chain_plan(ChainJob *j)
{
    const MatBlock *x = j->x;
    int64_t n = x->rows, k = x->cols, c = j->c, maxch;
    double cells = x->sparse ? (double)x->nnz : (double)n * (double)k;
    j->grain = par_grain(n, 4.0 * cells / (double)n * (double)c + 1.0);
    if (x->sparse)
        maxch = x->nnz / (8 * k * c);
    else
        maxch = n / (4 * c);
    if (maxch < 1) maxch = 1;
    if (par_nchunks(n, j->grain) > maxch) j->grain = maxch == 1 ? n : (n + maxch - 1) / maxch;
    j->blk = CHAIN_BLOCK_BYTES / (8 * k);
    if (j->blk < 8) j->blk = 8;
}

tsr_status kn_mmchain(const ParCtx *par, const MatBlock *x, const MatBlock *v,
                      const MatBlock *w, MatBlock **out, Err *err)
{
    return kn_mmchain_xv(par, x, v, w, out, NULL, err);
}

tsr_status kn_mmchain_xv(const ParCtx *par, const MatBlock *x, const MatBlock *v,
                         const MatBlock *w, MatBlock **out, MatBlock **xvout, Err *err)
{
    *out = NULL;
    if (xvout) *xvout = NULL;
    if (chain_check(x, v, w, err) != TSR_OK) return err->code;
    int64_t n = x->rows, k = x->cols, c = v->cols;
    int empty = n == 0 || k == 0 || (x->sparse && x->nnz == 0);
    MatBlock *res = mb_new_ctx(par, k, c, err), *xvb = NULL;
    if (res && xvout)   /* every cell is written for dense X; CSR leaves empty rows 0 */
        xvb = empty || x->sparse ? mb_new_ctx(par, n, c, err) : mb_new_uninit(par, n, c, err);
    if (!res || (xvout && !xvb)) {
        mb_free(res);
        return err->code;
    }
    if (empty) {
        *out = res;
        if (xvout) *xvout = xvb;
        return TSR_OK;
    }
    ChainJob j;
    memset(&j, 0, sizeof j);
    j.x = x;
    j.c = c;
    j.xv = xvb ? xvb->dense : NULL;
    j.out = res->dense;
    chain_plan(&j);
    int64_t nch = par_nchunks(n, j.grain);
    int width = par_width(par, nch);
    double *own_v = NULL, *own_w = NULL;
    j.v = dense_cells(v, &own_v, err);
    j.w = j.v && w ? dense_cells(w, &own_w, err) : NULL;
    j.part = nch > 1 ? malloc((size_t)((nch - 1) * k * c) * sizeof *j.part) : NULL;
    j.scratch = malloc((size_t)(width * (x->sparse ? 1 : j.blk) * c) * sizeof *j.scratch);
    tsr_status st = TSR_OK;
    if (!j.v || (w && !j.w))
        st = err->code;
    else if ((nch > 1 && !j.part) || !j.scratch)
        st = err_set(err, TSR_NOMEM, "out of memory in mmchain");
    if (st == TSR_OK) {
        /* dense X calls BLAS from the tasks (see kn_blas_concurrent) */
        const ParCtx *tp = x->sparse || kn_blas_concurrent() ? par : NULL;
        par_for(tp, n, j.grain, x->sparse ? chain_csr : chain_dense, &j);
        kn_add_partials(par, res->dense, j.part, nch - 1, k * c);
        mb_recount_nnz(res);
        if (xvb) mb_recount_nnz(xvb);
    }
    free(own_v);
    free(own_w);
    free(j.part);
    free(j.scratch);
    if (st != TSR_OK) {
        mb_free(res);
        mb_free(xvb);
        return st;
    }
    *out = res;
    if (xvout) *xvout = xvb;
    return TSR_OK;
}
