/*
 * matmul.c - matrix multiplication (%*%, DML.md 3.4) for every pair of block
 * formats, and the symmetric products t(X) %*% X and X %*% t(X) (tsmm).
 *
 * dense x dense goes to OpenBLAS: dgemv for matrix-vector and vector-matrix
 * products, dgemm otherwise, dsyrk for tsmm (row panels of a tall X with at
 * most 512 columns: our AVX-512 kernel in syrk.c where the CPU has it).
 * A sparse (CSR) operand is never densified; the kernels walk its CSR
 * arrays:
 *   sparse x dense   each non-zero a_ip adds a_ip * op(B)[p,:] to row i of
 *                    the dense result; with t(A), a_pi adds to row i, so
 *                    t(X) %*% v scatters the rows of X (no t(X) is built);
 *   dense x sparse   row i of op(A) times the CSR rows of B, scattered into
 *                    row i of the dense result (t(B): sparse dot products);
 *   sparse x sparse  Gustavson's row-wise algorithm with a dense accumulator
 *                    and a marker array per output row; CSR output when the
 *                    bound on the result's non-zeros says sparse, else dense.
 *   tsmm (sparse)    t(X) %*% X accumulates the outer product of every CSR
 *                    row into the upper triangle of a dense result, then
 *                    mirrors it (O(sum nnz_row^2)); when that bound says the
 *                    result is sparse, t(X) (O(nnz)) times X by Gustavson.
 * A transposed sparse operand of a sparse x sparse product is transposed
 * explicitly (O(nnz + dims)).  Results are in their natural format; the
 * runtime normalises it.
 *
 * Zero cells of a dense left operand are skipped by the sparse kernels (as in
 * SystemDS's LibMatrixMult), so there 0 * Inf contributes 0 while BLAS gives
 * NaN; implicit zeros of a sparse operand never contribute either.
 *
 * Empty dimensions never reach BLAS: m or n == 0 gives an empty result,
 * k == 0 a zero matrix.  BLAS takes 32-bit dimensions; larger dense operands
 * are rejected with TSR_LIMIT rather than truncated (the sparse kernels use
 * 64-bit indexes).
 *
 * Parallelism (the ParCtx argument; OpenBLAS is the serial build, so every
 * BLAS call below is single-threaded and runs inside one task):
 *   dgemm            output tiles (square-ish, at most 16, >= 8 MFLOP each),
 *                    one dgemm per tile over the full inner dimension; an
 *                    output too small for 4 tiles (t(X) %*% M, X tall)
 *                    splits the inner dimension into panels with partial
 *                    outputs added in panel order; X M with M of <= 16
 *                    and t(X) M with M of <= 8 columns: X read once, by
 *                    row ranges (a SIMD loop over four or two rows of X)
 *                    or row panels (dgemv per column on cache-sized
 *                    blocks);
 *   dgemv            M v by row ranges; t(M) v by row panels whose partial
 *                    vectors are added in panel order (tall M) or by column
 *                    ranges (wide M);
 *   sparse x dense   output row ranges; t(A) v scatters row panels of A into
 *                    per-chunk partial vectors (at most nnz / (8 ncol) of
 *                    them); t(A) B the same with k x n partials when they
 *                    are small next to the work (at most 8), else A is
 *                    transposed once (O(nnz)) and gathered by output rows;
 *   dense x sparse   output row ranges;
 *   sparse x sparse  output row ranges, one accumulator per thread, a CSR
 *                    block per chunk joined in chunk order;
 *   tsmm (dense)     tall t(X) X: row panels of X, dsyrk into one k x k
 *                    partial per panel (at most 16), added in panel order;
 *                    else tiles of the output's upper triangle (dsyrk on the
 *                    diagonal, dgemm above); the mirror is parallel too;
 *   t(X) (X * w),    row panels of X as for tsmm, partials added in panel
 *   t(X) [X * w, V]  order; each panel by syrk.c's kernel (X, X * w and V
 *                    packed per block), or per cache-sized block the rows
 *                    scaled by w and dgemm with the block (one pass over X);
 *                    the Gram part mirrored from its upper triangle;
 *   tsmm (sparse)    output rows of the upper triangle gathered through a
 *                    column index of X, term order as in the outer-product
 *                    loop (bit-identical to it).
 * Every plan (tile grid, chunk bounds) depends on the shapes and nnz only,
 * never on the thread count, and partials are added in chunk order: results
 * are the same for any number of threads (the sequential back end runs the
 * same plan inline).  Small products run as one task on the caller.
 *
 * kn_blas_setup works around OpenBLAS 0.3.21 (Debian 12) not knowing newer
 * CPUs such as AMD Zen 4: its DYNAMIC_ARCH detection falls back to the
 * "Prescott" (SSE3) kernels, 2.5-5x slower than the AVX2/AVX-512 ones.
 */
#include "matrix/matrix_int.h"

#ifdef KN_AVX512
#include <immintrin.h>
#endif

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Exported by DYNAMIC_ARCH builds of OpenBLAS only, hence weak. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
/* Stops the server threads of a pthreads OpenBLAS (weak: not in every build). */
extern int blas_thread_shutdown_(void) __attribute__((weak));

int kn_blas_concurrent(void)
{
    /* 0: sequential build (no locking around its buffers in Debian 12),
     * 1: pthreads, 2: OpenMP; both threaded builds lock. */
    return openblas_get_parallel() != 0;
}

const char *kn_blas_setup(void)
{
    /* Tessera owns parallelism: a threaded OpenBLAS runs one thread per
     * call (it is linked for its thread-safe buffer management only). */
    if (openblas_get_parallel() != 0) {
        openblas_set_num_threads(1);
        /* Its server threads, started when the library loaded, would spin
         * (sched_yield) for a while and then sleep for good: one call never
         * uses them now, so they are stopped and their core is free for
         * Tessera's pool.  (A later call that wanted threads restarts them.) */
        if (blas_thread_shutdown_) blas_thread_shutdown_();
    }
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") || strcmp(openblas_get_corename(), "Prescott") != 0)
        return openblas_get_corename();
    const char *core = NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        core = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        core = "Haswell";
    if (core) {
        /* gotoblas_dynamic_init reads this variable to force the kernel set. */
        setenv("OPENBLAS_CORETYPE", core, 0);
        gotoblas_dynamic_quit();
        gotoblas_dynamic_init();
    }
    return openblas_get_corename();
}

static int fits_blas(int64_t v)
{
    return v <= INT_MAX;
}

/* Operand of a product as it appears in the expression: t(A) when trans. */
typedef struct Op {
    const MatBlock *m;
    int trans;
    int64_t rows, cols;   /* effective (after the optional transpose) */
} Op;

static Op op_of(const MatBlock *m, int trans)
{
    Op o = { m, trans != 0, trans ? m->cols : m->rows, trans ? m->rows : m->cols };
    return o;
}

