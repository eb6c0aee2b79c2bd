/*
 * dnn_norm.c - spatial batch normalisation kernels of DML.md 7.11:
 * batch_norm2d and batch_norm2d_backward, with the semantics of the DML
 * layer nn/layers/batch_norm2d_old.dml (forward, and backward in train mode).
 *
 * X is N x (C*HW) in NCHW layout; C is the number of rows of gamma and HW =
 * ncol(X)/C.  Train mode normalises each channel with the mean and the
 * population variance (denominator N*HW) of its N*HW cells and updates the
 * moving averages, ema_upd = mu*ema + (1-mu)*stat; any other mode uses the
 * moving averages and returns them unchanged.  The caches are the mean used
 * and 1/sqrt(var + epsilon).  The backward pass is the train-mode gradient
 * for the given caches.  Inputs of any format are read row by row; all
 * outputs are dense.  Sums are compensated (KSum).
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* Per-channel vectors read from C x 1 blocks, plus one row buffer. */
typedef struct BnWork {
    int64_t C, hw;
    double *vec[4];
    double *row, *row2;
    KSum *ks;        /* 3*C compensated per-channel sums */
} BnWork;

static void bn_free(BnWork *w)
{
    for (int k = 0; k < 4; k++) free(w->vec[k]);
    free(w->row);
    free(w->row2);
    free(w->ks);
}

static tsr_status bn_vec_check(const char *fn, const char *name, const MatBlock *v, int64_t C,
                               Err *err)
{
    if (v->rows == C && v->cols == 1) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "%s(): %s must be a %lldx1 matrix, found %lldx%lld", fn, name,
                   (long long)C, (long long)v->rows, (long long)v->cols);
}

/* Checks x against gamma's C and reads the n C x 1 blocks of v[]. */
static tsr_status bn_init(BnWork *w, const char *fn, const MatBlock *x, const MatBlock *const *v,
                          const char *const *names, int n, Err *err)
{
    memset(w, 0, sizeof *w);
    w->C = v[0]->rows;
    if (v[0]->cols != 1 || w->C == 0 || x->cols % w->C != 0)
        return err_set(err, TSR_RUNTIME, "%s(): gamma must be a Cx1 matrix with ncol(X) a "
                       "multiple of C, found gamma %lldx%lld and X %lldx%lld", fn,
                       (long long)v[0]->rows, (long long)v[0]->cols, (long long)x->rows,
                       (long long)x->cols);
    w->hw = x->cols / w->C;
    for (int k = 1; k < n; k++)
        if (bn_vec_check(fn, names[k], v[k], w->C, err)) return err->code;
    size_t rl = (size_t)(x->cols ? x->cols : 1) * sizeof(double);
    w->row = malloc(rl);
    w->row2 = malloc(rl);
    w->ks = malloc((size_t)(3 * w->C) * sizeof *w->ks);
    int ok = w->row && w->row2 && w->ks;
    for (int k = 0; k < n; k++) {
        w->vec[k] = malloc((size_t)w->C * sizeof(double));
        ok = ok && w->vec[k];
        if (w->vec[k]) mb_read_cells(v[k], w->vec[k]);
    }
    if (ok) return TSR_OK;
    bn_free(w);
    return err_set(err, TSR_NOMEM, "out of memory in %s", fn);
}

static MatBlock *col_from(const double *v, int64_t C, Err *err)
{
    MatBlock *m = mb_new(C, 1, err);
    if (!m) return NULL;
    memcpy(m->dense, v, (size_t)C * sizeof(double));
    mb_recount_nnz(m);
    return m;
}

/* ---- forward --------------------------------------------------------------------------------------- */

/* Channel means and population variances of x (two passes over the rows). */
static void bn_stats(const MatBlock *x, BnWork *w, double *mean, double *var)
{
    double cnt = (double)x->rows * (double)w->hw;
    for (int pass = 0; pass < 2; pass++) {
        memset(w->ks, 0, (size_t)w->C * sizeof *w->ks);
        for (int64_t n = 0; n < x->rows; n++) {
            mb_read_row(x, n, w->row);
            for (int64_t c = 0; c < w->C; c++) {
                const double *r = w->row + c * w->hw;
                for (int64_t k = 0; k < w->hw; k++)
                    ks_add(&w->ks[c], pass == 0 ? r[k] : (r[k] - mean[c]) * (r[k] - mean[c]));
            }
        }
        for (int64_t c = 0; c < w->C; c++)
            (pass == 0 ? mean : var)[c] = ks_value(&w->ks[c]) / cnt;
    }
}

