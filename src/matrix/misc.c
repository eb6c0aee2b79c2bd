/*
 * misc.c - the smaller kernels of DML.md 7.4 - 7.9 that have no family of
 * their own: the bitw* integer operations, roll, rowcumsum, contains,
 * interQuantile and sqrtMatrixJava; kn_maxabs for the compiler's guards.
 *
 * Every kernel reads its inputs through the block API (dense or CSR).
 * roll keeps the input's format; the others produce dense blocks (the
 * runtime picks the final format).  Not here: the operator-style cellwise
 * kernels (elementwise.c) and quantile/median (stats.c).
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- bitwAnd, bitwOr, bitwXor, bitwShiftL, bitwShiftR ----------------------------------------- */

/* Java long semantics: shift counts are taken modulo 64, >> is arithmetic. */
int64_t kn_bitw_int(KnBitw op, int64_t a, int64_t b)
{
    uint64_t ua = (uint64_t)a;
    unsigned sh = (unsigned)((uint64_t)b & 63u);
    switch (op) {
    case KW_AND: return a & b;
    case KW_OR: return a | b;
    case KW_XOR: return a ^ b;
    case KW_SHL: return (int64_t)(ua << sh);
    default: return a < 0 ? (int64_t)~(~ua >> sh) : (int64_t)(ua >> sh);
    }
}

double kn_bitw_double(KnBitw op, double a, double b)
{
    return (double)kn_bitw_int(op, kn_dbl_to_int(a), kn_dbl_to_int(b));
}

/* How the second operand of a cellwise op is indexed (DML.md 3.5). */
typedef enum { BC_SAME, BC_COL, BC_ROW, BC_ONE } Bcast;

static tsr_status bcast_of(const MatBlock *a, const MatBlock *b, Bcast *bc, Err *err)
{
    if (b->rows == a->rows && b->cols == a->cols) *bc = BC_SAME;
    else if (b->rows == 1 && b->cols == 1) *bc = BC_ONE;
    else if (b->rows == a->rows && b->cols == 1) *bc = BC_COL;
    else if (b->rows == 1 && b->cols == a->cols) *bc = BC_ROW;
    else
        return err_set(err, TSR_RUNTIME, "Block sizes are not matched for binary cell "
                       "operations: %lldx%lld vs %lldx%lld", (long long)a->rows,
                       (long long)a->cols, (long long)b->rows, (long long)b->cols);
    return TSR_OK;
}

/* Row i of the broadcast operand b as a full row of n cells in buf. */
static void bcast_row(const MatBlock *b, Bcast bc, int64_t i, int64_t n, double *buf)
{
    if (bc == BC_SAME || bc == BC_ROW) {
        mb_read_row(b, bc == BC_SAME ? i : 0, buf);
        return;
    }
    double v = mb_get(b, bc == BC_COL ? i : 0, 0);
    for (int64_t j = 0; j < n; j++) buf[j] = v;
}

