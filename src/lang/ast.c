/*
 * ast.c - operator names and the debug dump of the AST.
 *
 * ast_dump writes one line per function header and per statement, nested
 * bodies indented by two spaces and closed by "end".  Expressions are
 * S-expressions: `(+ a b)`, `(- x)` (unary), `(call ns::f a name=b)`,
 * `(index X 1 [a:b])` / `(index X i _)` (`_` = all, no third part when the
 * index had no comma), `[a b]` for a bracket list.  Literals: integers as
 * is, doubles always with a '.', an exponent, or as Inf/-Inf/NaN, strings
 * quoted with \n \t \\ \" and \xNN escapes, TRUE/FALSE.
 *
 * The format is for tests and -explain; nothing parses it back.  Nothing
 * here allocates except through the StrBuf.
 *
 * ast_visit_exprs is the generic walk over every expression of a body.
 */
#include "lang/lang_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ast_binop_name(BinOp op)
{
    static const char *const names[] = {
#define X(e, s) s,
        AST_BINOPS(X)
#undef X
    };
    return (op >= 0 && op < BOP__COUNT) ? names[op] : "?";
}

const char *ast_unop_name(UnOp op)
{
    switch (op) {
    case UOP_NEG: return "-";
    case UOP_PLUS: return "+";
    case UOP_NOT: return "!";
    }
    return "?";
}

static void dump_expr(const Expr *e, StrBuf *out);

/* Shortest round-trip form, plain notation for 1e-5 <= |v| < 1e16, and
 * always marked as a double (contains '.', 'e', or is Inf/NaN). */
static void dump_double(double v, StrBuf *out)
{
    if (isnan(v)) {
        sb_puts(out, "NaN");
        return;
    }
    if (isinf(v)) {
        sb_puts(out, v < 0 ? "-Inf" : "Inf");
        return;
    }
    char buf[64];
    double a = fabs(v);
    if (v == 0 || (a >= 1e-5 && a < 1e16)) {
        for (int d = 0; d <= 25; d++) {
            snprintf(buf, sizeof buf, "%.*f", d, v);
            if (strtod(buf, NULL) == v) break;
        }
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v) break;
        }
    }
    sb_puts(out, buf);
    if (!strpbrk(buf, ".e")) sb_puts(out, ".0");
}

static void dump_string(const char *s, size_t n, StrBuf *out)
{
    sb_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') sb_puts(out, "\\n");
        else if (c == '\t') sb_puts(out, "\\t");
        else if (c == '\\') sb_puts(out, "\\\\");
        else if (c == '"') sb_puts(out, "\\\"");
        else if (c < 0x20 || c == 0x7f) sb_printf(out, "\\x%02X", c);
        else sb_putc(out, (char)c);
    }
    sb_putc(out, '"');
}

static void dump_dim(const IndexDim *d, StrBuf *out)
{
    switch (d->kind) {
    case IDX_ALL: sb_putc(out, '_'); break;
    case IDX_SINGLE: dump_expr(d->lo, out); break;
    case IDX_RANGE:
        sb_putc(out, '[');
        dump_expr(d->lo, out);
        sb_putc(out, ':');
        dump_expr(d->hi, out);
        sb_putc(out, ']');
        break;
    }
}

/* (index NAME row col) or (index NAME row) without a comma. */
static void dump_index(const char *name, const IndexDim *row, const IndexDim *col, int comma,
                       StrBuf *out)
{
    sb_printf(out, "(index %s ", name);
    dump_dim(row, out);
    if (comma) {
        sb_putc(out, ' ');
        dump_dim(col, out);
    }
    sb_putc(out, ')');
}

static void dump_call(const Expr *e, StrBuf *out)
{
    sb_puts(out, "(call ");
    if (e->u.call.ns) sb_printf(out, "%s::", e->u.call.ns);
    sb_puts(out, e->u.call.name);
    for (int i = 0; i < e->u.call.nargs; i++) {
        sb_putc(out, ' ');
        if (e->u.call.args[i].name) sb_printf(out, "%s=", e->u.call.args[i].name);
        dump_expr(e->u.call.args[i].value, out);
    }
    sb_putc(out, ')');
}

