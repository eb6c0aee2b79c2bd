/*
 * sem.c - semantic validation of a loaded DML program (DML.md 2-6, 8.1, 8.7).
 *
 * Runs after loading and before execution.  It resolves every call (user
 * function of the same module first, then native builtin, then DML-bodied
 * builtin loaded on demand, DML.md 5.7/5.8), checks call binding and
 * builtin arity, tracks which variables are defined (flow-sensitively:
 * "definitely" or "maybe" after an if with one assigning branch or a loop
 * body), infers scalar value types (DML.md 2.3) and data types, and
 * enforces the statement rules (+=, left indexing, multi-assignment, data
 * type changes in loops/branches, parfor options and forbidden statements).
 *
 * It is deliberately lenient where a type is not known statically: unknown
 * types never cause errors, and runtime checks repeat what cannot be
 * decided here.  Annotations written into the AST: Expr.dt/vt and
 * Expr.call.builtin_id/fn (for a DML-bodied builtin, fn is one of its
 * m_/f_/s_ variants; the interpreter re-dispatches on the actual first
 * argument).  It does not execute anything and does not evaluate defaults.
 */
#include "lang/lang.h"
#include "lang/sem_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/runtime.h"

struct SemCtx {
    AstProgram *prog;
    FILE *warn;
    HMap done;              /* "%p" of validated modules */
    Err *err;
    AstModule *mod;         /* module whose code is being validated */
    const FuncDef *fn;      /* function being validated; NULL: main script */
    int parfor;             /* > 0 inside a parfor body */
    int warn_on;            /* warnings only for the main script */
    int lib;                /* validating a file of the bundled scripts/ library */
};

/* What we know about one variable at a program point. */
typedef struct VarInfo {
    DataType dt;
    ValueType vt;
    int maybe;              /* defined on some paths only */
    int carried;            /* not bound yet in program order: a placeholder
                             * of loop_enter (bound by an earlier iteration of
                             * an enclosing loop) or an iteration-local of an
                             * earlier parfor (8.5); such a name does not
                             * exist before a parfor (8.4) */
} VarInfo;

typedef struct Scope {
    HMap vars;              /* name -> VarInfo* (owned) */
} Scope;

/* Where a call appears; decides multi-return and left-indexing rules. */
typedef enum { CTX_EXPR, CTX_ASSIGN, CTX_MULTI, CTX_STMT, CTX_LINDEX } CallCtx;

static tsr_status v_block(SemCtx *s, Scope *sc, const StmtList *b);
static tsr_status v_expr(SemCtx *s, Scope *sc, Expr *e);
static tsr_status v_call(SemCtx *s, Scope *sc, Expr *e, CallCtx cc);

/* ---- diagnostics ------------------------------------------------------------------ */

