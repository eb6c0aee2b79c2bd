/*
 * hop.c - builds the HOP DAG of a statement block from the AST and
 * propagates sizes: dimensions, nnz estimates, memory estimates and the
 * value flags the rewrites need (compiler.h).
 *
 * Variables assigned earlier in the block are edges to the assigned node;
 * other variables become HOP_VAR inputs, recorded with their current size
 * in the plan's signature.  Pure nodes are hash-consed on construction
 * (common subexpression elimination); calls with side effects or
 * randomness, user functions and opaque AST nodes never are.
 */
#include "compiler/compiler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- node construction ------------------------------------------------------------ */

Hop *hop_new(CpPlan *p, HopKind k, int nin)
{
    Hop *h = ar_alloc(&p->ar, sizeof *h);
    h->kind = k;
    h->nin = nin;
    h->in = nin ? ar_alloc(&p->ar, (size_t)nin * sizeof *h->in) : NULL;
    h->rows = h->cols = h->nnz = -1;
    h->mem = -1;
    h->slot = -1;
    h->sparse_driver = -1;
    h->nouts = 1;
    if (p->nhops == p->caphops) {
        p->caphops = p->caphops ? 2 * p->caphops : 64;
        p->hops = xrealloc(p->hops, (size_t)p->caphops * sizeof *p->hops);
    }
    h->id = p->nhops;
    p->hops[p->nhops++] = h;
    return h;
}

Hop *hop_resolve(Hop *h)
{
    while (h && h->fwd) h = h->fwd;
    return h;
}

int hop_is_matrix(const Hop *h)
{
    return h->dt == DT_MATRIX;
}

int hop_dims_known(const Hop *h)
{
    return h->rows >= 0 && h->cols >= 0;
}

int hop_is_num(const Hop *h, double v)
{
    if (h->kind != HOP_LIT || h->lit.dt != DT_SCALAR) return 0;
    switch (h->lit.vt) {
    case VT_INT64: return (double)h->lit.u.i == v;
    case VT_FP64: return h->lit.u.d == v && !(v == 0 && signbit(h->lit.u.d));
    default: return 0;
    }
}

Hop *hop_lit_double(CpPlan *p, double v)
{
    Hop *h = hop_new(p, HOP_LIT, 0);
    h->lit = rt_dbl(v);
    hop_infer(h);
    return h;
}

/* ---- what calls compute --------------------------------------------------------------- */

typedef struct CallInfo {
    const char *name;
    HopFn fn;
    int a, d;    /* KnAgg + KnDir, or KnUnary / KnBinFn */
} CallInfo;

static const CallInfo CALLS[] = {
    { "t", HF_T, 0, 0 },
    { "sum", HF_AGG, KA_SUM, KD_ALL }, { "mean", HF_AGG, KA_MEAN, KD_ALL },
    { "avg", HF_AGG, KA_MEAN, KD_ALL }, { "var", HF_AGG, KA_VAR, KD_ALL },
    { "sd", HF_AGG, KA_SD, KD_ALL }, { "prod", HF_AGG, KA_PROD, KD_ALL },
    { "rowSums", HF_AGG, KA_SUM, KD_ROW }, { "rowMeans", HF_AGG, KA_MEAN, KD_ROW },
    { "rowMaxs", HF_AGG, KA_MAX, KD_ROW }, { "rowMins", HF_AGG, KA_MIN, KD_ROW },
    { "rowVars", HF_AGG, KA_VAR, KD_ROW }, { "rowSds", HF_AGG, KA_SD, KD_ROW },
    { "rowProds", HF_AGG, KA_PROD, KD_ROW },
    { "colSums", HF_AGG, KA_SUM, KD_COL }, { "colMeans", HF_AGG, KA_MEAN, KD_COL },
    { "colMaxs", HF_AGG, KA_MAX, KD_COL }, { "colMins", HF_AGG, KA_MIN, KD_COL },
    { "colVars", HF_AGG, KA_VAR, KD_COL }, { "colSds", HF_AGG, KA_SD, KD_COL },
    { "colProds", HF_AGG, KA_PROD, KD_COL },
    { "abs", HF_UNARY, KU_ABS, 0 }, { "exp", HF_UNARY, KU_EXP, 0 },
    { "sqrt", HF_UNARY, KU_SQRT, 0 }, { "floor", HF_UNARY, KU_FLOOR, 0 },
    { "ceil", HF_UNARY, KU_CEIL, 0 }, { "ceiling", HF_UNARY, KU_CEIL, 0 },
    { "round", HF_UNARY, KU_ROUND, 0 }, { "sign", HF_UNARY, KU_SIGN, 0 },
    { "sin", HF_UNARY, KU_SIN, 0 }, { "cos", HF_UNARY, KU_COS, 0 },
    { "tan", HF_UNARY, KU_TAN, 0 }, { "asin", HF_UNARY, KU_ASIN, 0 },
    { "acos", HF_UNARY, KU_ACOS, 0 }, { "atan", HF_UNARY, KU_ATAN, 0 },
    { "sinh", HF_UNARY, KU_SINH, 0 }, { "cosh", HF_UNARY, KU_COSH, 0 },
    { "tanh", HF_UNARY, KU_TANH, 0 }, { "log", HF_UNARY, KU_LOG, 0 },
    { "min", HF_BINFN, KB_MIN, 0 }, { "max", HF_BINFN, KB_MAX, 0 },
    { "nrow", HF_NROW, 0, 0 }, { "ncol", HF_NCOL, 0, 0 }, { "length", HF_LENGTH, 0, 0 },
    { "diag", HF_DIAG, 0, 0 }, { "trace", HF_TRACE, 0, 0 }, { "ifelse", HF_IFELSE, 0, 0 },
};