static tsr_status check_dims(const Op *a, const Op *b, Err *err)
{
    if (a->cols != b->rows)
        return err_set(err, TSR_RUNTIME, "dimension mismatch in %%*%%: %lldx%lld %%*%% %lldx%lld",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

static tsr_status check_blas(const Op *a, const Op *b, Err *err)
{
    if (!fits_blas(a->m->rows) || !fits_blas(a->m->cols) || !fits_blas(b->m->rows) ||
        !fits_blas(b->m->cols))
        return err_set(err, TSR_LIMIT,
                       "matrix multiplication of %lldx%lld %%*%% %lldx%lld exceeds the BLAS size limit",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

/* ---- task plans ------------------------------------------------------------------------ */

/* BLAS products below MM_PAR_FLOPS run as one call on the caller; above, the
 * output is cut into at most MM_MAX_TILES tiles of at least MM_TILE_FLOPS
 * each (a tile must amortise BLAS's packing of its operands and the
 * hand-off to the pool) and at least MM_MIN_TILE rows and columns.  Plans
 * depend on the shapes only, never on the thread count. */
#define MM_PAR_FLOPS  4.0e6
#define MM_TILE_FLOPS 8.0e6
#define MM_MAX_TILES  16
#define MM_MIN_TILE   32
/* A %*% B with B of at most 2x this many columns and t(A) %*% B with B of at
 * most this many: own kernels (narrow_rows, narrow16_rows, narrow_panel), one
 * pass over A. */
#define MM_NARROW     8
/* narrow_rows: the zero-padded B must stay in cache (every group of rows reads all of it). */
#define MM_NARROW_B_BYTES (256 * 1024)
/* Bytes of A's rows that narrow_panel keeps in cache for B's columns after the first. */
#define MM_NARROW_BLOCK (128 * 1024)
/* Row panels of tsmm keep one k x k partial each: at most this many. */
#define MM_MAX_PANELS 16

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t cdiv(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* Grain of a range plan for n items cut into at most maxch chunks (>= 1). */
static int64_t cap_chunks(int64_t n, int64_t grain, int64_t maxch)
{
    if (maxch < 1) maxch = 1;
    if (par_nchunks(n, grain) <= maxch) return grain;
    return maxch == 1 || n <= 1 ? (n > 1 ? n : 1) : cdiv(n, maxch);
}

/* Grain of the row panels of a Gram product t(X) X (X n x k): at most
 * MM_MAX_PANELS panels, and at most n / (2k) so that the k x k partials
 * stay below half of X. */
static int64_t gram_grain(int64_t n, int64_t k)
{
    return cap_chunks(n, par_grain(n, (double)k * (double)k), min64(MM_MAX_PANELS, n / (2 * k)));
}

/* ---- shared helpers: nnz, partial sums, mirroring --------------------------------------- */

typedef struct NnzJob {
    const MatBlock *c;
    int64_t grain;
    int64_t cnt[PAR_MAX_TASKS];
} NnzJob;

static void nnz_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    NnzJob *j = arg;
    const double *p = j->c->dense + lo * j->c->cols, *end = j->c->dense + hi * j->c->cols;
    int64_t nz = 0;
    for (; p < end; p++) nz += *p != 0.0;
    j->cnt[lo / j->grain] = nz;
}

/* Exact nnz of a dense block, counted by row chunks in parallel. */
static void dense_nnz(const ParCtx *par, MatBlock *c)
{
    NnzJob j;
    j.c = c;
    j.grain = par_grain(c->rows, (double)c->cols);
    int64_t nch = par_nchunks(c->rows, j.grain);
    if (nch <= 1 || nch > PAR_MAX_TASKS) {
        mb_recount_nnz(c);
        return;
    }
    par_for(par, c->rows, j.grain, nnz_task, &j);
    c->nnz = 0;
    for (int64_t t = 0; t < nch; t++) c->nnz += j.cnt[t];
}

typedef struct AddJob {
    double *y;
    const double *part;
    int64_t np, len;
} AddJob;

static void add_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const AddJob *j = arg;
    for (int64_t p = 0; p < j->np; p++) {
        const double *src = j->part + p * j->len;
        for (int64_t i = lo; i < hi; i++) j->y[i] += src[i];
    }
}

void kn_add_partials(const ParCtx *par, double *y, const double *part, int64_t np,
                     int64_t len)
{
    if (np <= 0 || len <= 0) return;
    AddJob j = { y, part, np, len };
    par_for(par, len, par_grain(len, (double)np), add_task, &j);
}

/* Side of the square tiles in which an upper triangle is mirrored. */
#define MIRROR_TILE 64

typedef struct MirrorJob {
    double *c;
    int64_t n, ld;
} MirrorJob;

/* Copies the upper triangle of block rows [lo, hi) (MIRROR_TILE rows each)
 * into the lower one: block row b writes only columns of block b below the
 * diagonal, so block rows are independent. */
static void mirror_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MirrorJob *m = arg;
    const int64_t T = MIRROR_TILE, n = m->n, ld = m->ld;
    double *c = m->c;
    for (int64_t i0 = lo * T; i0 < hi * T && i0 < n; i0 += T)
        for (int64_t j0 = i0; j0 < n; j0 += T)
            for (int64_t i = i0; i < i0 + T && i < n; i++)
                for (int64_t j = j0 > i ? j0 : i + 1; j < j0 + T && j < n; j++)
                    c[j * ld + i] = c[i * ld + j];
}

/* Copies the upper triangle of the n x n row-major c (leading dimension ld)
 * into the lower one. */
static void mirror_upper_ld(const ParCtx *par, double *c, int64_t n, int64_t ld)
{
    MirrorJob m = { c, n, ld };
    int64_t nb = cdiv(n, MIRROR_TILE);
    par_for(par, nb, par_grain(nb, (double)n * MIRROR_TILE), mirror_task, &m);
}

static void mirror_upper(const ParCtx *par, double *c, int64_t n)
{
    mirror_upper_ld(par, c, n, n);
}

/* ---- dense x dense: BLAS on output tiles ------------------------------------------------ */

/* The context for tasks that call BLAS: sequential when the linked BLAS is
 * not safe for concurrent callers (the plan stays the same). */
static const ParCtx *blas_ctx(const ParCtx *par)
{
    return kn_blas_concurrent() ? par : NULL;
}

static enum CBLAS_TRANSPOSE tr(int t)
{
    return t ? CblasTrans : CblasNoTrans;
}

typedef struct GemmJob {
    Op a, b;
    double *c;
    int64_t m, n, k;
    int64_t tm, tn, gn;    /* tile size, tiles per tile row */
    double *vp;            /* narrow_rows: B zero-padded to k x 8 (16) */
    int64_t grain, *nzc;   /* narrow_rows: row chunks and their non-zero counts */
} GemmJob;

/* Stores row r of a narrow product (n <= 16 cells of t) and counts its
 * non-zeros (a loop: a memcpy call per short row cost more than the row). */
static inline int64_t narrow_store(double *restrict dst, const double *restrict t, int64_t n)
{
    int64_t nz = 0;
    for (int64_t q = 0; q < n; q++) {
        dst[q] = t[q];
        nz += t[q] != 0.0;
    }
    return nz;
}

/* Tile t of C = op(A) op(B): one single-threaded dgemm over the full k. */
static void gemm_tile(void *arg, int64_t t, int wid)
{
    (void)wid;
    const GemmJob *j = arg;
    int64_t i0 = t / j->gn * j->tm, j0 = t % j->gn * j->tn;
    int64_t mi = min64(j->tm, j->m - i0), nj = min64(j->tn, j->n - j0);
    const MatBlock *A = j->a.m, *B = j->b.m;
    const double *ap = j->a.trans ? A->dense + i0 : A->dense + i0 * A->cols;
    const double *bp = j->b.trans ? B->dense + j0 * B->cols : B->dense + j0;
    cblas_dgemm(CblasRowMajor, tr(j->a.trans), tr(j->b.trans), (int)mi, (int)nj, (int)j->k, 1.0,
                ap, (int)A->cols, bp, (int)B->cols, 0.0, j->c + i0 * j->n + j0, (int)j->n);
}

/* Tile grid of an m x n x k product: the longer tile side is halved until
 * there are enough tiles (square-ish tiles keep BLAS's repacking of both
 * operands low). */
static void gemm_grid(GemmJob *j)
{
    double flops = 2.0 * (double)j->m * (double)j->n * (double)j->k;
    int64_t want = flops < MM_PAR_FLOPS ? 1 : (int64_t)(flops / MM_TILE_FLOPS);
    if (want > MM_MAX_TILES) want = MM_MAX_TILES;
    int64_t gm = 1, gn = 1;
    while (gm * gn * 2 <= want) {
        int can_m = j->m / (gm * 2) >= MM_MIN_TILE, can_n = j->n / (gn * 2) >= MM_MIN_TILE;
        if (can_m && (!can_n || j->m / gm >= j->n / gn))
            gm *= 2;
        else if (can_n)
            gn *= 2;
        else
            break;
    }
    j->tm = cdiv(j->m, gm);
    j->tn = cdiv(j->n, gn);
    if (gm > 1) j->tm = cdiv(j->tm, 8) * 8;   /* whole micro-kernel panels */
    if (gn > 1) j->tn = cdiv(j->tn, 8) * 8;
    j->gn = cdiv(j->n, j->tn);
}

typedef struct GemvJob {
    const MatBlock *m;
    const double *x;
    double *y, *part;     /* part: partial outputs of chunks 1.. (row panels of t(M) x) */
    int64_t grain;
} GemvJob;

/* y[lo, hi) = M[lo:hi, :] x */
static void gemv_rows(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemvJob *j = arg;
    int c = (int)j->m->cols;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(hi - lo), c, 1.0, j->m->dense + lo * c, c,
                j->x, 1, 0.0, j->y + lo, 1);
}

/* y[lo, hi) = t(M[:, lo:hi]) x */
static void gemv_tcols(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemvJob *j = arg;
    int c = (int)j->m->cols;
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)j->m->rows, (int)(hi - lo), 1.0,
                j->m->dense + lo, c, j->x, 1, 0.0, j->y + lo, 1);
}

/* The partial t(M[lo:hi, :]) x[lo:hi] of one row panel. */
static void gemv_tpanel(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemvJob *j = arg;
    int64_t ch = lo / j->grain, c = j->m->cols;
    double *dst = ch == 0 ? j->y : j->part + (ch - 1) * c;
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)(hi - lo), (int)c, 1.0, j->m->dense + lo * c,
                (int)c, j->x + lo, 1, 0.0, dst, 1);
}

/* y = op(M) x for a dense non-empty M and contiguous x, y.  M x splits the
 * rows; t(M) x splits tall M into row panels whose partial vectors are
 * added in panel order, wide M into column ranges. */
static tsr_status gemv_par(const ParCtx *par, const MatBlock *m, int trans, const double *x,
                           double *y, Err *err)
{
    int64_t r = m->rows, c = m->cols;
    GemvJob j = { m, x, y, NULL, par_grain(r, 2.0 * (double)c) };
    if (!trans) {
        par_for(blas_ctx(par), r, j.grain, gemv_rows, &j);
        return TSR_OK;
    }
    int64_t nch = par_nchunks(r, j.grain);
    if (nch <= 1 || r < c) {
        par_for(blas_ctx(par), c, par_grain(c, 2.0 * (double)r), gemv_tcols, &j);
        return TSR_OK;
    }
    j.part = malloc((size_t)((nch - 1) * c) * sizeof *j.part);
    if (!j.part) return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    par_for(blas_ctx(par), r, j.grain, gemv_tpanel, &j);
    kn_add_partials(par, y, j.part, nch - 1, c);
    free(j.part);
    return TSR_OK;
}

