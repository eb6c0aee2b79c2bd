/*
 * matrix.h - matrix blocks and the kernels over them (prefix mb_ for blocks,
 * kn_ for kernels).
 *
 * A MatBlock holds FP64 cells, either dense (row-major `dense`) or sparse in
 * CSR form (`ptr`/`idx`/`val`).  Kernels read blocks of either format and
 * choose the natural format of their output (a sparse-safe operation over a
 * sparse input returns a sparse block and never materialises a dense copy);
 * the runtime then normalises the format with mb_examine() after every
 * operation.  Code outside this module reaches cells only through the mb_*
 * accessors.  `nnz` is kept exact by every kernel (NaN counts as non-zero).
 *
 * Blocks are built either row by row (mb_new_sparse + mb_csr_push /
 * mb_csr_end_row: the natural order of most kernels and readers) or in any
 * order through a COO builder (MbCoo) that sorts on finish.
 *
 * Ownership: kernels never modify their inputs (except the explicit *_inplace
 * functions) and return a new block in *out that the caller owns and frees
 * with mb_free.  Failures return a status with a message in *err (no span:
 * the interpreter adds the statement location).  Error texts follow DML.md.
 *
 * Threading: kernels are reentrant; none keeps state between calls.  The
 * thread-pool handle will be passed in a later issue (parallel kernels).
 */
#ifndef TSR_MATRIX_H
#define TSR_MATRIX_H

#include <stdint.h>
#include "util/util.h"
#include "lang/ast.h"   /* BinOp */
#include "parallel/parallel.h"

typedef struct MatBlock {
    int64_t rows, cols;
    int64_t nnz;        /* exact number of non-zero cells (NaN counts)          */
    int sparse;         /* 0: dense, 1: CSR                                      */
    /* dense: rows*cols cells, row-major; NULL if rows*cols == 0 or sparse */
    double *dense;
    /* CSR (sparse == 1): the non-zeros of row i are idx[k], val[k] for
     * k in [ptr[i], ptr[i+1]); column indexes strictly increase within a
     * row; no explicit zeros are stored; ptr has rows+1 entries and
     * ptr[rows] == nnz.  `cap` is the allocated length of idx/val. */
    int64_t *ptr;
    int32_t *idx;
    double *val;
    int64_t cap;
    /* Buffer cache (see "buffer cache" below): the cache this block's dense
     * buffers come from and go back to (NULL: calloc/free), and the capacity
     * in bytes of `dense` when it came from that cache (0: malloc'ed).  Only
     * block.c sets them: a dense buffer is released by mb_free or the format
     * conversions, never by free(). */
    struct MbCache *cache;
    int64_t dense_cap;
} MatBlock;

/* Limits on user-controlled sizes. */
#define MB_MAX_CELLS ((int64_t)1 << 40)

/* ---- blocks --------------------------------------------------------------- */
/* New zero-filled block; NULL with TSR_NOMEM / TSR_LIMIT in err on failure
 * (negative dims, rows*cols overflow or above MB_MAX_CELLS). */
MatBlock *mb_new(int64_t rows, int64_t cols, Err *err);
/* New block with every cell = v. */
MatBlock *mb_new_fill(int64_t rows, int64_t cols, double v, Err *err);
MatBlock *mb_copy(const MatBlock *a, Err *err);
void mb_free(MatBlock *m);
double mb_get(const MatBlock *m, int64_t i, int64_t j);    /* 0-based */
/* Keeps nnz exact.  On a sparse block an insert shifts the tail (O(nnz)):
 * for bulk construction use the CSR or COO builders instead. */
tsr_status mb_set(MatBlock *m, int64_t i, int64_t j, double v);
void mb_recount_nnz(MatBlock *m);
/* 1x1 helper */
MatBlock *mb_scalar(double v, Err *err);
/* Copies all cells of m in row-major order into dst (rows*cols doubles):
 * the bulk read of the block API (layout-independent for the callers). */
void mb_read_cells(const MatBlock *m, double *dst);
/* Copies row i (0-based) into dst (cols doubles), any format. */
void mb_read_row(const MatBlock *m, int64_t i, double *dst);

/* ---- buffer cache of large dense blocks (bufcache.c) --------------------------
 * Fresh pages cost ~0.7 s per GiB here, rewriting touched memory ~17x less
 * (BENCH.md).  The runtime owns one MbCache (created with the thread pool,
 * reached by kernels through ParCtx.cache); dense buffers of at least
 * MB_CACHE_MIN_BYTES allocated through it come from buffers freed earlier
 * (best fit with at most 25% slack, size classes of 8 steps per power of
 * two), else from fresh 2 MiB aligned mappings advised MADV_HUGEPAGE.
 * mb_free gives them back; the cache keeps at most max_bytes of free
 * buffers and unmaps the least recently freed ones beyond that.  All
 * functions are thread-safe (kernels allocate on pool threads).  A cache
 * must outlive every block allocated from it.  CSR arrays (which grow by
 * realloc) do not use the cache. */
typedef struct MbCache MbCache;
#define MB_CACHE_MIN_BYTES ((int64_t)1 << 20)
typedef struct MbCacheOpts {
    int64_t max_bytes;   /* bound on free cached bytes; 0: cache disabled
                            (mb_new_ctx == mb_new, plain calloc/free) */
    int hugepages;       /* madvise(MADV_HUGEPAGE) fresh buffers (>= 2 MiB) */
    int inplace;         /* reuse policy read by the interpreter: update a
                            variable's block in place (X = X * 2 + 1) */
} MbCacheOpts;
/* min(physical memory / 4, 4 GiB). */
int64_t mb_cache_default_bytes(void);
/* Default bound, huge pages on, in-place on. */
void mb_cache_opts_default(MbCacheOpts *o);
/* NULL opts: defaults.  NULL with TSR_NOMEM in err on failure. */
MbCache *mb_cache_new(const MbCacheOpts *o, Err *err);
/* Unmaps the cached buffers and frees c (NULL is a no-op). */
void mb_cache_free(MbCache *c);
const MbCacheOpts *mb_cache_opts(const MbCache *c);
/* c != NULL and caching on (max_bytes > 0). */
int mb_cache_enabled(const MbCache *c);
typedef struct MbCacheStats {
    int64_t hits, misses;            /* requests served by a cached / a fresh buffer */
    int64_t hit_bytes, fresh_bytes;  /* their capacities */
    int64_t puts, evictions;         /* buffers given back / unmapped instead of kept */
    int64_t cached_bytes, cached_bufs, peak_cached_bytes;   /* free buffers held */
    int64_t live_bufs;               /* handed out and not yet given back */
    int64_t max_bytes;               /* the bound */
    int64_t inplace_steps, inplace_bytes;   /* outputs written into an input instead */
} MbCacheStats;
void mb_cache_stats(MbCache *c, MbCacheStats *st);
/* Counts one operation that wrote its output over an input of `bytes`
 * instead of allocating (interpreter in-place updates; -stats, tests). */