/* Builtins with side effects, randomness or dependence on the environment:
 * never merged, moved or dropped. */
static int impure_builtin(const char *name)
{
    static const char *const names[] = { "print", "stop", "assert", "time", "rand", "Rand",
                                         "RAND", "sample", "read", "readMM", "write", "eval",
                                         "evalList", "exists", "paramserv", "toString",
                                         "remove", NULL };
    for (int k = 0; names[k]; k++)
        if (!strcmp(name, names[k])) return 1;
    return 0;
}

/* Sets fn/agg/... of a native call from its name and arguments: only the
 * forms whose semantics the compiler knows (positional arguments, matrix
 * operands).  min/max with one matrix argument are aggregates; with two
 * matrix-or-scalar arguments cellwise. */
static void classify_call(Hop *h)
{
    h->fn = HF_NONE;
    for (int k = 0; k < h->nin; k++)
        if (h->argnames[k]) return;
    for (size_t c = 0; c < sizeof CALLS / sizeof CALLS[0]; c++) {
        const CallInfo *ci = &CALLS[c];
        if (strcmp(ci->name, h->name)) continue;
        if (ci->fn == HF_IFELSE) {
            if (h->nin == 3 && (hop_is_matrix(h->in[0]) || hop_is_matrix(h->in[1]) ||
                                hop_is_matrix(h->in[2])))
                h->fn = HF_IFELSE;
            return;
        }
        if (ci->fn == HF_BINFN) {
            if (h->nin == 1 && hop_is_matrix(h->in[0])) {
                h->fn = HF_AGG;
                h->agg = ci->a == KB_MIN ? KA_MIN : KA_MAX;
                h->dir = KD_ALL;
            } else if (h->nin == 2 && (hop_is_matrix(h->in[0]) || hop_is_matrix(h->in[1]))) {
                h->fn = HF_BINFN;
                h->bfn = ci->a;
            }
            return;
        }
        if (h->nin != 1) return;
        if (ci->fn != HF_NROW && ci->fn != HF_NCOL && ci->fn != HF_LENGTH &&
            !hop_is_matrix(h->in[0]))
            return;
        h->fn = ci->fn;
        if (ci->fn == HF_AGG) {
            h->agg = ci->a;
            h->dir = ci->d;
        } else if (ci->fn == HF_UNARY) {
            h->una = ci->a;
        }
        return;
    }
}

Hop *hop_call(CpPlan *p, const char *name, Hop **in, int nin, Span sp)
{
    const RtBuiltin *b = rt_builtin_find(name);
    Hop *h = hop_new(p, HOP_CALL, nin);
    h->op = b ? rt_builtin_id(b) : -1;
    h->name = name;
    h->argnames = ar_alloc(&p->ar, (size_t)(nin ? nin : 1) * sizeof *h->argnames);
    for (int k = 0; k < nin; k++) h->in[k] = in[k];
    h->span = sp;
    classify_call(h);
    hop_infer(h);
    return h;
}

