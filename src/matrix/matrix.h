/*
 * matrix.h - matrix blocks and the kernels over them (prefix mb_ for blocks,
 * kn_ for kernels).
 *
 * A MatBlock holds FP64 cells.  Today every block is dense row-major; the
 * `sparse` fields are reserved for the CSR/MCSR representation of the next
 * issue, and every kernel must go through mb_get/mb_dense (never assume a
 * layout outside this module).  `nnz` is kept exact by every kernel.
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

typedef struct MatBlock {
    int64_t rows, cols;
    int64_t nnz;        /* exact number of non-zero cells (NaN counts)     */
    double *dense;      /* rows*cols cells, row-major; NULL if rows*cols==0 */
    /* reserved for the sparse representation (next issue) */
    int sparse;
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
void mb_set(MatBlock *m, int64_t i, int64_t j, double v);  /* keeps nnz exact */
void mb_recount_nnz(MatBlock *m);
/* 1x1 helper */
MatBlock *mb_scalar(double v, Err *err);

/* ---- elementwise ---------------------------------------------------------- */
/* Cellwise binary op (BOP_* except MATMUL/AND/OR handled too: AND/OR give
 * 0/1), with DML.md 3.5 broadcasting: same shape, right column vector, right
 * row vector, right 1x1 (= scalar).  Mismatch error text:
 * "Block sizes are not matched for binary cell operations: <r1>x<c1> vs <r2>x<c2>" */
