/*
 * dnn_lstm.c - LSTM kernels of DML.md 7.11 (lstm, lstm_backward) with the
 * semantics of the DML layer nn/layers/lstm.dml.
 *
 * X is N x (T*D) (time step t in columns t*D..t*D+D-1), W is (D+M) x 4M
 * (input weights on top of recurrent weights), b is 1 x 4M, out0/c0 N x M.
 * Gates are ordered i, f, o, g: i, f, o squashed with the logistic sigmoid,
 * g with tanh; c_t = f*c_{t-1} + i*g, out_t = o*tanh(c_t).  The caches hold
 * one row per time step with the step's N x M (N x 4M for ifog) matrix in
 * row-major order.  The backward pass is the reverse-time loop of the layer.
 * Inputs of any format are copied into one dense scratch area (the
 * recurrence reads every cell T times); products use BLAS dgemm.  Outputs
 * are dense.
 */
#include "matrix/matrix_int.h"

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct LstmDims {
    int64_t N, T, D, M;
} LstmDims;

/* Derives N, T, D, M from X and W and checks b, out0, c0. */
static tsr_status lstm_dims(const char *fn, const MatBlock *x, const MatBlock *w,
                            const MatBlock *b, const MatBlock *out0, const MatBlock *c0,
                            LstmDims *d, Err *err)
{
    d->N = x->rows;
    d->M = w->cols / 4;
    d->D = w->rows - d->M;
    if (w->cols % 4 || d->M < 1 || d->D < 1 || x->cols % d->D || x->cols == 0)
        return err_set(err, TSR_RUNTIME, "%s(): W must be (D+M)x4M with ncol(X) = T*D, found W "
                       "%lldx%lld and X %lldx%lld", fn, (long long)w->rows, (long long)w->cols,
                       (long long)x->rows, (long long)x->cols);
    d->T = x->cols / d->D;
    if (x->cols > INT_MAX || w->cols > INT_MAX || d->N > INT_MAX ||
        (double)d->N * (double)w->cols * (double)d->T > (double)MB_MAX_CELLS)
        return err_set(err, TSR_LIMIT, "%s(): dimensions too large", fn);
    if (kn_dnn_check_dims(fn, "b", b, 1, 4 * d->M, err) ||
        kn_dnn_check_dims(fn, "out0", out0, d->N, d->M, err) ||
        kn_dnn_check_dims(fn, "c0", c0, d->N, d->M, err))
        return err->code;
    return TSR_OK;
}

/* Copies each block's cells into consecutive slices of one allocation. */
static double *dense_copies(const MatBlock *const *m, int n, double **slot, int64_t extra,
                            double **extra_slot, Err *err)
{
    int64_t total = extra;
    for (int k = 0; k < n; k++) total += MB_CELLS(m[k]);
    double *all = malloc((size_t)(total ? total : 1) * sizeof(double));
    if (!all) {
        err_set(err, TSR_NOMEM, "out of memory in lstm");
        return NULL;
    }
    double *p = all;
    for (int k = 0; k < n; k++) {
        slot[k] = p;
        mb_read_cells(m[k], p);
        p += MB_CELLS(m[k]);
    }
    *extra_slot = p;
    memset(p, 0, (size_t)extra * sizeof(double));
    return all;
}

static MatBlock *new_blocks(MatBlock **res, const int64_t (*shape)[2], int n, Err *err)
{
    for (int k = 0; k < n; k++) res[k] = NULL;
    for (int k = 0; k < n; k++)
        if (!(res[k] = mb_new(shape[k][0], shape[k][1], err))) {
            for (int j = 0; j < k; j++) {
                mb_free(res[j]);
                res[j] = NULL;
            }
            return NULL;
        }
    return res[0];
}

static void recount(MatBlock **res, int n)
{
    for (int k = 0; k < n; k++) mb_recount_nnz(res[k]);
}

static double sigmoid(double v)
{
    return 1 / (1 + exp(-v));
}

/* ---- forward ------------------------------------------------------------------------------------ */

typedef struct LstmFwd {
    const double *x, *w, *b;
    double *h, *c, *ifog;    /* N x M, N x M, N x 4M */
} LstmFwd;