typedef struct KsplitJob {
    Op a, b;
    double *c, *part;     /* part: m x n partials of panels 1.. */
    int64_t m, n, grain;
    double *acc;          /* narrow kernel: n x m accumulator per worker */
} KsplitJob;

/* The partial op(A)[:, lo:hi] op(B)[lo:hi, :] of one panel of the inner
 * dimension. */
static void ksplit_panel(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const KsplitJob *j = arg;
    int64_t ch = lo / j->grain;
    const MatBlock *A = j->a.m, *B = j->b.m;
    const double *ap = j->a.trans ? A->dense + lo * A->cols : A->dense + lo;
    const double *bp = j->b.trans ? B->dense + lo : B->dense + lo * B->cols;
    double *dst = ch == 0 ? j->c : j->part + (ch - 1) * j->m * j->n;
    cblas_dgemm(CblasRowMajor, tr(j->a.trans), tr(j->b.trans), (int)j->m, (int)j->n,
                (int)(hi - lo), 1.0, ap, (int)A->cols, bp, (int)B->cols, 0.0, dst, (int)j->n);
}

/* Four doubles, unaligned loads and stores allowed (GCC vector extension;
 * AVX2 registers in the KN_CLONES avx2 clone, SSE2 pairs otherwise). */
typedef double mm_v4 __attribute__((vector_size(32), aligned(8)));

/* t(A)[:, lo:hi] B[lo:hi, :] for a narrow B (at most MM_NARROW columns):
 * per cache-sized block of A's rows one dgemv per column of B into an n x m
 * accumulator (A is read from memory once; dgemm would pack it first; a
 * SIMD loop over four rows at a time was slower for two columns), then
 * stored transposed. */
static void narrow_panel(void *arg, int64_t lo, int64_t hi, int wid)
{
    const KsplitJob *j = arg;
    const int64_t m = j->m, n = j->n;
    double *restrict acc = j->acc + (int64_t)wid * m * n;
    memset(acc, 0, (size_t)(m * n) * sizeof *acc);
    const double *A = j->a.m->dense, *B = j->b.m->dense;
    int64_t blk = MM_NARROW_BLOCK / (8 * m);
    if (blk < 8) blk = 8;
    for (int64_t p = lo; p < hi; p += blk) {
        int r = (int)(p + blk < hi ? blk : hi - p);
        for (int64_t q = 0; q < n; q++)
            cblas_dgemv(CblasRowMajor, CblasTrans, r, (int)m, 1.0, A + p * m, (int)m,
                        B + p * n + q, (int)n, 1.0, acc + q * m, 1);
    }
    int64_t ch = lo / j->grain;
    double *dst = ch == 0 ? j->c : j->part + (ch - 1) * m * n;
    for (int64_t i = 0; i < m; i++)
        for (int64_t q = 0; q < n; q++) dst[i * n + q] = acc[q * m + i];
}

/* Rows [lo, hi) of A B for a narrow B (at most MM_NARROW columns; j->vp is
 * B zero-padded to k x 8): four rows of A at a time, each a sum over p of
 * a_rp times row p of B into two vector accumulators per row (B stays in
 * L1; dgemm would pack A first). */
KN_CLONES static void narrow_rows(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemmJob *j = arg;
    const double *A = j->a.m->dense;
    const mm_v4 *V = (const mm_v4 *)(const void *)j->vp;
    const int64_t k = j->k, n = j->n;
    const mm_v4 zero = { 0, 0, 0, 0 };
    int64_t i = lo, nz = 0;
    for (; i + 4 <= hi; i += 4) {
        const double *a0 = A + i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        mm_v4 c0l = zero, c1l = zero, c2l = zero, c3l = zero;
        mm_v4 c0h = zero, c1h = zero, c2h = zero, c3h = zero;
        if (n <= 4)
            for (int64_t p = 0; p < k; p++) {
                mm_v4 v = V[2 * p];
                c0l += a0[p] * v;
                c1l += a1[p] * v;
                c2l += a2[p] * v;
                c3l += a3[p] * v;
            }
        else
            for (int64_t p = 0; p < k; p++) {
                mm_v4 v = V[2 * p], w = V[2 * p + 1];
                c0l += a0[p] * v;
                c1l += a1[p] * v;
                c2l += a2[p] * v;
                c3l += a3[p] * v;
                c0h += a0[p] * w;
                c1h += a1[p] * w;
                c2h += a2[p] * w;
                c3h += a3[p] * w;
            }
        double t[4][8];
        memcpy(t[0], &c0l, 32), memcpy(t[0] + 4, &c0h, 32);
        memcpy(t[1], &c1l, 32), memcpy(t[1] + 4, &c1h, 32);
        memcpy(t[2], &c2l, 32), memcpy(t[2] + 4, &c2h, 32);
        memcpy(t[3], &c3l, 32), memcpy(t[3] + 4, &c3h, 32);
        for (int r = 0; r < 4; r++) nz += narrow_store(j->c + (i + r) * n, t[r], n);
    }
    for (; i < hi; i++) {
        const double *a0 = A + i * k;
        mm_v4 cl = zero, chv = zero;
        for (int64_t p = 0; p < k; p++) {
            cl += a0[p] * V[2 * p];
            chv += a0[p] * V[2 * p + 1];
        }
        double t[8];
        memcpy(t, &cl, 32);
        memcpy(t + 4, &chv, 32);
        nz += narrow_store(j->c + i * n, t, n);
    }
    j->nzc[lo / j->grain] = nz;
}

/* narrow_rows for 8 < n <= 16 (j->vp is B zero-padded to k x 16): two rows
 * of A at a time, four vector accumulators per row. */
KN_CLONES static void narrow16_rows(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemmJob *j = arg;
    const double *A = j->a.m->dense;
    const mm_v4 *V = (const mm_v4 *)(const void *)j->vp;
    const int64_t k = j->k, n = j->n;
    const mm_v4 zero = { 0, 0, 0, 0 };
    int64_t i = lo, nz = 0;
    for (; i < hi; i += 2) {
        int two = i + 1 < hi;
        const double *a0 = A + i * k, *a1 = two ? a0 + k : a0;
        mm_v4 c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        mm_v4 c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        for (int64_t p = 0; p < k; p++) {
            const mm_v4 *v = V + 4 * p;
            c00 += a0[p] * v[0];
            c01 += a0[p] * v[1];
            c02 += a0[p] * v[2];
            c03 += a0[p] * v[3];
            c10 += a1[p] * v[0];
            c11 += a1[p] * v[1];
            c12 += a1[p] * v[2];
            c13 += a1[p] * v[3];
        }
        double t[2][16];
        memcpy(t[0], &c00, 32), memcpy(t[0] + 4, &c01, 32);
        memcpy(t[0] + 8, &c02, 32), memcpy(t[0] + 12, &c03, 32);
        memcpy(t[1], &c10, 32), memcpy(t[1] + 4, &c11, 32);
        memcpy(t[1] + 8, &c12, 32), memcpy(t[1] + 12, &c13, 32);
        nz += narrow_store(j->c + i * n, t[0], n);
        if (two) nz += narrow_store(j->c + (i + 1) * n, t[1], n);
    }
    j->nzc[lo / j->grain] = nz;
}

#ifdef KN_AVX512
/* Stores the n <= 8 cells of c at dst and returns how many are non-zero
 * (NaN counts). */
KN_AVX512_FN static inline int64_t narrow_put8(double *dst, __m512d c, int64_t n)
{
    __mmask8 m = (__mmask8)kn_lanes8(n);
    _mm512_mask_storeu_pd(dst, m, c);
    return __builtin_popcount(_mm512_mask_cmp_pd_mask(m, c, _mm512_setzero_pd(), _CMP_NEQ_UQ));
}

/* narrow_rows and narrow16_rows with AVX-512 FMAs (the CPU's full vector
 * width; the portable loops do a separate multiply and add on 4 lanes):
 * B padded to 8 columns, eight rows of A at a time, one accumulator each;
 * padded to 16, four rows at a time, two accumulators each. */