tsr_status kn_bitw(KnBitw op, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    Bcast bc = BC_SAME;
    *out = NULL;
    if (bcast_of(a, b, &bc, err)) return err->code;
    MatBlock *o = mb_new(a->rows, a->cols, err);
    double *buf = malloc((size_t)(a->cols ? a->cols : 1) * sizeof(double));
    if (!o || !buf) {
        mb_free(o);
        free(buf);
        return o ? err_set(err, TSR_NOMEM, "out of memory in a bitwise operation") : err->code;
    }
    for (int64_t i = 0; i < a->rows && a->cols; i++) {
        double *r = o->dense + i * a->cols;
        mb_read_row(a, i, r);
        bcast_row(b, bc, i, a->cols, buf);
        for (int64_t j = 0; j < a->cols; j++) r[j] = kn_bitw_double(op, r[j], buf[j]);
    }
    free(buf);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

tsr_status kn_bitw_scalar(KnBitw op, const MatBlock *a, double s, int scalar_left,
                          MatBlock **out, Err *err)
{
    MatBlock *o = mb_new(a->rows, a->cols, err);
    *out = NULL;
    if (!o) return err->code;
    for (int64_t i = 0; i < a->rows && a->cols; i++) {
        double *r = o->dense + i * a->cols;
        mb_read_row(a, i, r);
        for (int64_t j = 0; j < a->cols; j++)
            r[j] = scalar_left ? kn_bitw_double(op, s, r[j]) : kn_bitw_double(op, r[j], s);
    }
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

/* ---- roll, rowcumsum ----------------------------------------------------------------------------- */

/* Sparse roll: output row r is input row (r - k) mod m. */
static tsr_status roll_sparse(const MatBlock *a, int64_t k, MatBlock **out, Err *err)
{
    MatBlock *o = mb_new_sparse(a->rows, a->cols, a->nnz, err);
    if (!o) return err->code;
    for (int64_t r = 0; r < a->rows; r++) {
        int64_t src = (r - k + a->rows) % a->rows;
        for (int64_t q = a->ptr[src]; q < a->ptr[src + 1]; q++)
            if (mb_csr_push(o, a->idx[q], a->val[q], err)) {
                mb_free(o);
                return err->code;
            }
        mb_csr_end_row(o, r);
    }
    *out = o;
    return TSR_OK;
}

tsr_status kn_roll(const MatBlock *a, int64_t shift, MatBlock **out, Err *err)
{
    *out = NULL;
    int64_t k = a->rows ? shift % a->rows : 0;
    if (k < 0) k += a->rows;
    if (a->sparse) return roll_sparse(a, k, out, err);
    MatBlock *o = mb_new(a->rows, a->cols, err);
    if (!o) return err->code;
    for (int64_t r = 0; r < a->rows && a->cols; r++)
        memcpy(o->dense + ((r + k) % a->rows) * a->cols, a->dense + r * a->cols,
               (size_t)a->cols * sizeof(double));
    o->nnz = a->nnz;
    *out = o;
    return TSR_OK;
}

tsr_status kn_rowcumsum(const MatBlock *a, MatBlock **out, Err *err)
{
    MatBlock *o = mb_new(a->rows, a->cols, err);
    *out = NULL;
    if (!o) return err->code;
    for (int64_t i = 0; i < a->rows && a->cols; i++) {
        double *r = o->dense + i * a->cols;
        mb_read_row(a, i, r);
        for (int64_t j = 1; j < a->cols; j++) r[j] += r[j - 1];
    }
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

/* ---- contains ------------------------------------------------------------------------------------------ */

static int cell_matches(double x, double v)
{
    return x == v || (x != x && v != v);
}

int kn_contains(const MatBlock *a, double v)
{
    int64_t cells = MB_CELLS(a);
    if (!a->sparse) {
        for (int64_t k = 0; k < cells; k++)
            if (cell_matches(a->dense[k], v)) return 1;
        return 0;
    }
    if (v == 0 && a->nnz < cells) return 1;   /* an implicit zero */
    for (int64_t k = 0; k < a->nnz; k++)
        if (cell_matches(a->val[k], v)) return 1;
    return 0;
}

/* ---- interQuantile ----------------------------------------------------------------------------------- */

static tsr_status column_vector(const char *fn, const MatBlock *x, Err *err)
{
    if (x->cols == 1) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "%s(): input must be a column vector, found a %lldx%lld "
                   "matrix", fn, (long long)x->rows, (long long)x->cols);
}

/* Weights: x's shape, non-negative integers; total in *total. */
static tsr_status iq_weights(const MatBlock *x, const MatBlock *w, double *wv, double *total,
                             Err *err)
{
    const char *fn = "interQuantile";
    if (w->rows != x->rows || w->cols != x->cols)
        return err_set(err, TSR_RUNTIME, "%s(): weights must have the same dimensions as the "
                       "input: %lldx%lld vs %lldx%lld", fn, (long long)x->rows,
                       (long long)x->cols, (long long)w->rows, (long long)w->cols);
    mb_read_cells(w, wv);
    *total = 0;
    for (int64_t k = 0; k < x->rows; k++) {
        if (!(wv[k] >= 0) || wv[k] != floor(wv[k]) || isinf(wv[k]))
            return err_set(err, TSR_RUNTIME, "%s(): weights must be non-negative integers, "
                           "found %.17g", fn, wv[k]);
        *total += wv[k];
    }
    return TSR_OK;
}

/* Emits the sorted (expanded) sample's ranks lo+1..hi into o. */
static void iq_emit(const double *xv, const double *wv, const int64_t *ord, int64_t n, int64_t lo,
                    int64_t hi, MatBlock *o)
{
    int64_t rank = 0, outp = 0;
    for (int64_t k = 0; k < n && rank < hi; k++) {
        double v = xv[ord[k]];
        for (int64_t c = wv ? (int64_t)wv[ord[k]] : 1; c > 0 && rank < hi; c--)
            if (++rank > lo) o->dense[outp++] = v;
    }
}

static tsr_status iq_run(const MatBlock *x, const MatBlock *w, double p, double *xv, double *wv,
                         MatBlock **out, Err *err)
{
    double total = (double)x->rows;
    mb_read_cells(x, xv);
    if (w && iq_weights(x, w, wv, &total, err)) return err->code;
    int64_t lo = (int64_t)ceil(p * total), hi = (int64_t)ceil((1 - p) * total);
    if (hi < lo) hi = lo;
    int64_t *ord = kn_argsort(xv, x->rows, 0);
    MatBlock *o = ord ? mb_new(hi - lo, 1, err) : NULL;
    if (!o) {
        free(ord);
        return ord ? err->code : err_set(err, TSR_NOMEM, "out of memory in interQuantile");
    }
    iq_emit(xv, w ? wv : NULL, ord, x->rows, lo, hi, o);
    free(ord);
    mb_recount_nnz(o);
    *out = o;
    return TSR_OK;
}

tsr_status kn_inter_quantile(const MatBlock *x, const MatBlock *w, double p, MatBlock **out,
                             Err *err)
{
    *out = NULL;
    if (column_vector("interQuantile", x, err)) return err->code;
    if (!(p >= 0 && p <= 1))
        return err_set(err, TSR_RUNTIME, "interQuantile(): p must be in [0, 1], found %.17g", p);
    double *xv = malloc((size_t)(x->rows ? x->rows : 1) * sizeof(double));
    double *wv = malloc((size_t)(x->rows ? x->rows : 1) * sizeof(double));
    tsr_status st = xv && wv ? iq_run(x, w, p, xv, wv, out, err)
                             : err_set(err, TSR_NOMEM, "out of memory in interQuantile");
    free(xv);
    free(wv);
    return st;
}

/* ---- sqrtMatrixJava -------------------------------------------------------------------------------- */

static tsr_status sqrtm_check(const MatBlock *a, const double *cells, Err *err)
{
    int64_t n = a->rows;
    double big = 0;
    if (a->rows != a->cols)
        return err_set(err, TSR_RUNTIME, "sqrtMatrixJava(): input must be a square matrix, found "
                       "%lldx%lld", (long long)a->rows, (long long)a->cols);
    for (int64_t k = 0; k < n * n; k++) big = fmax(big, fabs(cells[k]));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < i; j++)
            if (fabs(cells[i * n + j] - cells[j * n + i]) > 1e-10 * big)
                return err_set(err, TSR_RUNTIME, "sqrtMatrixJava(): input must be a symmetric "
                               "matrix (cells [%lld,%lld] and [%lld,%lld] differ)",
                               (long long)i + 1, (long long)j + 1, (long long)j + 1,
                               (long long)i + 1);
    return TSR_OK;
}

/* vectors (n x n) scaled in place: column j times values[j]^(1/4), so that
 * (V L^1/4)(V L^1/4)^T = V L^1/2 V^T.  A negative eigenvalue beyond
 * rounding (relative 1e-12) is an error; smaller ones count as 0. */
static tsr_status sqrtm_scale(MatBlock *values, MatBlock *vectors, Err *err)
{
    int64_t n = values->rows;
    double big = 0;
    for (int64_t j = 0; j < n; j++) big = fmax(big, fabs(values->dense[j]));
    for (int64_t j = 0; j < n; j++) {
        double l = values->dense[j];
        if (l < -1e-12 * big || l != l)
            return err_set(err, TSR_RUNTIME, "sqrtMatrixJava(): input must be positive "
                           "semi-definite, found eigenvalue %.17g", l);
        double s = l > 0 ? sqrt(sqrt(l)) : 0.0;
        for (int64_t i = 0; i < n; i++) vectors->dense[i * n + j] *= s;
    }
    mb_recount_nnz(vectors);
    return TSR_OK;
}

tsr_status kn_sqrtm(const MatBlock *a, MatBlock **out, Err *err)
{
    MatBlock *dense = mb_copy(a, err), *values = NULL, *vectors = NULL;
    *out = NULL;
    if (!dense) return err->code;
    tsr_status st = mb_to_dense_inplace(dense, err);
    if (st == TSR_OK && MB_CELLS(dense) > 0) st = sqrtm_check(dense, dense->dense, err);
    else if (st == TSR_OK) st = sqrtm_check(dense, NULL, err);
    if (st == TSR_OK) st = kn_eigen(dense, &values, &vectors, err);
    if (st == TSR_OK) st = mb_to_dense_inplace(vectors, err);
    if (st == TSR_OK && values->rows) st = mb_to_dense_inplace(values, err);
    if (st == TSR_OK) st = sqrtm_scale(values, vectors, err);
    if (st == TSR_OK) st = kn_matmul_ex(NULL, vectors, 0, vectors, 1, out, err);
    mb_free(dense);
    mb_free(values);
    mb_free(vectors);
    return st;
}

/* ---- largest magnitude ------------------------------------------------------------ */

double kn_maxabs(const MatBlock *a)
{
    const double *x = a->sparse ? a->val : a->dense;
    int64_t n = a->sparse ? a->nnz : MB_CELLS(a);
    double m = 0.0;
    int bad = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = fabs(x[i]);
        bad |= !(v <= m || v > m);   /* NaN */
        m = v > m ? v : m;
    }
    return bad ? NAN : m;
}