void mb_cache_count_inplace(MbCache *c, int64_t bytes);
/* Unmaps every cached buffer (memory pressure; tests). */
void mb_cache_trim(MbCache *c);
/* Capacity that a fresh buffer of `bytes` gets: rounded up to 1/8 of the
 * largest power of two <= bytes (and to whole 4 KiB pages). */
int64_t mb_cache_class(int64_t bytes);
/* Low level (block.c and tests): a buffer of at least `bytes` (> 0) with its
 * capacity in *cap; *fresh = 1 when it was mapped fresh (all zero), 0 when
 * reused (old contents).  NULL when no memory can be mapped.  Give it back
 * with mb_cache_put(c, buf, cap) of the same cache. */
void *mb_cache_get(MbCache *c, int64_t bytes, int64_t *cap, int *fresh);
void mb_cache_put(MbCache *c, void *buf, int64_t cap);

/* Cache-aware allocation, for kernels (par may be NULL: then these are
 * mb_new).  mb_new_ctx gives a zero-filled block like mb_new (a reused
 * buffer is cleared with memset, in parallel on par's pool: rewriting
 * touched memory is cheap); mb_new_uninit leaves the cells undefined and is
 * for kernels that write every cell of their output.  Blocks remember the
 * cache, so mb_copy and the format conversions of such a block use it too. */
MatBlock *mb_new_ctx(const ParCtx *par, int64_t rows, int64_t cols, Err *err);
MatBlock *mb_new_uninit(const ParCtx *par, int64_t rows, int64_t cols, Err *err);

/* ---- sparse blocks (CSR) ------------------------------------------------------ */
/* Largest column count a sparse block can have (int32 column indexes). */
#define MB_SPARSE_MAX_COLS ((int64_t)INT32_MAX)
/* Empty CSR block (all zeros) with room for `cap` non-zeros (grows on
 * demand).  NULL with err on failure. */
MatBlock *mb_new_sparse(int64_t rows, int64_t cols, int64_t cap, Err *err);
/* Row-wise building: append the non-zeros of the row being built (columns
 * in increasing order; v == 0 is ignored), then close the row with
 * mb_csr_end_row(m, i).  Every row is closed, in order, empty ones too.
 * Returns TSR_OK or TSR_NOMEM. */
tsr_status mb_csr_push(MatBlock *m, int32_t col, double v, Err *err);
void mb_csr_end_row(MatBlock *m, int64_t i);
/* Ensures room for `extra` more non-zeros. */
tsr_status mb_csr_reserve(MatBlock *m, int64_t extra, Err *err);

/* COO builder for cells arriving in any order; duplicates: last wins
 * (a duplicate of value 0 removes the cell). */
typedef struct MbCoo {
    int64_t rows, cols;
    int64_t n, cap;
    int64_t *i;
    int32_t *j;
    double *v;
} MbCoo;
tsr_status mb_coo_init(MbCoo *c, int64_t rows, int64_t cols, Err *err);
tsr_status mb_coo_add(MbCoo *c, int64_t i, int64_t j, double v, Err *err);
/* Builds the block (sparse or dense per mb_examine(AUTO)) and frees c. */
MatBlock *mb_coo_finish(MbCoo *c, Err *err);
void mb_coo_free(MbCoo *c);

/* ---- formats --------------------------------------------------------------------- */
typedef enum { MB_FMT_AUTO = 0, MB_FMT_DENSE, MB_FMT_SPARSE } MbFormat;
/* Sparse threshold: a block is kept sparse when its density is below this
 * and the CSR form is smaller than the dense one. */
#define MB_SPARSITY_TURN_POINT 0.4
/* Blocks of at most MB_SMALL_CELLS cells are kept sparse only below density
 * MB_SMALL_TURN_POINT. */
#define MB_SMALL_CELLS 65536
#define MB_SMALL_TURN_POINT 0.1
/* Whether AUTO would choose the sparse format for these dimensions/nnz. */
int mb_prefers_sparse(int64_t rows, int64_t cols, int64_t nnz);
/* Converts m in place to the format the policy asks for (AUTO decides from
 * the exact nnz).  TSR_NOMEM leaves m unchanged. */
tsr_status mb_examine(MatBlock *m, MbFormat policy, Err *err);
tsr_status mb_to_dense_inplace(MatBlock *m, Err *err);
tsr_status mb_to_sparse_inplace(MatBlock *m, Err *err);
/* Bytes held by the block (for memory accounting and tests). */
int64_t mb_bytes(const MatBlock *m);

/* ---- elementwise ---------------------------------------------------------- */
/* Cellwise binary op (BOP_* except MATMUL/AND/OR handled too: AND/OR give
 * 0/1), with DML.md 3.5 broadcasting: same shape, right column vector, right
 * row vector, right 1x1 (= scalar).  Mismatch error text:
 * "Block sizes are not matched for binary cell operations: <r1>x<c1> vs <r2>x<c2>" */
tsr_status kn_binary(const ParCtx *par, BinOp op, const MatBlock *a, const MatBlock *b,
                     MatBlock **out, Err *err);
/* matrix op scalar (scalar_left = 0) or scalar op matrix (scalar_left = 1). */
tsr_status kn_binary_scalar(const ParCtx *par, BinOp op, const MatBlock *a, double s,
                            int scalar_left,
                            MatBlock **out, Err *err);
/* The scalar semantics of one op on doubles (DML.md 3.2/3.3): used by the
 * kernels and by the interpreter for FP64 scalars.  Relational/logical give
 * 0.0/1.0.  BOP_MATMUL on scalars is the product. */