KN_AVX512_FN static void narrow_rows512(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GemmJob *j = arg;
    const double *A = j->a.m->dense, *V = j->vp;
    const int64_t k = j->k, n = j->n;
    double *C = j->c;
    int64_t i = lo, nz = 0;
    if (n <= 8) {
        for (; i + 8 <= hi; i += 8) {
            const double *a = A + i * k;
            __m512d c0 = _mm512_setzero_pd(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                    c6 = c0, c7 = c0;
            for (int64_t p = 0; p < k; p++) {
                __m512d v = _mm512_loadu_pd(V + p * 8);
                c0 = _mm512_fmadd_pd(_mm512_set1_pd(a[p]), v, c0);
                c1 = _mm512_fmadd_pd(_mm512_set1_pd(a[k + p]), v, c1);
                c2 = _mm512_fmadd_pd(_mm512_set1_pd(a[2 * k + p]), v, c2);
                c3 = _mm512_fmadd_pd(_mm512_set1_pd(a[3 * k + p]), v, c3);
                c4 = _mm512_fmadd_pd(_mm512_set1_pd(a[4 * k + p]), v, c4);
                c5 = _mm512_fmadd_pd(_mm512_set1_pd(a[5 * k + p]), v, c5);
                c6 = _mm512_fmadd_pd(_mm512_set1_pd(a[6 * k + p]), v, c6);
                c7 = _mm512_fmadd_pd(_mm512_set1_pd(a[7 * k + p]), v, c7);
            }
            double *d = C + i * n;
            nz += narrow_put8(d, c0, n) + narrow_put8(d + n, c1, n) +
                  narrow_put8(d + 2 * n, c2, n) + narrow_put8(d + 3 * n, c3, n) +
                  narrow_put8(d + 4 * n, c4, n) + narrow_put8(d + 5 * n, c5, n) +
                  narrow_put8(d + 6 * n, c6, n) + narrow_put8(d + 7 * n, c7, n);
        }
        for (; i < hi; i++) {
            const double *a = A + i * k;
            __m512d c0 = _mm512_setzero_pd();
            for (int64_t p = 0; p < k; p++)
                c0 = _mm512_fmadd_pd(_mm512_set1_pd(a[p]), _mm512_loadu_pd(V + p * 8), c0);
            nz += narrow_put8(C + i * n, c0, n);
        }
    } else {
        for (; i + 4 <= hi; i += 4) {
            const double *a = A + i * k;
            __m512d c0 = _mm512_setzero_pd(), c1 = c0, c2 = c0, c3 = c0, d0 = c0, d1 = c0,
                    d2 = c0, d3 = c0;
            for (int64_t p = 0; p < k; p++) {
                __m512d v = _mm512_loadu_pd(V + p * 16), w = _mm512_loadu_pd(V + p * 16 + 8);
                __m512d s0 = _mm512_set1_pd(a[p]), s1 = _mm512_set1_pd(a[k + p]),
                        s2 = _mm512_set1_pd(a[2 * k + p]), s3 = _mm512_set1_pd(a[3 * k + p]);
                c0 = _mm512_fmadd_pd(s0, v, c0);
                d0 = _mm512_fmadd_pd(s0, w, d0);
                c1 = _mm512_fmadd_pd(s1, v, c1);
                d1 = _mm512_fmadd_pd(s1, w, d1);
                c2 = _mm512_fmadd_pd(s2, v, c2);
                d2 = _mm512_fmadd_pd(s2, w, d2);
                c3 = _mm512_fmadd_pd(s3, v, c3);
                d3 = _mm512_fmadd_pd(s3, w, d3);
            }
            double *d = C + i * n;
            nz += narrow_put8(d, c0, 8) + narrow_put8(d + 8, d0, n - 8) +
                  narrow_put8(d + n, c1, 8) + narrow_put8(d + n + 8, d1, n - 8) +
                  narrow_put8(d + 2 * n, c2, 8) + narrow_put8(d + 2 * n + 8, d2, n - 8) +
                  narrow_put8(d + 3 * n, c3, 8) + narrow_put8(d + 3 * n + 8, d3, n - 8);
        }
        for (; i < hi; i++) {
            const double *a = A + i * k;
            __m512d c0 = _mm512_setzero_pd(), d0 = c0;
            for (int64_t p = 0; p < k; p++) {
                __m512d s0 = _mm512_set1_pd(a[p]);
                c0 = _mm512_fmadd_pd(s0, _mm512_loadu_pd(V + p * 16), c0);
                d0 = _mm512_fmadd_pd(s0, _mm512_loadu_pd(V + p * 16 + 8), d0);
            }
            nz += narrow_put8(C + i * n, c0, 8) + narrow_put8(C + i * n + 8, d0, n - 8);
        }
    }
    j->nzc[lo / j->grain] = nz;
}
#endif

/* C = op(A) op(B) for non-empty valid dimensions.  A vector operand is
 * contiguous whether or not it is transposed.  A product whose output is
 * too small to tile (e.g. t(X) %*% M with X tall, M a few columns) splits
 * the inner dimension into panels with m x n partials added in panel order
 * (at most MM_MAX_TILES; the split depends on the shapes only). */
static tsr_status gemm_dense(const ParCtx *par, const Op *a, const Op *b, MatBlock *c,
                             int *counted, Err *err)
{
    *counted = 0;
    if (b->cols == 1) return gemv_par(par, a->m, a->trans, b->m->dense, c->dense, err);
    if (a->rows == 1) return gemv_par(par, b->m, !b->trans, a->m->dense, c->dense, err);
    GemmJob j = { *a, *b, c->dense, a->rows, b->cols, a->cols, 0, 0, 0, NULL, 0, NULL };
    int64_t pad = j.n <= MM_NARROW ? 8 : 16;
    if (!a->trans && j.n <= 2 * MM_NARROW && j.m >= 4 * MM_MIN_TILE &&
        j.k * pad * (int64_t)sizeof(double) <= MM_NARROW_B_BYTES) {
        j.grain = par_grain(j.m, 2.0 * (double)j.n * (double)j.k);
        int64_t nch = par_nchunks(j.m, j.grain);
        j.vp = calloc((size_t)(j.k * pad), sizeof *j.vp);
        j.nzc = malloc((size_t)nch * sizeof *j.nzc);
        if (!j.vp || !j.nzc) {
            free(j.vp);
            free(j.nzc);
            return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
        }
        const double *B = b->m->dense;
        for (int64_t p = 0; p < j.k; p++)
            for (int64_t q = 0; q < j.n; q++)
                j.vp[p * pad + q] = b->trans ? B[q * j.k + p] : B[p * j.n + q];
        ParRangeFn fn = pad == 8 ? narrow_rows : narrow16_rows;
#ifdef KN_AVX512
        if (kn_avx512()) fn = narrow_rows512;
#endif
        par_for(par, j.m, j.grain, fn, &j);
        c->nnz = 0;
        for (int64_t t = 0; t < nch; t++) c->nnz += j.nzc[t];
        *counted = 1;
        free(j.vp);
        free(j.nzc);
        return TSR_OK;
    }
    gemm_grid(&j);
    int64_t tiles = cdiv(j.m, j.tm) * j.gn;
    double flops = 2.0 * (double)j.m * (double)j.n * (double)j.k;
    if (tiles < 4 && flops >= MM_PAR_FLOPS && j.k >= 4 * MM_MIN_TILE * MM_MAX_TILES &&
        j.m * j.n <= j.k) {
        int64_t want = (int64_t)(flops / MM_TILE_FLOPS);
        if (want > MM_MAX_TILES) want = MM_MAX_TILES;
        if (want >= 2) {
            KsplitJob k = { *a, *b, c->dense, NULL, j.m, j.n, cdiv(j.k, want), NULL };
            int64_t np = par_nchunks(j.k, k.grain);
            int narrow = a->trans && !b->trans && j.n <= MM_NARROW;
            k.part = malloc((size_t)((np - 1) * j.m * j.n) * sizeof *k.part);
            if (narrow)
                k.acc = malloc((size_t)(par_width(par, np) * j.m * j.n) * sizeof *k.acc);
            if (!k.part || (narrow && !k.acc)) {
                free(k.part);
                free(k.acc);
                return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
            }
            par_for(blas_ctx(par), j.k, k.grain, narrow ? narrow_panel : ksplit_panel, &k);
            kn_add_partials(par, c->dense, k.part, np - 1, j.m * j.n);
            free(k.part);
            free(k.acc);
            return TSR_OK;
        }
    }
    par_run(blas_ctx(par), tiles, gemm_tile, &j);
    return TSR_OK;
}

static tsr_status matmul_dense(const ParCtx *par, const Op *x, const Op *y, MatBlock **out,
                               Err *err)
{
    if (check_blas(x, y, err) != TSR_OK) return err->code;
    /* BLAS writes every cell (beta = 0) unless the inner dimension is empty */
    MatBlock *c = x->cols > 0 ? mb_new_uninit(par, x->rows, y->cols, err)
                              : mb_new_ctx(par, x->rows, y->cols, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0 && x->cols > 0) {
        int counted;
        if (gemm_dense(par, x, y, c, &counted, err) != TSR_OK) {
            mb_free(c);
            return err->code;
        }
        if (!counted) dense_nnz(par, c);
    }
    *out = c;
    return TSR_OK;
}

/* ---- one sparse side: dense result, split by output rows -------------------------------- */

/* Row p of op(B) for a dense B: its first cell and the stride between its
 * cells. */
static const double *op_row(const Op *o, int64_t p, int64_t *inc)
{
    const MatBlock *m = o->m;
    *inc = o->trans ? m->cols : 1;
    return o->trans ? m->dense + p : m->dense + p * m->cols;
}

/* y[0..n) += s * x[0], x[inc], x[2 inc], ... */
static void axpy(double *restrict y, double s, const double *restrict x, int64_t inc, int64_t n)
{
    if (inc == 1)
        for (int64_t j = 0; j < n; j++) y[j] += s * x[j];
    else
        for (int64_t j = 0; j < n; j++) y[j] += s * x[j * inc];
}

/* Operands of the row-range kernels below: C (dense, n columns) = op(X) op(Y)
 * restricted to output rows [lo, hi). */
typedef struct MixJob {
    const Op *x, *y;
    const MatBlock *a;    /* the CSR operand (x->m or y->m, or a transposed copy) */
    double *c, *part;
    int64_t n, grain;
} MixJob;

/* c = A x, A sparse, x and c contiguous vectors. */
static void csr_mv(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *a = j->a;
    const double *restrict x = j->y->m->dense;
    for (int64_t i = lo; i < hi; i++) {
        double s = 0.0;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) s += a->val[k] * x[a->idx[k]];
        j->c[i] = s;
    }
}

