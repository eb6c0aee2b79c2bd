/*
 * block.c - allocation, cell access and format conversion of matrix blocks
 * (mb_*): dense row-major and sparse CSR, the row-wise CSR builder, the COO
 * builder for cells in any order, and the dense/sparse format decision.
 * Large dense buffers of blocks allocated with a cache (mb_new_ctx,
 * mb_new_uninit, and copies/conversions of such blocks) come from and go
 * back to the buffer cache (bufcache.c); all others use calloc/free.
 * Kernels are in the other files of this module.
 */
#include "matrix/matrix_int.h"

#ifdef KN_AVX512
#include <immintrin.h>
#endif

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_dims(int64_t rows, int64_t cols, int64_t *cells, Err *err)
{
    if (rows < 0 || cols < 0) {
        err_set(err, TSR_RUNTIME, "invalid matrix dimensions %lldx%lld", (long long)rows,
                (long long)cols);
        return -1;
    }
    if (mul_overflows_i64(rows, cols, cells) || *cells > MB_MAX_CELLS) {
        err_set(err, TSR_LIMIT, "matrix of %lldx%lld cells exceeds the size limit",
                (long long)rows, (long long)cols);
        return -1;
    }
    return 0;
}

static void *nomem(Err *err, int64_t rows, int64_t cols)
{
    err_set(err, TSR_NOMEM, "out of memory allocating a %lldx%lld matrix", (long long)rows,
            (long long)cols);
    return NULL;
}

/* ---- dense buffers (plain or from the buffer cache) ----------------------------- */

static void zero_range(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    memset((double *)arg + lo, 0, (size_t)(hi - lo) * sizeof(double));
}

/* Gives m a dense buffer of `cells` doubles (none for 0 cells), zero-filled
 * when `zero` is set.  From m->cache when it is enabled and the buffer is
 * large (a reused buffer is cleared on par's pool), else calloc/malloc.
 * -1 on allocation failure (m->dense stays NULL). */
static int dense_alloc(MatBlock *m, const ParCtx *par, int64_t cells, int zero)
{
    m->dense = NULL;
    m->dense_cap = 0;
    if (cells <= 0) return 0;
    int64_t bytes = cells * (int64_t)sizeof(double);
    if (mb_cache_enabled(m->cache) && bytes >= MB_CACHE_MIN_BYTES) {
        int64_t cap;
        int fresh;
        double *p = mb_cache_get(m->cache, bytes, &cap, &fresh);
        if (!p) return -1;
        if (zero && !fresh) par_for(par, cells, par_grain(cells, 1.0), zero_range, p);
        m->dense = p;
        m->dense_cap = cap;
        return 0;
    }
    m->dense = zero ? calloc((size_t)cells, sizeof(double)) : malloc((size_t)cells * sizeof(double));
    return m->dense ? 0 : -1;
}

/* Releases m's dense buffer to where it came from. */
static void dense_release(MatBlock *m)
{
    if (m->dense_cap > 0) mb_cache_put(m->cache, m->dense, m->dense_cap);
    else free(m->dense);
    m->dense = NULL;
    m->dense_cap = 0;
}

/* A dense block of cache c (NULL: none). */
static MatBlock *new_dense(const ParCtx *par, MbCache *c, int64_t rows, int64_t cols, int zero,
                           Err *err)
{
    int64_t cells;
    if (check_dims(rows, cols, &cells, err)) return NULL;
    MatBlock *m = calloc(1, sizeof *m);
    if (!m) return nomem(err, rows, cols);
    m->rows = rows;
    m->cols = cols;
    m->cache = c;
    if (dense_alloc(m, par, cells, zero)) {
        free(m);
        return nomem(err, rows, cols);
    }
    return m;
}

MatBlock *mb_new(int64_t rows, int64_t cols, Err *err)
{
    return new_dense(NULL, NULL, rows, cols, 1, err);
}

MatBlock *mb_new_ctx(const ParCtx *par, int64_t rows, int64_t cols, Err *err)
{
    return new_dense(par, par ? par->cache : NULL, rows, cols, 1, err);
}

MatBlock *mb_new_uninit(const ParCtx *par, int64_t rows, int64_t cols, Err *err)
{
    return new_dense(par, par ? par->cache : NULL, rows, cols, 0, err);
}