Hop *hop_bin(CpPlan *p, BinOp op, Hop *a, Hop *b, Span sp)
{
    Hop *h = hop_new(p, HOP_BIN, 2);
    h->op = (int)op;
    h->in[0] = a;
    h->in[1] = b;
    h->span = sp;
    hop_infer(h);
    return h;
}

/* ---- size propagation ---------------------------------------------------------------- */

static double dense_bytes(int64_t r, int64_t c)
{
    return 8.0 * (double)r * (double)c;
}

/* Memory of a block with these sizes in the format AUTO would pick. */
static double block_bytes(int64_t r, int64_t c, int64_t nnz)
{
    if (r < 0 || c < 0) return -1;
    if (nnz >= 0 && mb_prefers_sparse(r, c, nnz))
        return 12.0 * (double)nnz + 8.0 * (double)(r + 1);
    return dense_bytes(r, c);
}

static int64_t cells_of(const Hop *h)
{
    return hop_dims_known(h) ? h->rows * h->cols : -1;
}

static void set_dims(Hop *h, int64_t r, int64_t c, int64_t nnz)
{
    h->rows = r;
    h->cols = c;
    int64_t cells = r >= 0 && c >= 0 ? r * c : -1;
    h->nnz = nnz < 0 ? cells : (cells >= 0 && nnz > cells ? cells : nnz);
}

/* Binary cellwise broadcasting of DML.md 3.5 (mirrors the kernels): the
 * right operand is same-shaped, 1x1, m x 1 or 1 x n. */
static int bcast_ok(const Hop *a, const Hop *b)
{
    if (a->rows == b->rows && a->cols == b->cols) return 1;
    if (b->rows == 1 && b->cols == 1) return 1;
    if (b->cols == 1 && b->rows == a->rows) return 1;
    if (b->rows == 1 && b->cols == a->cols) return 1;
    return 0;
}

/* Whether op(0, y) and op(x, 0) keep zeros, for the nnz estimate only. */
static int64_t bin_nnz(BinOp op, const Hop *a, const Hop *b, int64_t cells)
{
    int64_t na = hop_is_matrix(a) ? a->nnz : (hop_is_num(a, 0) ? 0 : cells);
    int64_t nb = hop_is_matrix(b) ? b->nnz : (hop_is_num(b, 0) ? 0 : cells);
    if (na < 0 || nb < 0 || cells < 0) return cells;
    if (hop_is_matrix(b) && (b->rows != a->rows || b->cols != a->cols)) nb = cells;
    switch (op) {
    case BOP_MUL: case BOP_AND: return na < nb ? na : nb;
    case BOP_ADD: case BOP_SUB: case BOP_OR: case BOP_NE: return na + nb < cells ? na + nb : cells;
    case BOP_DIV: return cells;
    default: return cells;
    }
}

static void infer_bin(Hop *h)
{
    Hop *a = h->in[0], *b = h->in[1];
    BinOp op = (BinOp)h->op;
    if (a->dt != DT_MATRIX && b->dt != DT_MATRIX) {
        h->dt = (a->dt == DT_SCALAR && b->dt == DT_SCALAR) ? DT_SCALAR : DT_UNKNOWN;
        if (h->expr && h->expr->dt == DT_SCALAR) h->vt = h->expr->vt;
        if (a->kind == HOP_LIT && b->kind == HOP_LIT) h->vt = VT_UNKNOWN;
        return;
    }
    if ((a->dt != DT_MATRIX && a->dt != DT_SCALAR) || (b->dt != DT_MATRIX && b->dt != DT_SCALAR)) {
        h->dt = DT_UNKNOWN;
        return;
    }
    h->dt = DT_MATRIX;
    h->vt = VT_FP64;
    if (op == BOP_MATMUL) {
        if (a->dt != DT_MATRIX || b->dt != DT_MATRIX) {
            h->flags |= HOPF_SIZE_ERR;
            return;
        }
        if (!hop_dims_known(a) || !hop_dims_known(b)) return;
        if (a->cols != b->rows) {
            h->flags |= HOPF_SIZE_ERR;
            return;
        }
        set_dims(h, a->rows, b->cols, -1);
        return;
    }
    if (a->dt == DT_SCALAR || b->dt == DT_SCALAR) {
        const Hop *m = a->dt == DT_MATRIX ? a : b;
        set_dims(h, m->rows, m->cols, bin_nnz(op, a, b, cells_of(m)));
        return;
    }
    if (!hop_dims_known(a) || !hop_dims_known(b)) return;
    if (!bcast_ok(a, b)) {
        h->flags |= HOPF_SIZE_ERR;
        return;
    }
    set_dims(h, a->rows, a->cols, bin_nnz(op, a, b, cells_of(a)));
}