/* The part of c = t(A) x that rows [lo, hi) of A scatter (weight x[p] for
 * row p), into c itself for the first chunk and a zeroed partial else. */
static void csr_mtv(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *a = j->a;
    const double *restrict x = j->y->m->dense;
    int64_t ch = lo / j->grain;
    double *restrict c = ch == 0 ? j->c : j->part + (ch - 1) * a->cols;
    if (ch > 0) memset(c, 0, (size_t)a->cols * sizeof *c);
    for (int64_t p = lo; p < hi; p++) {
        double xp = x[p];
        for (int64_t k = a->ptr[p]; k < a->ptr[p + 1]; k++) c[a->idx[k]] += a->val[k] * xp;
    }
}

/* C = A op(Y), A sparse: a_ip adds a_ip op(Y)[p,:] to row i of C. */
static void csr_x_dense(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *a = j->a;
    int64_t inc;
    for (int64_t i = lo; i < hi; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            const double *br = op_row(j->y, a->idx[k], &inc);
            axpy(j->c + i * j->n, a->val[k], br, inc, j->n);
        }
}

/* C = t(A) op(Y), A sparse, sequentially: a_pi adds a_pi op(Y)[p,:] to row i. */
static void csrt_x_dense(const MatBlock *a, const Op *b, double *c, int64_t n)
{
    int64_t inc;
    for (int64_t p = 0; p < a->rows; p++) {
        const double *br = op_row(b, p, &inc);
        for (int64_t k = a->ptr[p]; k < a->ptr[p + 1]; k++)
            axpy(c + (int64_t)a->idx[k] * n, a->val[k], br, inc, n);
    }
}

/* C = op(X) Y, Y sparse: row i of C gathers op(X)[i,p] Y[p,:] over the
 * non-zero op(X)[i,p]. */
static void dense_x_csr(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *b = j->a;
    int64_t inc;
    for (int64_t i = lo; i < hi; i++) {
        const double *ar = op_row(j->x, i, &inc);
        double *ci = j->c + i * j->n;
        for (int64_t p = 0; p < b->rows; p++) {
            double av = ar[p * inc];
            if (av == 0.0) continue;
            for (int64_t k = b->ptr[p]; k < b->ptr[p + 1]; k++) ci[b->idx[k]] += av * b->val[k];
        }
    }
}

/* C = op(X) t(Y), Y sparse: C[i,j] is the dot product of the CSR row j of
 * Y with row i of op(X). */
static void dense_x_csrt(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *b = j->a;
    int64_t inc;
    for (int64_t i = lo; i < hi; i++) {
        const double *ar = op_row(j->x, i, &inc);
        double *ci = j->c + i * j->n;
        for (int64_t q = 0; q < b->rows; q++) {
            double s = 0.0;
            for (int64_t k = b->ptr[q]; k < b->ptr[q + 1]; k++)
                s += b->val[k] * ar[b->idx[k] * inc];
            ci[q] = s;
        }
    }
}

/* c = t(A) x for CSR A: row panels of A scatter into per-chunk partial
 * vectors added in chunk order.  The partials cost ncols(A) cells each, so
 * there are at most nnz / (8 ncols) chunks (one chunk: a plain scatter). */
static tsr_status csr_mtv_par(const ParCtx *par, MixJob *j, Err *err)
{
    const MatBlock *a = j->a;
    int64_t m = a->rows, k = a->cols;
    j->grain = par_grain(m, 2.0 * (double)a->nnz / (double)m + 1.0);
    j->grain = cap_chunks(m, j->grain, a->nnz / (8 * k));
    int64_t nch = par_nchunks(m, j->grain);
    if (nch > 1) {
        j->part = malloc((size_t)((nch - 1) * k) * sizeof *j->part);
        if (!j->part) return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    }
    par_for(par, m, j->grain, csr_mtv, j);
    kn_add_partials(par, j->c, j->part, nch - 1, k);
    free(j->part);
    j->part = NULL;
    return TSR_OK;
}

/* Rows [lo, hi) of CSR A scattered into the chunk's share of C = t(A) op(Y):
 * C itself for the first chunk, a zeroed k x n partial for the others. */
static void csrt_x_dense_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const MixJob *j = arg;
    const MatBlock *a = j->x->m;
    int64_t ch = lo / j->grain, kn = a->cols * j->n, inc;
    double *c = ch == 0 ? j->c : j->part + (ch - 1) * kn;
    if (ch > 0) memset(c, 0, (size_t)kn * sizeof *c);
    for (int64_t p = lo; p < hi; p++) {
        const double *br = op_row(j->y, p, &inc);
        for (int64_t k = a->ptr[p]; k < a->ptr[p + 1]; k++)
            axpy(c + (int64_t)a->idx[k] * j->n, a->val[k], br, inc, j->n);
    }
}

/* Partials of t(A) op(Y) at most: 8 chunks, few enough that zeroing and
 * adding them costs at most a quarter of the scatter, and 8M cells. */
#define CSRT_MAX_PARTS 8
#define CSRT_MAX_PART_CELLS ((int64_t)1 << 23)

/* C = t(A) op(Y), A sparse, n > 1.  When the output is small next to the
 * work, row panels of A scatter into per-chunk k x n partials added in
 * chunk order (at most CSRT_MAX_PARTS of them).  Otherwise a large product
 * transposes A once (CSR counting sort, O(nnz)) and runs the row-parallel
 * gather, which needs no partials and adds each cell's terms in the
 * sequential order (rows of A ascending).  Measured with A 10^5 x 10^4 at
 * 10^6 non-zeros and 20 columns: scatter with partials 2x faster than
 * transpose + gather, whose serial transpose costs as much as the gather. */
static tsr_status csrt_x_dense_par(const ParCtx *par, MixJob *j, Err *err)
{
    const MatBlock *a = j->x->m;
    int64_t m = a->rows, k = a->cols, kn = k * j->n;
    double flops = 2.0 * (double)a->nnz * (double)j->n;
    int64_t maxch = min64(CSRT_MAX_PARTS, min64(a->nnz / (4 * k), 1 + CSRT_MAX_PART_CELLS / kn));
    if (flops >= PAR_MIN_OP_WORK && maxch >= 2) {
        j->grain = cap_chunks(m, par_grain(m, flops / (double)m + 1.0), maxch);
        int64_t nch = par_nchunks(m, j->grain);
        if (nch > 1 && !(j->part = malloc((size_t)((nch - 1) * kn) * sizeof *j->part)))
            return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
        par_for(par, m, j->grain, csrt_x_dense_chunk, j);
        kn_add_partials(par, j->c, j->part, nch - 1, kn);
        free(j->part);
        j->part = NULL;
        return TSR_OK;
    }
    j->grain = par_grain(k, flops / (double)k);
    MatBlock *t = NULL;
    if (par_nchunks(k, j->grain) > 1 && kn_transpose(par, a, &t, err) != TSR_OK)
        return err->code;
    if (!t || !t->sparse) {   /* small product, or t(A) too wide for CSR */
        mb_free(t);
        csrt_x_dense(a, j->y, j->c, j->n);
        return TSR_OK;
    }
    j->a = t;
    par_for(par, k, j->grain, csr_x_dense, j);
    mb_free(t);
    return TSR_OK;
}

/* Exactly one of x, y is sparse; the result is dense. */
static tsr_status matmul_mixed(const ParCtx *par, const Op *x, const Op *y, MatBlock **out,
                               Err *err)
{
    int64_t n = y->cols, m = x->rows;
    MatBlock *c = mb_new_ctx(par, m, n, err);
    if (!c) return err->code;
    tsr_status st = TSR_OK;
    if (MB_CELLS(c) > 0 && x->cols > 0) {
        MixJob j = { x, y, x->m->sparse ? x->m : y->m, c->dense, NULL, n, 1 };
        double row_nnz = (double)j.a->nnz / (double)(j.a->rows ? j.a->rows : 1);
        if (x->m->sparse && n == 1 && x->trans) {
            st = csr_mtv_par(par, &j, err);
        } else if (x->m->sparse && x->trans) {
            st = csrt_x_dense_par(par, &j, err);
        } else if (x->m->sparse) {
            j.grain = par_grain(m, 2.0 * row_nnz * (double)n + (double)n);
            par_for(par, m, j.grain, n == 1 ? csr_mv : csr_x_dense, &j);
        } else {
            j.grain = par_grain(m, 2.0 * (double)j.a->nnz + (double)j.a->rows + (double)n);
            par_for(par, m, j.grain, y->trans ? dense_x_csrt : dense_x_csr, &j);
        }
        if (st == TSR_OK) dense_nnz(par, c);
    }
    if (st != TSR_OK) {
        mb_free(c);
        return st;
    }
    *out = c;
    return TSR_OK;
}

