/*
 * rt_int.h - interpreter internals shared by env.c, dispatch.c, interp.c,
 * call.c and api.c (not for use by builtins or other modules; they see only
 * runtime.h).
 *
 * The interpreter walks the validated AST directly (the compiler of later
 * issues will lower it into program blocks first).  State lives in an
 * Interp whose first member is the public RtCtx, so that a builtin handler
 * that receives `RtCtx *` can be routed back into the interpreter (eval,
 * exists, paramserv) through the rt_* entry points declared in runtime.h.
 *
 * Every operation the interpreter executes goes through one function per
 * operation family in dispatch.c (rt_op_*), which carries its opcode name:
 * that is where -stats counts and times operations today and where lineage
 * tracing and distributed execution hook in later.
 */
#ifndef TSR_RT_INT_H
#define TSR_RT_INT_H

#include <pthread.h>
#include <stdint.h>

#include "compiler/compiler.h"
#include "lang/lang.h"
#include "runtime/runtime.h"

/* ---- symbol table (env.c) --------------------------------------------------
 * A scope maps variable names to heap-allocated Values owned by the scope.
 * Pointers returned by rt_env_get stay valid until that name is reassigned
 * or deleted, or the scope is freed. */
typedef struct Env {
    HMap vars;                 /* name -> Value* */
} Env;

void rt_env_init(Env *e);
void rt_env_free(Env *e);                               /* releases all values */
Value *rt_env_get(const Env *e, const char *name);      /* borrowed; NULL if unset */
void rt_env_set(Env *e, const char *name, Value v);     /* takes v; releases the old */
void rt_env_del(Env *e, const char *name);              /* no-op if unset */
/* Removes name and hands its value to the caller (empty value if unset). */
Value rt_env_take(Env *e, const char *name);

/* ---- state shared by an interpreter and its parfor workers ------------------- */
/* Per parfor statement, summed over its executions (-stats). */
typedef struct PfStat {
    const Stmt *stmt;          /* valid during the run only */
    char *where;               /* "file:line:col" of the parfor */
    int64_t runs, tasks, iters, merge_ns, wall_ns;
    int workers;               /* most workers of one execution */
    int64_t *busy_ns;          /* per worker index (workers entries) */
} PfStat;

/* One task on one thread (-trace: a Chrome trace "complete" event). */
typedef struct PfEvent {
    int pf;                    /* index of the parfor's PfStat */
    int64_t ts_ns, dur_ns;     /* tm_now_ns stamps */
    int64_t from, to;          /* first and last loop value of the task; to < from: merge */
    int tid;                   /* operating-system thread id */
    int worker;
} PfEvent;

#define RT_TRACE_MAX_EVENTS (1 << 21)

typedef struct RtShared {
    pthread_mutex_t mu;        /* guards everything below */
    HMap dml_mods;             /* DML-bodied builtin name -> AstModule* (loaded lazily) */
    PfStat *pf;                /* parfor statistics, in order of first execution */
    int npf, cappf;
    int trace_on;              /* record PfEvents (-trace) */
    PfEvent *ev;
    int64_t nev, capev, ev_dropped;
    /* SystemDS's ParFor statistics lines: executions planned by the
     * optimizer (opt != NONE), time planning, time setting up (column
     * partitions, worker environments), time merging results */
    int64_t pf_optimized, pf_opt_ns, pf_init_ns, pf_merge_ns;
} RtShared;

void rt_shared_init(RtShared *sh);
void rt_shared_free(RtShared *sh);
/* The -stats lines of the parfor loops that ran (nothing if none). */
void rt_pf_print_stats(const RtShared *sh, FILE *f);
/* Writes the recorded parfor tasks as a Chrome trace (JSON; timestamps in
 * microseconds since t0, a tm_now_ns stamp). */
tsr_status rt_trace_write(const RtShared *sh, const char *path, int64_t t0, Err *err);

