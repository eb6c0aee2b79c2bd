/*
 * reorg.c - reorganisation and indexing kernels over dense and sparse (CSR)
 * blocks: transpose, rev, diag, n-ary cbind/rbind, reshape (matrix(A, r, c,
 * byrow)), right indexing (slice) and in-place left indexing
 * (assign_slice/assign_cell).  Error texts follow DML.md 4.1, 4.3 and 7.8.
 *
 * Everything here moves cells without arithmetic, so every kernel is
 * sparse-safe: a sparse input gives a sparse output built from its CSR
 * arrays (O(nnz + rows), never a dense copy), a dense input a dense output;
 * vector -> diagonal matrix is sparse whatever its input.  cbind/rbind give
 * CSR when all inputs are sparse, or when some are and the result prefers
 * sparse.  nnz is derived from the inputs where possible instead of
 * recounting.  Left indexing into a sparse target rewrites the affected rows
 * in place (one move of the CSR tail), or converts the target to dense first
 * when the result would no longer be sparse.  Column-major reshape of a
 * sparse block goes through the COO builder (the only kernel here that
 * sorts).  The dense transpose runs on the pool (bands of tiles); the
 * others, the CSR transpose included, are sequential.
 */
#include "matrix/matrix_int.h"

#include <string.h>

/* ---- CSR helpers --------------------------------------------------------------------------- */

/* Appends entries [k0, k1) of the CSR arrays of a to the row being built in
 * z, their columns shifted by `shift`. */
static tsr_status csr_append(MatBlock *z, const MatBlock *a, int64_t k0, int64_t k1,
                             int64_t shift, Err *err)
{
    int64_t len = k1 - k0;
    if (len <= 0) return TSR_OK;
    if (mb_csr_reserve(z, len, err) != TSR_OK) return err->code;
    if (shift == 0)
        memcpy(z->idx + z->nnz, a->idx + k0, (size_t)len * sizeof *z->idx);
    else
        for (int64_t q = 0; q < len; q++) z->idx[z->nnz + q] = (int32_t)(a->idx[k0 + q] + shift);
    memcpy(z->val + z->nnz, a->val + k0, (size_t)len * sizeof *z->val);
    z->nnz += len;
    return TSR_OK;
}

/* Appends the non-zeros of the dense cells x[0..n) at columns shift + j. */
static tsr_status dense_append(MatBlock *z, const double *x, int64_t n, int64_t shift, Err *err)
{
    for (int64_t j = 0; j < n; j++)
        if (x[j] != 0.0 && mb_csr_push(z, (int32_t)(j + shift), x[j], err) != TSR_OK)
            return err->code;
    return TSR_OK;
}

/* Appends row i of a (any format) at columns shift + j. */
static tsr_status row_append(MatBlock *z, const MatBlock *a, int64_t i, int64_t shift, Err *err)
{
    if (a->sparse) return csr_append(z, a, a->ptr[i], a->ptr[i + 1], shift, err);
    return dense_append(z, a->dense + i * a->cols, a->cols, shift, err);
}

/* First position in the CSR row i of a whose column is >= j. */
static int64_t csr_lower_bound(const MatBlock *a, int64_t i, int64_t j)
{
    return mb_csr_lower(a, a->ptr[i], a->ptr[i + 1], j);
}

/* ---- transpose ----------------------------------------------------------------------- */

#define TR_TILE 32

/* Transposes the input rows [r0, r1) x columns [c0, c1) tile by tile so
 * that both the reads and the writes stay inside a few cache lines. */
static void transpose_rect(const double *a, double *z, int64_t m, int64_t n, int64_t r0,
                           int64_t r1, int64_t c0, int64_t c1)
{
    for (int64_t i0 = r0; i0 < r1; i0 += TR_TILE) {
        int64_t i1 = i0 + TR_TILE < r1 ? i0 + TR_TILE : r1;
        for (int64_t j0 = c0; j0 < c1; j0 += TR_TILE) {
            int64_t j1 = j0 + TR_TILE < c1 ? j0 + TR_TILE : c1;
            for (int64_t i = i0; i < i1; i++)
                for (int64_t j = j0; j < j1; j++) z[j * m + i] = a[i * n + j];
        }
    }
}