static tsr_status sem_error(SemCtx *s, Span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tsr_status sem_error(SemCtx *s, Span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(s->err, TSR_TYPE, fmt, ap);
    va_end(ap);
    s->err->span = sp;
    return TSR_TYPE;
}

static void sem_warn(SemCtx *s, Span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sem_warn(SemCtx *s, Span sp, const char *fmt, ...)
{
    if (!s->warn || !s->warn_on) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(s->warn, "WARNING: %s:%d:%d: ", sp.file ? sp.file : "", sp.line, sp.col);
    vfprintf(s->warn, fmt, ap);
    fputc('\n', s->warn);
    va_end(ap);
}

/* ---- scopes --------------------------------------------------------------------- */

static void scope_init(Scope *sc)
{
    hm_init(&sc->vars);
}

static void scope_free(Scope *sc)
{
    size_t it = 0;
    void *v;
    while (hm_next(&sc->vars, &it, NULL, &v)) free(v);
    hm_free(&sc->vars);
}

static VarInfo *scope_get(const Scope *sc, const char *name)
{
    return hm_get(&sc->vars, name);
}

static void scope_set(Scope *sc, const char *name, DataType dt, ValueType vt, int maybe)
{
    VarInfo *v = hm_get(&sc->vars, name);
    if (!v) {
        v = xmalloc(sizeof *v);
        hm_put(&sc->vars, name, v);
    }
    v->dt = dt;
    v->vt = dt == DT_SCALAR ? vt : dt == DT_MATRIX ? VT_FP64 : VT_UNKNOWN;
    if (dt == DT_UNKNOWN) v->vt = vt;
    v->maybe = maybe;
    v->carried = 0;
}

static void scope_copy(Scope *dst, const Scope *src)
{
    size_t it = 0;
    const char *name;
    void *v;
    scope_init(dst);
    while (hm_next(&src->vars, &it, &name, &v)) {
        const VarInfo *vi = v;
        VarInfo *c = xmalloc(sizeof *c);
        *c = *vi;
        hm_put(&dst->vars, name, c);
    }
}

/* Moves the contents of src into dst (dst's old contents are freed). */
static void scope_move(Scope *dst, Scope *src)
{
    scope_free(dst);
    *dst = *src;
    hm_init(&src->vars);
}

/* ---- assigned-variable sets --------------------------------------------------------- */

static void mark(HMap *set, const char *name)
{
    hm_put(set, name, (void *)1);
}

/* Names (re)bound by plain or multi-assignment or as loop variables in b,
 * recursively (indexed assignments do not change a variable's type). */
static void collect_assigned(const StmtList *b, HMap *set)
{
    for (int k = 0; k < b->n; k++) {
        const Stmt *st = b->items[k];
        switch (st->kind) {
        case ST_ASSIGN:
            if (!st->u.assign.indexed) mark(set, st->u.assign.target);
            break;
        case ST_MULTIASSIGN:
            for (int t = 0; t < st->u.massign.ntargets; t++) mark(set, st->u.massign.targets[t]);
            break;
        case ST_IF:
            collect_assigned(&st->u.ifs.then_b, set);
            collect_assigned(&st->u.ifs.else_b, set);
            break;
        case ST_FOR:
            mark(set, st->u.fors.var);
            collect_assigned(&st->u.fors.body, set);
            break;
        case ST_WHILE:
            collect_assigned(&st->u.whiles.body, set);
            break;
        default:
            break;
        }
    }
}

/* ---- types ------------------------------------------------------------------------ */

static void set_type(Expr *e, DataType dt, ValueType vt)
{
    e->dt = dt;
    e->vt = dt == DT_MATRIX ? VT_FP64 : vt;
}

static int is_numeric_vt(ValueType vt)
{
    return vt == VT_INT64 || vt == VT_FP64;
}

/* Value type of int/double promotion (DML.md 2.3); UNKNOWN otherwise. */
static ValueType promote(ValueType a, ValueType b)
{
    if (a == b) return a;
    if (is_numeric_vt(a) && is_numeric_vt(b)) return VT_FP64;
    return VT_UNKNOWN;
}

static int is_arith(BinOp op)
{
    return op == BOP_POW || op == BOP_INTDIV || op == BOP_MOD || op == BOP_MUL ||
           op == BOP_DIV || op == BOP_ADD || op == BOP_SUB;
}

/* Scalar-scalar arithmetic result type, or the BOOLEAN-number error. */
static tsr_status arith_type(SemCtx *s, Expr *e, ValueType a, ValueType b)
{
    BinOp op = e->u.bin.op;
    if (a == VT_STRING || b == VT_STRING) {
        set_type(e, DT_SCALAR, op == BOP_ADD ? VT_STRING : VT_UNKNOWN);
        return TSR_OK;
    }
    if ((a == VT_BOOL && is_numeric_vt(b)) || (b == VT_BOOL && is_numeric_vt(a)))
        return sem_error(s, e->span, "Invalid Valuetypes for operation %s %s", rt_vt_name(a),
                         rt_vt_name(b));
    if (op == BOP_DIV || op == BOP_POW || (a == VT_BOOL && b == VT_BOOL))
        set_type(e, DT_SCALAR, VT_FP64);
    else if (a == VT_UNKNOWN || b == VT_UNKNOWN)
        set_type(e, DT_SCALAR, VT_UNKNOWN);
    else
        set_type(e, DT_SCALAR, promote(a, b));
    return TSR_OK;
}

static tsr_status binary_type(SemCtx *s, Expr *e)
{
    const Expr *l = e->u.bin.l, *r = e->u.bin.r;
    BinOp op = e->u.bin.op;
    if (l->dt == DT_MATRIX || r->dt == DT_MATRIX) {
        set_type(e, DT_MATRIX, VT_FP64);
        return TSR_OK;
    }
    if (l->dt != DT_SCALAR || r->dt != DT_SCALAR) {
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
        return TSR_OK;
    }
    if (!is_arith(op)) {   /* relational and logical */
        set_type(e, op == BOP_MATMUL ? DT_UNKNOWN : DT_SCALAR,
                 op == BOP_MATMUL ? VT_UNKNOWN : VT_BOOL);
        return TSR_OK;
    }
    return arith_type(s, e, l->vt, r->vt);
}

static tsr_status unary_type(SemCtx *s, Expr *e)
{
    const Expr *a = e->u.un.e;
    if (a->dt == DT_MATRIX) {
        set_type(e, DT_MATRIX, VT_FP64);
    } else if (a->dt != DT_SCALAR) {
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
    } else if (e->u.un.op == UOP_NOT) {
        set_type(e, DT_SCALAR, VT_BOOL);
    } else if (a->vt == VT_BOOL) {   /* -e is e * -1 (DML.md 1.5) */
        return sem_error(s, e->span, "Invalid Valuetypes for operation %s %s",
                         rt_vt_name(VT_BOOL), rt_vt_name(VT_INT64));
    } else {
        set_type(e, DT_SCALAR, a->vt == VT_STRING ? VT_UNKNOWN : a->vt);
    }
    return TSR_OK;
}

/* ---- result types of native builtins ------------------------------------------------- */

typedef enum {
    R_UNK, R_NONE, R_MAT, R_DBL, R_INT, R_BOOL, R_STR, R_LIST, R_FRAME,
    R_UNARY,     /* matrix -> matrix, scalar -> FP64 */
    R_ABS,       /* like R_UNARY but INT64 stays INT64 */
    R_MINMAX, R_IFELSE, R_BIND, R_TARGET, R_ASSCALAR, R_QUANTILE, R_READ, R_XOR,
    R_TYPEOF     /* frame/matrix -> frame, scalar/list -> STRING */
} ResRule;

static const struct {
    const char *name;
    ResRule rule;
} builtin_results[] = {
    {"print", R_NONE}, {"write", R_NONE}, {"stop", R_NONE}, {"assert", R_NONE},
    {"toString", R_STR}, {"time", R_INT}, {"nrow", R_INT}, {"ncol", R_INT},
    {"length", R_INT}, {"as.integer", R_INT}, {"as.double", R_DBL}, {"as.logical", R_BOOL},
    {"as.boolean", R_BOOL}, {"exists", R_BOOL}, {"contains", R_BOOL}, {"as.scalar", R_ASSCALAR},
    {"castAsScalar", R_ASSCALAR}, {"as.matrix", R_MAT}, {"as.frame", R_FRAME},
    {"as.list", R_LIST}, {"list", R_LIST}, {"evalList", R_LIST},
    {"matrix", R_MAT}, {"rand", R_MAT}, {"seq", R_MAT}, {"sample", R_MAT},
    {"readMM", R_MAT}, {"read", R_READ}, {"frame", R_FRAME}, {"cbind", R_BIND},
    {"append", R_BIND}, {"rbind", R_BIND}, {"abs", R_ABS}, {"exp", R_UNARY},
    {"log", R_UNARY}, {"sqrt", R_UNARY}, {"floor", R_UNARY}, {"ceil", R_UNARY},
    {"ceiling", R_UNARY}, {"round", R_UNARY}, {"sign", R_UNARY}, {"sin", R_UNARY},
    {"cos", R_UNARY}, {"tan", R_UNARY}, {"asin", R_UNARY}, {"acos", R_UNARY},
    {"atan", R_UNARY}, {"sinh", R_UNARY}, {"cosh", R_UNARY}, {"tanh", R_UNARY},
    {"is.na", R_UNARY}, {"isNA", R_UNARY}, {"is.nan", R_UNARY}, {"isNaN", R_UNARY},
    {"is.infinite", R_UNARY}, {"isInf", R_UNARY}, {"min", R_MINMAX}, {"max", R_MINMAX},
    {"pmin", R_MINMAX}, {"pmax", R_MINMAX}, {"xor", R_XOR}, {"ifelse", R_IFELSE},
    {"sum", R_DBL}, {"prod", R_DBL}, {"mean", R_DBL}, {"avg", R_DBL}, {"var", R_DBL},
    {"sd", R_DBL}, {"trace", R_DBL}, {"det", R_DBL}, {"moment", R_DBL},
    {"centralMoment", R_DBL}, {"cov", R_DBL}, {"median", R_DBL},
    {"interQuartileMean", R_DBL}, {"quantile", R_QUANTILE}, {"interQuantile", R_MAT},
    {"cdf", R_DBL}, {"icdf", R_DBL}, {"pnorm", R_DBL}, {"pexp", R_DBL}, {"pchisq", R_DBL},
    {"pf", R_DBL}, {"pt", R_DBL}, {"qnorm", R_DBL}, {"qexp", R_DBL}, {"qchisq", R_DBL},
    {"qf", R_DBL}, {"qt", R_DBL}, {"rowSums", R_MAT}, {"rowMeans", R_MAT},
    {"rowVars", R_MAT}, {"rowSds", R_MAT}, {"rowMaxs", R_MAT}, {"rowMins", R_MAT},
    {"rowProds", R_MAT}, {"colSums", R_MAT}, {"colMeans", R_MAT}, {"colVars", R_MAT},
    {"colSds", R_MAT}, {"colMaxs", R_MAT}, {"colMins", R_MAT}, {"colProds", R_MAT},
    {"rowIndexMax", R_MAT}, {"rowIndexMin", R_MAT}, {"cumsum", R_MAT}, {"cumprod", R_MAT},
    {"cummin", R_MAT}, {"cummax", R_MAT}, {"rowcumsum", R_MAT}, {"cumsumprod", R_MAT},
    {"t", R_MAT}, {"rev", R_MAT}, {"roll", R_MAT}, {"diag", R_MAT}, {"solve", R_MAT},
    {"inv", R_MAT}, {"inverse", R_MAT}, {"cholesky", R_MAT}, {"sqrtMatrixJava", R_MAT},
    {"outer", R_MAT}, {"table", R_MAT}, {"ctable", R_MAT}, {"aggregate", R_MAT},
    {"groupedAggregate", R_MAT}, {"order", R_MAT}, {"lower.tri", R_MAT},
    {"upper.tri", R_MAT}, {"ppred", R_MAT}, {"removeEmpty", R_TARGET},
    {"replace", R_TARGET}, {"unique", R_TARGET}, {"conv2d", R_MAT},
    {"conv2d_backward_data", R_MAT}, {"conv2d_backward_filter", R_MAT},
    {"max_pool", R_MAT}, {"avg_pool", R_MAT}, {"max_pool_backward", R_MAT},
    {"avg_pool_backward", R_MAT}, {"bias_add", R_MAT}, {"bias_multiply", R_MAT},
    {"transformapply", R_MAT}, {"transformdecode", R_FRAME}, {"detectSchema", R_FRAME},
    {"colnames", R_FRAME}, {"typeof", R_TYPEOF}, {"map", R_FRAME}, {"tokenize", R_FRAME},
    {"freplicate", R_FRAME}, {"applySchema", R_FRAME},
    {"tr", R_DBL}, {"rowCountDistinct", R_MAT}, {"colCountDistinct", R_MAT},
    {"rowCountDistinctApprox", R_MAT}, {"colCountDistinctApprox", R_MAT}, {"compress", R_TARGET},
    {"decompress", R_TARGET}, {"local", R_TARGET},
};

static ResRule result_rule(const char *name)
{
    for (size_t k = 0; k < sizeof builtin_results / sizeof builtin_results[0]; k++)
        if (strcmp(builtin_results[k].name, name) == 0) return builtin_results[k].rule;
    return R_UNK;
}

static const Expr *arg_expr(const Expr *call, int k)
{
    return k < call->u.call.nargs ? call->u.call.args[k].value : NULL;
}

static const Expr *named_arg(const Expr *call, const char *name)
{
    for (int k = 0; k < call->u.call.nargs; k++)
        if (call->u.call.args[k].name && strcmp(call->u.call.args[k].name, name) == 0)
            return call->u.call.args[k].value;
    return NULL;
}

static int any_arg_dt(const Expr *call, DataType dt)
{
    for (int k = 0; k < call->u.call.nargs; k++)
        if (call->u.call.args[k].value->dt == dt) return 1;
    return 0;
}

static void type_minmax(Expr *e)
{
    if (e->u.call.nargs == 1) {
        const Expr *a = arg_expr(e, 0);
        if (a->dt == DT_MATRIX) set_type(e, DT_SCALAR, VT_FP64);
        else set_type(e, a->dt == DT_SCALAR ? DT_SCALAR : DT_UNKNOWN, VT_UNKNOWN);
        return;
    }
    if (any_arg_dt(e, DT_MATRIX)) {
        set_type(e, DT_MATRIX, VT_FP64);
        return;
    }
    ValueType vt = VT_INT64;
    for (int k = 0; k < e->u.call.nargs; k++) {
        const Expr *a = arg_expr(e, k);
        if (a->dt != DT_SCALAR) {
            set_type(e, DT_UNKNOWN, VT_UNKNOWN);
            return;
        }
        vt = a->vt == VT_INT64 ? vt : a->vt == VT_FP64 && vt != VT_UNKNOWN ? VT_FP64
                                                                           : VT_UNKNOWN;
    }
    set_type(e, DT_SCALAR, vt);
}

static void type_ifelse(Expr *e)
{
    if (any_arg_dt(e, DT_MATRIX)) {
        set_type(e, DT_MATRIX, VT_FP64);
        return;
    }
    const Expr *a = arg_expr(e, 1), *b = arg_expr(e, 2);
    if (a && b && a->dt == DT_SCALAR && b->dt == DT_SCALAR && arg_expr(e, 0)->dt == DT_SCALAR)
        set_type(e, DT_SCALAR, promote(a->vt, b->vt));
    else
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
}

/* cbind/rbind/append: like the first argument, except two strings (a
 * string) and cbind/rbind of a list, which bind its elements (DML.md 2.5:
 * a matrix or a frame, unknown here); append(L, x) stays a list. */
static void type_bind(Expr *e, int is_append)
{
    const Expr *a = arg_expr(e, 0);
    if (!a || a->dt == DT_UNKNOWN || (a->dt == DT_LIST && !is_append))
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
    else if (a->dt == DT_SCALAR) set_type(e, a->vt == VT_STRING ? DT_SCALAR : DT_UNKNOWN,
                                          a->vt == VT_STRING ? VT_STRING : VT_UNKNOWN);
    else set_type(e, a->dt, VT_UNKNOWN);
}

static ValueType vt_from_name(const char *s)
{
    if (!strcmp(s, "int") || !strcmp(s, "integer")) return VT_INT64;
    if (!strcmp(s, "double")) return VT_FP64;
    if (!strcmp(s, "boolean")) return VT_BOOL;
    if (!strcmp(s, "string")) return VT_STRING;
    return VT_UNKNOWN;
}

/* read(): the data type is known only when data_type is a literal. */
static void type_read(Expr *e)
{
    const Expr *d = named_arg(e, "data_type"), *v = named_arg(e, "value_type");
    set_type(e, DT_UNKNOWN, VT_UNKNOWN);
    if (!d || d->kind != EX_STR) return;
    const char *dt = d->u.str.s;
    if (!strcmp(dt, "matrix")) set_type(e, DT_MATRIX, VT_FP64);
    else if (!strcmp(dt, "frame")) set_type(e, DT_FRAME, VT_UNKNOWN);
    else if (!strcmp(dt, "list")) set_type(e, DT_LIST, VT_UNKNOWN);
    else if (!strcmp(dt, "scalar"))
        set_type(e, DT_SCALAR, v && v->kind == EX_STR ? vt_from_name(v->u.str.s) : VT_FP64);
}

static void type_target(Expr *e)
{
    const Expr *t = named_arg(e, "target");
    if (!t) t = arg_expr(e, 0);
    if (t && (t->dt == DT_MATRIX || t->dt == DT_FRAME)) set_type(e, t->dt, VT_UNKNOWN);
    else set_type(e, DT_UNKNOWN, VT_UNKNOWN);
}

static void type_unary_fn(Expr *e, int keep_int)
{
    const Expr *a = arg_expr(e, 0);
    if (!a || a->dt == DT_UNKNOWN) set_type(e, DT_UNKNOWN, VT_UNKNOWN);
    else if (a->dt == DT_MATRIX) set_type(e, DT_MATRIX, VT_FP64);
    else if (a->dt == DT_SCALAR)
        set_type(e, DT_SCALAR, keep_int && a->vt == VT_INT64 ? VT_INT64
                               : keep_int && a->vt == VT_UNKNOWN ? VT_UNKNOWN : VT_FP64);
    else set_type(e, DT_UNKNOWN, VT_UNKNOWN);
}

/* Fills e's type from the builtin result table. */
static void builtin_type(Expr *e, const char *name)
{
    const Expr *last = e->u.call.nargs ? arg_expr(e, e->u.call.nargs - 1) : NULL;
    switch (result_rule(name)) {
    case R_MAT: set_type(e, DT_MATRIX, VT_FP64); break;
    case R_DBL: set_type(e, DT_SCALAR, VT_FP64); break;
    case R_INT: set_type(e, DT_SCALAR, VT_INT64); break;
    case R_BOOL: set_type(e, DT_SCALAR, VT_BOOL); break;
    case R_STR: set_type(e, DT_SCALAR, VT_STRING); break;
    case R_LIST: set_type(e, DT_LIST, VT_UNKNOWN); break;
    case R_FRAME: set_type(e, DT_FRAME, VT_UNKNOWN); break;
    case R_UNARY: type_unary_fn(e, 0); break;
    case R_ABS: type_unary_fn(e, 1); break;
    case R_MINMAX: type_minmax(e); break;
    case R_IFELSE: type_ifelse(e); break;
    case R_BIND: type_bind(e, !strcmp(name, "append")); break;
    case R_TARGET: type_target(e); break;
    case R_READ: type_read(e); break;
    case R_ASSCALAR:
        set_type(e, DT_SCALAR, arg_expr(e, 0) && arg_expr(e, 0)->dt == DT_MATRIX ? VT_FP64
                                                                              : VT_UNKNOWN);
        break;
    case R_QUANTILE:   /* a matrix of probabilities gives a matrix */
        if (last && last->dt == DT_MATRIX && e->u.call.nargs >= 2) set_type(e, DT_MATRIX, VT_FP64);
        else if (last && last->dt == DT_UNKNOWN && e->u.call.nargs >= 2)
            set_type(e, DT_UNKNOWN, VT_UNKNOWN);
        else set_type(e, DT_SCALAR, VT_FP64);
        break;
    case R_TYPEOF: {
        const Expr *x = arg_expr(e, 0);
        DataType d = x ? x->dt : DT_UNKNOWN;
        if (d == DT_FRAME || d == DT_MATRIX) set_type(e, DT_FRAME, VT_UNKNOWN);
        else if (d == DT_SCALAR || d == DT_LIST) set_type(e, DT_SCALAR, VT_STRING);
        else set_type(e, DT_UNKNOWN, VT_UNKNOWN);
        break;
    }
    case R_XOR:
        if (any_arg_dt(e, DT_MATRIX)) set_type(e, DT_MATRIX, VT_FP64);
        else set_type(e, DT_SCALAR, VT_BOOL);
        break;
    default: set_type(e, DT_UNKNOWN, VT_UNKNOWN); break;
    }
}

/* ---- calls --------------------------------------------------------------------------- */

static int param_given(const Expr *e, int npos, int p, const char *pname)
{
    if (p < npos) return 1;
    for (int k = 0; k < e->u.call.nargs; k++)
        if (e->u.call.args[k].name && !strcmp(e->u.call.args[k].name, pname)) return 1;
    return 0;
}

static tsr_status unknown_named_param(SemCtx *s, const Expr *e, const Arg *a, const FuncDef *fn)
{
    StrBuf sig;
    sb_init(&sig);
    for (int p = 0; p < fn->nparams; p++)
        sb_printf(&sig, "%s%s", p ? ", " : "", fn->params[p].name);
    sem_error(s, a->span.line ? a->span : e->span, "Named function call parameter '%s' does "
              "not exist in signature of function '%s'. Function signature: [%s]", a->name,
              fn->name, sig.s ? sig.s : "");
    sb_free(&sig);
    return TSR_TYPE;
}

/* Declared-type check of a value whose static type is known (rt_check_decl;
 * unknown types pass and are checked at run time). */
static tsr_status check_decl(SemCtx *s, Span sp, const FuncDef *fn, const Param *p, int is_out,
                             DataType dt, ValueType vt)
{
    if (rt_check_decl(fn, p, is_out, dt, vt, TSR_TYPE, s->err) == TSR_OK) return TSR_OK;
    s->err->span = sp;
    return TSR_TYPE;
}

static int param_index(const FuncDef *fn, const char *name)
{
    for (int p = 0; p < fn->nparams; p++)
        if (!strcmp(name, fn->params[p].name)) return p;
    return -1;
}

/* Data/value types of the arguments of a bound call against the signature. */
static tsr_status check_arg_types(SemCtx *s, const Expr *e, const FuncDef *fn)
{
    for (int k = 0, npos = 0; k < e->u.call.nargs; k++) {
        const Arg *a = &e->u.call.args[k];
        int p = a->name ? param_index(fn, a->name) : npos++;
        tsr_status st = check_decl(s, a->span.line ? a->span : e->span, fn, &fn->params[p], 0,
                                   a->value->dt, a->value->vt);
        if (st) return st;
    }
    return TSR_OK;
}

/* Static binding check of a call of fn (DML.md 5.3 texts). */
static tsr_status check_binding(SemCtx *s, const Expr *e, const FuncDef *fn)
{
    int npos = 0, nnamed = 0;
    for (int k = 0; k < e->u.call.nargs; k++)
        e->u.call.args[k].name ? nnamed++ : npos++;
    if (npos > 0 && nnamed > 0)
        return sem_error(s, e->span, " In DML, functions can only have named parameters (e.g., "
                         "name1=value1, name2=value2) or unnamed parameters (e.g, value1, "
                         "value2). %s has both parameter types.", fn->name);
    if (npos > fn->nparams)
        return sem_error(s, e->span, "function %s has incorrect number of parameters. Function "
                         "requires %d but was called with %d", fn->name, fn->nparams, npos);
    for (int k = 0; k < e->u.call.nargs; k++) {
        const Arg *a = &e->u.call.args[k];
        if (a->name && param_index(fn, a->name) < 0) return unknown_named_param(s, e, a, fn);
    }
    for (int p = 0; p < fn->nparams; p++)
        if (!fn->params[p].defval && !param_given(e, npos, p, fn->params[p].name))
            return sem_error(s, e->span, "Missing default expression for unspecified function "
                             "argument '%s' in call to function '%s'.", fn->params[p].name,
                             fn->name);
    return check_arg_types(s, e, fn);
}

static const char *dml_prefix(DataType dt)
{
    return dt == DT_MATRIX ? "m_" : dt == DT_FRAME ? "f_" : "s_";
}

static const FuncDef *module_func(const AstModule *m, const char *prefix, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", prefix, name);
    return hm_get(&m->funcs, buf);
}

/* Resolves a DML-bodied builtin: loads scripts/builtin/<name>.dml, validates
 * it and picks the variant for the first argument's static type (any
 * variant when unknown; the interpreter re-dispatches).  *fn = NULL and
 * TSR_OK when there is no such builtin file. */
static tsr_status resolve_dml_builtin(SemCtx *s, Expr *e, const FuncDef **fn)
{
    *fn = NULL;
    Err lerr;
    err_clear(&lerr);
    AstModule *m = prs_load_builtin(s->prog, e->u.call.name, &lerr);
    if (!m) {
        if (lerr.code == TSR_OK) return TSR_OK;
        *s->err = lerr;
        return lerr.code;
    }
    tsr_status st = sem_validate_module(s, m, s->err);
    if (st) return st;
    const Expr *first = arg_expr(e, 0);
    DataType dt = first ? first->dt : DT_UNKNOWN;
    if (dt != DT_UNKNOWN) {
        *fn = module_func(m, dml_prefix(dt), e->u.call.name);
    } else {
        *fn = module_func(m, "m_", e->u.call.name);
        if (!*fn) *fn = module_func(m, "s_", e->u.call.name);
        if (!*fn) *fn = module_func(m, "f_", e->u.call.name);
    }
    if (!*fn)
        return sem_error(s, e->span, "Builtin function '%s%s': script loaded but function not "
                         "found. Is there a typo in the function name?",
                         dml_prefix(dt == DT_UNKNOWN ? DT_MATRIX : dt), e->u.call.name);
    return TSR_OK;
}

/* Resolution of DML.md 5.7.  Sets builtin_id or fn; *b to the builtin. */
static tsr_status resolve_call(SemCtx *s, Expr *e, const RtBuiltin **b)
{
    const char *name = e->u.call.name, *ns = e->u.call.ns;
    *b = NULL;
    e->u.call.builtin_id = -1;
    e->u.call.fn = NULL;
    if (ns) {
        AstModule *m = hm_get(&s->mod->imports, ns);
        if (!m) return sem_error(s, e->span, "namespace %s is not defined ", ns);
        e->u.call.fn = hm_get(&m->funcs, name);
        if (!e->u.call.fn)
            return sem_error(s, e->span, "function %s is undefined in namespace %s", name, ns);
        return TSR_OK;
    }
    e->u.call.fn = hm_get(&s->mod->funcs, name);
    if (e->u.call.fn) return TSR_OK;
    *b = rt_builtin_find(name);
    if (*b) {
        e->u.call.builtin_id = rt_builtin_id(*b);
        return TSR_OK;
    }
    const FuncDef *fn;
    tsr_status st = resolve_dml_builtin(s, e, &fn);
    if (st) return st;
    if (!fn && s->lib) return TSR_OK;   /* deferred to run time, see sem_validate_module */
    if (!fn) return sem_error(s, e->span, "function %s is undefined in namespace .defaultNS", name);
    e->u.call.fn = (FuncDef *)fn;
    return TSR_OK;
}

static int is_num_literal(const Expr *e, double *v)
{
    if (e->kind == EX_INT) *v = (double)e->u.ival;
    else if (e->kind == EX_DBL) *v = e->u.dval;
    else return 0;
    return 1;
}

/* seq() with literal arguments and an increment of the wrong sign (4.9). */
static tsr_status check_seq(SemCtx *s, const Expr *e)
{
    double from, to, incr;
    if (e->u.call.nargs != 3 || !is_num_literal(arg_expr(e, 0), &from) ||
        !is_num_literal(arg_expr(e, 1), &to) || !is_num_literal(arg_expr(e, 2), &incr))
        return TSR_OK;
    if ((from > to && incr >= 0) || (from < to && incr < 0))
        return sem_error(s, e->span, "Wrong sign for the increment in a call to seq()");
    return TSR_OK;
}

static void upper_name(const char *name, char *buf, size_t cap)
{
    size_t k = 0;
    for (; name[k] && k + 1 < cap; k++) buf[k] = (char)toupper((unsigned char)name[k]);
    buf[k] = '\0';
}

/* Argument-count rules of a native builtin (table min/max plus the
 * statement-specific texts of DML.md 6 and 7.1). */
static tsr_status check_builtin(SemCtx *s, const Expr *e, const RtBuiltin *b, CallCtx cc)
{
    const char *name = b->name;
    int n = e->u.call.nargs;
    if (!strcmp(name, "print") && n == 0)
        return sem_error(s, e->span, "print() must have more than 0 parameters");
    if (!strcmp(name, "print") && n > 1 && arg_expr(e, 0)->kind != EX_STR)
        return sem_error(s, e->span, "printf-style functionality requires first print "
                         "parameter to be a string");
    if (!strcmp(name, "stop") && n > 1)
        return sem_error(s, e->span, "stop() function cannot have more than 1 parameter");
    if (!strcmp(name, "write") && n < 2)
        return sem_error(s, e->span, "incorrect usage of write function (at least 2 arguments "
                         "required)");
    if (!strcmp(name, "matrix") && n < 3)
        return sem_error(s, e->span, "for matrix statement, must specify at least 3 arguments: "
                         "data, rows, cols");
    if (n < b->min_args)
        return sem_error(s, e->span, "Missing argument for function %s", name);
    if (b->max_args >= 0 && n > b->max_args)
        return sem_error(s, e->span, "Invalid number of arguments for function %s(). This "
                         "function only takes %d argument%s.", name, b->max_args,
                         b->max_args == 1 ? "" : "s");
    if (b->multi_return && cc != CTX_MULTI) {
        char up[64];
        upper_name(name, up, sizeof up);
        return sem_error(s, e->span, "Function %s needs to be called with multi-return "
                         "assignment.", up);
    }
    if (!strcmp(name, "seq")) return check_seq(s, e);
    return TSR_OK;
}

/* For a DML-bodied builtin whose first argument's type is unknown, the
 * variant (and so the signature and output types) is chosen at run time. */
static int variant_unknown(const Expr *e)
{
    const FuncDef *fn = e->u.call.fn;
    const Expr *first = arg_expr(e, 0);
    return fn && strcmp(fn->name, e->u.call.name) != 0 && (!first || first->dt == DT_UNKNOWN);
}

static void fn_result_type(Expr *e, const FuncDef *fn)
{
    if (fn->nouts == 0 || variant_unknown(e)) set_type(e, DT_UNKNOWN, VT_UNKNOWN);
    else set_type(e, fn->outs[0].type.dt, fn->outs[0].type.vt);
}

/* exists(x) names a variable that need not be defined (the interpreter
 * passes the name; DML.md 7.2). */
static int is_exists_name_arg(const SemCtx *s, const Expr *e, const Expr *arg)
{
    return arg->kind == EX_ID && !e->u.call.ns && !strcmp(e->u.call.name, "exists") &&
           !hm_get(&s->mod->funcs, "exists");
}

/* Validates a call: arguments, resolution, binding/arity, result type. */
static tsr_status v_call(SemCtx *s, Scope *sc, Expr *e, CallCtx cc)
{
    for (int k = 0; k < e->u.call.nargs; k++) {
        Expr *arg = e->u.call.args[k].value;
        tsr_status st = is_exists_name_arg(s, e, arg) ? TSR_OK : v_expr(s, sc, arg);
        if (st) return st;
    }
    const RtBuiltin *b;
    tsr_status st = resolve_call(s, e, &b);
    if (st) return st;
    if (b) {
        st = check_builtin(s, e, b, cc);
        if (!st) builtin_type(e, b->name);
        return st;
    }
    const FuncDef *fn = e->u.call.fn;
    if (!fn) {   /* unresolved name in a library file */
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
        return TSR_OK;
    }
    if (cc == CTX_LINDEX)
        return sem_error(s, e->span, "Unsupported function call to '%s' in left indexing "
                         "expression. Please, assign the function output to a variable.",
                         e->u.call.name);
    st = variant_unknown(e) ? TSR_OK : check_binding(s, e, fn);
    if (!st) fn_result_type(e, fn);
    return st;
}

/* ---- expressions ------------------------------------------------------------------- */

static tsr_status v_index_dim(SemCtx *s, Scope *sc, IndexDim *d, const char *what)
{
    tsr_status st = TSR_OK;
    if (d->kind != IDX_ALL) st = v_expr(s, sc, d->lo);
    if (!st && d->kind == IDX_RANGE) st = v_expr(s, sc, d->hi);
    if (st || d->kind == IDX_ALL) return st;
    if (d->lo->kind == EX_INT && d->lo->u.ival < 1)
        return sem_error(s, d->lo->span, "lower-bound %s index %lld initialized to out of bounds "
                         "value. Value must be >= 1", what, (long long)d->lo->u.ival);
    return TSR_OK;
}

static tsr_status v_index(SemCtx *s, Scope *sc, Expr *e)
{
    tsr_status st = v_expr(s, sc, e->u.index.target);
    if (!st) st = v_index_dim(s, sc, &e->u.index.row, "row");
    if (!st) st = v_index_dim(s, sc, &e->u.index.col, "column");
    if (st) return st;
    DataType dt = e->u.index.target->dt;
    set_type(e, dt == DT_MATRIX || dt == DT_LIST || dt == DT_FRAME ? dt : DT_UNKNOWN,
             VT_UNKNOWN);
    return TSR_OK;
}

static tsr_status v_id(SemCtx *s, Scope *sc, Expr *e)
{
    const VarInfo *v = scope_get(sc, e->u.name);
    if (!v) return sem_error(s, e->span, "Undefined Variable (%s) used in statement", e->u.name);
    set_type(e, v->dt, v->vt);
    return TSR_OK;
}

/* The flat expression dispatch of the validator. */
static tsr_status v_expr(SemCtx *s, Scope *sc, Expr *e)
{
    tsr_status st;
    switch (e->kind) {
    case EX_INT:
        set_type(e, DT_SCALAR, VT_INT64);
        return TSR_OK;
    case EX_DBL:
        set_type(e, DT_SCALAR, VT_FP64);
        return TSR_OK;
    case EX_BOOL:
        set_type(e, DT_SCALAR, VT_BOOL);
        return TSR_OK;
    case EX_STR:
        set_type(e, DT_SCALAR, VT_STRING);
        return TSR_OK;
    case EX_ID:
        return v_id(s, sc, e);
    case EX_BINARY:
        st = v_expr(s, sc, e->u.bin.l);
        if (!st) st = v_expr(s, sc, e->u.bin.r);
        return st ? st : binary_type(s, e);
    case EX_UNARY:
        st = v_expr(s, sc, e->u.un.e);
        return st ? st : unary_type(s, e);
    case EX_CALL:
        return v_call(s, sc, e, CTX_EXPR);
    case EX_INDEX:
        return v_index(s, sc, e);
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++)
            if ((st = v_expr(s, sc, e->u.list.items[k]))) return st;
        set_type(e, DT_UNKNOWN, VT_UNKNOWN);
        return TSR_OK;
    }
    return TSR_OK;
}

/* ---- statements ---------------------------------------------------------------------- */

static int is_builtin_constant(const char *name)
{
    return !strcmp(name, "Inf") || !strcmp(name, "NaN") || !strcmp(name, "pi");
}

static tsr_status v_lindex(SemCtx *s, Scope *sc, Stmt *st)
{
    Expr *val = st->u.assign.value;
    const char *name = st->u.assign.target;
    tsr_status rc = val->kind == EX_CALL ? v_call(s, sc, val, CTX_LINDEX) : v_expr(s, sc, val);
    if (rc) return rc;
    if (!scope_get(sc, name))
        return sem_error(s, st->span, "cannot assign value to indexed identifier %s without "
                         "first initializing %s", name, name);
    rc = v_index_dim(s, sc, &st->u.assign.row, "row");
    return rc ? rc : v_index_dim(s, sc, &st->u.assign.col, "column");
}

/* Type of `x += v` given the current x. */
static tsr_status accumulate_type(SemCtx *s, const VarInfo *x, Stmt *st, DataType *dt,
                                  ValueType *vt)
{
    Expr tmp, l;
    memset(&tmp, 0, sizeof tmp);
    memset(&l, 0, sizeof l);
    l.dt = x->dt;
    l.vt = x->vt;
    tmp.kind = EX_BINARY;
    tmp.span = st->span;
    tmp.u.bin.op = BOP_ADD;
    tmp.u.bin.l = &l;
    tmp.u.bin.r = st->u.assign.value;
    tsr_status rc = binary_type(s, &tmp);
    *dt = tmp.dt;
    *vt = tmp.vt;
    return rc;
}

static tsr_status v_assign(SemCtx *s, Scope *sc, Stmt *st)
{
    const char *name = st->u.assign.target;
    Expr *val = st->u.assign.value;
    if (is_builtin_constant(name))
        return sem_error(s, st->span, "Cannot assign a value to the builtin constant %s.", name);
    if (st->u.assign.indexed) return v_lindex(s, sc, st);
    tsr_status rc = val->kind == EX_CALL ? v_call(s, sc, val, CTX_ASSIGN) : v_expr(s, sc, val);
    if (rc) return rc;
    DataType dt = val->dt;
    ValueType vt = val->vt;
    if (st->u.assign.accumulate) {
        const VarInfo *x = scope_get(sc, name);
        if (!x)
            return sem_error(s, st->span, "Invalid accumulator assignment to non-existing "
                             "variable %s.", name);
        if ((rc = accumulate_type(s, x, st, &dt, &vt))) return rc;
    } else if (val->kind == EX_CALL && val->u.call.fn && val->u.call.fn->nouts == 0) {
        sem_warn(s, st->span, "Function '%s' does not return a value but is assigned to %s",
                 val->u.call.name, name);
        return TSR_OK;
    }
    scope_set(sc, name, dt, vt, 0);
    return TSR_OK;
}

/* Types of the outputs of a multi-return native builtin. */
static DataType builtin_out_dt(const char *name, int k)
{
    if (!strcmp(name, "eigen") || !strcmp(name, "svd") || !strcmp(name, "qr") ||
        !strcmp(name, "lu"))
        return DT_MATRIX;
    if (!strcmp(name, "batch_norm2d") || !strcmp(name, "batch_norm2d_backward") ||
        !strcmp(name, "lstm") || !strcmp(name, "lstm_backward"))
        return DT_MATRIX;
    if (!strcmp(name, "remove")) return DT_LIST;
    if (!strcmp(name, "transformencode")) return k == 0 ? DT_MATRIX : DT_FRAME;
    return DT_UNKNOWN;
}

static tsr_status v_massign(SemCtx *s, Scope *sc, Stmt *st)
{
    Expr *call = st->u.massign.call;
    tsr_status rc = v_call(s, sc, call, CTX_MULTI);
    if (rc) return rc;
    int n = st->u.massign.ntargets;
    if (call->u.call.builtin_id >= 0) {
        const RtBuiltin *b = rt_builtin_by_id(call->u.call.builtin_id);
        if (!b->multi_return)
            return sem_error(s, st->span, "can only use user-defined functions with "
                             "multi-assignment statement");
        for (int k = 0; k < n; k++)
            scope_set(sc, st->u.massign.targets[k], builtin_out_dt(b->name, k), VT_UNKNOWN, 0);
        return TSR_OK;
    }
    const FuncDef *fn = call->u.call.fn;
    if (!fn) {   /* unresolved name in a library file */
        for (int k = 0; k < n; k++)
            scope_set(sc, st->u.massign.targets[k], DT_UNKNOWN, VT_UNKNOWN, 0);
        return TSR_OK;
    }
    if (n > fn->nouts && !variant_unknown(call))
        return sem_error(s, st->span, "function %s returns %d value%s but is assigned to %d "
                         "targets", fn->name, fn->nouts, fn->nouts == 1 ? "" : "s", n);
    int unknown = variant_unknown(call);
    for (int k = 0; k < n; k++)
        scope_set(sc, st->u.massign.targets[k], unknown ? DT_UNKNOWN : fn->outs[k].type.dt,
                  unknown ? VT_UNKNOWN : fn->outs[k].type.vt, 0);
    return TSR_OK;
}

static tsr_status v_callstmt(SemCtx *s, Scope *sc, Stmt *st)
{
    Expr *call = st->u.expr.call;
    if (s->parfor && !call->u.call.ns &&
        (!strcmp(call->u.call.name, "stop") || !strcmp(call->u.call.name, "assert")) &&
        !hm_get(&s->mod->funcs, call->u.call.name))
        return sem_error(s, st->span, "PARFOR loop dependency analysis: %s() statement is not "
                         "allowed inside a parfor loop body.", call->u.call.name);
    return v_call(s, sc, call, CTX_STMT);
}

/* Predicate rules of DML.md 4.6 for literals; the rest is checked at run time. */
static tsr_status v_pred(SemCtx *s, Scope *sc, Expr *p)
{
    tsr_status rc = v_expr(s, sc, p);
    if (rc) return rc;
    if (p->kind == EX_STR)
        return sem_error(s, p->span, "String value '%s' is not allowed for iterable predicate",
                         p->u.str.s);
    double v;
    if (is_num_literal(p, &v) && v != 0 && v != 1) {
        char buf[32];
        if (p->kind == EX_INT) snprintf(buf, sizeof buf, "%lld", (long long)p->u.ival);
        else nf_double(buf, sizeof buf, v);
        sem_warn(s, p->span, "Numerical value '%s' (!= 0/1) is converted to boolean TRUE by DML",
                 buf);
    }
    return TSR_OK;
}

/* ---- if ----------------------------------------------------------------------------- */

/* Data type change checks of DML.md 4.10 for one variable after an if. */
static tsr_status if_dt_check(SemCtx *s, const Stmt *st, const char *name, const Scope *orig,
                              const Scope *t, const Scope *e, const HMap *at, const HMap *ae)
{
    const VarInfo *o = scope_get(orig, name), *vt = scope_get(t, name), *ve = scope_get(e, name);
    int in_t = hm_has(at, name), in_e = hm_has(ae, name);
    if (in_t && in_e && vt && ve && vt->dt != DT_UNKNOWN && ve->dt != DT_UNKNOWN &&
        vt->dt != ve->dt)
        return sem_error(s, st->span, "IfStatementBlock has unsupported conditional data type "
                         "change of variable '%s' in if/else branch.", name);
    const VarInfo *changed = in_t && !in_e ? vt : !in_t && in_e ? ve : NULL;
    if (o && changed && o->dt != DT_UNKNOWN && changed->dt != DT_UNKNOWN && o->dt != changed->dt)
        return sem_error(s, st->span, "IfStatementBlock has unsupported conditional data type "
                         "change of variable '%s' in if branch.", name);
    return TSR_OK;
}

/* Joins the branch scopes t and e into sc. */
static void if_merge(SemCtx *s, const Stmt *st, Scope *sc, const Scope *t, const Scope *e)
{
    Scope out;
    scope_init(&out);
    for (int pass = 0; pass < 2; pass++) {
        const Scope *a = pass ? e : t, *b = pass ? t : e;
        size_t it = 0;
        const char *name;
        void *val;
        while (hm_next(&a->vars, &it, &name, &val)) {
            if (scope_get(&out, name)) continue;
            const VarInfo *va = val, *vb = scope_get(b, name);
            if (!vb) {
                if (!scope_get(sc, name))
                    sem_warn(s, st->span, "Initialization of %s depends on if-else execution",
                             name);
                scope_set(&out, name, va->dt, va->vt, 1);
                continue;
            }
            scope_set(&out, name, va->dt == vb->dt ? va->dt : DT_UNKNOWN,
                      va->vt == vb->vt ? va->vt : VT_UNKNOWN, va->maybe || vb->maybe);
            scope_get(&out, name)->carried = va->carried && vb->carried;
        }
    }
    scope_move(sc, &out);
}

static tsr_status v_if(SemCtx *s, Scope *sc, Stmt *st)
{
    tsr_status rc = v_pred(s, sc, st->u.ifs.pred);
    if (rc) return rc;
    Scope t, e;
    HMap at, ae;
    scope_copy(&t, sc);
    scope_copy(&e, sc);
    hm_init(&at);
    hm_init(&ae);
    rc = v_block(s, &t, &st->u.ifs.then_b);
    if (!rc) rc = v_block(s, &e, &st->u.ifs.else_b);
    collect_assigned(&st->u.ifs.then_b, &at);
    collect_assigned(&st->u.ifs.else_b, &ae);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        size_t it = 0;
        const char *name;
        while (!rc && hm_next(pass ? &ae : &at, &it, &name, NULL))
            rc = if_dt_check(s, st, name, sc, &t, &e, &at, &ae);
    }
    if (!rc) if_merge(s, st, sc, &t, &e);
    scope_free(&t);
    scope_free(&e);
    hm_free(&at);
    hm_free(&ae);
    return rc;
}