/* ---- sparse x sparse: Gustavson, split by output rows ----------------------------------- */

/* Upper bound on nnz(A B) for CSR A and B: per row of A the number of
 * products it accumulates, capped at the row length n. */
static int64_t spgemm_bound(const MatBlock *a, const MatBlock *b, int64_t *flops)
{
    int64_t est = 0, n = b->cols, fl = 0;
    for (int64_t i = 0; i < a->rows; i++) {
        int64_t f = 0;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
            f += b->ptr[a->idx[k] + 1] - b->ptr[a->idx[k]];
        fl += f;
        est += f < n ? f : n;
    }
    *flops = fl;
    return est;
}

typedef struct SpgJob {
    const MatBlock *a, *b;
    double *c;               /* dense result */
    int64_t grain, est;
    struct Spa *spa;         /* sparse result: one accumulator per wid */
    MatBlock **parts;        /* sparse result: the rows of each chunk */
    ParStatus status;
} SpgJob;

/* Dense result: row i of A B accumulated straight into row i of c. */
static void spgemm_dense(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const SpgJob *j = arg;
    const MatBlock *a = j->a, *b = j->b;
    int64_t n = b->cols;
    for (int64_t i = lo; i < hi; i++) {
        double *ci = j->c + i * n;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            double av = a->val[k];
            int64_t p = a->idx[k];
            for (int64_t q = b->ptr[p]; q < b->ptr[p + 1]; q++) ci[b->idx[q]] += av * b->val[q];
        }
    }
}

/* Sparse accumulator of one output row: values, the columns touched (in
 * arrival order) and a marker per column.  acc and mark are all zero
 * between rows. */
typedef struct Spa {
    double *acc;
    int32_t *list;
    unsigned char *mark;
} Spa;

/* Accumulates row i of A B; returns the number of columns touched. */
static int64_t spa_row(const MatBlock *a, const MatBlock *b, int64_t i, Spa *s)
{
    int64_t cnt = 0;
    for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
        double av = a->val[k];
        int64_t p = a->idx[k];
        for (int64_t q = b->ptr[p]; q < b->ptr[p + 1]; q++) {
            int32_t j = b->idx[q];
            if (!s->mark[j]) {
                s->mark[j] = 1;
                s->list[cnt++] = j;
            }
            s->acc[j] += av * b->val[q];
        }
    }
    return cnt;
}

static int cmp_i32(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* Appends the cnt touched columns to c in column order (cancelled sums are
 * dropped by the builder) and clears the accumulator.  Few columns are
 * sorted; many are found by a scan of the markers. */
static tsr_status spa_flush(Spa *s, int64_t cnt, int64_t n, MatBlock *c, Err *err)
{
    tsr_status st = TSR_OK;
    if (cnt < n / 16) {
        qsort(s->list, (size_t)cnt, sizeof *s->list, cmp_i32);
    } else {
        int64_t q = 0;
        for (int64_t j = 0; j < n && q < cnt; j++)
            if (s->mark[j]) s->list[q++] = (int32_t)j;
    }
    for (int64_t q = 0; q < cnt; q++) {
        int32_t j = s->list[q];
        if (st == TSR_OK) st = mb_csr_push(c, j, s->acc[j], err);
        s->acc[j] = 0.0;
        s->mark[j] = 0;
    }
    return st;
}

/* Rows [lo, hi) of a CSR result into a block of their own (chunk order is
 * restored by spgemm_concat). */
static void spgemm_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    SpgJob *j = arg;
    Err err;
    err_clear(&err);
    if (par_status_failed(&j->status)) return;
    int64_t cap = cdiv(j->est, j->a->rows) * (hi - lo) + 16;
    MatBlock *c = mb_new_sparse(hi - lo, j->b->cols, cap, &err);
    tsr_status st = c ? TSR_OK : err.code;
    for (int64_t i = lo; st == TSR_OK && i < hi; i++) {
        st = spa_flush(&j->spa[wid], spa_row(j->a, j->b, i, &j->spa[wid]), j->b->cols, c, &err);
        mb_csr_end_row(c, i - lo);
    }
    if (st != TSR_OK) {
        mb_free(c);
        par_status_fail(&j->status, st, &err);
        return;
    }
    j->parts[lo / j->grain] = c;
}

/* Joins the row blocks of the chunks into one CSR block. */
static MatBlock *spgemm_concat(MatBlock **parts, int64_t nch, int64_t rows, int64_t cols,
                               Err *err)
{
    int64_t nnz = 0;
    for (int64_t t = 0; t < nch; t++) nnz += parts[t]->nnz;
    MatBlock *c = mb_new_sparse(rows, cols, nnz, err);
    if (!c) return NULL;
    int64_t r0 = 0;
    for (int64_t t = 0; t < nch; t++) {
        const MatBlock *p = parts[t];
        for (int64_t i = 0; i < p->rows; i++) c->ptr[r0 + i + 1] = c->nnz + p->ptr[i + 1];
        if (p->nnz) {
            memcpy(c->idx + c->nnz, p->idx, (size_t)p->nnz * sizeof *c->idx);
            memcpy(c->val + c->nnz, p->val, (size_t)p->nnz * sizeof *c->val);
        }
        c->nnz += p->nnz;
        r0 += p->rows;
    }
    return c;
}

static void spa_free(Spa *s, int n)
{
    for (int w = 0; s && w < n; w++) {
        free(s[w].acc);
        free(s[w].list);
        free(s[w].mark);
    }
    free(s);
}

static tsr_status spgemm_sparse(const ParCtx *par, SpgJob *j, MatBlock **out, Err *err)
{
    int64_t m = j->a->rows, nch = par_nchunks(m, j->grain);
    size_t n = (size_t)(j->b->cols > 0 ? j->b->cols : 1);
    int width = par_width(par, nch);
    par_status_init(&j->status);
    j->spa = calloc((size_t)width, sizeof *j->spa);
    j->parts = calloc((size_t)(nch > 0 ? nch : 1), sizeof *j->parts);
    int ok = j->spa && j->parts;
    for (int w = 0; ok && w < width; w++) {
        Spa *s = &j->spa[w];
        s->acc = calloc(n, sizeof(double));
        s->list = malloc(n * sizeof(int32_t));
        s->mark = calloc(n, 1);
        ok = s->acc && s->list && s->mark;
    }
    tsr_status st = ok ? TSR_OK : err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    if (st == TSR_OK && m == 0) {
        *out = mb_new_sparse(0, j->b->cols, 0, err);
        st = *out ? TSR_OK : err->code;
    } else if (st == TSR_OK) {
        par_for(par, m, j->grain, spgemm_chunk, j);
        if (par_status_failed(&j->status)) {
            *err = j->status.err;
            st = err->code;
        } else {
            *out = spgemm_concat(j->parts, nch, m, j->b->cols, err);
            st = *out ? TSR_OK : err->code;
        }
    }
    for (int64_t t = 0; j->parts && t < nch; t++) mb_free(j->parts[t]);
    free(j->parts);
    spa_free(j->spa, width);
    return st;
}

/* A B for CSR A and B; CSR result if the bound on its nnz prefers it. */
static tsr_status spgemm(const ParCtx *par, const MatBlock *a, const MatBlock *b,
                         MatBlock **out, Err *err)
{
    int64_t flops;
    SpgJob j;
    memset(&j, 0, sizeof j);
    j.a = a;
    j.b = b;
    j.est = spgemm_bound(a, b, &flops);
    double per_row = (2.0 * (double)flops + (double)a->nnz) / (double)(a->rows ? a->rows : 1);
    j.grain = par_grain(a->rows, per_row + 1.0);
    if (mb_prefers_sparse(a->rows, b->cols, j.est)) return spgemm_sparse(par, &j, out, err);
    MatBlock *c = mb_new_ctx(par, a->rows, b->cols, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0) {
        j.c = c->dense;
        par_for(par, a->rows, j.grain, spgemm_dense, &j);
        dense_nnz(par, c);
    }
    *out = c;
    return TSR_OK;
}

/* Both sparse: transposed operands are transposed explicitly (CSR, O(nnz));
 * a transpose too wide for CSR comes back dense and takes the mixed path. */