/* Parallel dense transpose: bands of whole tiles along the longer side of
 * the input (input rows when m >= n, else input columns). */
typedef struct TrJob {
    const double *a;
    double *z;
    int64_t m, n;
    int by_rows;
} TrJob;

static void transpose_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    const TrJob *j = arg;
    (void)wid;
    if (j->by_rows) transpose_rect(j->a, j->z, j->m, j->n, lo, hi, 0, j->n);
    else transpose_rect(j->a, j->z, j->m, j->n, 0, j->m, lo, hi);
}

/* A vector's transpose is a copy of its cells (in chunks). */
static void copy_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    const TrJob *j = arg;
    (void)wid;
    memcpy(j->z + lo, j->a + lo, (size_t)(hi - lo) * sizeof(double));
}

static MatBlock *transpose_dense(const ParCtx *par, const MatBlock *a, Err *err)
{
    MatBlock *z = mb_new_uninit(par, a->cols, a->rows, err);
    if (!z) return NULL;
    int64_t cells = MB_CELLS(a);
    if (cells > 0) {
        TrJob j = { a->dense, z->dense, a->rows, a->cols, a->rows >= a->cols };
        if (a->rows == 1 || a->cols == 1) {
            par_for(par, cells, par_grain(cells, 1.0), copy_task, &j);
        } else {
            int64_t len = j.by_rows ? a->rows : a->cols, other = j.by_rows ? a->cols : a->rows;
            int64_t g = par_grain(len, 2.0 * (double)other);   /* a read and a write per cell */
            g = (g + TR_TILE - 1) / TR_TILE * TR_TILE;
            par_for(par, len, g, transpose_task, &j);
        }
    }
    z->nnz = a->nnz;
    return z;
}

/* Scatter of the counting-sort transpose: every entry of a goes to the
 * cursor p[column]++ of its output row (p[j] = start of output row j on
 * entry, its end on return).  The rows of a are visited in order, so every
 * output row ascends. */
static void transpose_scatter(const MatBlock *a, MatBlock *z, int64_t *p)
{
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            int64_t at = p[a->idx[k]]++;
            z->idx[at] = (int32_t)i;
            z->val[at] = a->val[k];
        }
}

/* CSR -> CSR by a counting sort on the column index, O(nnz + rows + cols).
 * Sequential: a parallel version (per-chunk column counts, per-chunk
 * cursors, independent scatters) was measured no faster on 2 cores (1e7
 * nnz: 0.11 s either way; the scatter is bound by TLB and cache misses of
 * its many output streams, and the fresh output arrays by page faults). */
static MatBlock *transpose_csr(const MatBlock *a, Err *err)
{
    int64_t nz = a->ptr[a->rows];
    MatBlock *z = mb_new_sparse(a->cols, a->rows, nz, err);
    if (!z) return NULL;
    int64_t *p = z->ptr;
    for (int64_t k = 0; k < nz; k++) p[a->idx[k] + 1]++;
    for (int64_t j = 0; j < a->cols; j++) p[j + 1] += p[j];
    transpose_scatter(a, z, p);
    memmove(p + 1, p, (size_t)a->cols * sizeof *p);   /* p[j] has become the end of row j */
    p[0] = 0;
    z->nnz = nz;
    return z;
}

/* CSR input whose transpose is too wide for CSR (rows > MB_SPARSE_MAX_COLS). */
static MatBlock *transpose_csr_to_dense(const MatBlock *a, Err *err)
{
    MatBlock *z = mb_new(a->cols, a->rows, err);
    if (!z) return NULL;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
            z->dense[(int64_t)a->idx[k] * a->rows + i] = a->val[k];
    z->nnz = a->nnz;
    return z;
}