/* out = (x - mean) * inv_var * gamma + beta. */
static void bn_apply(const MatBlock *x, const BnWork *w, const double *mean, const double *iv,
                     MatBlock *o)
{
    const double *gamma = w->vec[0], *beta = w->vec[1];
    for (int64_t n = 0; n < x->rows; n++) {
        double *r = o->dense + n * o->cols;
        mb_read_row(x, n, r);
        for (int64_t c = 0; c < w->C; c++)
            for (int64_t k = 0; k < w->hw; k++) {
                double *v = &r[c * w->hw + k];
                *v = (*v - mean[c]) * iv[c] * gamma[c] + beta[c];
            }
    }
    mb_recount_nnz(o);
}

static void free_all(MatBlock **r, int n)
{
    for (int k = 0; k < n; k++) {
        mb_free(r[k]);
        r[k] = NULL;
    }
}

/* res[0..4] = out, ema_mean_upd, ema_var_upd, cache_mean, cache_inv_var. */
static tsr_status bn_forward(const MatBlock *x, BnWork *w, int train, double eps, double mu,
                             MatBlock **res, Err *err)
{
    int64_t C = w->C;
    double *st = malloc((size_t)(4 * C) * sizeof(double));
    if (!st) return err_set(err, TSR_NOMEM, "out of memory in batch_norm2d");
    double *mean = st, *var = st + C, *emam = st + 2 * C, *emav = st + 3 * C;
    if (train) bn_stats(x, w, mean, var);
    for (int64_t c = 0; c < C; c++) {
        if (!train) {
            mean[c] = w->vec[2][c];
            var[c] = w->vec[3][c];
        }
        emam[c] = train ? mu * w->vec[2][c] + (1 - mu) * mean[c] : w->vec[2][c];
        emav[c] = train ? mu * w->vec[3][c] + (1 - mu) * var[c] : w->vec[3][c];
        var[c] = 1 / sqrt(var[c] + eps);   /* now the inverse std. dev. */
    }
    res[0] = mb_new(x->rows, x->cols, err);
    res[1] = res[0] ? col_from(emam, C, err) : NULL;
    res[2] = res[1] ? col_from(emav, C, err) : NULL;
    res[3] = res[2] ? col_from(mean, C, err) : NULL;
    res[4] = res[3] ? col_from(var, C, err) : NULL;
    if (res[4] && MB_CELLS(x) > 0) bn_apply(x, w, mean, var, res[0]);
    free(st);
    if (res[4]) return TSR_OK;
    free_all(res, 5);
    return err->code;
}

tsr_status kn_batch_norm2d(const MatBlock *x, const MatBlock *gamma, const MatBlock *beta,
                           const MatBlock *ema_mean, const MatBlock *ema_var, int train,
                           double eps, double mu, MatBlock **res, Err *err)
{
    static const char *const names[] = { "gamma", "beta", "ema_mean", "ema_var" };
    const MatBlock *v[] = { gamma, beta, ema_mean, ema_var };
    BnWork w;
    for (int k = 0; k < 5; k++) res[k] = NULL;
    if (bn_init(&w, "batch_norm2d", x, v, names, 4, err)) return err->code;
    tsr_status st = bn_forward(x, &w, train, eps, mu, res, err);
    bn_free(&w);
    return st;
}

/* ---- backward ------------------------------------------------------------------------------------ */

