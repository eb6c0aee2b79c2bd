/*
 * compiler.h - the compiler of statement blocks (prefix cp_ for the plan
 * API, hop_ for DAG nodes).
 *
 * A statement block is a maximal run of plain assignments `x = expr` in one
 * statement list.  When the runtime first executes a block with a given
 * signature of input sizes (data type, value type, dimensions, format of
 * every variable the block reads), it asks the compiler for a plan:
 *
 *   AST statements --cp_build--> HOP DAG (one node per operation; variable
 *   reads of values assigned earlier in the block are edges, so the DAG
 *   spans statements) with dimensions, nnz and memory estimates propagated
 *   from the actual input sizes (dynamic recompilation: sizes are always
 *   known for block inputs)
 *     --rewrites--> constant folding, common subexpression elimination,
 *   algebraic simplifications, matrix-chain ordering, physical operators
 *   (tsmm, mmchain, transposed products), operator fusion of cellwise chains
 *   and aggregates over them (kn_fused), multi-aggregates
 *     --linearise--> an instruction list (one instruction per remaining
 *   operation, in the evaluation order of the statements, with the points
 *   where each temporary dies and where each variable is assigned).
 *
 * The runtime caches plans per block and signature (interp_plan.c) and
 * executes them through its dispatch layer.  Expressions the compiler does
 * not model (indexing, lists, ...) stay AST nodes evaluated by the
 * interpreter in place ("opaque" operations); calls are modelled with their
 * arguments as inputs, so rewrites reach into arguments.
 *
 * Correctness contract of every rewrite: same values (up to floating-point
 * rounding where a sum is reassociated, the bound documented in
 * docs/parallel.md), same NaN/Inf propagation, same errors at the same
 * locations.  A rewrite that could change an error (dimensions not known or
 * not compatible) or the sign of a zero is not applied.
 */
#ifndef TSR_COMPILER_H
#define TSR_COMPILER_H

#include <stdint.h>
#include <stdio.h>

#include "lang/ast.h"
#include "lang/lang.h"
#include "runtime/runtime.h"
#include "util/util.h"

/* ---- options ---------------------------------------------------------------- */
typedef struct CpOpts {
    int no_guarded;   /* leave out the rewrites that need a run-time guard */
    int level;        /* 0: no rewrites and no fusion, statement by statement (-O0; the
                         physical operators tsmm/mmchain are still chosen); 2: everything */
    int fusion;       /* operator fusion on (with level >= 1) */
    int forced_sparse;   /* every block is stored sparse (-blocks sparse) */
    const HMap *unread;  /* cp_find_unread's statements, or NULL */
} CpOpts;

/* ---- HOP DAG ------------------------------------------------------------------- */
typedef enum {
    HOP_LIT,      /* scalar literal (lit)                                      */
    HOP_VAR,      /* read of a block input variable (name)                     */
    HOP_BIN,      /* binary operator op (BinOp), matrix product included       */
    HOP_UN,       /* unary operator op (UnOp)                                  */
    HOP_CALL,     /* native builtin op (builtin id) or function (fn) on inputs */
    HOP_OPAQUE,   /* AST expression evaluated by the interpreter (expr)        */
    HOP_FUSED,    /* fused cellwise program over inputs (fused)                */
    HOP_OUT       /* output k (op) of a multi-output fused HOP in[0]           */
} HopKind;

/* What a call computes, when the compiler understands it. */
typedef enum {
    HF_NONE = 0,
    HF_T,         /* t(X)                                  */
    HF_AGG,       /* sum/mean/min/max/... : agg (KnAgg), dir (KnDir) */
    HF_UNARY,     /* abs, exp, ... : una (KnUnary)         */
    HF_BINFN,     /* min(X,Y), max(X,Y) : bfn (KnBinFn)   */
    HF_NROW, HF_NCOL, HF_LENGTH,
    HF_DIAG, HF_TRACE,
    HF_IFELSE     /* ifelse(c, a, b) with a matrix operand: cellwise */
} HopFn;