tsr_status kn_transpose(const ParCtx *par, const MatBlock *a, MatBlock **out, Err *err)
{
    if (!a->sparse) *out = transpose_dense(par, a, err);
    else if (a->rows <= MB_SPARSE_MAX_COLS) *out = transpose_csr(a, err);
    else *out = transpose_csr_to_dense(a, err);
    return *out ? TSR_OK : err->code;
}

/* ---- rev ---------------------------------------------------------------------------------- */

static MatBlock *rev_csr(const MatBlock *a, Err *err)
{
    int64_t m = a->rows;
    MatBlock *z = mb_new_sparse(m, a->cols, a->ptr[m], err);
    for (int64_t i = 0; z && i < m; i++) {
        if (csr_append(z, a, a->ptr[m - 1 - i], a->ptr[m - i], 0, err) != TSR_OK) {
            mb_free(z);
            return NULL;
        }
        mb_csr_end_row(z, i);
    }
    return z;
}

tsr_status kn_rev(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->sparse) return (*out = rev_csr(a, err)) ? TSR_OK : err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int64_t m = a->rows, n = a->cols;
    if (n > 0)
        for (int64_t i = 0; i < m; i++)
            memcpy(z->dense + (m - 1 - i) * n, a->dense + i * n, (size_t)n * sizeof(double));
    z->nnz = a->nnz;
    *out = z;
    return TSR_OK;
}

/* ---- diag ----------------------------------------------------------------------------------- */

/* n x 1 -> n x n: CSR for n > 1 (cell (i, 0) of a CSR column vector is
 * found in O(1)); 1x1 -> a copy, 0x1 -> 0x0. */
static MatBlock *diag_from_vector(const MatBlock *a, Err *err)
{
    int64_t n = a->rows;
    MatBlock *z;
    if (n <= 1) return n == 1 ? mb_copy(a, err) : mb_new(0, 0, err);
    if (!(z = mb_new_sparse(n, n, a->nnz, err))) return NULL;
    for (int64_t i = 0; i < n; i++) {
        if (mb_csr_push(z, (int32_t)i, mb_get(a, i, 0), err) != TSR_OK) {
            mb_free(z);
            return NULL;
        }
        mb_csr_end_row(z, i);
    }
    return z;
}

/* n x n -> n x 1, in the input's format. */
static MatBlock *diag_of_matrix(const MatBlock *a, Err *err)
{
    int64_t n = a->rows;
    MatBlock *z = a->sparse ? mb_new_sparse(n, 1, n, err) : mb_new(n, 1, err);
    for (int64_t i = 0; z && i < n; i++) {
        if (!a->sparse) {
            z->dense[i] = a->dense[i * n + i];
            continue;
        }
        if (mb_csr_push(z, 0, mb_get(a, i, i), err) != TSR_OK) {
            mb_free(z);
            return NULL;
        }
        mb_csr_end_row(z, i);
    }
    if (z && !z->sparse) mb_recount_nnz(z);
    return z;
}

tsr_status kn_diag(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->cols == 1) *out = diag_from_vector(a, err);   /* also 1x1 -> 1x1 */
    else if (a->rows == a->cols) *out = diag_of_matrix(a, err);
    else
        return err_set(err, TSR_RUNTIME,
                       "diag can either: (1) create diagonal matrix from (n x 1) matrix, or (2) "
                       "take diagonal from a square matrix. Error invoking diag on matrix with "
                       "dimensions (%lld,%lld)",
                       (long long)a->rows, (long long)a->cols);
    return *out ? TSR_OK : err->code;
}

/* ---- cbind / rbind ---------------------------------------------------------------------------- */

/* CSR output when every input is sparse, or when some are and the result
 * prefers sparse (cbind(X, ones) of a big sparse X must not densify). */