static tsr_status matmul_sparse(const ParCtx *par, const Op *x, const Op *y, MatBlock **out,
                                Err *err)
{
    MatBlock *ta = NULL, *tb = NULL;
    if (!x->trans && !y->trans) return spgemm(par, x->m, y->m, out, err);
    if ((x->trans && kn_transpose(par, x->m, &ta, err) != TSR_OK) ||
        (y->trans && kn_transpose(par, y->m, &tb, err) != TSR_OK)) {
        mb_free(ta);
        return err->code;
    }
    tsr_status st = kn_matmul_ex(par, ta ? ta : x->m, 0, tb ? tb : y->m, 0, out, err);
    mb_free(ta);
    mb_free(tb);
    return st;
}

/* ---- tsmm, dense ----------------------------------------------------------------------- */

typedef struct SyrkJob {
    const MatBlock *x;
    int left;
    double *c, *part;
    int64_t n;            /* output is n x n */
    int64_t grain;        /* row panels */
    int64_t ts, nb;       /* output tiles: side, tiles per side */
    int64_t np;           /* row panels: partials to add */
    int fast;             /* row panels by kn_syrk_rows (else dsyrk) */
} SyrkJob;

/* Row panel [lo, hi) of X: its t(X_p) X_p (upper triangle) into c for the
 * first panel, a partial for the others. */
static void syrk_panel(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const SyrkJob *j = arg;
    int64_t ch = lo / j->grain, k = j->x->cols;
    double *dst = ch == 0 ? j->c : j->part + (ch - 1) * k * k;
    if (j->fast && kn_syrk_rows(j->x->dense + lo * k, hi - lo, k, dst) == 0) return;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)(hi - lo), 1.0,
                j->x->dense + lo * k, (int)k, 0.0, dst, (int)k);
}

/* Adds to rows [lo, hi) of c (rows x ld) the cells on or right of the
 * diagonal of np partials of the same shape, in panel order: the Gram
 * products' upper triangles (and, for gram, the t(X) V columns after them). */
static void add_upper_partials(double *c, const double *part, int64_t np, int64_t rows,
                               int64_t ld, int64_t lo, int64_t hi)
{
    for (int64_t p = 0; p < np; p++) {
        const double *src = part + p * rows * ld;
        for (int64_t i = lo; i < hi; i++)
            for (int64_t q = i; q < ld; q++) c[i * ld + q] += src[i * ld + q];
    }
}

static void syrk_reduce(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const SyrkJob *j = arg;
    add_upper_partials(j->c, j->part, j->np, j->n, j->n, lo, hi);
}

/* Upper-triangle tile t (row-major order over the tiles on or above the
 * diagonal) of op(X) t(op(X)): dsyrk on diagonal tiles, dgemm elsewhere. */
static void syrk_tile(void *arg, int64_t t, int wid)
{
    (void)wid;
    const SyrkJob *j = arg;
    int64_t bi = 0;
    while (t >= j->nb - bi) {
        t -= j->nb - bi;
        bi++;
    }
    int64_t bj = bi + t, i0 = bi * j->ts, j0 = bj * j->ts, n = j->n;
    int64_t ni = min64(j->ts, n - i0), nj = min64(j->ts, n - j0);
    const MatBlock *x = j->x;
    int ld = (int)x->cols, inner = (int)(j->left ? x->rows : x->cols);
    /* row i of op(X) starts at X + i*cols (left = 0) or is column i (left = 1) */
    const double *xi = j->left ? x->dense + i0 : x->dense + i0 * x->cols;
    const double *xj = j->left ? x->dense + j0 : x->dense + j0 * x->cols;
    double *c = j->c + i0 * n + j0;
    if (bi == bj)
        cblas_dsyrk(CblasRowMajor, CblasUpper, tr(j->left), (int)ni, inner, 1.0, xi, ld, 0.0, c,
                    (int)n);
    else
        cblas_dgemm(CblasRowMajor, tr(j->left), tr(!j->left), (int)ni, (int)nj, inner, 1.0, xi,
                    ld, xj, ld, 0.0, c, (int)n);
}

/* Number of tiles per side for an n x n symmetric output with the given
 * inner dimension (1: one dsyrk call). */
static int64_t syrk_tiles(int64_t n, int64_t inner)
{
    double flops = (double)n * (double)n * (double)inner;
    if (flops < MM_PAR_FLOPS) return 1;
    int64_t want = (int64_t)(flops / MM_TILE_FLOPS), nb = 1;
    if (want > MM_MAX_TILES) want = MM_MAX_TILES;
    while (nb * (nb + 1) / 2 < want && n / (nb + 1) >= MM_MIN_TILE) nb++;
    return nb;
}

/* Dense t(X) X (left) or X t(X).  Tall X with t(X) X: row panels of X,
 * each a dsyrk into its own k x k partial, added in panel order; otherwise
 * the upper triangle of the output is cut into tiles computed over the full
 * inner dimension (no partials). */
static tsr_status tsmm_dense(const ParCtx *par, const MatBlock *a, int left, MatBlock *c,
                             Err *err)
{
    SyrkJob j;
    memset(&j, 0, sizeof j);
    j.x = a;
    j.left = left;
    j.c = c->dense;
    j.n = c->rows;
    int64_t m = a->rows, k = a->cols;
    if (left && m >= 4 * k && (double)m * (double)k * (double)k >= MM_PAR_FLOPS) {
        j.grain = gram_grain(m, k);
        j.np = par_nchunks(m, j.grain) - 1;
        j.fast = kn_syrk_fast(k);
    }
    if (j.np > 0) {
        j.part = malloc((size_t)(j.np * k * k) * sizeof *j.part);
        if (!j.part) return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
        par_for(blas_ctx(par), m, j.grain, syrk_panel, &j);
        par_for(par, k, par_grain(k, (double)j.np * (double)k / 2.0), syrk_reduce, &j);
        free(j.part);
    } else {
        j.nb = syrk_tiles(j.n, left ? m : k);
        j.ts = cdiv(j.n, j.nb);
        if (j.nb > 1) j.ts = cdiv(j.ts, 8) * 8;
        j.nb = cdiv(j.n, j.ts);
        par_run(blas_ctx(par), j.nb * (j.nb + 1) / 2, syrk_tile, &j);
    }
    mirror_upper(par, c->dense, j.n);
    return TSR_OK;
}

/* ---- weighted Gram products: t(X) %*% (X * w), t(X) %*% cbind(X * w, V) -------------------- */

/* Bytes of X per block that is scaled in cache before its dgemm (dgemm on
 * such blocks ran faster here than dsyrk on sqrt(w)-scaled ones): the
 * portable path, where syrk.c's kernel does not run. */
#define WTSMM_BLOCK_BYTES (128 * 1024)

typedef struct GramJob {
    const MatBlock *x;
    const double *w, *v;
    int64_t kv, ldc;      /* V's columns; the output's (k + kv) */
    double *c, *part, *scratch;
    int64_t grain, blk, np;
    int fast;             /* row panels by kn_gram_rows (else dgemm) */
} GramJob;

/* Row panel [lo, hi) of X: t(X_p) (X_p * w_p) (at least its upper triangle)
 * and t(X_p) V_p into c (first panel) or the panel's partial. */
static void gram_panel(void *arg, int64_t lo, int64_t hi, int wid)
{
    const GramJob *j = arg;
    int64_t ch = lo / j->grain, k = j->x->cols, kv = j->kv, ldc = j->ldc;
    double *dst = ch == 0 ? j->c : j->part + (ch - 1) * k * ldc;
    const double *v = j->v ? j->v + lo * kv : NULL;
    if (j->fast && kn_gram_rows(j->x->dense + lo * k, hi - lo, k, j->w + lo, v, kv, dst, ldc) == 0)
        return;
    double *y = j->scratch + (int64_t)wid * j->blk * k;
    for (int64_t s = lo; s < hi; s += j->blk) {
        int64_t r = min64(j->blk, hi - s);
        const double *xb = j->x->dense + s * k;
        for (int64_t i = 0; i < r; i++) {
            double f = j->w[s + i];
            const double *xr = xb + i * k;
            double *yr = y + i * k;
            for (int64_t q = 0; q < k; q++) yr[q] = xr[q] * f;
        }
        double beta = s == lo ? 0.0 : 1.0;
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)r, 1.0, xb,
                    (int)k, y, (int)k, beta, dst, (int)ldc);
        if (kv > 0)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)kv, (int)r, 1.0,
                        xb, (int)k, j->v + s * kv, (int)kv, beta, dst + k, (int)ldc);
    }
}

static void gram_reduce(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const GramJob *j = arg;
    add_upper_partials(j->c, j->part, j->np, j->x->cols, j->ldc, lo, hi);
}