/* Physical operator of a matrix product. */
typedef enum {
    PH_DEFAULT = 0,   /* the operator as written                         */
    PH_MMT,           /* op(A) %*% op(B) without materialised transposes  */
    PH_TSMM_L,        /* t(X) %*% X                                        */
    PH_TSMM_R,        /* X %*% t(X)                                        */
    PH_MMCHAIN,       /* t(X) %*% ([w *] (X %*% v)): in = X, v [, w]      */
    PH_TSMM_W,        /* t(X) %*% (X * w), w n x 1: in = X, w             */
    PH_GRAM,          /* t(X) %*% cbind(X * w, V): in = X, w, V           */
    PH_MMCHAIN_XV     /* PH_MMCHAIN that also outputs X %*% v: a list
                         [chain, X v] read through HOP_OUT 0 and 1       */
} HopPhys;

enum {
    HOPF_IMPURE = 1,      /* side effects or non-determinism: never merged or dropped */
    HOPF_NONEGZ = 2,      /* can never hold -0.0                                */
    HOPF_SIZE_ERR = 4     /* dimensions are known to be incompatible: runs unfused to fail */
};

typedef struct Hop {
    HopKind kind;
    int op;                /* BinOp / UnOp / builtin id (-1: user function) / output index */
    HopFn fn;              /* HOP_CALL: what the call computes */
    int agg, dir, una, bfn;
    HopPhys phys;
    int ta, tb;            /* PH_MMT: transposed operands */
    int nin;
    struct Hop **in;
    const char **argnames; /* HOP_CALL: name of each argument, NULL entries positional */
    DataType dt;
    ValueType vt;
    int64_t rows, cols;    /* -1: unknown */
    int64_t nnz;           /* estimate; -1: unknown */
    double mem;            /* estimated bytes of the output (-1: unknown) */
    Value lit;             /* HOP_LIT (owned by the plan) */
    const char *name;      /* HOP_VAR: the variable; HOP_CALL: the function name */
    const Expr *expr;      /* origin: spans, opaque evaluation, calls */
    Span span;
    struct FuncDef *func;  /* HOP_CALL to a user / DML-bodied function */
    unsigned flags;
    struct KnFuseProg *fprog;   /* HOP_FUSED */
    int sparse_driver;     /* HOP_FUSED: input index or -1 */
    int nouts;             /* HOP_FUSED: outputs (multi-aggregate when > 1) */
    int64_t crows, ccols;  /* HOP_FUSED: the cell space the program runs over */
    /* bookkeeping */
    int id;
    int nuses;             /* consumers in the DAG plus statement roots */
    int dead;              /* replaced by a rewrite */
    int slot;              /* runtime register, -1 none */
    struct Hop *fwd;       /* replacement (during rewrites) */
} Hop;

/* ---- plans ------------------------------------------------------------------ */
typedef enum {
    CI_EXEC,      /* compute hop h into slot h->slot                   */
    CI_ASSIGN     /* variable `var` = value of slot (new reference)      */
} CpInstrKind;

typedef struct CpInstr {
    CpInstrKind kind;
    Hop *h;
    const char *var;       /* CI_ASSIGN */
    int stmt;              /* statement index in the block */
    int *frees;            /* slots that die after this instruction */
    int nfrees;
} CpInstr;

/* One input of the plan's signature. */
typedef struct CpInput {
    const char *name;
    DataType dt;           /* DT_UNKNOWN: not defined when compiled */
    ValueType vt;
    int64_t rows, cols, nnz;
    int sparse;
} CpInput;

/* A run-time condition of a plan: the block input `var` is a matrix whose
 * cells are all finite with magnitude at most `limit` (kn_maxabs).  Rewrites
 * that reassociate sums (sum(t(X)), trace(X%*%Y), chain ordering, ...) are
 * exact up to rounding only when no partial sum can overflow in either
 * order and no 0 * Inf is skipped or met: the plan is used only while its
 * guards hold; else the block runs a plan compiled without them. */
typedef struct CpGuard {
    const char *var;
    double limit;
} CpGuard;

typedef struct CpStmtInfo {
    const Stmt *s;
    Hop *root;             /* value assigned */
    int dead;              /* overwritten before any read: not executed */
} CpStmtInfo;