static int bind_sparse_out(const MatBlock *const *in, int n, int64_t rows, int64_t cols,
                           int64_t nnz)
{
    int ns = 0;
    for (int k = 0; k < n; k++) ns += in[k]->sparse;
    if (ns == 0 || cols > MB_SPARSE_MAX_COLS) return 0;
    return ns == n || mb_prefers_sparse(rows, cols, nnz);
}

static tsr_status cbind_csr(const MatBlock *const *in, int n, MatBlock *z, Err *err)
{
    for (int64_t i = 0; i < z->rows; i++) {
        int64_t off = 0;
        for (int k = 0; k < n; k++) {
            if (row_append(z, in[k], i, off, err) != TSR_OK) return err->code;
            off += in[k]->cols;
        }
        mb_csr_end_row(z, i);
    }
    return TSR_OK;
}

static void cbind_dense(const MatBlock *const *in, int n, MatBlock *z)
{
    int all_dense = 1;
    for (int k = 0; k < n; k++) all_dense &= !in[k]->sparse;
    if (all_dense) {   /* input by input: no call per row (n x 1 inputs are common) */
        int64_t off = 0, zc = z->cols;
        for (int k = 0; k < n; k++) {
            int64_t c = in[k]->cols;
            const double *src = in[k]->dense;
            double *o = z->dense + off;
            if (c == 1)
                for (int64_t i = 0; i < z->rows; i++) o[i * zc] = src[i];
            else if (c > 0)
                for (int64_t i = 0; i < z->rows; i++)
                    memcpy(o + i * zc, src + i * c, (size_t)c * sizeof *o);
            off += c;
        }
        return;
    }
    for (int64_t i = 0; i < z->rows && z->cols > 0; i++) {
        double *o = z->dense + i * z->cols;
        for (int k = 0; k < n; k++) {
            if (in[k]->cols == 0) continue;
            mb_read_row(in[k], i, o);
            o += in[k]->cols;
        }
    }
}

tsr_status kn_cbind(const ParCtx *par, const MatBlock *const *in, int n, MatBlock **out,
                    Err *err)
{
    *out = NULL;
    if (n <= 0) return (*out = mb_new(0, 0, err)) ? TSR_OK : err->code;
    int64_t rows = in[0]->rows, cols = 0, nnz = 0;
    for (int k = 0; k < n; k++) {
        if (in[k]->rows != rows)
            return err_set(err, TSR_RUNTIME,
                           "inputs to cbind must have same number of rows: input 1 rows: %lld, "
                           "input %d rows: %lld",
                           (long long)rows, k + 1, (long long)in[k]->rows);
        if (__builtin_add_overflow(cols, in[k]->cols, &cols))
            return err_set(err, TSR_LIMIT, "cbind result exceeds the size limit");
        nnz += in[k]->nnz;
    }
    if (bind_sparse_out(in, n, rows, cols, nnz)) {
        MatBlock *z = mb_new_sparse(rows, cols, nnz, err);
        if (!z) return err->code;
        if (cbind_csr(in, n, z, err) != TSR_OK) {
            mb_free(z);
            return err->code;
        }
        *out = z;
        return TSR_OK;
    }
    MatBlock *z = mb_new_ctx(par, rows, cols, err);
    if (!z) return err->code;
    cbind_dense(in, n, z);
    z->nnz = nnz;
    *out = z;
    return TSR_OK;
}

static tsr_status rbind_csr(const MatBlock *const *in, int n, MatBlock *z, Err *err)
{
    int64_t r = 0;
    for (int k = 0; k < n; k++)
        for (int64_t i = 0; i < in[k]->rows; i++) {
            if (row_append(z, in[k], i, 0, err) != TSR_OK) return err->code;
            mb_csr_end_row(z, r++);
        }
    return TSR_OK;
}