MatBlock *mb_new_sparse(int64_t rows, int64_t cols, int64_t cap, Err *err)
{
    int64_t cells;
    if (check_dims(rows, cols, &cells, err)) return NULL;
    if (cols > MB_SPARSE_MAX_COLS) {
        err_set(err, TSR_LIMIT, "sparse matrix with %lld columns exceeds the column limit",
                (long long)cols);
        return NULL;
    }
    if (cap < 0) cap = 0;
    if (cap > cells) cap = cells;
    MatBlock *m = calloc(1, sizeof *m);
    if (!m) return nomem(err, rows, cols);
    m->rows = rows;
    m->cols = cols;
    m->sparse = 1;
    m->ptr = calloc((size_t)rows + 1, sizeof *m->ptr);
    m->idx = malloc((size_t)(cap ? cap : 1) * sizeof *m->idx);
    m->val = malloc((size_t)(cap ? cap : 1) * sizeof *m->val);
    m->cap = cap ? cap : 1;
    if (!m->ptr || !m->idx || !m->val) {
        mb_free(m);
        return nomem(err, rows, cols);
    }
    return m;
}

MatBlock *mb_new_fill(int64_t rows, int64_t cols, double v, Err *err)
{
    MatBlock *m = mb_new(rows, cols, err);
    if (!m || (v == 0.0 && !signbit(v))) return m;   /* calloc gives +0.0 */
    int64_t n = rows * cols;
    for (int64_t i = 0; i < n; i++) m->dense[i] = v;
    m->nnz = v == 0.0 ? 0 : n;   /* -0.0 is a zero */
    return m;
}

MatBlock *mb_copy(const MatBlock *a, Err *err)
{
    if (!a->sparse) {   /* a block of a cache copies into a buffer of the same cache */
        MatBlock *m = new_dense(NULL, a->cache, a->rows, a->cols, 0, err);
        if (!m) return NULL;
        if (a->dense) memcpy(m->dense, a->dense, (size_t)(a->rows * a->cols) * sizeof(double));
        m->nnz = a->nnz;
        return m;
    }
    MatBlock *m = mb_new_sparse(a->rows, a->cols, a->nnz, err);
    if (!m) return NULL;
    m->cache = a->cache;   /* for a later conversion to dense */
    memcpy(m->ptr, a->ptr, (size_t)(a->rows + 1) * sizeof *m->ptr);
    if (a->nnz) {
        memcpy(m->idx, a->idx, (size_t)a->nnz * sizeof *m->idx);
        memcpy(m->val, a->val, (size_t)a->nnz * sizeof *m->val);
    }
    m->nnz = a->nnz;
    return m;
}

void mb_free(MatBlock *m)
{
    if (!m) return;
    dense_release(m);
    free(m->ptr);
    free(m->idx);
    free(m->val);
    free(m);
}

/* Position of column j in row i of a CSR block, or -(insertion point)-1. */
static int64_t csr_find(const MatBlock *m, int64_t i, int64_t j)
{
    int64_t k = mb_csr_lower(m, m->ptr[i], m->ptr[i + 1], j);
    return k < m->ptr[i + 1] && m->idx[k] == j ? k : -k - 1;
}

double mb_get(const MatBlock *m, int64_t i, int64_t j)
{
    if (!m->sparse) return m->dense[i * m->cols + j];
    int64_t k = csr_find(m, i, j);
    return k >= 0 ? m->val[k] : 0.0;
}

/* Removes entry k of a CSR block (row i). */
static void csr_remove(MatBlock *m, int64_t i, int64_t k)
{
    int64_t tail = m->nnz - k - 1;
    memmove(m->idx + k, m->idx + k + 1, (size_t)tail * sizeof *m->idx);
    memmove(m->val + k, m->val + k + 1, (size_t)tail * sizeof *m->val);
    for (int64_t r = i + 1; r <= m->rows; r++) m->ptr[r]--;
    m->nnz--;
}

/* Inserts (j, v) at position k of a CSR block (row i). */
static tsr_status csr_insert(MatBlock *m, int64_t i, int64_t k, int64_t j, double v)
{
    if (mb_csr_reserve(m, 1, NULL)) return TSR_NOMEM;
    int64_t tail = m->nnz - k;
    memmove(m->idx + k + 1, m->idx + k, (size_t)tail * sizeof *m->idx);
    memmove(m->val + k + 1, m->val + k, (size_t)tail * sizeof *m->val);
    m->idx[k] = (int32_t)j;
    m->val[k] = v;
    for (int64_t r = i + 1; r <= m->rows; r++) m->ptr[r]++;
    m->nnz++;
    return TSR_OK;
}