/* ---- loops -------------------------------------------------------------------------- */

/* Prepares sc for a loop body that (re)binds the names in `assigned`:
 * their value types become unknown (they may change between iterations) and
 * names not yet defined become "maybe" (defined by an earlier iteration). */
static void loop_enter(Scope *sc, const HMap *assigned)
{
    size_t it = 0;
    const char *name;
    while (hm_next(assigned, &it, &name, NULL)) {
        VarInfo *v = scope_get(sc, name);
        if (v) {
            v->vt = v->dt == DT_MATRIX ? VT_FP64 : VT_UNKNOWN;
        } else {
            scope_set(sc, name, DT_UNKNOWN, VT_UNKNOWN, 1);
            scope_get(sc, name)->carried = 1;
        }
    }
}

/* After the body (in `body`): checks data type changes of variables that
 * existed before the loop (in `orig`) and writes the joined state to sc. */
static tsr_status loop_leave(SemCtx *s, const Stmt *st, const char *kind, Scope *sc,
                             const Scope *orig, const Scope *body, const HMap *assigned)
{
    size_t it = 0;
    const char *name;
    while (hm_next(assigned, &it, &name, NULL)) {
        const VarInfo *o = scope_get(orig, name), *b = scope_get(body, name);
        if (!b) continue;
        if (o && o->dt != DT_UNKNOWN && b->dt != DT_UNKNOWN && o->dt != b->dt)
            return sem_error(s, st->span, "%s has unsupported conditional data type change of "
                             "variable '%s' in loop body.", kind, name);
        if (o)
            scope_set(sc, name, o->dt != DT_UNKNOWN ? o->dt : b->dt,
                      o->vt == b->vt ? o->vt : VT_UNKNOWN, o->maybe);
        else
            scope_set(sc, name, b->dt, b->vt, 1);
    }
    return TSR_OK;
}