/* The integer literal passed as argument `name` (or at position pos), or -1. */
static int64_t int_arg(const Hop *h, const char *name, int pos)
{
    int npos = 0;
    for (int k = 0; k < h->nin; k++) {
        const Hop *a = h->in[k];
        int hit = h->argnames[k] ? !strcmp(h->argnames[k], name) : npos++ == pos;
        if (!hit) continue;
        if (a->kind != HOP_LIT) return -1;
        if (a->lit.vt == VT_INT64) return a->lit.u.i;
        if (a->lit.vt == VT_FP64 && a->lit.u.d == floor(a->lit.u.d) && a->lit.u.d >= 0 &&
            a->lit.u.d < 9e15)
            return (int64_t)a->lit.u.d;
        return -1;
    }
    return -1;
}

/* rand(rows=, cols=) and matrix(v, rows=, cols=) with literal sizes. */
static void infer_datagen(Hop *h)
{
    if (h->kind != HOP_CALL || h->op < 0 || !h->argnames) return;
    int64_t r = -1, c = -1;
    if (!strcmp(h->name, "rand") || !strcmp(h->name, "Rand")) {
        r = int_arg(h, "rows", -1);
        c = int_arg(h, "cols", -1);
    } else if (!strcmp(h->name, "matrix") && h->nin >= 3 && h->in[0]->dt == DT_SCALAR) {
        r = int_arg(h, "rows", 1);
        c = int_arg(h, "cols", 2);
    } else if (!strcmp(h->name, "outer") && h->nin == 3 && !h->argnames[0] &&
               !h->argnames[1] && hop_dims_known(h->in[0]) && hop_dims_known(h->in[1]) &&
               h->in[0]->cols == 1 && h->in[1]->rows == 1) {
        r = h->in[0]->rows;   /* outer(u, v, op): u m x 1, v 1 x n */
        c = h->in[1]->cols;
    } else if (!strcmp(h->name, "cbind") || !strcmp(h->name, "rbind")) {
        /* matrices of known, matching sizes (else the run-time error) */
        int rows = h->name[0] == 'r';
        int64_t len = 0, same = -1;
        for (int k = 0; k < h->nin; k++) {
            const Hop *x = h->in[k];
            if (h->argnames[k] || !hop_is_matrix(x) || !hop_dims_known(x)) return;
            int64_t s = rows ? x->cols : x->rows;
            if (same >= 0 && s != same) return;
            same = s;
            len += rows ? x->rows : x->cols;
        }
        if (h->nin == 0) return;
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        r = rows ? len : same;
        c = rows ? same : len;
    }
    if (r >= 0 && c >= 0 && r <= MB_MAX_CELLS && c <= MB_MAX_CELLS) {
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        set_dims(h, r, c, -1);
    }
}