tsr_status mb_set(MatBlock *m, int64_t i, int64_t j, double v)
{
    if (!m->sparse) {
        double *c = &m->dense[i * m->cols + j];
        m->nnz += (v != 0.0) - (*c != 0.0);
        *c = v;
        return TSR_OK;
    }
    int64_t k = csr_find(m, i, j);
    if (k >= 0) {
        if (v != 0.0) m->val[k] = v;
        else csr_remove(m, i, k);
        return TSR_OK;
    }
    return v != 0.0 ? csr_insert(m, i, -k - 1, j, v) : TSR_OK;
}

void mb_recount_nnz(MatBlock *m)
{
    if (m->sparse) {
        m->nnz = m->ptr[m->rows];
        return;
    }
    int64_t n = m->rows * m->cols, nz = 0;
    for (int64_t i = 0; i < n; i++) nz += (m->dense[i] != 0.0);
    m->nnz = nz;
}

MatBlock *mb_scalar(double v, Err *err)
{
    return mb_new_fill(1, 1, v, err);
}

void mb_read_row(const MatBlock *m, int64_t i, double *dst)
{
    if (m->cols == 0) return;   /* dst may be NULL then */
    if (!m->sparse) {
        memcpy(dst, m->dense + i * m->cols, (size_t)m->cols * sizeof(double));
        return;
    }
    memset(dst, 0, (size_t)m->cols * sizeof(double));
    for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++) dst[m->idx[k]] = m->val[k];
}

void mb_read_cells(const MatBlock *m, double *dst)
{
    int64_t n = m->rows * m->cols;
    if (n == 0) return;
    if (!m->sparse) {
        memcpy(dst, m->dense, (size_t)n * sizeof(double));
        return;
    }
    for (int64_t i = 0; i < m->rows; i++) mb_read_row(m, i, dst + i * m->cols);
}

/* ---- CSR row-wise builder ---------------------------------------------------- */

tsr_status mb_csr_reserve(MatBlock *m, int64_t extra, Err *err)
{
    if (m->nnz + extra <= m->cap) return TSR_OK;
    int64_t cap = m->cap ? m->cap : 16;
    while (cap < m->nnz + extra) cap = cap < (INT64_MAX / 4) ? cap * 2 : m->nnz + extra;
    int32_t *idx = realloc(m->idx, (size_t)cap * sizeof *idx);
    if (!idx) return err_set(err, TSR_NOMEM, "out of memory growing a sparse matrix");
    m->idx = idx;
    double *val = realloc(m->val, (size_t)cap * sizeof *val);
    if (!val) return err_set(err, TSR_NOMEM, "out of memory growing a sparse matrix");
    m->val = val;
    m->cap = cap;
    return TSR_OK;
}

tsr_status mb_csr_push(MatBlock *m, int32_t col, double v, Err *err)
{
    if (v == 0.0) return TSR_OK;
    if (m->nnz == m->cap && mb_csr_reserve(m, 1, err)) return TSR_NOMEM;
    m->idx[m->nnz] = col;
    m->val[m->nnz++] = v;
    return TSR_OK;
}

void mb_csr_end_row(MatBlock *m, int64_t i)
{
    m->ptr[i + 1] = m->nnz;
}

/* ---- COO builder -------------------------------------------------------------- */

tsr_status mb_coo_init(MbCoo *c, int64_t rows, int64_t cols, Err *err)
{
    memset(c, 0, sizeof *c);
    int64_t cells;
    if (check_dims(rows, cols, &cells, err)) return err->code;
    c->rows = rows;
    c->cols = cols;
    return TSR_OK;
}

void mb_coo_free(MbCoo *c)
{
    free(c->i);
    free(c->j);
    free(c->v);
    c->i = NULL;
    c->j = NULL;
    c->v = NULL;
    c->n = c->cap = 0;
}

tsr_status mb_coo_add(MbCoo *c, int64_t i, int64_t j, double v, Err *err)
{
    if (c->n == c->cap) {
        int64_t cap = c->cap ? c->cap * 2 : 256;
        int64_t *ni = realloc(c->i, (size_t)cap * sizeof *ni);
        if (ni) c->i = ni;
        int32_t *nj = ni ? realloc(c->j, (size_t)cap * sizeof *nj) : NULL;
        if (nj) c->j = nj;
        double *nv = nj ? realloc(c->v, (size_t)cap * sizeof *nv) : NULL;
        if (!nv) return err_set(err, TSR_NOMEM, "out of memory collecting matrix cells");
        c->v = nv;
        c->cap = cap;
    }
    c->i[c->n] = i;
    c->j[c->n] = (int32_t)j;
    c->v[c->n++] = v;
    return TSR_OK;
}