/* One time step: ifog, c and h (= out_t) updated in place. */
static void lstm_step(const LstmDims *d, LstmFwd *f, int64_t t)
{
    int64_t N = d->N, M = d->M, G = 4 * M;
    for (int64_t n = 0; n < N; n++) memcpy(f->ifog + n * G, f->b, (size_t)G * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)G, (int)d->D, 1.0,
                f->x + t * d->D, (int)(d->T * d->D), f->w, (int)G, 1.0, f->ifog, (int)G);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)G, (int)M, 1.0, f->h,
                (int)M, f->w + d->D * G, (int)G, 1.0, f->ifog, (int)G);
    for (int64_t n = 0; n < N; n++) {
        double *g = f->ifog + n * G;
        for (int64_t k = 0; k < 3 * M; k++) g[k] = sigmoid(g[k]);
        for (int64_t k = 3 * M; k < G; k++) g[k] = tanh(g[k]);
        for (int64_t m = 0; m < M; m++) {
            double *c = &f->c[n * M + m];
            *c = g[M + m] * *c + g[m] * g[3 * M + m];
            f->h[n * M + m] = g[2 * M + m] * tanh(*c);
        }
    }
}

/* res: out, c, cache_out, cache_c, cache_ifog. */
static void lstm_forward(const LstmDims *d, LstmFwd *f, int return_seq, MatBlock **res)
{
    int64_t NM = d->N * d->M;
    for (int64_t t = 0; t < d->T; t++) {
        lstm_step(d, f, t);
        if (return_seq)
            for (int64_t n = 0; n < d->N; n++)
                memcpy(res[0]->dense + n * res[0]->cols + t * d->M, f->h + n * d->M,
                       (size_t)d->M * sizeof(double));
        memcpy(res[2]->dense + t * NM, f->h, (size_t)NM * sizeof(double));
        memcpy(res[3]->dense + t * NM, f->c, (size_t)NM * sizeof(double));
        memcpy(res[4]->dense + t * 4 * NM, f->ifog, (size_t)(4 * NM) * sizeof(double));
    }
    if (!return_seq) memcpy(res[0]->dense, f->h, (size_t)NM * sizeof(double));
    memcpy(res[1]->dense, f->c, (size_t)NM * sizeof(double));
}

tsr_status kn_lstm(const MatBlock *x, const MatBlock *w, const MatBlock *b, const MatBlock *out0,
                   const MatBlock *c0, int return_seq, MatBlock **res, Err *err)
{
    LstmDims d;
    LstmFwd f;
    double *slot[5], *ifog;
    for (int k = 0; k < 5; k++) res[k] = NULL;
    if (lstm_dims("lstm", x, w, b, out0, c0, &d, err)) return err->code;
    const MatBlock *in[] = { x, w, b, out0, c0 };
    double *all = dense_copies(in, 5, slot, 4 * d.N * d.M, &ifog, err);
    if (!all) return err->code;
    f = (LstmFwd){ slot[0], slot[1], slot[2], slot[3], slot[4], ifog };
    int64_t NM = d.N * d.M;
    const int64_t shape[5][2] = { { d.N, return_seq ? d.T * d.M : d.M }, { d.N, d.M },
                                  { d.T, NM }, { d.T, NM }, { d.T, 4 * NM } };
    if (new_blocks(res, shape, 5, err) && NM > 0) lstm_forward(&d, &f, return_seq, res);
    free(all);
    if (!res[0]) return err->code;
    recount(res, 5);
    return TSR_OK;
}

/* ---- backward ----------------------------------------------------------------------------------- */

typedef struct LstmBwd {
    const double *x, *w, *out0, *c0, *dout, *dc, *co, *cc, *cif;
    double *dh, *dcp, *difog;   /* N x M, N x M, N x 4M */
} LstmBwd;

/* Gate gradients of step t into difog; updates dcp (dc_prev). */
static void lstm_gates_bwd(const LstmDims *d, LstmBwd *s, int64_t t, int return_seq)
{
    int64_t N = d->N, M = d->M, NM = N * M;
    const double *ifog = s->cif + t * 4 * NM, *ct = s->cc + t * NM;
    const double *cprev = t ? s->cc + (t - 1) * NM : s->c0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t m = 0; m < M; m++) {
            int64_t k = n * M + m;
            const double *g4 = ifog + n * 4 * M;
            double i = g4[m], f = g4[M + m], o = g4[2 * M + m], g = g4[3 * M + m];
            double given = return_seq ? s->dout[n * d->T * M + t * M + m]
                                      : (t == d->T - 1 ? s->dout[k] : 0.0);
            double dout_t = given + s->dh[k], tc = tanh(ct[k]);
            double dct = o * (1 - tc * tc) * dout_t + s->dcp[k];
            double *dg4 = s->difog + n * 4 * M;
            dg4[m] = i * (1 - i) * g * dct;
            dg4[M + m] = f * (1 - f) * cprev[k] * dct;
            dg4[2 * M + m] = o * (1 - o) * tc * dout_t;
            dg4[3 * M + m] = (1 - g * g) * i * dct;
            s->dcp[k] = f * dct;
        }
}

