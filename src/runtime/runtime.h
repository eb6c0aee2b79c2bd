/*
 * runtime.h - values, the runtime context and the builtin-call interface of
 * the interpreter (prefix rt_).
 *
 * Values have value semantics.  Matrices are held through refcounted matrix
 * objects (MatObj) so that copying a variable is O(1) and a write first
 * makes the object exclusive (copy-on-write).  A MatObj is the handle that
 * later issues make evictable (buffer pool) or distributed (MPI); code
 * outside the matrix module reaches cells only through rt_mat_block().
 * Lists are refcounted and copy-on-write too.  Strings are owned by their
 * Value and copied with it.
 *
 * Builtins are native functions `RtBuiltinFn` registered in one table
 * (builtins.def, X-macro): the interpreter evaluates the call's arguments,
 * binds them (positional and named) and calls the handler, which returns
 * its result(s) or an error (message only; the interpreter adds the span).
 */
#ifndef TSR_RUNTIME_H
#define TSR_RUNTIME_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "frame/frame.h"
#include "lang/ast.h"
#include "lang/lang.h"
#include "matrix/matrix.h"
#include "parallel/parallel.h"
#include "util/util.h"

/* ---- values ------------------------------------------------------------------ */
/* Reference counts are atomic: parfor workers share their inputs (one
 * reference per worker) and drop them on their own threads. */
typedef struct MatObj {
    atomic_int refcnt;
    MatBlock *blk;       /* in memory; later: may be NULL while evicted */
    /* Column partition (parfor, DML.md 8.2 datapartitioner): the transpose
     * of blk, so that X[, j] copies a contiguous row instead of gathering a
     * strided column.  Set only while a parfor holds a reference (so blk
     * cannot change); NULL otherwise.  Freed with the object. */
    MatBlock *colpart;
} MatObj;

/* Frames are held like matrices: a refcounted handle, copy-on-write. */
typedef struct FrameObj {
    atomic_int refcnt;
    FrameBlock *fb;
} FrameObj;

typedef struct RtList RtList;

typedef struct Value {
    DataType dt;         /* DT_UNKNOWN means "no value" */
    ValueType vt;        /* for scalars; VT_FP64 for matrices */
    union {
        int64_t i;
        double d;
        int b;
        char *s;         /* owned */
        MatObj *m;       /* counted reference */
        FrameObj *f;     /* counted reference */
        RtList *l;       /* counted reference */
    } u;
} Value;

struct RtList {
    atomic_int refcnt;
    int n, cap;
    Value *items;
    char **names;        /* NULL for an unnamed list; else n owned names */
};

/* Constructors (the result owns what it references). */
Value rt_int(int64_t v);
Value rt_dbl(double v);
Value rt_bool(int v);
Value rt_str(const char *s);          /* copies s */
Value rt_str_take(char *s);           /* takes ownership of s */
Value rt_mat_take(MatBlock *b);       /* wraps a new block (refcnt 1) */
Value rt_frame_take(FrameBlock *f);   /* wraps a new frame (refcnt 1) */
Value rt_list_new(int named);
/* Copy = new reference (matrices/frames/lists: refcount++; strings: duplicated). */
Value rt_copy(const Value *v);
void rt_release(Value *v);            /* drops the reference; v becomes empty */
/* Whether this value is the only reference to its matrix/frame/list object
 * (then it may be updated in place). */
static inline int rt_obj_exclusive(const atomic_int *refcnt)
{
    return atomic_load_explicit(refcnt, memory_order_acquire) == 1;
}
/* Block of a matrix value (borrowed). */
MatBlock *rt_mat_block(const Value *v);
/* Makes v's matrix exclusively owned (copies if shared) and returns its
 * block for in-place update; NULL with err on allocation failure. */
MatBlock *rt_mat_mutable(Value *v, Err *err);
/* Frame of a frame value (borrowed), NULL for other values; and the
 * copy-on-write counterpart of rt_mat_mutable. */
FrameBlock *rt_frame_block(const Value *v);
FrameBlock *rt_frame_mutable(Value *v, Err *err);
/* Lists: append takes ownership of item; name may be NULL for unnamed. */
void rt_list_append(Value *list, Value item, const char *name);
RtList *rt_list_mutable(Value *v);    /* copy-on-write for lists */

/* Scalar conversions (DML.md 2.3, 3.2, 3.6); they assume dt == DT_SCALAR. */
double rt_as_double(const Value *v);
int64_t rt_as_int(const Value *v);    /* sign(v)*floor(|v|+2^-53) for doubles */
int rt_as_bool(const Value *v);
/* Printed form of a scalar (DML.md 3.7); appended to out. */
void rt_scalar_to_string(const Value *v, StrBuf *out);
/* "scalar", "matrix", ... / "INT64", "FP64", ... */
const char *rt_dt_name(DataType dt);
const char *rt_vt_name(ValueType vt);

/* ---- operators (ops.c) ------------------------------------------------------------ */
struct RtCtx;
/* a op b for every combination of scalars (int/double/bool/string) and
 * matrices, with the value-type rules of DML.md 2.3/3.2/3.3/3.5/3.7 (string
 * concatenation, int overflow error, 1x1 right operand as scalar, ...).
 * Inputs are borrowed; *out is a new value. Errors: message in ctx->err. */
tsr_status rt_binop(struct RtCtx *ctx, BinOp op, const Value *a, const Value *b, Value *out);
tsr_status rt_unop(struct RtCtx *ctx, UnOp op, const Value *a, Value *out);