/* Sorts entry positions by (row, col, arrival) with a counting sort on rows
 * then insertion order within rows kept stable; columns sorted per row. */
static int64_t *coo_order(const MbCoo *c, Err *err)
{
    int64_t *cnt = calloc((size_t)c->rows + 1, sizeof *cnt);
    int64_t *ord = malloc((size_t)(c->n ? c->n : 1) * sizeof *ord);
    if (!cnt || !ord) {
        free(cnt);
        free(ord);
        err_set(err, TSR_NOMEM, "out of memory sorting matrix cells");
        return NULL;
    }
    for (int64_t k = 0; k < c->n; k++) cnt[c->i[k] + 1]++;
    for (int64_t r = 0; r < c->rows; r++) cnt[r + 1] += cnt[r];
    for (int64_t k = 0; k < c->n; k++) ord[cnt[c->i[k]]++] = k;
    free(cnt);
    return ord;
}

/* Stable insertion sort of one row's entries by column (rows are short). */
static void sort_row(const MbCoo *c, int64_t *o, int64_t n)
{
    for (int64_t a = 1; a < n; a++) {
        int64_t x = o[a], b = a;
        while (b > 0 && c->j[o[b - 1]] > c->j[x]) {
            o[b] = o[b - 1];
            b--;
        }
        o[b] = x;
    }
}

/* (column, arrival) pair for sorting long rows with qsort. */
typedef struct ColPos {
    int32_t col;
    int64_t pos;
} ColPos;

static int cmp_colpos(const void *pa, const void *pb)
{
    const ColPos *a = pa, *b = pb;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Sorts one row's entry positions by (column, arrival). */
static tsr_status sort_long_row(const MbCoo *c, int64_t *o, int64_t n, Err *err)
{
    ColPos *t = malloc((size_t)n * sizeof *t);
    if (!t) return err_set(err, TSR_NOMEM, "out of memory sorting matrix cells");
    for (int64_t a = 0; a < n; a++) t[a] = (ColPos){c->j[o[a]], o[a]};
    qsort(t, (size_t)n, sizeof *t, cmp_colpos);
    for (int64_t a = 0; a < n; a++) o[a] = t[a].pos;
    free(t);
    return TSR_OK;
}

MatBlock *mb_coo_finish(MbCoo *c, Err *err)
{
    int64_t *ord = coo_order(c, err);
    MatBlock *m = ord ? mb_new_sparse(c->rows, c->cols, c->n, err) : NULL;
    if (!m) {
        free(ord);
        mb_coo_free(c);
        return NULL;
    }
    int64_t k = 0;
    int failed = 0;
    for (int64_t r = 0; r < c->rows && !failed; r++) {
        int64_t s = k;
        while (k < c->n && c->i[ord[k]] == r) k++;
        if (k - s < 64) sort_row(c, ord + s, k - s);
        else if (sort_long_row(c, ord + s, k - s, err)) failed = 1;   /* rows left open */
        if (failed) break;
        for (int64_t q = s; q < k; q++) {
            int64_t e = ord[q];
            if (q + 1 < k && c->j[ord[q + 1]] == c->j[e]) continue;   /* last wins */
            mb_csr_push(m, c->j[e], c->v[e], NULL);   /* capacity reserved */
        }
        m->ptr[r + 1] = m->nnz;
    }
    free(ord);
    mb_coo_free(c);
    if (failed || mb_examine(m, MB_FMT_AUTO, err)) {
        mb_free(m);
        return NULL;
    }
    return m;
}

/* ---- formats ------------------------------------------------------------------- */

int mb_prefers_sparse(int64_t rows, int64_t cols, int64_t nnz)
{
    if (rows == 0 || cols == 0 || cols > MB_SPARSE_MAX_COLS) return 0;
    double cells = (double)rows * (double)cols;
    if ((double)nnz >= MB_SPARSITY_TURN_POINT * cells) return 0;
    /* a small block (L2-sized dense) is kept dense down to a lower density:
     * there its dense kernels beat CSR ones and the memory saved is small */
    if (cells <= MB_SMALL_CELLS && (double)nnz >= MB_SMALL_TURN_POINT * cells) return 0;
    double sparse_bytes = 8.0 * ((double)rows + 1.0) + 12.0 * (double)nnz;
    return sparse_bytes < 8.0 * cells;
}

tsr_status mb_to_dense_inplace(MatBlock *m, Err *err)
{
    if (!m->sparse) return TSR_OK;
    int64_t cells = m->rows * m->cols;
    if (dense_alloc(m, NULL, cells, 1)) return nomem(err, m->rows, m->cols), TSR_NOMEM;
    double *d = m->dense;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++) d[i * m->cols + m->idx[k]] = m->val[k];
    free(m->ptr);
    free(m->idx);
    free(m->val);
    m->ptr = NULL;
    m->idx = NULL;
    m->val = NULL;
    m->cap = 0;
    m->dense = d;
    m->sparse = 0;
    return TSR_OK;
}