typedef struct CpPlan {
    Arena ar;
    const Stmt *const *stmts;   /* the block (borrowed from the AST) */
    int nstmts;
    CpStmtInfo *st;
    Hop **hops;            /* every node ever created, by id */
    int nhops, caphops;
    CpInput *inputs;
    int ninputs, capinputs;
    CpInstr *code;
    int ncode;
    int nslots;
    CpGuard *guards;
    int nguards;
    int unguarded;         /* compiled with no_guarded */
    int forced_sparse;     /* CpOpts.forced_sparse when compiled */
    int64_t compile_ns;
    struct CpRewriteStats {
        int folded, cse, simplified, chains, physical, fused, multiagg, dead;
    } rw;
} CpPlan;

/* Statement kinds a block may contain (plain assignments). */
int cp_stmt_compilable(const Stmt *s);

/* Information about the current value of a variable, for the signature. */
typedef int (*CpLookupFn)(void *arg, const char *name, CpInput *info);

/* Compiles stmts[0..n-1] (all cp_stmt_compilable) into a plan with the
 * input sizes that lookup reports.  Never fails: anything not understood
 * becomes an opaque operation. */
CpPlan *cp_compile(const Stmt *const *stmts, int n, const CpOpts *o, CpLookupFn lookup,
                   void *arg);
void cp_plan_free(CpPlan *p);
/* Whether the current inputs (per lookup) match the plan's signature. */
int cp_plan_matches(const CpPlan *p, CpLookupFn lookup, void *arg);

/* Program-level rewrite before execution (progrw.c): replaces every if with
 * a literal-only predicate (command-line arguments are literals) by the
 * branch taken and drops while loops whose predicate is constantly false,
 * in all loaded files and functions.  Returns the number removed. */
int cp_remove_branches(AstProgram *p);
/* Adds to out (key "%p" of the Stmt) every plain assignment of the main
 * script and of the functions loaded so far whose variable is read nowhere
 * in its scope (the main script's statements, or the function's body and
 * outputs).  The compiler drops such an assignment when its value cannot
 * fail (CpOpts.unread).  Nothing outside a run reads its variables. */
void cp_find_unread(AstProgram *p, HMap *out);

/* Explain output (docs/explain.md): the HOP DAG and the instruction list. */
void cp_explain_hops(const CpPlan *p, StrBuf *out);
void cp_explain_runtime(const CpPlan *p, StrBuf *out);
/* Opcode of an instruction, as -stats and -explain runtime print it. */
const char *cp_opcode(const Hop *h);

/* ---- internals shared by the compiler files (hop.c, rewrite.c, fuse.c, plan.c) */
Hop *hop_new(CpPlan *p, HopKind k, int nin);
/* Dimensions, nnz, memory and flags of h from its inputs. */
void hop_infer(Hop *h);
int hop_is_matrix(const Hop *h);
int hop_dims_known(const Hop *h);
/* Whether h is the literal number v (int, double or bool). */
int hop_is_num(const Hop *h, double v);
/* New call of the native builtin `name` (found by name) on inputs. */
Hop *hop_call(CpPlan *p, const char *name, Hop **in, int nin, Span sp);
Hop *hop_bin(CpPlan *p, BinOp op, Hop *a, Hop *b, Span sp);
Hop *hop_lit_double(CpPlan *p, double v);
/* Structural key of a node for common-subexpression elimination (caller
 * frees), and whether h may be merged with an equal node at all. */
char *hop_key(const Hop *h);
int hop_cse_ok(const Hop *h);
/* The nodes reachable from the roots of the live statements, inputs before
 * their consumers, into out (room for p->nhops); returns their number. */
int cp_post_order(CpPlan *p, Hop **out);
/* Recounts nuses over the nodes reachable from the statement roots. */
void cp_count_uses(CpPlan *p);
/* Follows rewrite forwarding. */
Hop *hop_resolve(Hop *h);

void cp_rewrite(CpPlan *p, const CpOpts *o);
void cp_fuse(CpPlan *p, const CpOpts *o);
void cp_linearize(CpPlan *p);

#endif /* TSR_COMPILER_H */