static void dump_expr(const Expr *e, StrBuf *out)
{
    switch (e->kind) {
    case EX_INT: sb_printf(out, "%lld", (long long)e->u.ival); break;
    case EX_DBL: dump_double(e->u.dval, out); break;
    case EX_BOOL: sb_puts(out, e->u.bval ? "TRUE" : "FALSE"); break;
    case EX_STR: dump_string(e->u.str.s, e->u.str.len, out); break;
    case EX_ID: sb_puts(out, e->u.name); break;
    case EX_BINARY:
        sb_printf(out, "(%s ", ast_binop_name(e->u.bin.op));
        dump_expr(e->u.bin.l, out);
        sb_putc(out, ' ');
        dump_expr(e->u.bin.r, out);
        sb_putc(out, ')');
        break;
    case EX_UNARY:
        sb_printf(out, "(%s ", ast_unop_name(e->u.un.op));
        dump_expr(e->u.un.e, out);
        sb_putc(out, ')');
        break;
    case EX_CALL: dump_call(e, out); break;
    case EX_INDEX:
        dump_index(e->u.index.target->u.name, &e->u.index.row, &e->u.index.col,
                   e->u.index.has_comma, out);
        break;
    case EX_LIST:
        sb_putc(out, '[');
        for (int i = 0; i < e->u.list.n; i++) {
            if (i) sb_putc(out, ' ');
            dump_expr(e->u.list.items[i], out);
        }
        sb_putc(out, ']');
        break;
    }
}

static void indent(int level, StrBuf *out)
{
    for (int i = 0; i < level; i++) sb_puts(out, "  ");
}

static void dump_stmts(const StmtList *l, int level, StrBuf *out);

static void dump_assign(const Stmt *s, StrBuf *out)
{
    sb_puts(out, s->u.assign.accumulate ? "(+= " : "(= ");
    if (s->u.assign.indexed)
        dump_index(s->u.assign.target, &s->u.assign.row, &s->u.assign.col, s->u.assign.has_comma,
                   out);
    else
        sb_puts(out, s->u.assign.target);
    sb_putc(out, ' ');
    dump_expr(s->u.assign.value, out);
    sb_putc(out, ')');
}

static void dump_massign(const Stmt *s, StrBuf *out)
{
    sb_puts(out, "(= [");
    for (int i = 0; i < s->u.massign.ntargets; i++)
        sb_printf(out, "%s%s", i ? " " : "", s->u.massign.targets[i]);
    sb_puts(out, "] ");
    dump_expr(s->u.massign.call, out);
    sb_putc(out, ')');
}

/* for i from to [incr] [seq] [opts...] */
static void dump_for_header(const Stmt *s, StrBuf *out)
{
    sb_printf(out, "%s %s ", s->u.fors.is_parfor ? "parfor" : "for", s->u.fors.var);
    dump_expr(s->u.fors.from, out);
    sb_putc(out, ' ');
    dump_expr(s->u.fors.to, out);
    if (s->u.fors.incr) {
        sb_putc(out, ' ');
        dump_expr(s->u.fors.incr, out);
    }
    if (s->u.fors.is_seq) sb_puts(out, " seq");
    for (int i = 0; i < s->u.fors.nopts; i++)
        sb_printf(out, " %s=%s", s->u.fors.opts[i].name, s->u.fors.opts[i].value);
}

/* Compound statements: header line, indented body, "end". */
static void dump_compound(const Stmt *s, int level, StrBuf *out)
{
    const StmtList *body = NULL;
    if (s->kind == ST_IF) {
        sb_puts(out, "if ");
        dump_expr(s->u.ifs.pred, out);
        body = &s->u.ifs.then_b;
    } else if (s->kind == ST_WHILE) {
        sb_puts(out, "while ");
        dump_expr(s->u.whiles.pred, out);
        body = &s->u.whiles.body;
    } else {
        dump_for_header(s, out);
        body = &s->u.fors.body;
    }
    sb_putc(out, '\n');
    dump_stmts(body, level + 1, out);
    if (s->kind == ST_IF && s->u.ifs.has_else) {
        indent(level, out);
        sb_puts(out, "else\n");
        dump_stmts(&s->u.ifs.else_b, level + 1, out);
    }
    indent(level, out);
    sb_puts(out, "end");
}

static void dump_stmt(const Stmt *s, int level, StrBuf *out)
{
    indent(level, out);
    switch (s->kind) {
    case ST_ASSIGN: dump_assign(s, out); break;
    case ST_MULTIASSIGN: dump_massign(s, out); break;
    case ST_EXPR: dump_expr(s->u.expr.call, out); break;
    case ST_IF:
    case ST_FOR:
    case ST_WHILE: dump_compound(s, level, out); break;
    case ST_SOURCE:
        sb_puts(out, "(source ");
        dump_string(s->u.source.path, strlen(s->u.source.path), out);
        sb_printf(out, " %s)", s->u.source.ns);
        break;
    case ST_SETWD:
        sb_puts(out, "(setwd ");
        dump_string(s->u.setwd.dir, strlen(s->u.setwd.dir), out);
        sb_putc(out, ')');
        break;
    }
    sb_putc(out, '\n');
}