/* Per-channel sums: sd = sum dout, sdc = sum dout*centered, sc = sum centered. */
static void bn_bwd_sums(const MatBlock *x, const MatBlock *dout, BnWork *w, double *sums)
{
    int64_t C = w->C;
    KSum *ks = w->ks;
    memset(ks, 0, (size_t)(3 * C) * sizeof *ks);
    const double *mean = w->vec[1];
    for (int64_t n = 0; n < x->rows; n++) {
        mb_read_row(x, n, w->row);
        mb_read_row(dout, n, w->row2);
        for (int64_t c = 0; c < C; c++)
            for (int64_t k = 0; k < w->hw; k++) {
                double d = w->row2[c * w->hw + k], ce = w->row[c * w->hw + k] - mean[c];
                ks_add(&ks[c], d);
                ks_add(&ks[C + c], d * ce);
                ks_add(&ks[2 * C + c], ce);
            }
    }
    for (int64_t k = 0; k < 3 * C; k++) sums[k] = ks_value(&ks[k]);
}

/* dX = dout*gamma*iv + dmean/M + (2/M)*centered*dvar (batch_norm2d_old). */
static void bn_bwd_dx(const MatBlock *x, const MatBlock *dout, BnWork *w, const double *dmean,
                      const double *dvar, MatBlock *o)
{
    const double *gamma = w->vec[0], *mean = w->vec[1], *iv = w->vec[2];
    double M = (double)x->rows * (double)w->hw;
    for (int64_t n = 0; n < x->rows; n++) {
        double *r = o->dense + n * o->cols;
        mb_read_row(x, n, w->row);
        mb_read_row(dout, n, w->row2);
        for (int64_t c = 0; c < w->C; c++)
            for (int64_t k = 0; k < w->hw; k++) {
                int64_t j = c * w->hw + k;
                double ce = w->row[j] - mean[c];
                r[j] = w->row2[j] * gamma[c] * iv[c] + dmean[c] / M + 2 / M * ce * dvar[c];
            }
    }
    mb_recount_nnz(o);
}

/* res[0..2] = dX, dgamma, dbeta from the sums. */
static tsr_status bn_backward(const MatBlock *x, const MatBlock *dout, BnWork *w, double *sums,
                              MatBlock **res, Err *err)
{
    int64_t C = w->C;
    double M = (double)x->rows * (double)w->hw;
    double *dg = sums + 3 * C, *dmean = sums + 4 * C, *dvar = sums + 5 * C;
    const double *gamma = w->vec[0], *iv = w->vec[2];
    for (int64_t c = 0; c < C; c++) {
        double sd = sums[c], sdc = sums[C + c], sc = sums[2 * C + c];
        dg[c] = sdc * iv[c];
        dvar[c] = -0.5 * iv[c] * iv[c] * iv[c] * gamma[c] * sdc;
        dmean[c] = -iv[c] * gamma[c] * sd + dvar[c] * (-2 / M) * sc;
    }
    res[0] = mb_new(x->rows, x->cols, err);
    res[1] = res[0] ? col_from(dg, C, err) : NULL;
    res[2] = res[1] ? col_from(sums, C, err) : NULL;
    if (!res[2]) {
        free_all(res, 3);
        return err->code;
    }
    if (MB_CELLS(x) > 0) bn_bwd_dx(x, dout, w, dmean, dvar, res[0]);
    return TSR_OK;
}

tsr_status kn_batch_norm2d_bwd(const MatBlock *x, const MatBlock *dout, const MatBlock *gamma,
                               const MatBlock *mean, const MatBlock *inv_var, MatBlock **res,
                               Err *err)
{
    static const char *const names[] = { "gamma", "cache_mean", "cache_inv_var" };
    const MatBlock *v[] = { gamma, mean, inv_var };
    BnWork w;
    for (int k = 0; k < 3; k++) res[k] = NULL;
    if (kn_dnn_check_dims("batch_norm2d_backward", "dout", dout, x->rows, x->cols, err) ||
        bn_init(&w, "batch_norm2d_backward", x, v, names, 3, err))
        return err->code;
    double *sums = malloc((size_t)(6 * w.C) * sizeof(double));
    tsr_status st;
    if (!sums) {
        st = err_set(err, TSR_NOMEM, "out of memory in batch_norm2d_backward");
    } else {
        bn_bwd_sums(x, dout, &w, sums);
        st = bn_backward(x, dout, &w, sums, res, err);
    }
    free(sums);
    bn_free(&w);
    return st;
}