/* Validates a loop body in a copy of sc and joins the result back. */
static tsr_status v_loop_body(SemCtx *s, Scope *sc, const Stmt *st, const StmtList *body,
                              const char *kind, const char *loopvar)
{
    HMap assigned;
    Scope orig, b;
    hm_init(&assigned);
    collect_assigned(body, &assigned);
    if (loopvar) hm_del(&assigned, loopvar);
    scope_copy(&orig, sc);
    scope_copy(&b, sc);
    loop_enter(&b, &assigned);
    if (loopvar) scope_set(&b, loopvar, DT_SCALAR, VT_INT64, 0);
    tsr_status rc = v_block(s, &b, body);
    if (!rc) rc = loop_leave(s, st, kind, sc, &orig, &b, &assigned);
    scope_free(&orig);
    scope_free(&b);
    hm_free(&assigned);
    return rc;
}

static tsr_status v_while(SemCtx *s, Scope *sc, Stmt *st)
{
    tsr_status rc = v_pred(s, sc, st->u.whiles.pred);
    return rc ? rc : v_loop_body(s, sc, st, &st->u.whiles.body, "WhileStatementBlock", NULL);
}

/* ---- parfor ----------------------------------------------------------------------- */
/* Option names and values (DML.md 8.1/8.2) are checked by the parser
 * (check_parfor_opt in parser.c); here: stop/assert in the body (v_callstmt)
 * and the dependency analysis (sem_parfor.c). */