tsr_status kn_gram(const ParCtx *par, const MatBlock *x, const MatBlock *w, const MatBlock *v,
                   MatBlock **out, Err *err)
{
    *out = NULL;
    if (x->sparse || w->sparse || w->rows != x->rows || w->cols != 1 ||
        (v && (v->sparse || v->rows != x->rows)))
        return err_set(err, TSR_RUNTIME,
                       "weighted tsmm: X must be dense, w %lldx1 and V %lld rows, dense",
                       (long long)x->rows, (long long)x->rows);
    int64_t n = x->rows, k = x->cols, kv = v ? v->cols : 0;
    if (n > INT_MAX || k + kv > INT_MAX)
        return err_set(err, TSR_LIMIT, "tsmm of a %lldx%lld matrix exceeds the BLAS size limit",
                       (long long)n, (long long)k);
    MatBlock *c = mb_new_ctx(par, k, k + kv, err);
    if (!c) return err->code;
    if (n == 0 || k == 0) {
        *out = c;
        return TSR_OK;
    }
    GramJob j;
    memset(&j, 0, sizeof j);
    j.x = x;
    j.w = w->dense;
    j.v = v ? v->dense : NULL;
    j.kv = kv;
    j.ldc = k + kv;
    j.c = c->dense;
    j.grain = gram_grain(n, k + kv);
    j.np = par_nchunks(n, j.grain) - 1;
    j.fast = kn_syrk_fast(k + kv);
    j.blk = WTSMM_BLOCK_BYTES / (8 * k);
    if (j.blk < 8) j.blk = 8;
    if (j.blk > j.grain) j.blk = j.grain;
    j.part = j.np > 0 ? malloc((size_t)(j.np * k * j.ldc) * sizeof *j.part) : NULL;
    j.scratch = malloc((size_t)(par_width(par, j.np + 1) * j.blk * k) * sizeof *j.scratch);
    if ((j.np > 0 && !j.part) || !j.scratch) {
        free(j.part);
        free(j.scratch);
        mb_free(c);
        return err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    }
    par_for(blas_ctx(par), n, j.grain, gram_panel, &j);
    if (j.np > 0) par_for(par, k, par_grain(k, (double)j.np * (double)j.ldc / 2.0), gram_reduce, &j);
    mirror_upper_ld(par, c->dense, k, j.ldc);
    free(j.part);
    free(j.scratch);
    dense_nnz(par, c);
    *out = c;
    return TSR_OK;
}

tsr_status kn_tsmm_w(const ParCtx *par, const MatBlock *x, const MatBlock *w, MatBlock **out,
                     Err *err)
{
    return kn_gram(par, x, w, NULL, out, err);
}

/* ---- tsmm, sparse ---------------------------------------------------------------------- */

/* Sum of z(z+1)/2 over the CSR rows (z their lengths): the multiply-adds of
 * t(X) X's upper triangle; *bound the nnz bound of the result (sum z^2,
 * capped at n^2). */
static double tsmm_work(const MatBlock *a, int64_t *bound)
{
    int64_t n2 = a->cols * a->cols, est = 0;
    double w = 0.0;
    for (int64_t r = 0; r < a->rows; r++) {
        int64_t z = a->ptr[r + 1] - a->ptr[r];
        if (est < n2) est += z * z;
        w += (double)z * (double)(z + 1) / 2.0;
    }
    *bound = est < n2 ? est : n2;
    return w;
}

/* c (n x n, zero) += upper triangle of t(X) X: the outer product of every
 * CSR row of X (sequential). */
static void tsmm_outer(const MatBlock *a, double *c, int64_t n)
{
    for (int64_t r = 0; r < a->rows; r++)
        for (int64_t k = a->ptr[r]; k < a->ptr[r + 1]; k++) {
            double v = a->val[k];
            double *ci = c + (int64_t)a->idx[k] * n;
            for (int64_t q = k; q < a->ptr[r + 1]; q++) ci[a->idx[q]] += v * a->val[q];
        }
}

/* Column index of a CSR block for the gather form of the outer products:
 * for column i, the positions q of its non-zeros (rows ascending) and the
 * end of each one's row. */
typedef struct ColIdx {
    const MatBlock *a;
    double *c;
    int64_t *cptr, *pos, *end;
} ColIdx;

/* Output rows [lo, hi) of t(X) X's upper triangle: row i adds, for every
 * row p of X with a non-zero x_pi, x_pi times the rest of row p.  The terms
 * of each cell come in the order of the sequential outer-product loop
 * (rows of X ascending), so the result is the same bit for bit. */
static void tsmm_gather(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    const ColIdx *x = arg;
    const MatBlock *a = x->a;
    int64_t n = a->cols;
    for (int64_t i = lo; i < hi; i++) {
        double *ci = x->c + i * n;
        for (int64_t s = x->cptr[i]; s < x->cptr[i + 1]; s++) {
            int64_t q = x->pos[s];
            double v = a->val[q];
            for (int64_t r = q; r < x->end[s]; r++) ci[a->idx[r]] += v * a->val[r];
        }
    }
}

static tsr_status tsmm_gather_par(const ParCtx *par, const MatBlock *a, double *c,
                                  int64_t grain, Err *err)
{
    int64_t n = a->cols;
    ColIdx x = { a, c, calloc((size_t)n + 1, sizeof(int64_t)),
                 malloc((size_t)(a->nnz ? a->nnz : 1) * sizeof(int64_t)),
                 malloc((size_t)(a->nnz ? a->nnz : 1) * sizeof(int64_t)) };
    int64_t *fill = malloc((size_t)(n ? n : 1) * sizeof(int64_t));
    tsr_status st = TSR_OK;
    if (!x.cptr || !x.pos || !x.end || !fill) {
        st = err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    } else {
        for (int64_t q = 0; q < a->nnz; q++) x.cptr[a->idx[q] + 1]++;
        for (int64_t i = 0; i < n; i++) x.cptr[i + 1] += x.cptr[i];
        memcpy(fill, x.cptr, (size_t)n * sizeof *fill);
        for (int64_t p = 0; p < a->rows; p++)
            for (int64_t q = a->ptr[p]; q < a->ptr[p + 1]; q++) {
                int64_t s = fill[a->idx[q]]++;
                x.pos[s] = q;
                x.end[s] = a->ptr[p + 1];
            }
        par_for(par, n, grain, tsmm_gather, &x);
    }
    free(fill);
    free(x.cptr);
    free(x.pos);
    free(x.end);
    return st;
}

/* Sparse X: t(X) %*% X by outer products (dense result) or, like X %*% t(X),
 * through an explicit CSR transpose and Gustavson.  Large dense results are
 * computed by output rows in parallel (tsmm_gather). */
static tsr_status tsmm_sparse(const ParCtx *par, const MatBlock *a, int left, MatBlock **out,
                              Err *err)
{
    int64_t n = a->cols, bound = 0;
    double work = left ? tsmm_work(a, &bound) : 0.0;
    if (!left || mb_prefers_sparse(n, n, bound)) {
        MatBlock *t = NULL;
        if (kn_transpose(par, a, &t, err) != TSR_OK) return err->code;
        tsr_status st = left ? kn_matmul_ex(par, t, 0, a, 0, out, err)
                             : kn_matmul_ex(par, a, 0, t, 0, out, err);
        mb_free(t);
        return st;
    }
    MatBlock *c = mb_new_ctx(par, n, n, err);
    if (!c) return err->code;
    if (n > 0) {
        int64_t grain = par_grain(n, 2.0 * work / (double)n + 1.0);
        if (par_nchunks(n, grain) <= 1)
            tsmm_outer(a, c->dense, n);
        else if (tsmm_gather_par(par, a, c->dense, grain, err) != TSR_OK) {
            mb_free(c);
            return err->code;
        }
        mirror_upper(par, c->dense, n);
        dense_nnz(par, c);
    }
    *out = c;
    return TSR_OK;
}

tsr_status kn_tsmm(const ParCtx *par, const MatBlock *a, int left, MatBlock **out, Err *err)
{
    Op x = op_of(a, left), y = op_of(a, !left);
    *out = NULL;
    if (a->sparse) return tsmm_sparse(par, a, left, out, err);
    if (check_blas(&x, &y, err) != TSR_OK) return err->code;
    int64_t n = x.rows, k = x.cols;
    /* dsyrk/dgemm write the upper triangle, the mirror the rest */
    MatBlock *c = k > 0 ? mb_new_uninit(par, n, n, err) : mb_new_ctx(par, n, n, err);
    if (!c) return err->code;
    if (n > 0 && k > 0) {
        if (tsmm_dense(par, a, left, c, err) != TSR_OK) {
            mb_free(c);
            return err->code;
        }
        dense_nnz(par, c);
    }
    *out = c;
    return TSR_OK;
}

/* ---- entry points -------------------------------------------------------------------------- */

tsr_status kn_matmul_ex(const ParCtx *par, const MatBlock *a, int ta, const MatBlock *b, int tb,
                        MatBlock **out,
                        Err *err)
{
    Op x = op_of(a, ta), y = op_of(b, tb);
    *out = NULL;
    if (check_dims(&x, &y, err) != TSR_OK) return err->code;
    if (a == b && x.trans != y.trans && x.rows > 1) return kn_tsmm(par, a, x.trans, out, err);
    if (a->sparse && b->sparse) return matmul_sparse(par, &x, &y, out, err);
    if (a->sparse || b->sparse) return matmul_mixed(par, &x, &y, out, err);
    return matmul_dense(par, &x, &y, out, err);
}

tsr_status kn_matmul(const ParCtx *par, const MatBlock *a, const MatBlock *b, MatBlock **out,
                     Err *err)
{
    return kn_matmul_ex(par, a, 0, b, 0, out, err);
}