/* res: dX, dW, db, dout0, dc0. */
static void lstm_backward(const LstmDims *d, LstmBwd *s, int return_seq, MatBlock **res)
{
    int64_t N = d->N, M = d->M, G = 4 * M, TD = d->T * d->D;
    double *dX = res[0]->dense, *dW = res[1]->dense, *db = res[2]->dense;
    for (int64_t t = d->T - 1; t >= 0; t--) {
        const double *hprev = t ? s->co + (t - 1) * N * M : s->out0;
        lstm_gates_bwd(d, s, t, return_seq);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d->D, (int)G, (int)N, 1.0,
                    s->x + t * d->D, (int)TD, s->difog, (int)G, 1.0, dW, (int)G);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)G, (int)N, 1.0, hprev,
                    (int)M, s->difog, (int)G, 1.0, dW + d->D * G, (int)G);
        for (int64_t n = 0; n < N; n++)
            for (int64_t k = 0; k < G; k++) db[k] += s->difog[n * G + k];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)d->D, (int)G, 1.0,
                    s->difog, (int)G, s->w, (int)G, 0.0, dX + t * d->D, (int)TD);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)M, (int)G, 1.0,
                    s->difog, (int)G, s->w + d->D * G, (int)G, 0.0, s->dh, (int)M);
    }
    memcpy(res[3]->dense, s->dh, (size_t)(N * M) * sizeof(double));
    memcpy(res[4]->dense, s->dcp, (size_t)(N * M) * sizeof(double));
}

static tsr_status lstm_bwd_check(const LstmDims *d, int return_seq, const MatBlock *dout,
                                 const MatBlock *dc, const MatBlock *co, const MatBlock *cc,
                                 const MatBlock *cif, Err *err)
{
    const char *fn = "lstm_backward";
    int64_t NM = d->N * d->M;
    if (kn_dnn_check_dims(fn, "dout", dout, d->N, return_seq ? d->T * d->M : d->M, err) ||
        kn_dnn_check_dims(fn, "dc", dc, d->N, d->M, err) ||
        kn_dnn_check_dims(fn, "cache_out", co, d->T, NM, err) ||
        kn_dnn_check_dims(fn, "cache_c", cc, d->T, NM, err) ||
        kn_dnn_check_dims(fn, "cache_ifog", cif, d->T, 4 * NM, err))
        return err->code;
    return TSR_OK;
}

tsr_status kn_lstm_bwd(const MatBlock *x, const MatBlock *w, const MatBlock *b,
                       const MatBlock *out0, const MatBlock *c0, int return_seq,
                       const MatBlock *dout, const MatBlock *dc, const MatBlock *cache_out,
                       const MatBlock *cache_c, const MatBlock *cache_ifog, MatBlock **res,
                       Err *err)
{
    LstmDims d;
    double *slot[9], *scratch;
    for (int k = 0; k < 5; k++) res[k] = NULL;
    if (lstm_dims("lstm_backward", x, w, b, out0, c0, &d, err) ||
        lstm_bwd_check(&d, return_seq, dout, dc, cache_out, cache_c, cache_ifog, err))
        return err->code;
    const MatBlock *in[] = { x, w, out0, c0, dout, dc, cache_out, cache_c, cache_ifog };
    int64_t NM = d.N * d.M;
    double *all = dense_copies(in, 9, slot, 6 * NM, &scratch, err);
    if (!all) return err->code;
    LstmBwd s = { slot[0], slot[1], slot[2], slot[3], slot[4], slot[5], slot[6], slot[7],
                  slot[8], scratch, scratch + NM, scratch + 2 * NM };
    memcpy(s.dcp, s.dc, (size_t)NM * sizeof(double));
    const int64_t shape[5][2] = { { d.N, d.T * d.D }, { d.D + d.M, 4 * d.M }, { 1, 4 * d.M },
                                  { d.N, d.M }, { d.N, d.M } };
    if (new_blocks(res, shape, 5, err) && NM > 0) lstm_backward(&d, &s, return_seq, res);
    free(all);
    if (!res[0]) return err->code;
    recount(res, 5);
    return TSR_OK;
}
