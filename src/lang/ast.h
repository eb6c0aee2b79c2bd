/*
 * ast.h - the abstract syntax tree of a DML program (front end module).
 *
 * The lexer/parser (prs_) turn script text into these nodes; the validator
 * (sem_) annotates them; the runtime lowers them into program blocks.  All
 * nodes, names and strings live in the Arena of the owning AstProgram and are
 * freed with it at once, so no node has a destructor.
 *
 * Command-line placeholders ($x, $1) are already substituted by literals in
 * the tree; `ifdef($x, e)` is resolved by the parser as well.
 */
#ifndef TSR_AST_H
#define TSR_AST_H

#include <stdint.h>
#include "util/util.h"

/* Data and value types (DML.md 2.1/2.2), shared with the runtime. */
typedef enum { DT_UNKNOWN = 0, DT_SCALAR, DT_MATRIX, DT_FRAME, DT_LIST } DataType;
typedef enum { VT_UNKNOWN = 0, VT_FP64, VT_INT64, VT_BOOL, VT_STRING } ValueType;

/* Binary operators, X-macro: enum name, DML spelling. */
#define AST_BINOPS(X)       \
    X(BOP_POW, "^")         \
    X(BOP_MATMUL, "%*%")    \
    X(BOP_INTDIV, "%/%")    \
    X(BOP_MOD, "%%")        \
    X(BOP_MUL, "*")         \
    X(BOP_DIV, "/")         \
    X(BOP_ADD, "+")         \
    X(BOP_SUB, "-")         \
    X(BOP_LT, "<")          \
    X(BOP_LE, "<=")         \
    X(BOP_GT, ">")          \
    X(BOP_GE, ">=")         \
    X(BOP_EQ, "==")         \
    X(BOP_NE, "!=")         \
    X(BOP_AND, "&")         \
    X(BOP_OR, "|")

typedef enum {
#define X(e, s) e,
    AST_BINOPS(X)
#undef X
    BOP__COUNT
} BinOp;

typedef enum { UOP_NEG, UOP_PLUS, UOP_NOT } UnOp;

const char *ast_binop_name(BinOp op);   /* "%*%" etc. */
const char *ast_unop_name(UnOp op);     /* "-", "+", "!" */

typedef struct Expr Expr;
typedef struct Stmt Stmt;

/* One call argument: name == NULL for positional arguments. */
typedef struct Arg {
    const char *name;
    Expr *value;
    Span span;
} Arg;

/* One dimension of an index expression X[row, col]. */
typedef enum {
    IDX_ALL = 0,   /* empty: X[, j]                     */
    IDX_SINGLE,    /* X[i, ]  -> lo only                 */
    IDX_RANGE      /* X[a:b, ] -> lo and hi              */
} IndexKind;

typedef struct IndexDim {
    IndexKind kind;
    Expr *lo, *hi;
} IndexDim;

typedef enum {
    EX_INT,        /* integer literal: ival                       */
    EX_DBL,        /* double literal: dval (Inf/NaN/pi too)        */
    EX_BOOL,       /* TRUE/FALSE: bval                             */
    EX_STR,        /* string literal, already unescaped: str       */
    EX_ID,         /* variable reference: name                     */
    EX_BINARY,     /* bin                                          */
    EX_UNARY,      /* un                                           */
    EX_CALL,       /* call: f(args) or ns::f(args)                 */
    EX_INDEX,      /* index: target[row, col] (right indexing)     */
    EX_LIST        /* bracket list [e1, e2, ...] (DNN shape args)  */
} ExprKind;