double kn_binop_double(BinOp op, double a, double b);
/* Extra cellwise binaries that are builtins rather than operators. */
typedef enum { KB_MIN, KB_MAX, KB_XOR, KB_LOG } KnBinFn;
tsr_status kn_binary_fn(const ParCtx *par, KnBinFn fn, const MatBlock *a, const MatBlock *b,
                        MatBlock **out, Err *err);
tsr_status kn_binary_fn_scalar(const ParCtx *par, KnBinFn fn, const MatBlock *a, double s,
                               int scalar_left,
                               MatBlock **out, Err *err);

/* Unary cellwise functions, X-macro: enum, DML name. */
#define KN_UNARY_FNS(X)                                                     \
    X(KU_ABS, "abs") X(KU_EXP, "exp") X(KU_LOG, "log") X(KU_SQRT, "sqrt")   \
    X(KU_FLOOR, "floor") X(KU_CEIL, "ceil") X(KU_ROUND, "round")            \
    X(KU_SIGN, "sign") X(KU_SIN, "sin") X(KU_COS, "cos") X(KU_TAN, "tan")   \
    X(KU_ASIN, "asin") X(KU_ACOS, "acos") X(KU_ATAN, "atan")                \
    X(KU_SINH, "sinh") X(KU_COSH, "cosh") X(KU_TANH, "tanh")                \
    X(KU_NOT, "!") X(KU_NEG, "-") X(KU_ISNA, "is.na") X(KU_ISNAN, "is.nan") \
    X(KU_ISINF, "is.infinite")
typedef enum {
#define X(e, s) e,
    KN_UNARY_FNS(X)
#undef X
    KU__COUNT
} KnUnary;
/* Scalar semantics (DML 7.3): round = floor(x+0.5) evaluated exactly, NaN -> 0,
 * +-Inf unchanged; sign(NaN) = NaN; ! gives 1 for 0 else 0 (NaN -> 0). */
double kn_unary_double(KnUnary fn, double x);
tsr_status kn_unary(const ParCtx *par, KnUnary fn, const MatBlock *a, MatBlock **out, Err *err);
/* ifelse with matrix/scalar arguments; NULL block means "use the scalar". */
tsr_status kn_ifelse(const ParCtx *par, const MatBlock *c, double cs, const MatBlock *a, double as,
                     const MatBlock *b, double bs, MatBlock **out, Err *err);

/* ---- aggregates ----------------------------------------------------------- */
typedef enum { KA_SUM, KA_MEAN, KA_VAR, KA_SD, KA_MIN, KA_MAX, KA_PROD } KnAgg;
typedef enum { KD_ALL, KD_ROW, KD_COL } KnDir;
/* Full aggregate -> double (var/sd use n-1, 0 for n==1).  Empty input:
 * sum 0, prod 1, mean/var/sd NaN, min +Inf, max -Inf (SystemDS's initial
 * values).  min/max propagate NaN.  Sums are compensated (KahanPlus).  */
tsr_status kn_agg_full(const ParCtx *par, KnAgg fn, const MatBlock *a, double *out, Err *err);
/* rowX (m x 1) or colX (1 x n). */
tsr_status kn_agg_dir(const ParCtx *par, KnAgg fn, KnDir dir, const MatBlock *a, MatBlock **out,
                      Err *err);
/* rowIndexMax/Min: ties -> last position; all-NaN row -> 1. */
tsr_status kn_row_index(const ParCtx *par, int is_max, const MatBlock *a, MatBlock **out,
                        Err *err);
/* Column-wise cumulative sum/prod/min/max. */
typedef enum { KC_SUM, KC_PROD, KC_MIN, KC_MAX } KnCum;
tsr_status kn_cumagg(KnCum fn, const MatBlock *a, MatBlock **out, Err *err);
tsr_status kn_trace(const MatBlock *a, double *out, Err *err);

/* ---- matrix multiply, reorganisation --------------------------------------- */
/* "invalid dimensions for matrix multiplication ... " style error:
 * "dimension mismatch in %*%: <r1>x<c1> %*% <r2>x<c2>".  dense x dense uses
 * BLAS dgemm/dgemv; a sparse side is never densified (CSR kernels, dense
 * result; sparse x sparse: Gustavson, CSR result when its nnz bound is
 * sparse).  The sparse kernels skip zero cells as SystemDS does (0 * Inf
 * contributes 0 there, NaN in BLAS).  Parallel on par (output tiles or row
 * ranges, partials reduced in chunk order; see docs/parallel.md): the
 * result does not depend on the thread count. */
tsr_status kn_matmul(const ParCtx *par, const MatBlock *a, const MatBlock *b, MatBlock **out,
                     Err *err);
/* op(A) %*% op(B), op = t() when the flag is set, without materialising the
 * transpose (t(X) %*% y, X %*% t(Y)); errors name the effective shapes.
 * t(A) %*% A and A %*% t(A) on the same block go to kn_tsmm. */
tsr_status kn_matmul_ex(const ParCtx *par, const MatBlock *a, int ta, const MatBlock *b, int tb,
                        MatBlock **out,
                        Err *err);
/* Symmetric product t(A) %*% A (left = 1) or A %*% t(A) (left = 0): dsyrk
 * for dense A (half the flops of the general product); for CSR A, t(A) %*% A
 * sums the outer products of the rows into a dense result (O(sum of squared
 * row lengths)), or goes through a CSR t(A) and Gustavson when the result is
 * sparse, as A %*% t(A) always does. */
tsr_status kn_tsmm(const ParCtx *par, const MatBlock *a, int left, MatBlock **out, Err *err);
/* Weighted t(X) %*% (X * w) for dense X (n x k) and dense w (n x 1) in one
 * pass over X: row panels, each by syrk.c's kernel (packed X and X * w) or,
 * without it, cache-sized blocks scaled by w and multiplied with t(X_b) by
 * dgemm; the upper triangle mirrored (exactly symmetric).  Equals the
 * unfused expression up to rounding, independent of the thread count.
 * Other formats or shapes are an error (the caller evaluates unfused). */
tsr_status kn_tsmm_w(const ParCtx *par, const MatBlock *x, const MatBlock *w, MatBlock **out,
                     Err *err);
/* t(X) %*% cbind(X * w, V) (k x (k + c)) for dense X (n x k), w (n x 1) and
 * V (n x c) in the same single pass as kn_tsmm_w: the weighted Gram matrix
 * and t(X) V together (glm's Hessian and gradient).  V NULL: kn_tsmm_w. */