/* Scalar results of the understood calls; matrix shapes of the rest. */
static void infer_call(Hop *h)
{
    const Hop *x = h->nin ? h->in[0] : NULL;
    h->dt = h->expr ? h->expr->dt : DT_UNKNOWN;
    h->vt = h->expr ? h->expr->vt : VT_UNKNOWN;
    switch (h->fn) {
    case HF_T:
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        if (hop_dims_known(x)) set_dims(h, x->cols, x->rows, x->nnz);
        break;
    case HF_AGG:
        h->vt = VT_FP64;
        if (h->dir == KD_ALL) {
            h->dt = DT_SCALAR;
        } else {
            h->dt = DT_MATRIX;
            if (hop_dims_known(x))
                set_dims(h, h->dir == KD_ROW ? x->rows : 1, h->dir == KD_ROW ? 1 : x->cols, -1);
        }
        break;
    case HF_UNARY:
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        if (hop_dims_known(x)) set_dims(h, x->rows, x->cols, -1);
        break;
    case HF_BINFN: {
        const Hop *a = h->in[0], *b = h->in[1];
        const Hop *m = a->dt == DT_MATRIX ? a : b;
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        if (a->dt == DT_MATRIX && b->dt == DT_MATRIX) {
            if (!hop_dims_known(a) || !hop_dims_known(b)) break;
            if (!bcast_ok(a, b)) {
                h->flags |= HOPF_SIZE_ERR;
                break;
            }
        }
        if (hop_dims_known(m)) set_dims(h, m->rows, m->cols, -1);
        break;
    }
    case HF_IFELSE: {
        /* the matrix operands' common size (different sizes: the run-time error) */
        const Hop *m = NULL;
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        for (int k = 0; k < 3; k++) {
            const Hop *a = h->in[k];
            if (a->dt != DT_MATRIX) continue;
            if (!hop_dims_known(a)) return;
            if (m && (a->rows != m->rows || a->cols != m->cols)) {
                h->flags |= HOPF_SIZE_ERR;
                return;
            }
            m = a;
        }
        if (m) set_dims(h, m->rows, m->cols, -1);
        break;
    }
    case HF_NROW: case HF_NCOL: case HF_LENGTH:
        h->dt = DT_SCALAR;
        h->vt = VT_INT64;
        break;
    case HF_TRACE:
        h->dt = DT_SCALAR;
        h->vt = VT_FP64;
        break;
    case HF_DIAG:
        h->dt = DT_MATRIX;
        h->vt = VT_FP64;
        if (hop_dims_known(x) && x->cols == 1) set_dims(h, x->rows, x->rows, x->nnz);
        else if (hop_dims_known(x) && x->rows == x->cols) set_dims(h, x->rows, 1, -1);
        break;
    case HF_NONE:
        infer_datagen(h);
        break;
    }
}

/* Whether h can never hold -0.0 (the X + 0 -> X rewrite needs it). */
static int nonegz(const Hop *h)
{
    switch (h->kind) {
    case HOP_LIT:
        return !(h->lit.vt == VT_FP64 && h->lit.u.d == 0 && signbit(h->lit.u.d));
    case HOP_BIN:
        switch ((BinOp)h->op) {
        case BOP_LT: case BOP_LE: case BOP_GT: case BOP_GE: case BOP_EQ: case BOP_NE:
        case BOP_AND: case BOP_OR:
            return 1;
        case BOP_ADD:   /* a + b is -0 only if both are -0 */
            return (h->in[0]->flags & HOPF_NONEGZ) || (h->in[1]->flags & HOPF_NONEGZ);
        case BOP_SUB:   /* a - b is -0 only if a is -0 and b is +0 */
            return (h->in[0]->flags & HOPF_NONEGZ) != 0;
        case BOP_POW:
            return hop_is_num(h->in[1], 2);
        default:
            return 0;
        }
    case HOP_CALL:
        if (h->fn == HF_UNARY) return h->una == KU_ABS || h->una == KU_EXP || h->una == KU_COSH;
        /* every sum starts at +0, and +0 + -0 = +0 (see agg_rules in rewrite.c) */
        if (h->fn == HF_AGG) return h->agg == KA_SUM || h->agg == KA_MEAN;
        if (h->fn == HF_T) return (h->in[0]->flags & HOPF_NONEGZ) != 0;
        if (h->fn == HF_IFELSE)
            return (h->in[1]->flags & HOPF_NONEGZ) && (h->in[2]->flags & HOPF_NONEGZ);
        return h->fn == HF_NROW || h->fn == HF_NCOL || h->fn == HF_LENGTH;
    default:
        return 0;
    }
}