/* check=0 disables the dependency analysis (DML.md 8.2). */
static int parfor_check_on(const Stmt *st)
{
    for (int k = 0; k < st->u.fors.nopts; k++)
        if (!strcasecmp(st->u.fors.opts[k].name, "check") && st->u.fors.opts[k].value &&
            !strcmp(st->u.fors.opts[k].value, "0"))
            return 0;
    return 1;
}

/* Option values the parser accepts but this build cannot honour, and
 * integer ranges (DML.md 8.2): par and tasksize are at least 1; remote
 * workers (mode=REMOTE_SPARK*) need the MPI back end. */
static tsr_status parfor_opts_supported(SemCtx *s, const Stmt *st)
{
    for (int k = 0; k < st->u.fors.nopts; k++) {
        const ParforOpt *o = &st->u.fors.opts[k];
        if (!o->value) continue;
        if (!strcasecmp(o->name, "mode") && strncmp(o->value, "REMOTE", 6) == 0)
            return sem_error(s, o->span, "PARFOR: mode=%s is not supported: remote parfor "
                             "workers need the MPI back end, which this build does not have "
                             "(use mode=LOCAL)", o->value);
        if ((!strcasecmp(o->name, "par") || !strcasecmp(o->name, "tasksize")) &&
            strtoll(o->value, NULL, 10) < 1)
            return sem_error(s, o->span, "PARFOR: parameter '%s' must be at least 1, but is %s",
                             o->name, o->value);
    }
    return TSR_OK;
}