tsr_status kn_gram(const ParCtx *par, const MatBlock *x, const MatBlock *w, const MatBlock *v,
                   MatBlock **out, Err *err);
/* The matrix-vector chain t(X) %*% (w * (X %*% v)), or t(X) %*% (X %*% v)
 * when w is NULL, in one pass over X (mmchain.c): row panels of X compute
 * X_p v, scale it by w_p and add t(X_p) (that) into a per-chunk partial,
 * reduced in chunk order.  X dense or CSR (n x k); v k x c (c >= 1, any
 * format); w n x 1 (any format) or NULL.  The result is the dense k x c
 * product; it equals the unfused expression up to floating-point rounding
 * and does not depend on the thread count.  Errors: v not k rows is the
 * %*% dimension mismatch of X %*% v; w not n x 1 is "mmchain: ..." (the
 * interpreter fuses only shapes that fit). */
tsr_status kn_mmchain(const ParCtx *par, const MatBlock *x, const MatBlock *v,
                      const MatBlock *w, MatBlock **out, Err *err);
/* kn_mmchain that also returns X %*% v (n x c, dense) in *xv, computed in
 * the same pass (the block products before the scaling by w; equal to
 * X %*% v up to rounding). */
tsr_status kn_mmchain_xv(const ParCtx *par, const MatBlock *x, const MatBlock *v,
                         const MatBlock *w, MatBlock **out, MatBlock **xv, Err *err);
/* Call once at process start, before any thread exists and before the first
 * BLAS/LAPACK call: if the linked OpenBLAS fell back to its generic kernels
 * on a CPU it does not know (Debian 12's 0.3.21 on AMD Zen 4), re-selects
 * the AVX-512 or AVX2 kernels (sets OPENBLAS_CORETYPE unless the user set
 * it), and limits a threaded OpenBLAS to one thread per call (Tessera's pool
 * owns the cores).  Not thread-safe (setenv).  Returns the kernel set in use. */
const char *kn_blas_setup(void);
/* Whether BLAS/LAPACK may be called from several threads at once.  Debian
 * 12's sequential OpenBLAS (libopenblas0-serial) is built without locking
 * and returns wrong results under concurrent calls, so Tessera links the
 * pthreads build (limited to one thread per call by kn_blas_setup); kernels
 * that call BLAS from pool tasks must run those tasks on one thread when
 * this returns 0 (a sequential build chosen through the alternatives). */
int kn_blas_concurrent(void);
/* Reorganisations keep a CSR input in CSR (transpose, rev, reshape, slice,
 * diag; cbind/rbind when all inputs are CSR or the result prefers sparse).
 * transpose of CSR is a counting sort, O(nnz + rows + cols). */
tsr_status kn_transpose(const ParCtx *par, const MatBlock *a, MatBlock **out, Err *err);
tsr_status kn_rev(const MatBlock *a, MatBlock **out, Err *err);
/* diag: n x 1 -> n x n (CSR for n > 1), n x n -> n x 1, 1x1 -> 1x1; else
 * the error text of DML 7.8 up to "... dimensions (<r>,<c>)" (the kernel
 * does not know the expression: the interpreter may append " in <expr>"). */
tsr_status kn_diag(const MatBlock *a, MatBlock **out, Err *err);
/* n-ary cbind/rbind. */
tsr_status kn_cbind(const ParCtx *par, const MatBlock *const *in, int n, MatBlock **out,
                    Err *err);
tsr_status kn_rbind(const ParCtx *par, const MatBlock *const *in, int n, MatBlock **out,
                    Err *err);
/* matrix(data=A, rows, cols, byrow): reshape. */
tsr_status kn_reshape(const MatBlock *a, int64_t rows, int64_t cols, int byrow,
                      MatBlock **out, Err *err);

/* ---- indexing (1-based inclusive bounds, already converted to int) -------- */
/* Error: "Invalid values for matrix indexing: [rl:ru,cl:cu] must be within
 * matrix dimensions [m,n]" */
tsr_status kn_slice(const ParCtx *par, const MatBlock *a, int64_t rl, int64_t ru, int64_t cl,
                    int64_t cu, MatBlock **out, Err *err);
/* In-place left indexing into `a` (caller guarantees exclusive ownership).
 * A CSR target has its rows rewritten in place (one move of the CSR tail),
 * or is converted to dense first when the result would not be sparse; a
 * single cell goes through mb_set (O(nnz) insert on CSR).
 * src must be (ru-rl+1) x (cu-cl+1): else "Invalid values for matrix
 * indexing: dimensions of the source matrix [r2xc2] do not match the shape
 * of the matrix specified by indices [rl:ru, cl:cu]." */
tsr_status kn_assign_slice(MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                           const MatBlock *src, Err *err);
tsr_status kn_assign_cell(MatBlock *a, int64_t r, int64_t c, double v, Err *err);

/* ---- in-place cellwise updates (inplace.c) ----------------------------------
 * For an output that may overwrite an input whose last use it is (the
 * interpreter's X = X op e, or a dead temporary): the same cell semantics as
 * kn_binary_scalar / kn_binary (same shape) / kn_unary, written into x's
 * dense cells, nnz kept exact.  x must be dense and exclusively owned by the
 * caller; y is NULL (operand: the scalar s) or a dense block of x's shape,
 * and may be x itself.  x_left = 1: x op operand, 0: operand op x.  Never
 * allocates, never fails; parallel over par (same chunks for any thread
 * count).  The format is left dense: the caller normalises (mb_examine). */
int kn_binop_is_cellwise(BinOp op);   /* every BinOp but %*% */
void kn_binary_inplace(const ParCtx *par, BinOp op, MatBlock *x, int x_left, const MatBlock *y,
                       double s);
void kn_unary_inplace(const ParCtx *par, KnUnary fn, MatBlock *x);
/* Turns every -0.0 cell of a dense x into +0.0 (what a round trip through
 * CSR does, which stores no zeros). */
void kn_dense_clear_negzero(const ParCtx *par, MatBlock *x);