static void dump_stmts(const StmtList *l, int level, StrBuf *out)
{
    for (int i = 0; i < l->n; i++) dump_stmt(l->items[i], level, out);
}

static void dump_type(TypeDecl t, StrBuf *out)
{
    static const char *const vts[] = {"Unknown", "Double", "Integer", "Boolean", "String"};
    static const char *const dts[] = {"?", "Scalar", "Matrix", "Frame", "List"};
    const char *vt = (t.vt >= VT_UNKNOWN && t.vt <= VT_STRING) ? vts[t.vt] : "?";
    if (t.dt == DT_SCALAR) sb_puts(out, vt);
    else sb_printf(out, "%s[%s]", (t.dt >= 0 && t.dt <= DT_LIST) ? dts[t.dt] : "?", vt);
}

static void dump_params(const Param *ps, int n, StrBuf *out)
{
    sb_putc(out, '(');
    for (int i = 0; i < n; i++) {
        if (i) sb_puts(out, ", ");
        dump_type(ps[i].type, out);
        sb_printf(out, " %s", ps[i].name);
        if (ps[i].defval) {
            sb_putc(out, '=');
            dump_expr(ps[i].defval, out);
        }
    }
    sb_putc(out, ')');
}

static void dump_func(const FuncDef *f, StrBuf *out)
{
    sb_printf(out, "%s %s", f->is_external ? "externalFunction" : "function", f->name);
    dump_params(f->params, f->nparams, out);
    if (f->nouts) {
        sb_puts(out, " return ");
        dump_params(f->outs, f->nouts, out);
    }
    sb_putc(out, '\n');
    dump_stmts(&f->body, 1, out);
    sb_puts(out, "end\n");
}

void ast_dump(const AstFile *f, StrBuf *out)
{
    for (int i = 0; i < f->nfuncs; i++) dump_func(f->funcs[i], out);
    dump_stmts(&f->stmts, 0, out);
}

/* ---- expression visitor ---------------------------------------------------------- */

static void visit_expr(const Expr *e, AstExprFn fn, void *ud);

static void visit_dim(const IndexDim *d, AstExprFn fn, void *ud)
{
    visit_expr(d->lo, fn, ud);
    visit_expr(d->hi, fn, ud);
}

static void visit_expr(const Expr *e, AstExprFn fn, void *ud)
{
    if (!e) return;
    fn(e, ud);
    switch (e->kind) {
    case EX_BINARY:
        visit_expr(e->u.bin.l, fn, ud);
        visit_expr(e->u.bin.r, fn, ud);
        break;
    case EX_UNARY:
        visit_expr(e->u.un.e, fn, ud);
        break;
    case EX_CALL:
        for (int k = 0; k < e->u.call.nargs; k++) visit_expr(e->u.call.args[k].value, fn, ud);
        break;
    case EX_INDEX:
        visit_expr(e->u.index.target, fn, ud);
        visit_dim(&e->u.index.row, fn, ud);
        visit_dim(&e->u.index.col, fn, ud);
        break;
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++) visit_expr(e->u.list.items[k], fn, ud);
        break;
    default:
        break;
    }
}

void ast_visit_exprs(const StmtList *b, AstExprFn fn, void *ud)
{
    for (int k = 0; k < b->n; k++) {
        const Stmt *s = b->items[k];
        switch (s->kind) {
        case ST_ASSIGN:
            visit_dim(&s->u.assign.row, fn, ud);
            visit_dim(&s->u.assign.col, fn, ud);
            visit_expr(s->u.assign.value, fn, ud);
            break;
        case ST_MULTIASSIGN: visit_expr(s->u.massign.call, fn, ud); break;
        case ST_EXPR: visit_expr(s->u.expr.call, fn, ud); break;
        case ST_IF:
            visit_expr(s->u.ifs.pred, fn, ud);
            ast_visit_exprs(&s->u.ifs.then_b, fn, ud);
            ast_visit_exprs(&s->u.ifs.else_b, fn, ud);
            break;
        case ST_FOR:
            visit_expr(s->u.fors.from, fn, ud);
            visit_expr(s->u.fors.to, fn, ud);
            visit_expr(s->u.fors.incr, fn, ud);
            ast_visit_exprs(&s->u.fors.body, fn, ud);
            break;
        case ST_WHILE:
            visit_expr(s->u.whiles.pred, fn, ud);
            ast_visit_exprs(&s->u.whiles.body, fn, ud);
            break;
        default:
            break;
        }
    }
}
