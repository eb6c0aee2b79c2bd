/*
 * builtins_int.h - private interface between the builtin files of the
 * runtime (builtins.c, builtins_*.c): handler prototypes generated from
 * builtins.def and the argument-binding/conversion helpers (prefix bi_).
 *
 * Helpers validate one argument at the boundary and report errors as
 * TSR_RUNTIME in ctx->err, naming the builtin and the parameter.  Not for
 * use outside src/runtime.
 */
#ifndef TSR_BUILTINS_INT_H
#define TSR_BUILTINS_INT_H

#include "runtime/runtime.h"

/* Handler prototypes (aliases repeat a prototype, which C allows). */
#define BUILTIN(name, fn, lo, hi, mr) tsr_status fn(RtCtx *ctx, RtArgs *a, Value *out, int nout);
#include "runtime/builtins.def"
#undef BUILTIN

/* ---- argument binding ------------------------------------------------------
 * A signature lists the parameter names in positional order.  bi_bind maps
 * positional arguments by position and named ones by name into v[0..n-1]
 * (NULL = not given).  Errors: too many arguments, unknown name
 * ("Invalid parameter <k> for <fn>, valid parameters are [p1, p2, ...]"),
 * a parameter given twice, a missing required parameter. */
#define BI_MAXP 16
typedef struct BiSig {
    const char *fn;               /* DML name used in messages */
    const char *const *params;    /* NULL-terminated, positional order */
    int required;                 /* the first `required` params are mandatory */
    int icase;                    /* match names case-insensitively (rand) */
} BiSig;

tsr_status bi_bind(RtCtx *ctx, const RtArgs *a, const BiSig *sig, const Value **v);
/* "Invalid parameter <k> for <fn>, valid parameters are [..]" */
tsr_status bi_bad_param(RtCtx *ctx, const BiSig *sig, const char *k);
/* Sets a TSR_RUNTIME error (printf format); returns TSR_RUNTIME. */
tsr_status bi_err(RtCtx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* lo..hi positional arguments and no named ones (handlers then index a->pos
 * by these counts). */
tsr_status bi_positional(RtCtx *ctx, const RtArgs *a, const char *fn, int lo, int hi);
int bi_nargs(const RtArgs *a);

/* ---- scalar parameters (v may be NULL: then *out = dflt) ---------------- */
tsr_status bi_int(RtCtx *ctx, const char *fn, const char *p, const Value *v, int64_t dflt,
                  int64_t *out);
tsr_status bi_dbl(RtCtx *ctx, const char *fn, const char *p, const Value *v, double dflt,
                  double *out);
tsr_status bi_bool(RtCtx *ctx, const char *fn, const char *p, const Value *v, int dflt,
                   int *out);
/* String parameter: *out is borrowed from v (or dflt). */
tsr_status bi_str(RtCtx *ctx, const char *fn, const char *p, const Value *v, const char *dflt,
                  const char **out);
int bi_is_num(const Value *v);     /* INT64/FP64/BOOLEAN scalar */

/* ---- matrix parameters ------------------------------------------------------
 * A matrix argument, or a numeric scalar promoted to an owned 1x1 block. */
typedef struct BiMat {
    const MatBlock *b;
    MatBlock *own;
} BiMat;
tsr_status bi_mat(RtCtx *ctx, const char *fn, const char *p, const Value *v, BiMat *m);
/* Two matrix arguments; on failure neither holds anything. */
tsr_status bi_mat2(RtCtx *ctx, const char *fn, const char *p1, const Value *v1, BiMat *m1,
                   const char *p2, const Value *v2, BiMat *m2);
void bi_mat_done(BiMat *m);
/* Wraps the kernel result *b into *out when st == TSR_OK (else frees it);
 * takes b by address because the kernel call fills it in the same
 * expression (argument evaluation order is unspecified). */
tsr_status bi_ret_block(tsr_status st, MatBlock **b, Value *out);

/* ---- formatting shared by print and toString ------------------------------ */
typedef struct BiToStr {
    int64_t rows, cols;
    int decimal, sparse;
    const char *sep, *linesep;
} BiToStr;
void bi_tostr_defaults(BiToStr *o);
/* Appends the toString form of any value (DML.md 6.2). */
void bi_value_to_string(const Value *v, const BiToStr *o, StrBuf *out);

/* ---- frames (builtins_frame.c): the frame forms of shared builtins ---------
 * cbind/rbind of n frame values (any non-frame input is an error);
 * removeEmpty and replace with already bound arguments; as.scalar of a 1x1
 * frame (scalar of the column type). */
tsr_status bi_frame_bind(RtCtx *ctx, const Value *const *v, int n, int rows, Value *out);
tsr_status bi_frame_remove_empty(RtCtx *ctx, const Value *target, int by_rows,
                                 const Value *select, int empty_return, Value *out);
tsr_status bi_frame_replace(RtCtx *ctx, const Value *target, const Value *pattern,
                            const Value *replacement, Value *out);
tsr_status bi_frame_to_scalar(RtCtx *ctx, const Value *v, Value *out);
/* contains(target=F, pattern=s) (builtins_frame2.c). */
tsr_status bi_frame_contains(RtCtx *ctx, const Value *target, const Value *pattern, Value *out);

/* ---- random seeds ---------------------------------------------------------- */
/* A fresh seed for unseeded rand()/sample(): derived from ctx->seed (when
 * set) mixed with ctx->rand_calls++, else from the clock. */
uint64_t bi_fresh_seed(RtCtx *ctx);

#endif /* TSR_BUILTINS_INT_H */