/* ---- the interpreter state -------------------------------------------------- */
typedef struct Interp {
    RtCtx ctx;                 /* must stay first (see above) */
    SemCtx *sem;               /* validator, for modules loaded at run time */
    Env *env;                  /* current scope (globals or a call frame) */
    const AstFile *file;       /* file whose code is executing (eval lookups) */
    RtShared *sh;              /* modules, parfor statistics and trace (locked) */
    int worker;                /* parfor nesting: 0 at top level, else > 0 */
    int stats_on;              /* count and time operations (-stats) */
    HMap stat_idx;             /* opcode name -> index+1 into ctx.stats.ops */
    uintptr_t stack_floor;     /* lowest safe stack address, 0: unchecked */
    /* compiler (interp_plan.c) */
    CpOpts cp;                 /* optimisation level and switches */
    int explain;               /* RT_EXPLAIN_* bits: print plans as they compile */
    HMap plans;                /* block -> cached plans */
} Interp;

#define RT_EXPLAIN_HOPS 1
#define RT_EXPLAIN_RUNTIME 2

/* The interpreter behind a builtin's RtCtx (ctx must come from an Interp). */
static inline Interp *rt_interp(RtCtx *ctx)
{
    return (Interp *)ctx;
}

/* Sets a TSR_RUNTIME error with message and location; returns TSR_RUNTIME. */
tsr_status rt_fail(Interp *in, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records a failure at sp unless a location is already known; returns the
 * error code (TSR_RUNTIME if a callee forgot to set one). */
tsr_status rt_fail_at(Interp *in, Span sp);

/* ---- dispatch layer (dispatch.c): one entry per operation family ---------- */
void rt_stats_init(Interp *in);
void rt_stats_free(Interp *in);
/* Adds one execution of `opcode` (a static string) taking ns nanoseconds. */
void rt_stats_add(Interp *in, const char *opcode, int64_t ns);
static inline int64_t rt_stats_t0(const Interp *in)
{
    return in->stats_on ? tm_now_ns() : 0;
}
static inline void rt_stats_end(Interp *in, const char *opcode, int64_t t0)
{
    if (in->stats_on) rt_stats_add(in, opcode, tm_now_ns() - t0);
}
/* SystemDS opcode of a binary operator ("+", "ba+*", "&&", ...). */
const char *rt_binop_opcode(BinOp op);

tsr_status rt_op_binary(Interp *in, BinOp op, const Value *a, const Value *b, Value *out);
tsr_status rt_op_unary(Interp *in, UnOp op, const Value *a, Value *out);
tsr_status rt_op_builtin(Interp *in, const RtBuiltin *b, RtArgs *args, Value *out, int nout);
/* Fused products on matrix values (the caller checked the data types):
 * op(A) %*% op(B) without a materialised transpose ("ba+*"), t(X) %*% X
 * (left) or X %*% t(X) ("tsmm"), and t(X) %*% (w * (X %*% v)) with w NULL
 * for t(X) %*% (X %*% v) ("mmchain"). */
tsr_status rt_op_matmul_ex(Interp *in, const Value *a, int ta, const Value *b, int tb,
                           Value *out);
tsr_status rt_op_tsmm(Interp *in, const Value *x, int left, Value *out);
tsr_status rt_op_tsmm_w(Interp *in, const Value *x, const Value *w, Value *out);
tsr_status rt_op_gram(Interp *in, const Value *x, const Value *w, const Value *v, Value *out);
tsr_status rt_op_mmchain_xv(Interp *in, const Value *x, const Value *v, const Value *w,
                            Value *out);
tsr_status rt_op_mmchain(Interp *in, const Value *x, const Value *v, const Value *w, Value *out);
/* A fused cellwise program (kn_fused) over the cell space rows x cols;
 * opcode names it in -stats.  Outputs as kn_fused (normalised formats). */
tsr_status rt_op_fused(Interp *in, const char *opcode, const KnFuseProg *p, const KnFuseIn *ins,
                       int nin, int64_t rows, int64_t cols, MatBlock **mats, double *scalars);

/* Inclusive 1-based index bounds of one access X[rl:ru, cl:cu]. */
typedef struct IdxBounds {
    int64_t rl, ru, cl, cu;
} IdxBounds;
/* Right indexing of a matrix (result: a matrix) or a frame (a frame). */
tsr_status rt_op_rindex(Interp *in, const Value *x, const IdxBounds *ix, Value *out);
/* Left indexing of a matrix or frame variable in place (copy-on-write
 * through rt_mat_mutable/rt_frame_mutable); rhs is a scalar (single cell
 * only), a matrix (matrix targets) or a frame (frame targets). */
tsr_status rt_op_lindex(Interp *in, Value *target, const IdxBounds *ix, const Value *rhs);

/* ---- execution (interp.c) ------------------------------------------------ */
/* Runs statements in the current scope. */
tsr_status rt_exec_block(Interp *in, const StmtList *b);
/* Evaluates an expression into *out (owned by the caller). */
tsr_status rt_eval(Interp *in, const Expr *e, Value *out);

/* ---- matrix-product patterns (interp_mm.c) ---------------------------------
 * For a %*% expression e, recognises t(X) %*% X, X %*% t(X), t(A) %*% B,
 * A %*% t(B) and t(X) %*% ([w *] (X %*% v)) (t the builtin transpose)
 * before the operands are evaluated and runs the fused operation.  Sets
 * *handled = 0 when e is not such a pattern (nothing was evaluated: the
 * caller evaluates e as usual); else *handled = 1 and the result or error
 * is the one of the unfused evaluation up to floating-point rounding. */
tsr_status rt_eval_matmul(Interp *in, const Expr *e, Value *out, int *handled);

/* ---- compiled blocks (interp_plan.c) ---------------------------------------------
 * Runs stmts[0..] (plain assignments, cp_stmt_compilable; at most n)
 * through the block's cached plan for the current input sizes, compiling
 * it first if needed (printing it when -explain asks).  *ran is the number
 * of statements executed: a block ends early after a statement whose
 * result size is known only at run time (dynamic recompilation). */
tsr_status rt_exec_compiled(Interp *in, const Stmt *const *stmts, int n, int *ran);
void rt_plans_free(Interp *in);

/* ---- parfor (parfor.c, parfor_merge.c) --------------------------------------------
 * rt_exec_parfor runs a parfor statement: options (DML.md 8.2), the rule-based
 * optimizer, k workers on the pool with their own symbol tables, fed by a
 * task partitioner, and the result merge (8.5).  Returns with in->env
 * holding the merged results. */
tsr_status rt_exec_parfor(Interp *in, const Stmt *s);
/* Merges result variable `name` (pre-loop value old) from the final values
 * of n workers (nv[w] NULL: worker w never ran) into *out: compare-based
 * (NaN-aware) against old, without compare when old has no non-zeros, or
 * old + sum(new - old) for an accumulator (DML.md 8.5). */
tsr_status rt_pf_merge(Interp *in, const char *name, const Value *old, const Value *const *nv,
                       int n, int accumulate, Span sp, Value *out);
/* Normalises the block formats of n matrix values (dispatch.c). */
tsr_status rt_normalize(Interp *in, Value *v, int n);
/* Iteration space of a for/parfor (DML.md 4.8): n values from, from+incr,
 * ...; checks an existing loop variable (interp.c). */
tsr_status rt_for_range(Interp *in, const Stmt *s, int64_t *from, int64_t *incr, int64_t *n);
/* Lowest safe stack address of the calling thread (0: unchecked). */
uintptr_t rt_stack_floor(void);
/* Stats of a worker added into its parent's (dispatch.c). */
void rt_stats_merge(Interp *dst, const Interp *src);

/* ---- calls (call.c) ---------------------------------------------------------- */
/* Evaluates and executes a call expression, writing nout results (nout >= 1
 * for values; 0 for a call statement).  out[k] stays empty when the callee
 * does not produce output k.  `end` is the end of the statement when the
 * call is the statement's whole value (RtArgs.end; line 0 otherwise). */
tsr_status rt_eval_call(Interp *in, const Expr *e, Span end, Value *out, int nout);
/* Releases the values of an argument list and its arrays (a is zeroed). */
void rt_args_free(RtArgs *a);
/* The same with the arguments already evaluated into *a (taken and freed). */
tsr_status rt_eval_call_args(Interp *in, const Expr *e, RtArgs *a, Span end, Value *out,
                             int nout);

#endif /* TSR_RT_INT_H */