/* ---- context ------------------------------------------------------------------- */
typedef struct RtStats {
    int64_t t_start, t_parse, t_compile, t_exec_end;   /* tm_now_ns stamps */
    /* per-instruction counters, filled by the interpreter */
    struct { const char *name; int64_t count, ns; } ops[256];
    int nops;
    /* compiler: plans compiled / found in the cache, time spent compiling */
    int64_t plans_compiled, plan_hits, compile_ns;
} RtStats;

typedef struct RtCtx {
    FILE *out, *errout;
    int64_t seed;          /* -1: none */
    uint64_t rand_calls;   /* for fresh seeds of unseeded rand() */
    int threads;           /* degree of parallelism in effect (-threads, >= 1) */
    MbFormat block_format; /* AUTO, or forced DENSE/SPARSE (differential tests) */
    ParCtx par;            /* the process's thread pool and the budget of one op */
    AstProgram *prog;
    RtStats stats;
    Err err;
    int depth;             /* current call depth (limit below) */
} RtCtx;

#define RT_MAX_CALL_DEPTH 10000

/* ---- builtins ------------------------------------------------------------------- */
/* Bound, evaluated arguments of one builtin call. */
typedef struct RtArgs {
    Value *pos;            /* positional arguments in order */
    int npos;
    const char **names;    /* named arguments */
    Value *named;
    int nnamed;
    Span span;             /* the call */
    Span end;              /* last character of the call's statement when the
                              call is a whole statement's value; line 0: unknown */
} RtArgs;

/* A builtin writes nout results into out[0..nout-1] (nout is the number of
 * targets requested; 1 for ordinary calls) and returns TSR_OK or an error
 * status with ctx->err.msg set. */
typedef tsr_status (*RtBuiltinFn)(RtCtx *ctx, RtArgs *a, Value *out, int nout);

typedef struct RtBuiltin {
    const char *name;
    RtBuiltinFn fn;
    int min_args, max_args;   /* -1: unlimited */
    int multi_return;         /* must be called as [a,b] = f(...) */
} RtBuiltin;

/* Lookup by name (case-sensitive except "rand", which matches in any case:
 * Rand, RAND); NULL if not a builtin.  User functions shadow builtins, so
 * callers look them up first. */
const RtBuiltin *rt_builtin_find(const char *name);
const RtBuiltin *rt_builtin_by_id(int id);
int rt_builtin_id(const RtBuiltin *b);

/* Writes "WARNING: file:line:col: message\n" (without the location when
 * sp.line is 0) to ctx->errout, stderr when unset.  Run-time warnings do
 * not stop the script (DML.md 6.2 truncation, ...). */
void rt_warn(RtCtx *ctx, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* assert(): sets the error of a failed assertion, "assertion failed at
 * <file> <l1>:<c1>-<l2>:<c2>" for the statement from..to (first and last
 * character, 1-based columns, DML.md 6.3), and returns TSR_RUNTIME.  The
 * builtin passes RtArgs.span and .end (the call span for both ends when the
 * end is not known). */
tsr_status rt_assert_fail(RtCtx *ctx, Span from, Span to);

/* ---- interpreter entry points for second-order builtins (call.c) ---------------
 * These may only be called with the RtCtx the interpreter passed to a builtin
 * handler (the context is embedded in the interpreter's state). */

/* Resolves a function the way eval() does: "ns::f" in a namespace bound by
 * source(); else a user function of the executing file or of the main
 * script; else the DML-bodied builtin `name`, loaded on demand, variant
 * m_/f_/s_ chosen by first_dt (pass DT_MATRIX for a list, DML.md 5.10).
 * Returns NULL with ctx->err set, e.g. "Function '.defaultNS::f' (called
 * through eval) is non-existing.". */
const FuncDef *rt_find_function(RtCtx *ctx, const char *name, DataType first_dt);
/* Calls fn with evaluated arguments (borrowed; they are copied), binding
 * them like a script call (all positional or all named, defaults, casts).
 * Writes the first min(nout, fn->nouts) outputs in declaration order into
 * out[] (output k is named fn->outs[k].name); asking for more than fn->nouts
 * outputs with nout > 1 is an error.  On error out[] is left empty. */
tsr_status rt_call_function(RtCtx *ctx, const FuncDef *fn, const RtArgs *args, Value *out,
                            int nout);
/* The value of a variable in the executing scope (borrowed), or NULL. */
const Value *rt_lookup_var(RtCtx *ctx, const char *name);

/* ---- function signatures (call.c) ----------------------------------------------
 * Checks a value of data type dt (and, for scalars, value type vt) against
 * the declared type of parameter (is_output = 0) or output (1) p of fn
 * (DML.md 5.1/5.3).  The data types must be equal (a 1x1 matrix is not a
 * scalar); a string scalar fits only a String or Unknown scalar, while
 * numbers and booleans convert among themselves and to String (the binder
 * casts them, as SystemDS does).  DT_UNKNOWN / VT_UNKNOWN (types not known
 * statically) always fit.  Used by the validator (code TSR_TYPE) and at run
 * time (TSR_RUNTIME).  Returns TSR_OK, or `code` with the message in err
 * ("for function f, return variable c data type of SCALAR does not match
 * data type in function signature of MATRIX"); the span is left alone. */
tsr_status rt_check_decl(const FuncDef *fn, const Param *p, int is_output, DataType dt,
                         ValueType vt, tsr_status code, Err *err);

#endif /* TSR_RUNTIME_H */