static void rbind_dense(const MatBlock *const *in, int n, MatBlock *z)
{
    double *o = z->dense;
    for (int k = 0; k < n; k++) {
        int64_t cells = MB_CELLS(in[k]);
        if (cells == 0) continue;
        if (in[k]->sparse)
            for (int64_t i = 0; i < in[k]->rows; i++) mb_read_row(in[k], i, o + i * z->cols);
        else
            memcpy(o, in[k]->dense, (size_t)cells * sizeof(double));
        o += cells;
    }
}

tsr_status kn_rbind(const ParCtx *par, const MatBlock *const *in, int n, MatBlock **out,
                    Err *err)
{
    *out = NULL;
    if (n <= 0) return (*out = mb_new(0, 0, err)) ? TSR_OK : err->code;
    int64_t cols = in[0]->cols, rows = 0, nnz = 0;
    for (int k = 0; k < n; k++) {
        if (in[k]->cols != cols)
            return err_set(err, TSR_RUNTIME,
                           "inputs to rbind must have same number of columns: input 1 columns: "
                           "%lld, input %d columns: %lld",
                           (long long)cols, k + 1, (long long)in[k]->cols);
        if (__builtin_add_overflow(rows, in[k]->rows, &rows))
            return err_set(err, TSR_LIMIT, "rbind result exceeds the size limit");
        nnz += in[k]->nnz;
    }
    if (bind_sparse_out(in, n, rows, cols, nnz)) {
        MatBlock *z = mb_new_sparse(rows, cols, nnz, err);
        if (!z) return err->code;
        if (rbind_csr(in, n, z, err) != TSR_OK) {
            mb_free(z);
            return err->code;
        }
        *out = z;
        return TSR_OK;
    }
    MatBlock *z = mb_new_ctx(par, rows, cols, err);
    if (!z) return err->code;
    rbind_dense(in, n, z);
    z->nnz = nnz;
    *out = z;
    return TSR_OK;
}

/* ---- reshape ----------------------------------------------------------------------------------- */

/* Column-major read and write: cell k (in column-major order) of the input
 * becomes cell k of the output. */
static void reshape_colmajor(const MatBlock *a, MatBlock *z)
{
    int64_t ri = 0, ci = 0, am = a->rows, an = a->cols, zm = z->rows, zn = z->cols;
    for (int64_t co = 0; co < zn; co++)
        for (int64_t ro = 0; ro < zm; ro++) {
            z->dense[ro * zn + co] = a->dense[ri * an + ci];
            if (++ri == am) {
                ri = 0;
                ci++;
            }
        }
}

static MatBlock *reshape_dense(const MatBlock *a, int64_t rows, int64_t cols, int byrow,
                               Err *err)
{
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return NULL;
    int64_t cells = rows * cols;
    if (cells > 0) {
        if (byrow || (a->cols == 1 && cols == 1) || rows == a->rows)
            memcpy(z->dense, a->dense, (size_t)cells * sizeof(double));
        else
            reshape_colmajor(a, z);
    }
    z->nnz = a->nnz;
    return z;
}

/* Output position (*ro, *co) of input cell (i, j): row-major linear index
 * when byrow, else column-major on both sides. */
static void reshape_pos(const MatBlock *a, int64_t zr, int64_t zc, int byrow, int64_t i,
                        int64_t j, int64_t *ro, int64_t *co)
{
    if (byrow) {
        int64_t l = i * a->cols + j;
        *ro = l / zc;
        *co = l % zc;
    } else {
        int64_t l = j * a->rows + i;
        *ro = l % zr;
        *co = l / zr;
    }
}

/* Whether the output positions of the input cells, read row by row, ascend
 * in row-major order (then the CSR result is built in one pass). */
static int reshape_in_order(const MatBlock *a, int64_t rows, int64_t cols, int byrow)
{
    int vec_in = a->rows == 1 || a->cols == 1, vec_out = rows == 1 || cols == 1;
    return byrow || rows == a->rows || (vec_in && vec_out);
}