/* SemVarLookup over a Scope.  A carried name (assigned by an enclosing
 * loop's body only later or only inside this parfor, or an iteration-local
 * of an earlier parfor) does not exist before the parfor in program order. */
static int var_lookup(void *ud, const char *name, DataType *dt)
{
    const VarInfo *v = scope_get(ud, name);
    if (v) *dt = v->dt;
    return v != NULL && !v->carried;
}

/* Variables first created in a parfor body (and its variable, if new) are
 * iteration-local, undefined after the loop (DML.md 8.5), so they do not
 * exist before a later parfor either; nor do names that were not bound
 * before this parfor (carried) and only its body assigns. */
static void mark_parfor_locals(Scope *sc, const Scope *before)
{
    size_t it = 0;
    const char *name;
    void *v;
    while (hm_next(&sc->vars, &it, &name, &v)) {
        const VarInfo *b = scope_get(before, name);
        if (!b || b->carried) ((VarInfo *)v)->carried = 1;
    }
}

/* ---- for ---------------------------------------------------------------------------- */

static tsr_status v_for(SemCtx *s, Scope *sc, Stmt *st)
{
    tsr_status rc = v_expr(s, sc, st->u.fors.from);
    if (!rc) rc = v_expr(s, sc, st->u.fors.to);
    if (!rc && st->u.fors.incr) rc = v_expr(s, sc, st->u.fors.incr);
    if (rc) return rc;
    const char *var = st->u.fors.var;
    const VarInfo *old = scope_get(sc, var);
    if (old && old->dt != DT_UNKNOWN &&
        (old->dt != DT_SCALAR || (old->vt != VT_INT64 && old->vt != VT_UNKNOWN)))
        return sem_error(s, st->span, "iterable predicate in for loop '%s' must be a scalar "
                         "integer", var);
    int existed = old != NULL, pf = st->u.fors.is_parfor;
    if (pf && (rc = parfor_opts_supported(s, st))) return rc;
    Scope before;
    if (pf) scope_copy(&before, sc);
    s->parfor += pf;
    rc = v_loop_body(s, sc, st, &st->u.fors.body, "ForStatementBlock", var);
    s->parfor -= pf;
    if (!rc && pf && parfor_check_on(st)) rc = sem_parfor_deps(st, var_lookup, &before, s->err);
    if (!rc) scope_set(sc, var, DT_SCALAR, VT_INT64, pf && !existed);
    if (!rc && pf) mark_parfor_locals(sc, &before);
    if (pf) scope_free(&before);
    return rc;
}