#ifdef KN_AVX512
/* The CSR arrays of rows [0, rows) of a dense block with n columns: per
 * eight cells a masked load, a != 0 mask (NaN counts) and the selected
 * values and their columns compressed in registers and stored as full
 * vectors (the arrays need 8 slots of slack). */
KN_AVX512_FN static int64_t dense_to_csr512(const double *d, int64_t rows, int64_t n,
                                            int32_t *idx, double *val, int64_t *ptr)
{
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    int64_t nz = 0;
    for (int64_t i = 0; i < rows; i++) {
        const double *row = d + i * n;
        for (int64_t c = 0; c < n; c += 8) {
            __mmask8 in = (__mmask8)kn_lanes8(n - c);
            __m512d v = _mm512_maskz_loadu_pd(in, row + c);
            __mmask8 k = _mm512_mask_cmp_pd_mask(in, v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
            if (!k) continue;
            _mm512_storeu_pd(val + nz, _mm512_maskz_compress_pd(k, v));
            __m512i cols = _mm512_add_epi32(iota, _mm512_set1_epi32((int)c));
            _mm256_storeu_si256((__m256i *)(void *)(idx + nz),
                                _mm512_castsi512_si256(_mm512_maskz_compress_epi32(k, cols)));
            nz += __builtin_popcount(k);
        }
        ptr[i + 1] = nz;
    }
    return nz;
}
#endif

tsr_status mb_to_sparse_inplace(MatBlock *m, Err *err)
{
    if (m->sparse) return TSR_OK;
    /* slack: the loops write past the last value (the branch-free loop one
     * slot at each cell, the vector one whole vectors of 8; the capacity is
     * capped at the cell count, where the scalar loop runs) */
    MatBlock *s = mb_new_sparse(m->rows, m->cols, m->nnz + 8, err);
    if (!s) return err ? err->code : TSR_NOMEM;
    int64_t nz = 0;
#ifdef KN_AVX512
    if (s->cap >= m->nnz + 8 && kn_avx512()) {
        nz = dense_to_csr512(m->dense, m->rows, m->cols, s->idx, s->val, s->ptr);
    } else
#endif
    {
        /* every cell written at the next free slot, advancing only past
         * non-zeros (no branch per cell); the slot never exceeds nnz */
        for (int64_t i = 0; i < m->rows; i++) {
            const double *row = m->dense + i * m->cols;
            for (int64_t j = 0; j < m->cols; j++) {
                s->idx[nz] = (int32_t)j;
                s->val[nz] = row[j];
                nz += row[j] != 0.0;
            }
            s->ptr[i + 1] = nz;
        }
    }
    s->nnz = nz;
    MbCache *c = m->cache;
    dense_release(m);
    *m = *s;
    m->cache = c;   /* a later conversion back to dense uses the cache again */
    free(s);
    return TSR_OK;
}

tsr_status mb_examine(MatBlock *m, MbFormat policy, Err *err)
{
    int want_sparse;
    if (policy == MB_FMT_DENSE) want_sparse = 0;
    else if (policy == MB_FMT_SPARSE) want_sparse = m->cols <= MB_SPARSE_MAX_COLS;
    else want_sparse = mb_prefers_sparse(m->rows, m->cols, m->nnz);
    if (want_sparse == m->sparse) return TSR_OK;
    return want_sparse ? mb_to_sparse_inplace(m, err) : mb_to_dense_inplace(m, err);
}

int64_t mb_bytes(const MatBlock *m)
{
    if (!m->sparse) return (int64_t)sizeof *m + 8 * m->rows * m->cols;
    return (int64_t)sizeof *m + 8 * (m->rows + 1) + 12 * m->cap;
}