/* CSR input, CSR output built in order; `z` is the empty output. */
static tsr_status reshape_csr_inorder(const MatBlock *a, MatBlock *z, int byrow, Err *err)
{
    int64_t r = 0, ro, co;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            reshape_pos(a, z->rows, z->cols, byrow, i, a->idx[k], &ro, &co);
            while (r < ro) mb_csr_end_row(z, r++);
            if (mb_csr_push(z, (int32_t)co, a->val[k], err) != TSR_OK) return err->code;
        }
    while (r < z->rows) mb_csr_end_row(z, r++);
    return TSR_OK;
}

/* CSR input, cells in any output order: through the COO builder (which
 * picks the output format). */
static MatBlock *reshape_csr_coo(const MatBlock *a, int64_t rows, int64_t cols, Err *err)
{
    MbCoo c;
    int64_t ro, co;
    if (mb_coo_init(&c, rows, cols, err) != TSR_OK) return NULL;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            reshape_pos(a, rows, cols, 0, i, a->idx[k], &ro, &co);
            if (mb_coo_add(&c, ro, co, a->val[k], err) != TSR_OK) {
                mb_coo_free(&c);
                return NULL;
            }
        }
    return mb_coo_finish(&c, err);
}

/* CSR input: CSR output, or dense if the result is too wide for CSR. */
static MatBlock *reshape_csr(const MatBlock *a, int64_t rows, int64_t cols, int byrow, Err *err)
{
    int64_t ro, co;
    MatBlock *z;
    if (cols > MB_SPARSE_MAX_COLS) {
        if (!(z = mb_new(rows, cols, err))) return NULL;
        for (int64_t i = 0; i < a->rows; i++)
            for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
                reshape_pos(a, rows, cols, byrow, i, a->idx[k], &ro, &co);
                z->dense[ro * cols + co] = a->val[k];
            }
        z->nnz = a->nnz;
        return z;
    }
    if (!reshape_in_order(a, rows, cols, byrow)) return reshape_csr_coo(a, rows, cols, err);
    if (!(z = mb_new_sparse(rows, cols, a->ptr[a->rows], err))) return NULL;
    if (reshape_csr_inorder(a, z, byrow, err) != TSR_OK) {
        mb_free(z);
        return NULL;
    }
    return z;
}

tsr_status kn_reshape(const MatBlock *a, int64_t rows, int64_t cols, int byrow,
                      MatBlock **out, Err *err)
{
    int64_t cells;
    *out = NULL;
    if (rows < 0 || cols < 0 || mul_overflows_i64(rows, cols, &cells) || cells != MB_CELLS(a))
        return err_set(err, TSR_RUNTIME,
                       "Reshape matrix requires consistent numbers of input/output cells "
                       "(%lld:%lld, %lld:%lld).",
                       (long long)a->rows, (long long)a->cols, (long long)rows, (long long)cols);
    *out = a->sparse ? reshape_csr(a, rows, cols, byrow, err)
                     : reshape_dense(a, rows, cols, byrow, err);
    return *out ? TSR_OK : err->code;
}

/* ---- right indexing ------------------------------------------------------------------------------ */

static tsr_status check_range(const MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                              Err *err)
{
    if (rl < 1 || rl > ru || ru > a->rows || cl < 1 || cl > cu || cu > a->cols)
        return err_set(err, TSR_RUNTIME,
                       "Invalid values for matrix indexing: [%lld:%lld,%lld:%lld] must be within "
                       "matrix dimensions [%lld,%lld]",
                       (long long)rl, (long long)ru, (long long)cl, (long long)cu,
                       (long long)a->rows, (long long)a->cols);
    return TSR_OK;
}

/* Non-zeros of the CSR a in rows [r0, r1), columns [c0, c1). */
static int64_t csr_count_range(const MatBlock *a, int64_t r0, int64_t r1, int64_t c0, int64_t c1)
{
    if (c0 == 0 && c1 == a->cols) return a->ptr[r1] - a->ptr[r0];
    int64_t nz = 0;
    for (int64_t i = r0; i < r1; i++) nz += csr_lower_bound(a, i, c1) - csr_lower_bound(a, i, c0);
    return nz;
}