void hop_infer(Hop *h)
{
    h->flags &= ~(unsigned)(HOPF_NONEGZ | HOPF_SIZE_ERR);
    switch (h->kind) {
    case HOP_LIT:
        h->dt = h->lit.dt;
        h->vt = h->lit.vt;
        break;
    case HOP_VAR:   /* set from the signature by the builder */
        break;
    case HOP_BIN:
        infer_bin(h);
        break;
    case HOP_UN:
        h->dt = h->in[0]->dt;
        h->vt = h->dt == DT_MATRIX ? VT_FP64 : (h->expr ? h->expr->vt : VT_UNKNOWN);
        if (h->dt == DT_MATRIX && hop_dims_known(h->in[0]))
            set_dims(h, h->in[0]->rows, h->in[0]->cols, h->in[0]->nnz);
        break;
    case HOP_CALL:
        infer_call(h);
        break;
    default:
        break;
    }
    if (h->dt == DT_SCALAR) {
        h->rows = h->cols = 0;
        h->nnz = 0;
        h->mem = 8;
    } else if (h->dt == DT_MATRIX) {
        h->mem = block_bytes(h->rows, h->cols, h->nnz);
    }
    if (nonegz(h)) h->flags |= HOPF_NONEGZ;
}

/* ---- building from the AST ---------------------------------------------------------- */

/* The variables assigned so far in the block: name -> node. */
typedef struct Builder {
    CpPlan *p;
    HMap vars;       /* name -> Hop* (NULL value: read through the interpreter) */
    HMap inputs;     /* name -> Hop* of HOP_VAR */
    HMap cse;        /* structural key -> Hop* */
    CpLookupFn lookup;
    void *arg;
    const CpOpts *o;
} Builder;

/* Structural key of a pure node: kind, op, inputs, literal. */
char *hop_key(const Hop *h)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%d:%d:%d:%d:%d:%d", (int)h->kind, h->op, (int)h->fn, (int)h->phys, h->ta,
              h->tb);
    if (h->kind == HOP_LIT) {
        if (h->lit.vt == VT_STRING) {
            sb_printf(&sb, "s%zu:", strlen(h->lit.u.s));
            sb_puts(&sb, h->lit.u.s);
        } else if (h->lit.vt == VT_FP64) {
            uint64_t bits;
            memcpy(&bits, &h->lit.u.d, sizeof bits);
            sb_printf(&sb, "d%llx", (unsigned long long)bits);
        } else if (h->lit.vt == VT_INT64) {
            sb_printf(&sb, "i%lld", (long long)h->lit.u.i);
        } else {
            sb_printf(&sb, "b%d", h->lit.u.b);
        }
    }
    if (h->kind == HOP_VAR) sb_printf(&sb, "v%s", h->name);
    if (h->kind == HOP_CALL) sb_printf(&sb, "c%s", h->name);
    for (int k = 0; k < h->nin; k++) {
        sb_printf(&sb, ",%d", h->in[k]->id);
        if (h->argnames && h->argnames[k]) sb_printf(&sb, "=%s", h->argnames[k]);
    }
    return sb_take(&sb);
}

int hop_cse_ok(const Hop *h)
{
    if (h->flags & HOPF_IMPURE) return 0;
    if (h->kind == HOP_OPAQUE || h->kind == HOP_FUSED || h->kind == HOP_OUT) return 0;
    if (h->kind == HOP_CALL && h->op < 0) return 0;
    return 1;
}

/* Returns an equal node built before, or h (then remembered). */
static Hop *intern(Builder *b, Hop *h)
{
    if (!hop_cse_ok(h) || b->o->level < 1) return h;
    char *key = hop_key(h);
    Hop *old = hm_get(&b->cse, key);
    if (old) {
        free(key);
        h->dead = 1;
        b->p->rw.cse += h->kind != HOP_LIT && h->kind != HOP_VAR;
        return old;
    }
    hm_put(&b->cse, key, h);
    free(key);
    return h;
}

static Hop *build_expr(Builder *b, const Expr *e);

static Hop *opaque(Builder *b, const Expr *e)
{
    Hop *h = hop_new(b->p, HOP_OPAQUE, 0);
    h->expr = e;
    h->span = e->span;
    h->dt = e->dt;
    h->vt = e->vt;
    h->flags |= HOPF_IMPURE;
    return h;
}