/* ---- blocks ------------------------------------------------------------------------- */

static tsr_status v_stmt(SemCtx *s, Scope *sc, Stmt *st)
{
    switch (st->kind) {
    case ST_ASSIGN: return v_assign(s, sc, st);
    case ST_MULTIASSIGN: return v_massign(s, sc, st);
    case ST_EXPR: return v_callstmt(s, sc, st);
    case ST_IF: return v_if(s, sc, st);
    case ST_FOR: return v_for(s, sc, st);
    case ST_WHILE: return v_while(s, sc, st);
    case ST_SOURCE:
    case ST_SETWD: return TSR_OK;
    }
    return TSR_OK;
}

static tsr_status v_block(SemCtx *s, Scope *sc, const StmtList *b)
{
    for (int k = 0; k < b->n; k++) {
        tsr_status rc = v_stmt(s, sc, b->items[k]);
        if (rc) return rc;
    }
    return TSR_OK;
}

/* ---- functions and modules ------------------------------------------------------------ */

static void bind_params(Scope *sc, const FuncDef *fn)
{
    for (int k = 0; k < fn->nparams; k++)
        scope_set(sc, fn->params[k].name, fn->params[k].type.dt, fn->params[k].type.vt, 0);
}

/* Defaults are validated in the scope of all parameters (where the
 * interpreter evaluates them) and must fit their parameter's type. */