/* CSR slice, 0-based [r0, r1) x [c0, c1): per row, a binary search for the
 * column range, then one copy.  Capacity counted exactly first. */
static MatBlock *slice_csr(const MatBlock *a, int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                           Err *err)
{
    MatBlock *z = mb_new_sparse(r1 - r0, c1 - c0, csr_count_range(a, r0, r1, c0, c1), err);
    int full = c0 == 0 && c1 == a->cols;
    for (int64_t i = r0; z && i < r1; i++) {
        int64_t k0 = full ? a->ptr[i] : csr_lower_bound(a, i, c0);
        int64_t k1 = full ? a->ptr[i + 1] : csr_lower_bound(a, i, c1);
        if (csr_append(z, a, k0, k1, -c0, err) != TSR_OK) {
            mb_free(z);
            return NULL;
        }
        mb_csr_end_row(z, i - r0);
    }
    return z;
}

static MatBlock *slice_dense(const ParCtx *par, const MatBlock *a, int64_t r0, int64_t r1,
                             int64_t c0, int64_t c1, Err *err)
{
    int64_t m = r1 - r0, n = c1 - c0, nz = 0;
    MatBlock *z = mb_new_uninit(par, m, n, err);   /* every cell is written below */
    if (!z) return NULL;
    if (m == a->rows && n == a->cols) {
        memcpy(z->dense, a->dense, (size_t)(m * n) * sizeof(double));
        nz = a->nnz;
    } else if (n == 1) {   /* a column: one strided gather */
        const double *src = a->dense + r0 * a->cols + c0;
        for (int64_t i = 0; i < m; i++) {
            double v = src[i * a->cols];
            z->dense[i] = v;
            nz += v != 0;
        }
    } else {
        for (int64_t i = 0; i < m; i++)
            nz += kn_copy_nz(z->dense + i * n, a->dense + (r0 + i) * a->cols + c0, n);
    }
    z->nnz = nz;
    return z;
}

tsr_status kn_slice(const ParCtx *par, const MatBlock *a, int64_t rl, int64_t ru, int64_t cl,
                    int64_t cu, MatBlock **out, Err *err)
{
    *out = NULL;
    if (check_range(a, rl, ru, cl, cu, err) != TSR_OK) return err->code;
    *out = a->sparse ? slice_csr(a, rl - 1, ru, cl - 1, cu, err)
                     : slice_dense(par, a, rl - 1, ru, cl - 1, cu, err);
    return *out ? TSR_OK : err->code;
}

/* ---- left indexing -------------------------------------------------------------------------------- */

/* Dense target: row by row, any source format; nnz adjusted by counting. */
static void assign_dense(MatBlock *a, int64_t r0, int64_t c0, const MatBlock *src)
{
    int64_t n = src->cols, nnz = a->nnz;
    for (int64_t i = 0; i < src->rows; i++) {
        double *o = a->dense + (r0 + i) * a->cols + c0;
        nnz -= kn_count_nz(o, n);
        mb_read_row(src, i, o);
        nnz += kn_count_nz(o, n);
    }
    a->nnz = nnz;
}

/* Builds the new rows [r0, r0 + src->rows) of the CSR target a into the
 * scratch block t: cells of a left of c0, the source row, cells of a from
 * c0 + src->cols on. */
static tsr_status assign_rows(const MatBlock *a, int64_t r0, int64_t c0, const MatBlock *src,
                              MatBlock *t, Err *err)
{
    int64_t c1 = c0 + src->cols;
    for (int64_t i = 0; i < src->rows; i++) {
        int64_t r = r0 + i, kl = csr_lower_bound(a, r, c0), kr = csr_lower_bound(a, r, c1);
        if (csr_append(t, a, a->ptr[r], kl, 0, err) != TSR_OK ||
            row_append(t, src, i, c0, err) != TSR_OK ||
            csr_append(t, a, kr, a->ptr[r + 1], 0, err) != TSR_OK)
            return err->code;
        mb_csr_end_row(t, i);
    }
    return TSR_OK;
}