static Hop *input_var(Builder *b, const Expr *e)
{
    Hop *h = hm_get(&b->inputs, e->u.name);
    if (h) return h;
    CpPlan *p = b->p;
    CpInput info;
    memset(&info, 0, sizeof info);
    info.rows = info.cols = info.nnz = -1;
    if (!b->lookup(b->arg, e->u.name, &info)) info.dt = DT_UNKNOWN;
    info.name = ar_strdup(&p->ar, e->u.name);
    if (p->ninputs == p->capinputs) {
        p->capinputs = p->capinputs ? 2 * p->capinputs : 8;
        p->inputs = xrealloc(p->inputs, (size_t)p->capinputs * sizeof *p->inputs);
    }
    p->inputs[p->ninputs++] = info;
    h = hop_new(p, HOP_VAR, 0);
    h->name = info.name;
    h->expr = e;
    h->span = e->span;
    h->dt = info.dt;
    h->vt = info.vt;
    if (info.dt == DT_MATRIX) {
        set_dims(h, info.rows, info.cols, info.nnz);
        h->mem = block_bytes(info.rows, info.cols, info.nnz);
    } else if (info.dt == DT_SCALAR) {
        h->rows = h->cols = h->nnz = 0;
    }
    hm_put(&b->inputs, e->u.name, h);
    return h;
}

static Hop *build_id(Builder *b, const Expr *e)
{
    if (hm_has(&b->vars, e->u.name)) {
        Hop *h = hm_get(&b->vars, e->u.name);
        return h ? h : opaque(b, e);
    }
    return input_var(b, e);
}

static Hop *build_lit(Builder *b, const Expr *e)
{
    Hop *h = hop_new(b->p, HOP_LIT, 0);
    h->expr = e;
    h->span = e->span;
    switch (e->kind) {
    case EX_INT: h->lit = rt_int(e->u.ival); break;
    case EX_DBL: h->lit = rt_dbl(e->u.dval); break;
    case EX_BOOL: h->lit = rt_bool(e->u.bval); break;
    default: h->lit = rt_str_take(xstrndup(e->u.str.s, e->u.str.len)); break;
    }
    hop_infer(h);
    return intern(b, h);
}

/* exists(x) passes the name of x: left to the interpreter. */
static int call_needs_interp(const Expr *e)
{
    if (e->u.call.builtin_id < 0 && !e->u.call.fn) return 1;
    for (int k = 0; k < e->u.call.nargs; k++)
        if (e->u.call.args[k].value->kind == EX_LIST) return 1;
    if (e->u.call.builtin_id >= 0) {
        const RtBuiltin *bi = rt_builtin_by_id(e->u.call.builtin_id);
        if (!bi || !strcmp(bi->name, "exists") || bi->multi_return) return 1;
    }
    return 0;
}

static Hop *build_call(Builder *b, const Expr *e)
{
    if (call_needs_interp(e)) return opaque(b, e);
    int n = e->u.call.nargs;
    Hop *h = hop_new(b->p, HOP_CALL, n);
    h->expr = e;
    h->span = e->span;
    h->argnames = ar_alloc(&b->p->ar, (size_t)(n ? n : 1) * sizeof *h->argnames);
    for (int k = 0; k < n; k++) {
        h->in[k] = build_expr(b, e->u.call.args[k].value);
        h->argnames[k] = e->u.call.args[k].name;
    }
    if (e->u.call.builtin_id >= 0) {
        const RtBuiltin *bi = rt_builtin_by_id(e->u.call.builtin_id);
        h->op = e->u.call.builtin_id;
        h->name = bi->name;
        if (impure_builtin(bi->name)) h->flags |= HOPF_IMPURE;
        classify_call(h);
    } else {
        h->op = -1;
        h->func = e->u.call.fn;
        h->name = e->u.call.name;
        h->flags |= HOPF_IMPURE;
    }
    hop_infer(h);
    return intern(b, h);
}