tsr_status kn_binary(BinOp op, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
/* matrix op scalar (scalar_left = 0) or scalar op matrix (scalar_left = 1). */
tsr_status kn_binary_scalar(BinOp op, const MatBlock *a, double s, int scalar_left,
                            MatBlock **out, Err *err);
/* The scalar semantics of one op on doubles (DML.md 3.2/3.3): used by the
 * kernels and by the interpreter for FP64 scalars.  Relational/logical give
 * 0.0/1.0.  BOP_MATMUL on scalars is the product. */
double kn_binop_double(BinOp op, double a, double b);
/* Extra cellwise binaries that are builtins rather than operators. */
typedef enum { KB_MIN, KB_MAX, KB_XOR, KB_LOG } KnBinFn;
tsr_status kn_binary_fn(KnBinFn fn, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
tsr_status kn_binary_fn_scalar(KnBinFn fn, const MatBlock *a, double s, int scalar_left,
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
tsr_status kn_unary(KnUnary fn, const MatBlock *a, MatBlock **out, Err *err);
/* ifelse with matrix/scalar arguments; NULL block means "use the scalar". */
tsr_status kn_ifelse(const MatBlock *c, double cs, const MatBlock *a, double as,
                     const MatBlock *b, double bs, MatBlock **out, Err *err);

/* ---- aggregates ----------------------------------------------------------- */
typedef enum { KA_SUM, KA_MEAN, KA_VAR, KA_SD, KA_MIN, KA_MAX, KA_PROD } KnAgg;
typedef enum { KD_ALL, KD_ROW, KD_COL } KnDir;
/* Full aggregate -> double (var/sd use n-1, 0 for n==1).  Empty input:
 * sum 0, prod 1, mean/var/sd NaN, min +Inf, max -Inf (SystemDS's initial
 * values).  min/max propagate NaN.  Sums are compensated (KahanPlus).  */
tsr_status kn_agg_full(KnAgg fn, const MatBlock *a, double *out, Err *err);
/* rowX (m x 1) or colX (1 x n). */
tsr_status kn_agg_dir(KnAgg fn, KnDir dir, const MatBlock *a, MatBlock **out, Err *err);
/* rowIndexMax/Min: ties -> last position; all-NaN row -> 1. */
tsr_status kn_row_index(int is_max, const MatBlock *a, MatBlock **out, Err *err);
/* Column-wise cumulative sum/prod/min/max. */
typedef enum { KC_SUM, KC_PROD, KC_MIN, KC_MAX } KnCum;
tsr_status kn_cumagg(KnCum fn, const MatBlock *a, MatBlock **out, Err *err);
tsr_status kn_trace(const MatBlock *a, double *out, Err *err);

/* ---- matrix multiply, reorganisation --------------------------------------- */
/* "invalid dimensions for matrix multiplication ... " style error:
 * "dimension mismatch in %*%: <r1>x<c1> %*% <r2>x<c2>". Uses BLAS dgemm/dgemv. */
tsr_status kn_matmul(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
/* op(A) %*% op(B), op = t() when the flag is set, without materialising the
 * transpose (t(X) %*% y, X %*% t(Y)); errors name the effective shapes.
 * t(A) %*% A and A %*% t(A) on the same block go to kn_tsmm. */
tsr_status kn_matmul_ex(const MatBlock *a, int ta, const MatBlock *b, int tb, MatBlock **out,
                        Err *err);
/* Symmetric product via dsyrk: t(A) %*% A (left = 1) or A %*% t(A)
 * (left = 0); half the flops of the general product. */
tsr_status kn_tsmm(const MatBlock *a, int left, MatBlock **out, Err *err);
/* Call once at process start, before any thread exists and before the first
 * BLAS/LAPACK call: if the linked OpenBLAS fell back to its generic kernels
 * on a CPU it does not know (Debian 12's 0.3.21 on AMD Zen 4), re-selects
 * the AVX-512 or AVX2 kernels (sets OPENBLAS_CORETYPE unless the user set
 * it).  Not thread-safe (setenv).  Returns the kernel set in use. */
const char *kn_blas_setup(void);
tsr_status kn_transpose(const MatBlock *a, MatBlock **out, Err *err);
tsr_status kn_rev(const MatBlock *a, MatBlock **out, Err *err);
/* diag: n x 1 -> n x n, n x n -> n x 1, 1x1 -> 1x1; else the error text of
 * DML 7.8 up to "... dimensions (<r>,<c>)" (the kernel does not know the
 * expression: the interpreter may append " in <expr>"). */
tsr_status kn_diag(const MatBlock *a, MatBlock **out, Err *err);
/* n-ary cbind/rbind. */
tsr_status kn_cbind(const MatBlock *const *in, int n, MatBlock **out, Err *err);
tsr_status kn_rbind(const MatBlock *const *in, int n, MatBlock **out, Err *err);
/* matrix(data=A, rows, cols, byrow): reshape. */
tsr_status kn_reshape(const MatBlock *a, int64_t rows, int64_t cols, int byrow,
                      MatBlock **out, Err *err);

/* ---- indexing (1-based inclusive bounds, already converted to int) -------- */
/* Error: "Invalid values for matrix indexing: [rl:ru,cl:cu] must be within
 * matrix dimensions [m,n]" */
tsr_status kn_slice(const MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                    MatBlock **out, Err *err);
/* In-place left indexing into `a` (caller guarantees exclusive ownership).
 * src must be (ru-rl+1) x (cu-cl+1): else "Invalid values for matrix
 * indexing: dimensions of the source matrix [r2xc2] do not match the shape
 * of the matrix specified by indices [rl:ru, cl:cu]." */
tsr_status kn_assign_slice(MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                           const MatBlock *src, Err *err);
tsr_status kn_assign_cell(MatBlock *a, int64_t r, int64_t c, double v, Err *err);

/* ---- data generation ------------------------------------------------------- */
typedef enum { KR_UNIFORM, KR_NORMAL, KR_POISSON } KnPdf;
/* Counter-based (Philox-style) generator keyed by (seed, block, cell): the
 * result never depends on thread count.  sparsity in [0,1]. */
tsr_status kn_rand(int64_t rows, int64_t cols, double min, double max, double sparsity,
                   uint64_t seed, KnPdf pdf, double lambda, MatBlock **out, Err *err);
/* seq(from, to, incr) as N x 1 (DML.md 7.1 rules, incl. errors). */
tsr_status kn_seq(double from, double to, double incr, MatBlock **out, Err *err);
/* sample(range, size, replace, seed) -> size x 1 of integers in [1, range]. */
tsr_status kn_sample(int64_t range, int64_t size, int replace, uint64_t seed,
                     MatBlock **out, Err *err);

/* ---- linear algebra (LAPACKE) ------------------------------------------- */
tsr_status kn_solve(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err);
tsr_status kn_inv(const MatBlock *a, MatBlock **out, Err *err);

/* ---- formatting -------------------------------------------------------------- */
/* toString(X, rows, cols, decimal, sparse, sep, linesep) of DML.md 6.2,
 * appended to out.  rows/cols < 0: all. */
void kn_to_string(const MatBlock *a, int64_t rows, int64_t cols, int decimal, int sparse,
                  const char *sep, const char *linesep, StrBuf *out);

#endif /* TSR_MATRIX_H */