/* Replaces the CSR entries of rows [r0, r0 + t->rows) of a by those of t:
 * one move of the tail, then the row pointers. */
static tsr_status splice_rows(MatBlock *a, int64_t r0, const MatBlock *t, Err *err)
{
    int64_t r1 = r0 + t->rows, base = a->ptr[r0], end = a->ptr[r1];
    int64_t delta = t->nnz - (end - base), tail = a->ptr[a->rows] - end;
    if (delta > 0 && mb_csr_reserve(a, delta, err) != TSR_OK) return err->code;
    memmove(a->idx + end + delta, a->idx + end, (size_t)tail * sizeof *a->idx);
    memmove(a->val + end + delta, a->val + end, (size_t)tail * sizeof *a->val);
    if (t->nnz > 0) {
        memcpy(a->idx + base, t->idx, (size_t)t->nnz * sizeof *a->idx);
        memcpy(a->val + base, t->val, (size_t)t->nnz * sizeof *a->val);
    }
    for (int64_t i = 1; i <= t->rows; i++) a->ptr[r0 + i] = base + t->ptr[i];
    for (int64_t r = r1 + 1; r <= a->rows; r++) a->ptr[r] += delta;
    a->nnz = a->ptr[a->rows];
    return TSR_OK;
}

/* Sparse target that stays sparse: rewrite the affected rows in place. */
static tsr_status assign_csr(MatBlock *a, int64_t r0, int64_t c0, const MatBlock *src,
                             int64_t region_nnz, Err *err)
{
    MatBlock *t = mb_new_sparse(src->rows, a->cols, region_nnz, err);
    if (!t) return err->code;
    tsr_status st = assign_rows(a, r0, c0, src, t, err);
    if (st == TSR_OK) st = splice_rows(a, r0, t, err);
    mb_free(t);
    return st;
}

static int64_t exact_nnz(const MatBlock *m)
{
    return m->sparse ? m->ptr[m->rows] : kn_count_nz(m->dense, MB_CELLS(m));
}

tsr_status kn_assign_slice(MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                           const MatBlock *src, Err *err)
{
    if (check_range(a, rl, ru, cl, cu, err) != TSR_OK) return err->code;
    int64_t m = ru - rl + 1, n = cu - cl + 1;
    if (src->rows != m || src->cols != n)
        return err_set(err, TSR_RUNTIME,
                       "Invalid values for matrix indexing: dimensions of the source matrix "
                       "[%lldx%lld] do not match the shape of the matrix specified by indices "
                       "[%lld:%lld, %lld:%lld].",
                       (long long)src->rows, (long long)src->cols, (long long)rl, (long long)ru,
                       (long long)cl, (long long)cu);
    if (src == a) return TSR_OK;   /* whole-matrix self assignment */
    if (a->sparse) {
        int64_t src_nz = exact_nnz(src), old = csr_count_range(a, rl - 1, ru, cl - 1, cu);
        int64_t kept = a->ptr[ru] - a->ptr[rl - 1] - old;
        if (mb_prefers_sparse(a->rows, a->cols, a->nnz - old + src_nz))
            return assign_csr(a, rl - 1, cl - 1, src, kept + src_nz, err);
        if (mb_to_dense_inplace(a, err) != TSR_OK) return err->code;
    }
    assign_dense(a, rl - 1, cl - 1, src);
    return TSR_OK;
}

tsr_status kn_assign_cell(MatBlock *a, int64_t r, int64_t c, double v, Err *err)
{
    if (check_range(a, r, r, c, c, err) != TSR_OK) return err->code;
    if (mb_set(a, r - 1, c - 1, v) != TSR_OK)
        return err_set(err, TSR_NOMEM, "out of memory in left indexing");
    return TSR_OK;
}