/* ---- data generation ------------------------------------------------------- */
typedef enum { KR_UNIFORM, KR_NORMAL, KR_POISSON } KnPdf;
/* Counter-based (Philox-style) generator keyed by (seed, block, cell): the
 * result never depends on thread count.  sparsity in [0,1]; below 1 the
 * non-zero cells are found by skipping geometric gaps per 1000x1000 block
 * (O(nnz + blocks) work; scheme in datagen.c) and the output is CSR when
 * mb_prefers_sparse holds for the expected nnz.  The non-zero cells hold
 * the values that sparsity = 1 gives for the same seed. */
tsr_status kn_rand(const ParCtx *par, int64_t rows, int64_t cols, double min, double max,
                   double sparsity,
                   uint64_t seed, KnPdf pdf, double lambda, MatBlock **out, Err *err);
/* seq(from, to, incr) as N x 1 (DML.md 7.1 rules, incl. errors). */
tsr_status kn_seq(double from, double to, double incr, MatBlock **out, Err *err);
/* sample(range, size, replace, seed) -> size x 1 of integers in [1, range]. */
tsr_status kn_sample(int64_t range, int64_t size, int replace, uint64_t seed,
                     MatBlock **out, Err *err);

/* ---- linear algebra (LAPACKE) ------------------------------------------- */
tsr_status kn_solve(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
tsr_status kn_inv(const MatBlock *a, MatBlock **out, Err *err);

/* ---- statistics (stats.c; DML.md 7.5, 7.7, 7.8) ----------------------------
 * x (and y, w) are column vectors: any other shape is the error
 * "<fn>(): input must be a column vector, found a <r>x<c> matrix"; weights
 * must have x's shape ("<fn>(): weights must have the same dimensions as the
 * input: <r>x<c> vs <r>x<c>").  w may be NULL (all weights 1).
 *
 * Quantiles sort x ascending with NaN last (greater than +Inf); the value at
 * 1-based rank r is the r-th cell of the sorted sample in which each x_i is
 * repeated w_i times.  Weights of the quantile family must be non-negative
 * integers ("<fn>(): weights must be non-negative integers, found <w>").
 * An empty sample (no cells or total weight 0) gives NaN. */
/* quantile(x [, w], p): rank ceil(p*W) clamped to [1, W] (NaN p -> rank 1). */
tsr_status kn_quantile(const MatBlock *x, const MatBlock *w, double p, double *out, Err *err);
/* The same for every cell of p; *out has p's shape. */
tsr_status kn_quantiles(const MatBlock *x, const MatBlock *w, const MatBlock *p, MatBlock **out,
                        Err *err);
/* median: rank ceil(W/2) for odd W, mean of ranks W/2 and W/2+1 for even W. */
tsr_status kn_median(const MatBlock *x, const MatBlock *w, double *out, Err *err);
/* interQuartileMean, formula of DML.md 7.5 with n = W. */
tsr_status kn_iqm(const MatBlock *x, const MatBlock *w, double *out, Err *err);
/* Central moment of order k in {2,3,4} (else "Central moment order must be
 * 2, 3 or 4, found <k>"): sum w(x-mu)^k / sum w, mu the weighted mean.
 * Real weights allowed; total weight 0 gives NaN. */
tsr_status kn_moment(const MatBlock *x, const MatBlock *w, int64_t k, double *out, Err *err);
/* cov: sum w(x-mux)(y-muy) / (W-1); 0 when W == 1, NaN when W == 0.  x and
 * y must have the same length ("cov(): inputs must have the same
 * dimensions: <r>x<c> vs <r>x<c>"). */
tsr_status kn_cov(const MatBlock *x, const MatBlock *y, const MatBlock *w, double *out, Err *err);
/* cumsumprod: n x 2 -> n x 1, y_1 = X[1,1], y_i = X[i,1] + X[i,2]*y_(i-1);
 * else "Cumsumprod expects two-column input (n=<c>)." */
tsr_status kn_cumsumprod(const MatBlock *a, MatBlock **out, Err *err);

/* Grouped aggregate (aggregate/groupedAggregate, DML.md 7.8).  x is n x m,
 * g holds n positive integer group ids (any vector shape; else "aggregate():
 * groups must have one entry per row of the target: <r>x<c> vs <r>x<c>"; an
 * id < 1 or NaN: "aggregate(): group ids must be positive integers, found
 * <v>").  The result has ngroups rows (ngroups < 0: max id) and m columns;
 * ids > ngroups are dropped, groups without rows give 0.  w (NULL or n
 * cells) weights every function except min/max, which ignore it: count =
 * sum w, mean = sum wx / sum w, variance = sum w(x-mu)^2 / (sum w - 1) (0 for
 * sum w == 1), centralmoment = sum w(x-mu)^order / sum w.  Weights with m >
 * 1: "aggregate(): weights are not supported for a target with more than one
 * column". */
typedef enum { KG_SUM, KG_COUNT, KG_MEAN, KG_VAR, KG_CM, KG_MIN, KG_MAX } KnGAgg;
tsr_status kn_grouped_agg(const MatBlock *x, const MatBlock *g, const MatBlock *w, KnGAgg fn,
                          int order, int64_t ngroups, MatBlock **out, Err *err);

/* ---- structural kernels (structure.c; DML.md 7.8) ------------------------- */
/* table/ctable.  A NULL block means "the scalar": a/as, b/bs, w/ws.  All
 * blocks must have the same dimensions ("table(): inputs must have the same
 * dimensions: <r>x<c> vs <r>x<c>").  Entries with a NaN in A, B or W are
 * skipped; i = int(A_k), j = int(B_k) (DML.md 3.2) must be >= 1, else
 * "Erroneous input while computing the contingency table (one of the value
 * <= zero): <a> <b>" (Java doubles).  d1, d2 >= 0 fix the output size
 * (entries outside are dropped); either = -1 means max(i) x max(j) over the
 * counted entries (0x0 if none); other negative values: "table(): invalid
 * output dimensions <d1>x<d2>". */
tsr_status kn_table(const ParCtx *par, const MatBlock *a, double as, const MatBlock *b, double bs,
                    const MatBlock *w, double ws, int64_t d1, int64_t d2, MatBlock **out,
                    Err *err);
/* removeEmpty: by_rows selects the margin.  select (NULL or a vector with
 * one entry per row resp. column, else "Invalid select vector for
 * removeEmpty: expected <k> entries, found a <r>x<c> matrix") keeps the
 * positions where select != 0; without it a row/column is kept if it has a
 * non-zero cell (NaN is non-zero).  Order is preserved.  Nothing kept:
 * empty_return ? one zero row 1 x n (column m x 1) : 0 x n (m x 0). */
tsr_status kn_remove_empty(const MatBlock *a, int by_rows, const MatBlock *select,
                           int empty_return, MatBlock **out, Err *err);
/* replace: cells equal to pattern (NaN matches NaN, -0.0 matches 0.0)
 * become repl. */
tsr_status kn_replace(const MatBlock *a, double pattern, double repl, MatBlock **out, Err *err);
/* lower.tri (upper = 0) / upper.tri: keeps j < i (j > i), plus j == i if
 * diag; kept cells are 1 (values = 0) or the original value; rest 0.  Any
 * shape. */
tsr_status kn_tri(const MatBlock *a, int upper, int diag, int values, MatBlock **out, Err *err);

/* ---- sorting kernels (sort.c) ----------------------------------------------
 * Order on cell values: NaN is greater than every number (so last in
 * ascending order), -0.0 ties with 0.0. */
/* order: sorts the rows of a by the columns listed in `by` (cells in order,
 * 1-based, lexicographic); invalid indexes: "Sort configuration issue:
 * invalid orderby columns: [c1, c2] (<m>x<n> input)."  Stable in both
 * directions (ties keep their input order).  index_return: m x 1 of the
 * original 1-based row indexes, else the sorted rows. */
tsr_status kn_order(const ParCtx *par, const MatBlock *a, const MatBlock *by, int decreasing,
                    int index_return,
                    MatBlock **out, Err *err);
/* unique: KD_ALL -> k x 1 distinct cell values; KD_ROW -> m x k, row i holds
 * the distinct values of row i followed by zero padding (k = the largest
 * distinct count); KD_COL the same per column (k x n).  Distinct values are
 * sorted ascending (NaN last, one NaN for all NaNs, 0.0 and -0.0 are one
 * value represented by its first occurrence). */
tsr_status kn_unique(const MatBlock *a, KnDir dir, MatBlock **out, Err *err);
/* countDistinct: number of distinct values (same equality as unique): 1x1
 * (KD_ALL), m x 1 (KD_ROW) or 1 x n (KD_COL). */
tsr_status kn_count_distinct(const MatBlock *a, KnDir dir, MatBlock **out, Err *err);

/* ---- decompositions (decomp.c; DML.md 7.9, LAPACKE) -----------------------
 * Non-square input to cholesky/det: "Input to <fn>() must be square matrix
 * -- given: a <r>x<c> matrix.".  0x0 inputs give 0-sized results (det 1). */
/* cholesky: lower-triangular L with A = L L^T.  A must be symmetric within
 * |a_ij - a_ji| <= 1e-6 max(|a_ij|, |a_ji|) ("Input to cholesky() must be a
 * symmetric matrix (cells [i,j] and [j,i] differ)") and positive definite
 * (non-finite cells included: "Input to cholesky() must be a positive
 * definite matrix"). */
tsr_status kn_cholesky(const MatBlock *a, MatBlock **out, Err *err);
/* det via LU (dgetrf); singular -> 0 (or NaN with NaN cells). */
tsr_status kn_det(const MatBlock *a, double *out, Err *err);
/* eigen: values n x 1 ascending, vectors n x n (column j belongs to value
 * j, unit length, sign fixed so that its leading entry - the first whose
 * magnitude is within a relative 1e-10 of the largest - is positive).
 * Symmetric input (within 1e-10 of the largest |a_ij|) uses dsyevd; other
 * input dgeev, and complex eigenvalues are the error "eigen(): complex
 * eigenvalues are not supported".  Non-finite input gives NaN values and
 * vectors.  Non-square: "Eigen Decomposition can only be done on a square
 * matrix. Input matrix is rectangular (rows=<r>, cols=<c>)". */
tsr_status kn_eigen(const MatBlock *a, MatBlock **values, MatBlock **vectors, Err *err);
/* svd (economy, dgesdd): k = min(m,n), U m x k, S k x k diagonal
 * descending, V n x k, A = U S V^T; the sign of each pair (u_j, v_j) makes
 * the leading entry of u_j positive (the rule of kn_eigen).  Non-finite
 * input gives NaN U, V and diagonal of S. */
tsr_status kn_svd(const MatBlock *a, MatBlock **u, MatBlock **s, MatBlock **v, Err *err);
/* qr (Householder, dgeqrf): R m x n upper triangular; H m x n lower
 * trapezoidal.  With k = min(m,n), A = H_1 H_2 ... H_k R where H_j = I -
 * 2 v_j v_j^T / (v_j^T v_j) and v_j is column j of H (zero above row j):
 * v_j = x - R[j,j] e_j, x being column j of H_(j-1)...H_1 A from row j down
 * and R[j,j] = -sign(x_j) ||x|| (so |R[j,j]| = ||x||), the unnormalised
 * vectors of Commons Math's QRDecomposition.getH() that SystemDS returns.
 * x = 0 gives a zero column (H_j = I); columns j >= k are zero.  One
 * difference from Commons Math: when x_j is exactly 0 (and x is not),
 * R[j,j] = -||x|| (LAPACK's sign) where Commons Math takes +||x||. */
tsr_status kn_qr(const MatBlock *a, MatBlock **h, MatBlock **r, Err *err);
/* lu (partial pivoting, dgetrf): P A = L U with P a permutation matrix, L
 * unit lower and U upper triangular.  Non-square: "LU Decomposition can
 * only be done on a square matrix. Input matrix is rectangular (rows=<r>,
 * cols=<c>)"; an exactly zero pivot: "LU Decomposition can only be done on
 * a non-singular matrix." */
tsr_status kn_lu(const MatBlock *a, MatBlock **p, MatBlock **l, MatBlock **u, Err *err);

/* ---- formatting -------------------------------------------------------------- */
/* toString(X, rows, cols, decimal, sparse, sep, linesep) of DML.md 6.2,
 * appended to out.  rows/cols < 0: all. */
void kn_to_string(const MatBlock *a, int64_t rows, int64_t cols, int decimal, int sparse,
                  const char *sep, const char *linesep, StrBuf *out);

/* ---- deep-learning operators (dnn*.c; DML.md 7.11) --------------------------
 * Tensors are N x (C*H*W) blocks in NCHW row-major layout.  Inputs may be
 * dense or sparse; outputs are dense except bias_multiply of a sparse input. */
typedef struct KnConvShape {
    int64_t N, C, H, W;      /* input_shape */
    int64_t F, R, S;         /* filters (F = 1 for pooling), window height/width */
    int64_t sh, sw, ph, pw;  /* stride, padding */
    int64_t P, Q;            /* output height/width, set by kn_conv_shape */
} KnConvShape;
/* Validates the shape and sets P = floor((H + 2ph - R)/sh) + 1 and Q (the
 * same in width).  Errors "Incorrect parameters: height=<H> filter_height=<R>
 * stride=<s> pad=<p>" (non-positive size/stride, negative pad), "Incorrect
 * parameters: padded image height:<H+2p> cannot be less than
 * filter_height:<R>" (P <= 0), and TSR_LIMIT for sizes above 2^24 per
 * dimension or 2^31 cells per tensor row. */
tsr_status kn_conv_shape(KnConvShape *s, Err *err);
/* "Incorrect input dimensions in <fn>: <what> is <r>x<c>, expected <rows>x<cols>" */
tsr_status kn_dnn_check_dims(const char *fn, const char *what, const MatBlock *m, int64_t rows,
                             int64_t cols, Err *err);
/* conv2d: x N x CHW, filter F x CRS -> N x FPQ (cross-correlation with zero
 * padding).  backward_filter: x, dout N x FPQ -> F x CRS.  backward_data:
 * filter, dout -> N x CHW.  Shapes must have passed kn_conv_shape. */
tsr_status kn_conv2d(const ParCtx *par, const MatBlock *x, const MatBlock *filter,
                     const KnConvShape *s,
                     MatBlock **out, Err *err);
tsr_status kn_conv2d_bwd_filter(const ParCtx *par, const MatBlock *x, const MatBlock *dout,
                                const KnConvShape *s,
                                MatBlock **out, Err *err);
tsr_status kn_conv2d_bwd_data(const ParCtx *par, const MatBlock *filter, const MatBlock *dout,
                              const KnConvShape *s,
                              MatBlock **out, Err *err);
/* Pooling over R x S windows: N x CHW -> N x CPQ.  max ignores padding (an
 * all-padding window gives -DBL_MAX); avg divides by R*S.  Backward: dout N x
 * CPQ -> N x CHW; max routes to the first maximal position of each window. */
typedef enum { KP_MAX, KP_AVG } KnPool;
tsr_status kn_pool(const ParCtx *par, KnPool t, const MatBlock *x, const KnConvShape *s,
                   MatBlock **out, Err *err);
tsr_status kn_pool_bwd(const ParCtx *par, KnPool t, const MatBlock *x, const MatBlock *dout,
                       const KnConvShape *s,
                       MatBlock **out, Err *err);
/* bias_add (multiply = 0) / bias_multiply: b is C x 1 and ncol(x) a multiple
 * of C; b[c] is added to / multiplied into the columns of channel c.  Else
 * "Incorrect inputs for bias_add: input[<r> X <c>] and bias[<k> X <l>]". */
tsr_status kn_bias(int multiply, const MatBlock *x, const MatBlock *b, MatBlock **out, Err *err);
/* batch_norm2d (nn/layers/batch_norm2d_old.dml::forward): C = nrow(gamma),
 * all vectors C x 1.  res[0..4] = out, ema_mean_upd, ema_var_upd,
 * cache_mean, cache_inv_var (train: batch mean and population variance;
 * else the moving averages).  On error res[] is all NULL. */
tsr_status kn_batch_norm2d(const MatBlock *x, const MatBlock *gamma, const MatBlock *beta,
                           const MatBlock *ema_mean, const MatBlock *ema_var, int train,
                           double eps, double mu, MatBlock **res, Err *err);
/* Train-mode gradient: res[0..2] = dX, dgamma, dbeta. */
tsr_status kn_batch_norm2d_bwd(const MatBlock *x, const MatBlock *dout, const MatBlock *gamma,
                               const MatBlock *mean, const MatBlock *inv_var, MatBlock **res,
                               Err *err);
/* lstm (nn/layers/lstm.dml): X N x TD, W (D+M) x 4M, b 1 x 4M, out0/c0 N x M.
 * res[0..4] = out (N x TM or N x M), c, cache_out, cache_c, cache_ifog.
 * lstm_bwd: res[0..4] = dX, dW, db, dout0, dc0.  On error res[] is NULL. */
tsr_status kn_lstm(const MatBlock *x, const MatBlock *w, const MatBlock *b, const MatBlock *out0,
                   const MatBlock *c0, int return_seq, MatBlock **res, Err *err);
tsr_status kn_lstm_bwd(const MatBlock *x, const MatBlock *w, const MatBlock *b,
                       const MatBlock *out0, const MatBlock *c0, int return_seq,
                       const MatBlock *dout, const MatBlock *dc, const MatBlock *cache_out,
                       const MatBlock *cache_c, const MatBlock *cache_ifog, MatBlock **res,
                       Err *err);

/* ---- probability distributions (distrib.c, GSL; DML.md 7.10) ---------------
 * par: normal (mean, sd), exp (rate), chisq (df), f (df1, df2), t (df).
 * Invalid parameters: "Invalid parameter for the <dist> distribution: <p>
 * must be positive and finite, found <v>".  NaN arguments give NaN. */
typedef enum { KDIST_NORMAL, KDIST_EXP, KDIST_CHISQ, KDIST_F, KDIST_T } KnDist;
/* Once per process before the first kn_cdf/kn_icdf (not thread-safe): makes
 * a numerical failure inside GSL return NaN instead of aborting. */
void kn_dist_setup(void);
const char *kn_dist_name(KnDist d);   /* "normal", "exp", ... */
/* P[X <= q] (lower_tail) or P[X > q]. */
tsr_status kn_cdf(KnDist d, const double *par, double q, int lower_tail, double *out, Err *err);
/* Inverse of the lower-tail cdf; p outside [0, 1]: "Invalid probability for
 * the inverse <dist> distribution function: <p> out of [0, 1] range". */
tsr_status kn_icdf(KnDist d, const double *par, double p, double *out, Err *err);

/* ---- miscellaneous kernels (misc.c) ------------------------------------------ */
/* max |x| over the cells (0 for an empty block); NaN if a cell is NaN. */
double kn_maxabs(const MatBlock *a);
/* bitwAnd/Or/Xor/ShiftL/ShiftR on int64 (Java long semantics: shift count
 * mod 64, arithmetic >>); doubles are truncated with the DML.md 3.2 rule. */
typedef enum { KW_AND, KW_OR, KW_XOR, KW_SHL, KW_SHR } KnBitw;
int64_t kn_bitw_int(KnBitw op, int64_t a, int64_t b);
double kn_bitw_double(KnBitw op, double a, double b);
/* Cellwise with DML.md 3.5 broadcasting of b (same shape, column/row vector, 1x1). */
tsr_status kn_bitw(KnBitw op, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
tsr_status kn_bitw_scalar(KnBitw op, const MatBlock *a, double s, int scalar_left,
                          MatBlock **out, Err *err);
/* roll(X, k): row i moves to row (i + k) mod nrow (k may be negative). */
tsr_status kn_roll(const MatBlock *a, int64_t k, MatBlock **out, Err *err);
/* Row-wise prefix sums. */
tsr_status kn_rowcumsum(const MatBlock *a, MatBlock **out, Err *err);
/* 1 if a cell equals v (NaN matches NaN, -0.0 matches 0.0), else 0. */
int kn_contains(const MatBlock *a, double v);
/* interQuantile(x [, w], p): with x sorted ascending (each x_i repeated w_i
 * times, W = total weight), the column of ranks ceil(p*W)+1 .. ceil((1-p)*W)
 * (empty when p >= 0.5).  p in [0, 1]; x and w as for kn_quantile. */
tsr_status kn_inter_quantile(const MatBlock *x, const MatBlock *w, double p, MatBlock **out,
                             Err *err);
/* sqrtMatrixJava: V diag(sqrt(l)) V^T of a symmetric (relative 1e-10) PSD
 * matrix; eigenvalues below -1e-12*max|l| are an error. */
tsr_status kn_sqrtm(const MatBlock *a, MatBlock **out, Err *err);

/* ---- fused cellwise programs (fused.c) ------------------------------------
 * A small SSA program of cellwise ops (the compiler's fused operator) run in
 * one pass over its inputs, tile by tile, with no intermediate matrices.
 * Every output equals bit for bit what the unfused kernels give when each
 * op is materialised with dense intermediates (kn_binary/kn_binary_scalar,
 * kn_binary_fn, kn_unary, kn_ifelse) and then aggregated (kn_agg_full,
 * kn_agg_dir): the same scalar formulas per cell and the same chunking and
 * compensated lane arithmetic for the sums (NaN payloads aside).  A CSR
 * intermediate of the unfused evaluation stores no -0.0; where that matters
 * (1 / (X * -1) with X sparse) the compiler must not fuse across it.
 * Parallel on par with size-only chunks: results do not depend on the
 * thread count.  Outputs whose chunkings are incompatible (a full sum next
 * to row or column sums of a large cell space) are computed in separate
 * passes over the inputs, still without intermediates. */
#define KN_FUSE_MAX_OPS 64
#define KN_FUSE_MAX_INPUTS 16
#define KN_FUSE_MAX_OUTS 8
typedef enum {
    KF_IN,      /* cell of input a (matrix, broadcast by its shape, or scalar) */
    KF_CONST,   /* the constant k */
    KF_BIN,     /* BinOp op (cellwise ones: not MATMUL) on ops a, b: kn_binop_double semantics */
    KF_BINFN,   /* KnBinFn op (min/max/xor/log) on ops a, b */
    KF_UN,      /* KnUnary op on op a: kn_unary_double semantics */
    KF_IFELSE   /* a != 0 ? b : c, as kn_ifelse (NaN counts as true) */
} KnFuseKind;
typedef struct KnFuseOp { KnFuseKind kind; int op; int a, b, c; double k; } KnFuseOp;
typedef enum { KF_CELLS, KF_SUM, KF_MIN, KF_MAX, KF_ROWSUM, KF_ROWMIN, KF_ROWMAX,
               KF_COLSUM, KF_COLMIN, KF_COLMAX } KnFuseAgg;
typedef struct KnFuseOut { int op; KnFuseAgg agg; } KnFuseOut;   /* op: index of the op whose value is output */
typedef struct KnFuseProg {
    int nops; KnFuseOp ops[KN_FUSE_MAX_OPS];   /* SSA: op i may use only ops < i */
    int nouts; KnFuseOut outs[KN_FUSE_MAX_OUTS];
    /* -1, or an input index d whose block is CSR of the full shape and
     * where the program is exactly +0.0 at every cell where input d is 0,
     * whatever the other inputs hold (the compiler guarantees it; it is not
     * checked).  Then only d's stored cells are evaluated: KF_CELLS outputs
     * are CSR (results equal to 0 dropped) and the aggregates are those of
     * that CSR result (kn_agg_* over it, bit for bit).  A dense input d (or
     * one that is not of the full shape) runs the dense path. */
    int sparse_driver;
} KnFuseProg;
typedef struct KnFuseIn { const MatBlock *m; double s; } KnFuseIn;   /* m NULL: the scalar s */
/* Runs p over the rows x cols cell space.  Matrix inputs have shape rows x cols,
 * rows x 1 (column vector, broadcast along the row), 1 x cols (row vector), or 1 x 1,
 * in any format (dense or CSR).  Outputs k in order: KF_CELLS -> mats[k] (rows x cols),
 * KF_ROW* -> mats[k] (rows x 1), KF_COL* -> mats[k] (1 x cols), KF_SUM/MIN/MAX ->
 * scalars[k]; entries of the other array are left NULL/0.  Caller owns mats[k].
 * Empty cell space: sum 0, min +Inf, max -Inf, empty matrices (as kn_agg_*).
 * Errors (TSR_RUNTIME, or TSR_LIMIT/TSR_NOMEM; every mats[k] NULL then): a
 * malformed program (counts out of range, an op using a later op or a
 * missing input, unknown op codes), an input that does not broadcast
 * ("fused: input <k> of shape <r>x<c> does not broadcast to <rows>x<cols>"),
 * more than MB_MAX_CELLS cells. */
tsr_status kn_fused(const ParCtx *par, const KnFuseProg *p, const KnFuseIn *in, int nin,
                    int64_t rows, int64_t cols, MatBlock **mats, double *scalars, Err *err);

#endif /* TSR_MATRIX_H */