static tsr_status v_defaults(SemCtx *s, Scope *sc, const FuncDef *fn)
{
    for (int k = 0; k < fn->nparams; k++) {
        const Param *p = &fn->params[k];
        if (!p->defval) continue;
        tsr_status rc = v_expr(s, sc, p->defval);
        if (!rc) rc = check_decl(s, p->defval->span, fn, p, 0, p->defval->dt, p->defval->vt);
        if (rc) return rc;
    }
    return TSR_OK;
}

/* Every output must be bound (maybe-bound is accepted, see interpreter.md)
 * with the declared data type, as far as known (DML.md 5.1). */
static tsr_status v_outputs(SemCtx *s, const Scope *sc, const FuncDef *fn)
{
    for (int k = 0; k < fn->nouts; k++) {
        const Param *o = &fn->outs[k];
        const VarInfo *v = scope_get(sc, o->name);
        if (!v)
            return sem_error(s, fn->span, "for function %s, return variable %s must be defined "
                             "in function", fn->name, o->name);
        tsr_status rc = check_decl(s, o->span, fn, o, 1, v->dt, v->vt);
        if (rc) return rc;
    }
    return TSR_OK;
}

/* Validates a function: defaults, body, outputs. */
static tsr_status v_function(SemCtx *s, const FuncDef *fn)
{
    if (fn->is_external) return TSR_OK;
    Scope sc;
    scope_init(&sc);
    bind_params(&sc, fn);
    tsr_status rc = v_defaults(s, &sc, fn);
    const FuncDef *saved_fn = s->fn;
    int saved_parfor = s->parfor;
    s->fn = fn;
    s->parfor = 0;
    if (!rc) rc = v_block(s, &sc, &fn->body);
    if (!rc) rc = v_outputs(s, &sc, fn);
    s->fn = saved_fn;
    s->parfor = saved_parfor;
    scope_free(&sc);
    return rc;
}

SemCtx *sem_new(AstProgram *p, FILE *warn)
{
    SemCtx *s = xcalloc(1, sizeof *s);
    s->prog = p;
    s->warn = warn;
    hm_init(&s->done);
    return s;
}

void sem_free(SemCtx *s)
{
    if (!s) return;
    hm_free(&s->done);
    free(s);
}

/* Files of the bundled library (scripts_dir/...): DML-bodied builtins and
 * the nn layers.  A module is validated as a whole when first referenced,
 * so a call to a name that does not resolve in a library function is not
 * an error here but only when that call executes: a script that uses lm()
 * must not fail because another function of the same library file calls a
 * native builtin Tessera does not provide yet.  User files are strict. */
static int is_library_file(const SemCtx *s, const AstModule *m)
{
    const char *dir = s->prog->scripts_dir, *path = m->file->path;
    size_t n = dir ? strlen(dir) : 0;
    return n > 0 && path && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

tsr_status sem_validate_module(SemCtx *s, AstModule *m, Err *err)
{
    char key[32];
    snprintf(key, sizeof key, "%p", (void *)m);
    if (hm_has(&s->done, key)) return TSR_OK;
    hm_put(&s->done, key, m);
    SemCtx saved = *s;
    s->err = err;
    s->mod = m;
    s->fn = NULL;
    s->parfor = 0;
    s->warn_on = m == s->prog->main;
    s->lib = is_library_file(s, m);
    tsr_status rc = TSR_OK;
    size_t it = 0;
    void *val;
    while (!rc && hm_next(&m->imports, &it, NULL, &val)) rc = sem_validate_module(s, val, err);
    for (int k = 0; !rc && k < m->file->nfuncs; k++) rc = v_function(s, m->file->funcs[k]);
    s->err = saved.err;
    s->mod = saved.mod;
    s->fn = saved.fn;
    s->parfor = saved.parfor;
    s->warn_on = saved.warn_on;
    s->lib = saved.lib;
    return rc;
}

tsr_status sem_validate(SemCtx *s, Err *err)
{
    tsr_status rc = sem_validate_module(s, s->prog->main, err);
    if (rc) return rc;
    Scope sc;
    scope_init(&sc);
    s->err = err;
    s->mod = s->prog->main;
    s->fn = NULL;
    s->parfor = 0;
    s->warn_on = 1;
    s->lib = 0;
    rc = v_block(s, &sc, &s->prog->main->file->stmts);
    scope_free(&sc);
    return rc;
}