static Hop *build_expr(Builder *b, const Expr *e)
{
    Hop *h;
    switch (e->kind) {
    case EX_INT: case EX_DBL: case EX_BOOL: case EX_STR:
        return build_lit(b, e);
    case EX_ID:
        return build_id(b, e);
    case EX_BINARY:
        h = hop_new(b->p, HOP_BIN, 2);
        h->op = (int)e->u.bin.op;
        h->expr = e;
        h->span = e->span;
        h->in[0] = build_expr(b, e->u.bin.l);
        h->in[1] = build_expr(b, e->u.bin.r);
        hop_infer(h);
        return intern(b, h);
    case EX_UNARY:
        h = hop_new(b->p, HOP_UN, 1);
        h->op = (int)e->u.un.op;
        h->expr = e;
        h->span = e->span;
        h->in[0] = build_expr(b, e->u.un.e);
        hop_infer(h);
        return intern(b, h);
    case EX_CALL:
        return build_call(b, e);
    default:
        return opaque(b, e);
    }
}

int cp_stmt_compilable(const Stmt *s)
{
    return s->kind == ST_ASSIGN && !s->u.assign.indexed && !s->u.assign.accumulate;
}

static void build_block(Builder *b)
{
    CpPlan *p = b->p;
    for (int k = 0; k < p->nstmts; k++) {
        const Stmt *s = p->stmts[k];
        Hop *root = build_expr(b, s->u.assign.value);
        p->st[k].s = s;
        p->st[k].root = root;
        /* A user function may return nothing (the variable keeps its old
         * value): later reads then go through the interpreter. */
        int maybe_empty = root->kind == HOP_CALL && root->op < 0;
        maybe_empty |= root->kind == HOP_OPAQUE && root->dt == DT_UNKNOWN;
        hm_put(&b->vars, s->u.assign.target, maybe_empty ? NULL : root);
        /* Dynamic recompilation: a matrix whose size is known only once it
         * exists ends the block, so the statements after it compile with
         * its actual size. */
        int unknown = (root->dt == DT_MATRIX && !hop_dims_known(root)) || root->dt == DT_UNKNOWN;
        /* -O0 compiles statement by statement (no DAG across statements). */
        if ((unknown || b->o->level < 1) && k + 1 < p->nstmts) {
            p->nstmts = k + 1;
            break;
        }
    }
}

static void plan_init(CpPlan *p, const Stmt *const *stmts, int n)
{
    memset(p, 0, sizeof *p);
    ar_init(&p->ar);
    p->stmts = stmts;
    p->nstmts = n;
    p->st = ar_alloc(&p->ar, (size_t)(n ? n : 1) * sizeof *p->st);
}

CpPlan *cp_compile(const Stmt *const *stmts, int n, const CpOpts *o, CpLookupFn lookup,
                   void *arg)
{
    int64_t t0 = tm_now_ns();
    CpPlan *p = xcalloc(1, sizeof *p);
    plan_init(p, stmts, n);
    p->forced_sparse = o->forced_sparse;
    Builder b = { p, { 0 }, { 0 }, { 0 }, lookup, arg, o };
    hm_init(&b.vars);
    hm_init(&b.inputs);
    hm_init(&b.cse);
    build_block(&b);
    hm_free(&b.vars);
    hm_free(&b.inputs);
    hm_free(&b.cse);
    cp_rewrite(p, o);
    if (o->level >= 1 && o->fusion) cp_fuse(p, o);
    cp_linearize(p);
    p->unguarded = o->no_guarded;
    p->forced_sparse = o->forced_sparse;
    p->compile_ns = tm_now_ns() - t0;
    return p;
}

void cp_plan_free(CpPlan *p)
{
    if (!p) return;
    for (int k = 0; k < p->nhops; k++) {
        if (p->hops[k]->kind == HOP_LIT) rt_release(&p->hops[k]->lit);
        free(p->hops[k]->fprog);
    }
    for (int k = 0; k < p->ncode; k++) free(p->code[k].frees);
    free(p->code);
    free(p->guards);
    free(p->hops);
    free(p->inputs);
    ar_free(&p->ar);
    free(p);
}

int cp_plan_matches(const CpPlan *p, CpLookupFn lookup, void *arg)
{
    for (int k = 0; k < p->ninputs; k++) {
        const CpInput *c = &p->inputs[k];
        CpInput now;
        memset(&now, 0, sizeof now);
        if (!lookup(arg, c->name, &now)) now.dt = DT_UNKNOWN;
        if (now.dt != c->dt || now.vt != c->vt) return 0;
        if (c->dt == DT_MATRIX &&
            (now.rows != c->rows || now.cols != c->cols || now.sparse != c->sparse))
            return 0;
    }
    return 1;
}