struct Expr {
    ExprKind kind;
    Span span;
    /* Filled by the validator (sem_): inferred types, or UNKNOWN. */
    DataType dt;
    ValueType vt;
    union {
        int64_t ival;
        double dval;
        int bval;
        struct { const char *s; size_t len; } str;
        const char *name;
        struct { BinOp op; Expr *l, *r; } bin;
        struct { UnOp op; Expr *e; } un;
        struct {
            const char *ns;     /* NULL when unqualified */
            const char *name;
            Arg *args;
            int nargs;
            /* Resolution, filled by the validator: */
            int builtin_id;          /* >= 0: native builtin id, else -1 */
            struct FuncDef *fn;      /* user or DML-bodied function, or NULL */
        } call;
        struct {
            Expr *target;
            IndexDim row, col;
            int has_comma;      /* X[i] (0) vs X[i, ] (1) */
        } index;
        struct { Expr **items; int n; } list;
    } u;
};

/* ---------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------- */
typedef struct StmtList {
    Stmt **items;
    int n;
} StmtList;

typedef enum {
    ST_ASSIGN,       /* target[idx] = value, target += value              */
    ST_MULTIASSIGN,  /* [a, b, c] = call                                  */
    ST_EXPR,         /* call as a statement: f(...), print(...), ...      */
    ST_IF,
    ST_FOR,          /* for and parfor                                    */
    ST_WHILE,
    ST_SOURCE,       /* source("path") as ns   (resolved at load time)     */
    ST_SETWD         /* setwd("dir")           (affects later source())    */
} StmtKind;

/* A parfor option as written: name and raw value text (upper-cased). */
typedef struct ParforOpt {
    const char *name;
    const char *value;
    Span span;
} ParforOpt;

struct Stmt {
    StmtKind kind;
    Span span;                      /* first character of the statement     */
    Span end;                       /* its last character (';' not included) */
    union {
        struct {
            const char *target;     /* variable name                      */
            int indexed;            /* left indexing: target[row, col]     */
            IndexDim row, col;
            int has_comma;
            int accumulate;         /* += */
            Expr *value;
        } assign;
        struct {
            const char **targets;
            Span *tspans;
            int ntargets;
            Expr *call;             /* EX_CALL */
        } massign;
        struct { Expr *call; } expr;   /* EX_CALL */
        struct { Expr *pred; StmtList then_b, else_b; int has_else; } ifs;
        struct {
            const char *var;
            Expr *from, *to, *incr;   /* incr NULL: default +/-1 */
            int is_seq;               /* written as seq(...) */
            StmtList body;
            int is_parfor;
            ParforOpt *opts;
            int nopts;
        } fors;
        struct { Expr *pred; StmtList body; } whiles;
        struct { const char *path; const char *ns; } source;
        struct { const char *dir; } setwd;
    } u;
};

/* ---------------------------------------------------------------------------
 * Functions and programs
 * ------------------------------------------------------------------------- */
typedef struct TypeDecl {
    DataType dt;     /* DT_SCALAR for bare value types */
    ValueType vt;
} TypeDecl;

typedef struct Param {
    TypeDecl type;
    const char *name;
    Expr *defval;     /* NULL: no default */
    Span span;
} Param;

typedef struct FuncDef {
    const char *name;
    const char *ns;          /* namespace key it was registered under, or NULL */
    Param *params;
    int nparams;
    Param *outs;
    int nouts;
    StmtList body;
    int is_external;         /* externalFunction: parsed, not executable */
    Span span;
    struct AstFile *file;    /* defining file */
} FuncDef;

/* One parsed file. */
typedef struct AstFile {
    const char *path;        /* as opened */
    StmtList stmts;          /* top-level statements (no function defs) */
    FuncDef **funcs;
    int nfuncs;
} AstFile;

/* Calls fn(e, ud) for every expression node in the statements, pre-order
 * (a node before its operands): values, index bounds (of left-indexing
 * targets too), call arguments, bracket-list items, predicates, loop
 * bounds, and the statements of nested bodies.  ast.c. */
typedef void (*AstExprFn)(const Expr *e, void *ud);
void ast_visit_exprs(const StmtList *b, AstExprFn fn, void *ud);

#endif /* TSR_AST_H */
