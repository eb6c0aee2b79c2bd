/*
 * parser.c - recursive-descent parser for DML (DML.md sections 3, 4, 5 and
 * 8.1), producing the AST of ast.h.
 *
 * One function per grammar rule; each starts with its rule.  Expressions
 * use precedence climbing over the table of DML.md 3.1 (prefix operators
 * are parsed in the operand position and take their own precedence for the
 * operand, exactly like the ANTLR grammar SystemDS generates its parser
 * from: `-a^b` is -(a^b), `!a > b` is !(a > b), `!a & b` is (!a) & b).
 *
 * Also done here: folding of a sign into a numeric literal (`-2`),
 * substitution of `$` placeholders by typed literals (5.11), `ifdef`,
 * the builtin constants Inf/NaN/pi, validation of parfor options (8.2),
 * and the per-file function-name conflict check.
 *
 * Not done here: `source` resolution (loader.c), names and types (sem_).
 *
 * Errors longjmp to prs_parse, the only entry point.  AST nodes go into the
 * caller's arena (never freed individually); tokens and growing vectors go
 * into a scratch arena freed before prs_parse returns, so nothing leaks on
 * either path.
 */
#include "lang/lang_int.h"

#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* A growable array in the scratch arena; vec_finish copies it (exactly
 * sized) into the AST arena. */
typedef struct Vec {
    char *data;
    int n, cap;
    size_t esz;
} Vec;

typedef struct Parser {
    Arena *ar;              /* AST arena (the caller's)                  */
    Arena tmp;              /* tokens and vectors, freed by prs_parse    */
    const Token *toks;
    int ntok, pos;
    const char *path;       /* arena copy, used in spans                  */
    const ParseArgs *args;
    int depth;              /* current nesting, <= PRS_MAX_NESTING        */
    int edepth;             /* tree depth of the last finished Expr       */
    AstFile *file;
    Vec funcs;              /* FuncDef* of this file (conflict check)     */
    Err *err;
    jmp_buf jb;
} Parser;

/* Binary precedence levels (DML.md 3.1, higher binds tighter).  PREC_NOT
 * and PREC_UNARY are the operand levels of the prefix operators. */
enum {
    PREC_OR = 1, PREC_AND, PREC_NOT, PREC_REL, PREC_ADD, PREC_MUL, PREC_MOD,
    PREC_MATMUL, PREC_UNARY, PREC_POW
};

static const struct { TokKind tk; BinOp op; int prec; } binop_table[] = {
    {TK_POW, BOP_POW, PREC_POW},       {TK_MATMUL, BOP_MATMUL, PREC_MATMUL},
    {TK_INTDIV, BOP_INTDIV, PREC_MOD}, {TK_MOD, BOP_MOD, PREC_MOD},
    {TK_STAR, BOP_MUL, PREC_MUL},      {TK_SLASH, BOP_DIV, PREC_MUL},
    {TK_PLUS, BOP_ADD, PREC_ADD},      {TK_MINUS, BOP_SUB, PREC_ADD},
    {TK_LT, BOP_LT, PREC_REL},         {TK_LE, BOP_LE, PREC_REL},
    {TK_GT, BOP_GT, PREC_REL},         {TK_GE, BOP_GE, PREC_REL},
    {TK_EQ, BOP_EQ, PREC_REL},         {TK_NE, BOP_NE, PREC_REL},
    {TK_AND, BOP_AND, PREC_AND},       {TK_ANDAND, BOP_AND, PREC_AND},
    {TK_OR, BOP_OR, PREC_OR},          {TK_OROR, BOP_OR, PREC_OR},
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Expr *parse_expr(Parser *P);
static Stmt *parse_statement(Parser *P);

/* ---- errors ------------------------------------------------------------- */

static Span span_of(const Parser *P, const Token *t)
{
    Span s = {P->path, t->line, t->col};
    return s;
}

/* Position of the last character of t (strings may span lines; columns
 * count UTF-8 characters, as the lexer does). */
static Span end_of(const Parser *P, const Token *t)
{
    Span end = {P->path, t->line, t->col};
    int line = t->line, col = t->col;
    for (int i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->text[i];
        int starts_char = (c & 0xC0) != 0x80;
        if (starts_char) {
            end.line = line;
            end.col = col;
        }
        if (c == '\n') {
            line++;
            col = 1;
        } else if (starts_char) {
            col++;
        }
    }
    return end;
}

static _Noreturn void fail_span(Parser *P, Span sp, tsr_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static _Noreturn void fail_span(Parser *P, Span sp, tsr_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(P->err, code, fmt, ap);
    va_end(ap);
    if (P->err) P->err->span = sp;
    longjmp(P->jb, 1);
}

#define fail(P, t, ...) fail_span((P), span_of((P), (t)), TSR_SYNTAX, __VA_ARGS__)

/* Describes a token for a message: 'text' (shortened) or "end of input". */
static const char *tok_desc(const Token *t, char *buf, size_t cap)
{
    if (t->kind == TK_EOF) return "end of input";
    int n = t->len, cut = 0;
    for (int i = 0; i < n; i++)
        if (t->text[i] == '\n' || t->text[i] == '\r') {
            n = i;
            cut = 1;
        }
    if (n > 32) {
        n = 32;
        cut = 1;
    }
    snprintf(buf, cap, "'%.*s%s'", n, t->text, cut ? "..." : "");
    return buf;
}

/* Raises the token's lexical error if it is a TK_ERROR token. */
static void check_lex_error(Parser *P, const Token *t)
{
    if (t->kind == TK_ERROR) fail(P, t, "%s", t->str);
}

static const Token *cur(Parser *P)
{
    const Token *t = &P->toks[P->pos];
    check_lex_error(P, t);
    return t;
}

static _Noreturn void fail_unexpected(Parser *P, const char *expected)
{
    char buf[64];
    const Token *t = cur(P);
    fail(P, t, "unexpected %s (expected %s)", tok_desc(t, buf, sizeof buf), expected);
}

/* ---- token access -------------------------------------------------------- */

/* Looks k tokens ahead without raising lexical errors (a TK_ERROR token
 * simply matches nothing; it is raised once it becomes current). */
static const Token *peek(const Parser *P, int k)
{
    int i = P->pos + k;
    return &P->toks[i < P->ntok ? i : P->ntok - 1];
}

static const Token *advance(Parser *P)
{
    const Token *t = cur(P);
    if (t->kind != TK_EOF) P->pos++;
    return t;
}

static int at(Parser *P, TokKind k)
{
    return cur(P)->kind == k;
}

static int accept(Parser *P, TokKind k)
{
    if (!at(P, k)) return 0;
    P->pos++;
    return 1;
}

/* Consumes a token of kind k or fails with "unexpected X (expected 'k' ctx)". */
static const Token *expect(Parser *P, TokKind k, const char *ctx)
{
    if (at(P, k)) return advance(P);
    char want[96];
    snprintf(want, sizeof want, "'%s'%s%s", lex_kind_name(k), ctx ? " " : "", ctx ? ctx : "");
    fail_unexpected(P, want);
}

/* Consumes the closer k of `open`; else points back at the opener
 * (STYLE.md 9).  `alts` names other tokens that were acceptable here. */
static const Token *expect_close(Parser *P, TokKind k, const Token *open, const char *alts)
{
    if (at(P, k)) return advance(P);
    const Token *t = cur(P);
    if (t->kind == TK_EOF)
        fail(P, t, "missing '%s' (to close '%s' at %d:%d)", lex_kind_name(k),
             lex_kind_name(open->kind), open->line, open->col);
    char buf[64];
    fail(P, t, "unexpected %s (expected %s'%s' to close '%s' at %d:%d)",
         tok_desc(t, buf, sizeof buf), alts ? alts : "", lex_kind_name(k),
         lex_kind_name(open->kind), open->line, open->col);
}

/* Nesting guard (STYLE.md 11): every recursive rule enters/leaves. */
static void enter(Parser *P)
{
    if (++P->depth > PRS_MAX_NESTING)
        fail_span(P, span_of(P, cur(P)), TSR_LIMIT,
                  "nesting too deep (more than %d nested expressions/blocks)", PRS_MAX_NESTING);
}

static void leave(Parser *P)
{
    P->depth--;
}

/* ---- vectors and nodes ---------------------------------------------------- */

static void vec_init(Vec *v, size_t esz)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->esz = esz;
}

/* Returns a zeroed new slot at the end of v. */
static void *vec_push(Parser *P, Vec *v)
{
    if (v->n == v->cap) {
        int ncap = v->cap ? v->cap * 2 : 8;
        char *d = ar_alloc(&P->tmp, (size_t)ncap * v->esz);
        if (v->n) memcpy(d, v->data, (size_t)v->n * v->esz);
        v->data = d;
        v->cap = ncap;
    }
    void *slot = v->data + (size_t)v->n++ * v->esz;
    memset(slot, 0, v->esz);
    return slot;
}

static void vec_push_ptr(Parser *P, Vec *v, void *x)
{
    *(void **)vec_push(P, v) = x;
}

/* Copies the vector into the AST arena (NULL when empty). */
static void *vec_finish(Parser *P, const Vec *v)
{
    if (!v->n) return NULL;
    void *d = ar_alloc(P->ar, (size_t)v->n * v->esz);
    memcpy(d, v->data, (size_t)v->n * v->esz);
    return d;
}

static StmtList stmtlist_finish(Parser *P, const Vec *v)
{
    StmtList l = {vec_finish(P, v), v->n};
    return l;
}

/* New node; a leaf's tree depth is 1 (parents call sized() when done). */
static Expr *new_expr(Parser *P, ExprKind k, Span sp)
{
    Expr *e = ar_alloc(P->ar, sizeof *e);
    e->kind = k;
    e->span = sp;
    if (k == EX_CALL) e->u.call.builtin_id = -1;
    P->edepth = 1;
    return e;
}

/* Records the tree depth d of a finished node (PRS_MAX_EXPR_DEPTH). */
static Expr *sized(Parser *P, Expr *e, int d)
{
    if (d > PRS_MAX_EXPR_DEPTH)
        fail_span(P, e->span, TSR_LIMIT, "expression too deep (more than %d nested operations)",
                  PRS_MAX_EXPR_DEPTH);
    P->edepth = d;
    return e;
}

static int imax(int a, int b)
{
    return a > b ? a : b;
}

static Stmt *new_stmt(Parser *P, StmtKind k, const Token *t)
{
    Stmt *s = ar_alloc(P->ar, sizeof *s);
    s->kind = k;
    s->span = span_of(P, t);
    return s;
}

static const char *dup_str(Parser *P, const char *s)
{
    return ar_strdup(P->ar, s);
}

/* Splits an identifier token "ns::name"; *ns = NULL when unqualified. */
static void split_name(Parser *P, const Token *t, const char **ns, const char **name)
{
    const char *sep = strstr(t->str, "::");
    if (!sep) {
        *ns = NULL;
        *name = dup_str(P, t->str);
        return;
    }
    *ns = ar_strndup(P->ar, t->str, (size_t)(sep - t->str));
    *name = dup_str(P, sep + 2);
}

static int is_qualified(const Token *t)
{
    return t->kind == TK_ID && strstr(t->str, "::") != NULL;
}

/* ---- literals, constants, placeholders ----------------------------------- */

static Expr *int_lit(Parser *P, Span sp, int64_t v)
{
    Expr *e = new_expr(P, EX_INT, sp);
    e->u.ival = v;
    return e;
}

static Expr *dbl_lit(Parser *P, Span sp, double v)
{
    Expr *e = new_expr(P, EX_DBL, sp);
    e->u.dval = v;
    return e;
}

static Expr *str_lit(Parser *P, Span sp, const char *s, size_t n)
{
    Expr *e = new_expr(P, EX_STR, sp);
    e->u.str.s = ar_strndup(P->ar, s, n);
    e->u.str.len = n;
    return e;
}

static Expr *bool_lit(Parser *P, Span sp, int b)
{
    Expr *e = new_expr(P, EX_BOOL, sp);
    e->u.bval = b;
    return e;
}

/* Builtin constants of DML.md 1.6. */
static int builtin_constant(const char *name, double *v)
{
    if (strcmp(name, "Inf") == 0) *v = INFINITY;
    else if (strcmp(name, "NaN") == 0) *v = NAN;
    else if (strcmp(name, "pi") == 0) *v = 3.141592653589793;
    else return 0;
    return 1;
}

/* The bound text of a placeholder token, or NULL (unbound or empty). */
static const char *param_value(const Parser *P, const Token *t)
{
    const ParseArgs *a = P->args;
    const char *name = t->str, *v = NULL;
    if (!a) return NULL;
    if (name[0] >= '0' && name[0] <= '9') {
        long idx = 0;
        for (const char *c = name; *c; c++) {
            if (idx > 100000000L) return NULL;
            idx = idx * 10 + (*c - '0');
        }
        if (idx >= 1 && idx <= a->npos && a->pos) v = a->pos[idx - 1];
    } else {
        for (int i = 0; i < a->nnamed; i++)
            if (a->keys[i] && strcmp(a->keys[i], name) == 0) v = a->vals[i];
    }
    return (v && *v) ? v : NULL;
}

/* A placeholder value that is neither boolean nor number becomes a string:
 * one pair of matching surrounding quotes is removed, then the escapes of
 * DML.md 1.5 are applied (SystemDS getConstIdFromString). */
static Expr *param_string(Parser *P, Span sp, const char *v)
{
    size_t n = strlen(v), len;
    const char *body = v;
    if (n >= 1 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        if (n <= 2) return str_lit(P, sp, "", 0);
        body = v + 1;
        n -= 2;
    }
    char *s = lex_unescape(&P->tmp, body, n, &len);
    return str_lit(P, sp, s, len);
}

/* Types a placeholder value by its text (DML.md 5.11). */
static Expr *param_literal(Parser *P, const Token *t, const char *v)
{
    Span sp = span_of(P, t);
    int64_t iv;
    double dv;
    if (strcmp(v, "TRUE") == 0) return bool_lit(P, sp, 1);
    if (strcmp(v, "FALSE") == 0) return bool_lit(P, sp, 0);
    if (nf_parse_long(v, &iv) == 0) return int_lit(P, sp, iv);
    if (nf_parse_double(v, &dv) == 0) return dbl_lit(P, sp, dv);
    return param_string(P, sp, v);
}

/* placeholder := PARAM          (read: must be bound) */
static Expr *parse_param_read(Parser *P)
{
    const Token *t = advance(P);
    const char *v = param_value(P, t);
    if (!v)
        fail(P, t, "The parameter %.*s either needs to be passed through commandline or "
                   "initialized to default value.", t->len, t->text);
    return param_literal(P, t, v);
}

/* Validates an assignment / loop target token and returns its name. */
static const char *target_name(Parser *P, const Token *t)
{
    double c;
    if (t->kind == TK_PARAM)
        fail(P, t, "assignment of commandline parameters is not allowed. (Quickfix: try using "
                   "someLocalVariable=ifdef(%.*s, default value))", t->len, t->text);
    if (t->kind != TK_ID) {
        char buf[64];
        fail(P, t, "unexpected %s (expected a variable name)", tok_desc(t, buf, sizeof buf));
    }
    if (is_qualified(t)) fail(P, t, "cannot assign to the namespace-qualified name '%s'", t->str);
    if (builtin_constant(t->str, &c))
        fail(P, t, "Cannot assign a value to the builtin constant %s.", t->str);
    return dup_str(P, t->str);
}

/* ---- expressions ----------------------------------------------------------- */

/* list := '[' expr ( ',' expr )* ']'      (only as a call argument value) */
static Expr *parse_list(Parser *P)
{
    const Token *open = advance(P);
    Expr *e = new_expr(P, EX_LIST, span_of(P, open));
    Vec items;
    vec_init(&items, sizeof(Expr *));
    int d = 0;
    do {
        vec_push_ptr(P, &items, parse_expr(P));
        d = imax(d, P->edepth);
    } while (accept(P, TK_COMMA));
    expect_close(P, TK_RBRACKET, open, "',' or ");
    e->u.list.items = vec_finish(P, &items);
    e->u.list.n = items.n;
    return sized(P, e, d + 1);
}

/* arg := ( ID '=' )? ( expr | list ) */
static void parse_arg(Parser *P, Arg *a)
{
    const Token *t = cur(P);
    a->span = span_of(P, t);
    if (t->kind == TK_ID && peek(P, 1)->kind == TK_ASSIGN) {
        if (is_qualified(t)) fail(P, t, "invalid argument name '%s'", t->str);
        a->name = dup_str(P, t->str);
        P->pos += 2;
    }
    a->value = at(P, TK_LBRACKET) ? parse_list(P) : parse_expr(P);
}

/* call := ID '(' ( arg ( ',' arg )* )? ')'      (ID already consumed) */
static Expr *parse_call_rest(Parser *P, const Token *name)
{
    Expr *e = new_expr(P, EX_CALL, span_of(P, name));
    split_name(P, name, &e->u.call.ns, &e->u.call.name);
    const Token *open = advance(P);
    Vec args;
    vec_init(&args, sizeof(Arg));
    int d = 0;
    if (!at(P, TK_RPAREN)) {
        do {
            parse_arg(P, vec_push(P, &args));
            d = imax(d, P->edepth);
        } while (accept(P, TK_COMMA));
    }
    expect_close(P, TK_RPAREN, open, "',' or ");
    e->u.call.args = vec_finish(P, &args);
    e->u.call.nargs = args.n;
    return sized(P, e, d + 1);
}

/* dim := expr ( ':' expr )?  |  (empty)        Returns its tree depth. */
static int parse_dim(Parser *P, IndexDim *d)
{
    if (at(P, TK_COMMA) || at(P, TK_RBRACKET)) {
        d->kind = IDX_ALL;
        return 0;
    }
    d->lo = parse_expr(P);
    d->kind = IDX_SINGLE;
    int depth = P->edepth;
    if (!accept(P, TK_COLON)) return depth;
    if (at(P, TK_COMMA) || at(P, TK_RBRACKET))
        fail(P, cur(P), "incomplete index range: a range needs both bounds (a:b)");
    d->kind = IDX_RANGE;
    d->hi = parse_expr(P);
    return imax(depth, P->edepth);
}

/* index := '[' dim ( ',' dim )? ']'             Returns its tree depth. */
static int parse_index(Parser *P, IndexDim *row, IndexDim *col, int *has_comma)
{
    const Token *open = advance(P);
    int d = parse_dim(P, row);
    *has_comma = accept(P, TK_COMMA);
    if (*has_comma) d = imax(d, parse_dim(P, col));
    expect_close(P, TK_RBRACKET, open, *has_comma ? NULL : "',' or ");
    return d;
}

/* In `y = a` followed by a line `[b, c] = f(x)` the '[' starts the next
 * statement, it does not index `a`: SystemDS's ALL(*) parser looks ahead and
 * sees the '='.  An index expression is never followed by '=' or '<-', so
 * this scan to the matching ']' decides exactly the same way. */
static int bracket_starts_statement(const Parser *P)
{
    int depth = 0;
    for (int i = P->pos; i < P->ntok; i++) {
        TokKind k = P->toks[i].kind;
        if (k == TK_EOF || k == TK_ERROR) return 0;
        if (k == TK_LBRACKET || k == TK_LPAREN || k == TK_LBRACE) {
            depth++;
        } else if (k == TK_RBRACKET || k == TK_RPAREN || k == TK_RBRACE) {
            if (--depth > 0) continue;
            TokKind n = P->toks[i + 1].kind;
            return k == TK_RBRACKET && (n == TK_ASSIGN || n == TK_LARROW);
        }
    }
    return 0;
}

/* name := ID args | ID index | ID */
static Expr *parse_name(Parser *P)
{
    const Token *t = advance(P);
    double c;
    if (at(P, TK_LPAREN)) return parse_call_rest(P, t);
    if (is_qualified(t))
        fail(P, t, "'%s' is not a function call: a namespace-qualified name must be called",
             t->str);
    if (at(P, TK_LBRACKET) && !bracket_starts_statement(P)) {
        Expr *e = new_expr(P, EX_INDEX, span_of(P, t));
        Expr *target = new_expr(P, EX_ID, span_of(P, t));
        target->u.name = dup_str(P, t->str);
        e->u.index.target = target;
        int d = parse_index(P, &e->u.index.row, &e->u.index.col, &e->u.index.has_comma);
        return sized(P, e, imax(d, 1) + 1);
    }
    if (builtin_constant(t->str, &c)) return dbl_lit(P, span_of(P, t), c);
    Expr *e = new_expr(P, EX_ID, span_of(P, t));
    e->u.name = dup_str(P, t->str);
    return e;
}

/* primary := INT | DOUBLE | STRING | TRUE | FALSE | PARAM | '(' expr ')' | name */
static Expr *parse_primary(Parser *P)
{
    const Token *t = cur(P);
    Span sp = span_of(P, t);
    switch (t->kind) {
    case TK_INT: advance(P); return int_lit(P, sp, t->v.ival);
    case TK_DBL: advance(P); return dbl_lit(P, sp, t->v.dval);
    case TK_STR: advance(P); return str_lit(P, sp, t->str, t->slen);
    case TK_TRUE: advance(P); return bool_lit(P, sp, 1);
    case TK_FALSE: advance(P); return bool_lit(P, sp, 0);
    case TK_PARAM: return parse_param_read(P);
    case TK_ID: return parse_name(P);
    case TK_LPAREN: {
        advance(P);
        Expr *e = parse_expr(P);
        expect_close(P, TK_RPAREN, t, NULL);
        return e;
    }
    case TK_IFDEF:
        fail(P, t, "ifdef(...) is only allowed as the complete right-hand side of an assignment");
    case TK_LBRACKET:
        fail(P, t, "a bracket list [a, b, ...] is only allowed as a function call argument");
    default:
        fail_unexpected(P, "an expression");
    }
}

/* A sign on a numeric literal folds into the literal (DML.md 1.5); on
 * anything else it stays a unary node (`-e` means e * -1). */
static Expr *apply_sign(Parser *P, const Token *op, Expr *e)
{
    int neg = op->kind == TK_MINUS;
    if (e->kind == EX_INT) {
        if (neg) e->u.ival = (int64_t)(0 - (uint64_t)e->u.ival);
        e->span = span_of(P, op);
        return e;
    }
    if (e->kind == EX_DBL) {
        if (neg) e->u.dval = -e->u.dval;
        e->span = span_of(P, op);
        return e;
    }
    int d = P->edepth;
    Expr *u = new_expr(P, EX_UNARY, span_of(P, op));
    u->u.un.op = neg ? UOP_NEG : UOP_PLUS;
    u->u.un.e = e;
    return sized(P, u, d + 1);
}

static Expr *parse_binary(Parser *P, int minprec);

/* prefix := ( '-' | '+' ) binary(UNARY) | '!' binary(REL) | primary */
static Expr *parse_prefix(Parser *P)
{
    const Token *t = cur(P);
    if (t->kind == TK_MINUS || t->kind == TK_PLUS) {
        advance(P);
        return apply_sign(P, t, parse_binary(P, PREC_UNARY));
    }
    if (t->kind == TK_NOT) {
        advance(P);
        Expr *operand = parse_binary(P, PREC_REL);
        int d = P->edepth;
        Expr *u = new_expr(P, EX_UNARY, span_of(P, t));
        u->u.un.op = UOP_NOT;
        u->u.un.e = operand;
        return sized(P, u, d + 1);
    }
    return parse_primary(P);
}

/* Looks up a binary operator token; returns 0 if t is none. */
static int binop_of(const Token *t, BinOp *op, int *prec)
{
    for (int i = 0; i < NELEM(binop_table); i++)
        if (binop_table[i].tk == t->kind) {
            *op = binop_table[i].op;
            *prec = binop_table[i].prec;
            return 1;
        }
    return 0;
}

/* binary(p) := prefix ( OP binary(p' + 1) )*   for every OP of precedence
 *              p' >= p; '^' is right-associative: binary(p') */
static Expr *parse_binary(Parser *P, int minprec)
{
    enter(P);
    Expr *l = parse_prefix(P);
    int dl = P->edepth;
    BinOp op;
    int prec;
    while (binop_of(cur(P), &op, &prec) && prec >= minprec) {
        const Token *t = advance(P);
        if (t->kind == TK_ANDAND) fail(P, t, "Conditional AND (&&) not supported.");
        if (t->kind == TK_OROR) fail(P, t, "Conditional OR (||) not supported.");
        Expr *r = parse_binary(P, op == BOP_POW ? prec : prec + 1);
        dl = imax(dl, P->edepth) + 1;
        Expr *b = new_expr(P, EX_BINARY, l->span);
        b->u.bin.op = op;
        b->u.bin.l = l;
        b->u.bin.r = r;
        l = sized(P, b, dl);
    }
    leave(P);
    return l;
}

/* expr := binary(OR) */
static Expr *parse_expr(Parser *P)
{
    return parse_binary(P, PREC_OR);
}

/* ---- statements -------------------------------------------------------------- */

static int starts_statement(TokKind k)
{
    return k == TK_ID || k == TK_PARAM || k == TK_LBRACKET || k == TK_IF || k == TK_FOR ||
           k == TK_PARFOR || k == TK_WHILE || k == TK_SOURCE || k == TK_SETWD;
}

/* block := '{' statement* '}'      (`open` already consumed) */
static StmtList parse_block_rest(Parser *P, const Token *open)
{
    Vec v;
    vec_init(&v, sizeof(Stmt *));
    while (!at(P, TK_RBRACE)) {
        if (!starts_statement(cur(P)->kind)) expect_close(P, TK_RBRACE, open, "a statement or ");
        vec_push_ptr(P, &v, parse_statement(P));
    }
    advance(P);
    return stmtlist_finish(P, &v);
}

/* body := '{' statement* '}' | statement */
static StmtList parse_body(Parser *P)
{
    if (at(P, TK_LBRACE)) return parse_block_rest(P, advance(P));
    Vec v;
    vec_init(&v, sizeof(Stmt *));
    vec_push_ptr(P, &v, parse_statement(P));
    return stmtlist_finish(P, &v);
}

/* Token text of a string literal without its quotes (no unescaping: paths
 * of source/setwd are used verbatim, as SystemDS does). */
static const char *raw_string(Parser *P, const Token *t)
{
    return ar_strndup(P->ar, t->text + 1, (size_t)t->len - 2);
}

/* Expects a string literal argument of source()/setwd(). */
static const Token *expect_path(Parser *P, const char *fn)
{
    if (at(P, TK_STR)) return advance(P);
    char want[64];
    snprintf(want, sizeof want, "a string literal path in %s()", fn);
    fail_unexpected(P, want);
}

/* source := 'source' '(' STRING ')' 'as' ID */
static Stmt *parse_source(Parser *P)
{
    Stmt *s = new_stmt(P, ST_SOURCE, advance(P));
    const Token *open = expect(P, TK_LPAREN, "after 'source'");
    s->u.source.path = raw_string(P, expect_path(P, "source"));
    expect_close(P, TK_RPAREN, open, NULL);
    if (!at(P, TK_AS))
        fail(P, cur(P), "missing namespace: source(...) must be followed by 'as <name>'");
    advance(P);
    const Token *ns = cur(P);
    if (ns->kind != TK_ID || is_qualified(ns)) fail_unexpected(P, "a namespace name after 'as'");
    advance(P);
    s->u.source.ns = dup_str(P, ns->str);
    return s;
}

/* setwd := 'setwd' '(' STRING ')' */
static Stmt *parse_setwd(Parser *P)
{
    Stmt *s = new_stmt(P, ST_SETWD, advance(P));
    const Token *open = expect(P, TK_LPAREN, "after 'setwd'");
    s->u.setwd.dir = raw_string(P, expect_path(P, "setwd"));
    expect_close(P, TK_RPAREN, open, NULL);
    return s;
}

/* if := 'if' '(' expr ')' body ( 'else' body )? */
static Stmt *parse_if(Parser *P)
{
    Stmt *s = new_stmt(P, ST_IF, advance(P));
    const Token *open = expect(P, TK_LPAREN, "after 'if'");
    s->u.ifs.pred = parse_expr(P);
    expect_close(P, TK_RPAREN, open, NULL);
    s->u.ifs.then_b = parse_body(P);
    if (accept(P, TK_ELSE)) {
        s->u.ifs.has_else = 1;
        s->u.ifs.else_b = parse_body(P);
    }
    return s;
}

/* while := 'while' '(' expr ')' body */
static Stmt *parse_while(Parser *P)
{
    Stmt *s = new_stmt(P, ST_WHILE, advance(P));
    const Token *open = expect(P, TK_LPAREN, "after 'while'");
    s->u.whiles.pred = parse_expr(P);
    expect_close(P, TK_RPAREN, open, NULL);
    s->u.whiles.body = parse_body(P);
    return s;
}

/* iterable := expr ':' expr | ID '(' expr ',' expr ( ',' expr )? ')' */
static void parse_iterable(Parser *P, Stmt *s)
{
    const Token *t = cur(P);
    Expr *e = parse_expr(P);
    if (accept(P, TK_COLON)) {
        s->u.fors.from = e;
        s->u.fors.to = parse_expr(P);
        return;
    }
    if (e->kind != EX_CALL) fail_unexpected(P, "':' in the loop range (from:to)");
    if (e->u.call.ns || strcmp(e->u.call.name, "seq") != 0)
        fail(P, t, "incorrect function:'%s'. expected 'seq'", t->str);
    int n = e->u.call.nargs;
    for (int i = 0; i < n; i++)
        if (e->u.call.args[i].name) n = -1;
    if (n < 2 || n > 3)
        fail(P, t, "seq() in a loop header takes 2 or 3 unnamed arguments: "
                   "seq(from, to[, increment])");
    s->u.fors.is_seq = 1;
    s->u.fors.from = e->u.call.args[0].value;
    s->u.fors.to = e->u.call.args[1].value;
    s->u.fors.incr = n == 3 ? e->u.call.args[2].value : NULL;
}

/* ---- parfor options (DML.md 8.1/8.2) ----------------------------------------- */

static const char *const pf_01[] = {"0", "1", NULL};
static const char *const pf_mode[] = {"LOCAL", "REMOTE_SPARK", "REMOTE_SPARK_DP", NULL};
static const char *const pf_tp[] = {"FIXED", "NAIVE", "STATIC", "FACTORING",
                                    "FACTORING_CMIN", "FACTORING_CMAX", "GSS", "TSS", NULL};
static const char *const pf_dp[] = {"NONE", "LOCAL", "REMOTE_SPARK", NULL};
static const char *const pf_rm[] = {"LOCAL_MEM", "LOCAL_FILE", "LOCAL_AUTOMATIC",
                                    "REMOTE_SPARK", NULL};
static const char *const pf_opt[] = {"NONE", "RULEBASED", "CONSTRAINED", "HEURISTIC", NULL};
static const char *const pf_log[] = {"ALL", "TRACE", "DEBUG", "INFO", "WARN",
                                     "ERROR", "FATAL", "OFF", NULL};

/* values == NULL: an integer is expected. */
static const struct { const char *name; const char *const *values; } parfor_params[] = {
    {"check", pf_01},         {"par", NULL},          {"mode", pf_mode},
    {"taskpartitioner", pf_tp}, {"tasksize", NULL},   {"datapartitioner", pf_dp},
    {"resultmerge", pf_rm},   {"opt", pf_opt},        {"log", pf_log},
    {"profile", pf_01},
};

/* Raw text of tokens [a, b) as SystemDS's getText(): concatenated without
 * blanks; a lone bound placeholder is replaced by its value; one pair of
 * quotes is stripped; the result is upper-cased. */
static char *option_text(Parser *P, int a, int b)
{
    StrBuf sb;
    sb_init(&sb);
    const char *v = NULL;
    if (b - a == 1 && P->toks[a].kind == TK_PARAM) v = param_value(P, &P->toks[a]);
    if (v) sb_puts(&sb, v);
    else
        for (int i = a; i < b; i++) sb_putn(&sb, P->toks[i].text, (size_t)P->toks[i].len);
    const char *s = sb.s ? sb.s : "";
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s++;
        n -= 2;
    }
    char *out = ar_strndup(P->ar, s, n);
    sb_free(&sb);
    for (char *c = out; *c; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    return out;
}

/* Checks one option against DML.md 8.2. */
static void check_parfor_opt(Parser *P, const Token *name, const char *value)
{
    for (int i = 0; i < NELEM(parfor_params); i++) {
        if (strcmp(parfor_params[i].name, name->str) != 0) continue;
        const char *const *ok = parfor_params[i].values;
        int64_t iv;
        if (!ok) {
            if (nf_parse_long(value, &iv) != 0)
                fail(P, name, "Error parsing specified ParFOR parameters: '%s' is not an integer "
                              "value for parameter '%s'", value, name->str);
            return;
        }
        for (; *ok; ok++)
            if (strcmp(*ok, value) == 0) return;
        fail(P, name, "Error parsing specified ParFOR parameters: '%s' is no valid value for "
                      "parameter '%s'", value, name->str);
    }
    fail(P, name, "PARFOR: The specified parameter '%s' is no valid parfor parameter.", name->str);
}

/* Records a parfor option; a repeated name replaces the earlier value. */
static void add_parfor_opt(Parser *P, Vec *opts, const Token *name, int a, int b)
{
    const char *value = option_text(P, a, b);
    check_parfor_opt(P, name, value);
    ParforOpt *o = NULL, *all = (ParforOpt *)opts->data;
    for (int i = 0; i < opts->n; i++)
        if (strcmp(all[i].name, name->str) == 0) o = &all[i];
    if (!o) o = vec_push(P, opts);
    o->name = dup_str(P, name->str);
    o->value = value;
    o->span = span_of(P, name);
}

/* options := ( ',' ID '=' expr )*     (ignored for plain for) */
static void parse_loop_options(Parser *P, Stmt *s)
{
    Vec opts;
    vec_init(&opts, sizeof(ParforOpt));
    while (accept(P, TK_COMMA)) {
        const Token *name = cur(P);
        if (name->kind != TK_ID || is_qualified(name))
            fail_unexpected(P, "a loop option name=value");
        advance(P);
        expect(P, TK_ASSIGN, "after the loop option name");
        int a = P->pos;
        parse_expr(P);
        if (s->u.fors.is_parfor) add_parfor_opt(P, &opts, name, a, P->pos);
    }
    s->u.fors.opts = vec_finish(P, &opts);
    s->u.fors.nopts = opts.n;
}

/* for := ( 'for' | 'parfor' ) '(' ID 'in' iterable options ')' body */
static Stmt *parse_for(Parser *P)
{
    const Token *kw = advance(P);
    Stmt *s = new_stmt(P, ST_FOR, kw);
    s->u.fors.is_parfor = kw->kind == TK_PARFOR;
    const Token *open =
        expect(P, TK_LPAREN, s->u.fors.is_parfor ? "after 'parfor'" : "after 'for'");
    if (!at(P, TK_ID)) fail_unexpected(P, "a loop variable name");
    s->u.fors.var = target_name(P, advance(P));
    expect(P, TK_IN, "after the loop variable");
    parse_iterable(P, s);
    parse_loop_options(P, s);
    expect_close(P, TK_RPAREN, open, "',' or ");
    s->u.fors.body = parse_body(P);
    return s;
}

/* ifdef := 'ifdef' '(' PARAM ',' expr ')' */
static Expr *parse_ifdef(Parser *P)
{
    advance(P);
    const Token *open = expect(P, TK_LPAREN, "after 'ifdef'");
    const Token *p = cur(P);
    if (p->kind != TK_PARAM)
        fail(P, p, "the first argument of ifdef function should be a commandline argument "
                   "parameter (which starts with $)");
    advance(P);
    expect(P, TK_COMMA, "after the ifdef parameter");
    Expr *def = parse_expr(P);
    expect_close(P, TK_RPAREN, open, NULL);
    const char *v = param_value(P, p);
    return v ? param_literal(P, p, v) : def;
}

/* multiassign := '[' target ( ',' target )* ']' ( '=' | '<-' ) ID args */
static Stmt *parse_multiassign(Parser *P)
{
    const Token *open = advance(P);
    Stmt *s = new_stmt(P, ST_MULTIASSIGN, open);
    Vec names, spans;
    vec_init(&names, sizeof(const char *));
    vec_init(&spans, sizeof(Span));
    do {
        const Token *t = advance(P);
        vec_push_ptr(P, &names, (void *)target_name(P, t));
        *(Span *)vec_push(P, &spans) = span_of(P, t);
        if (at(P, TK_LBRACKET))
            fail(P, cur(P), "multi-assignment targets must be plain variable names");
    } while (accept(P, TK_COMMA));
    expect_close(P, TK_RBRACKET, open, "',' or ");
    if (!at(P, TK_ASSIGN) && !at(P, TK_LARROW)) fail_unexpected(P, "'=' or '<-' after ']'");
    advance(P);
    const Token *f = cur(P);
    if (f->kind != TK_ID || peek(P, 1)->kind != TK_LPAREN)
        fail(P, f, "the right-hand side of a multi-assignment must be a function call");
    advance(P);
    s->u.massign.call = parse_call_rest(P, f);
    s->u.massign.targets = vec_finish(P, &names);
    s->u.massign.tspans = vec_finish(P, &spans);
    s->u.massign.ntargets = names.n;
    return s;
}

/* assign := ID index? ( '=' | '<-' ) ( 'ifdef' ifdef-rest | expr )
 *         | ID index? '+=' expr */
static Stmt *parse_assignment(Parser *P)
{
    const Token *t = advance(P);
    Stmt *s = new_stmt(P, ST_ASSIGN, t);
    s->u.assign.target = target_name(P, t);
    if (at(P, TK_LBRACKET)) {
        s->u.assign.indexed = 1;
        parse_index(P, &s->u.assign.row, &s->u.assign.col, &s->u.assign.has_comma);
    }
    TokKind op = cur(P)->kind;
    if (op != TK_ASSIGN && op != TK_LARROW && op != TK_PLUSEQ) {
        char want[96];
        snprintf(want, sizeof want, "'=', '<-', '+='%s after '%s'",
                 s->u.assign.indexed ? "" : " or '('", t->str);
        fail_unexpected(P, want);
    }
    advance(P);
    s->u.assign.accumulate = op == TK_PLUSEQ;
    if (op != TK_PLUSEQ && at(P, TK_IFDEF)) s->u.assign.value = parse_ifdef(P);
    else s->u.assign.value = parse_expr(P);
    return s;
}

static int is_funcdef_start(const Parser *P)
{
    TokKind k1 = peek(P, 1)->kind, k2 = peek(P, 2)->kind;
    return peek(P, 0)->kind == TK_ID && (k1 == TK_ASSIGN || k1 == TK_LARROW) &&
           (k2 == TK_FUNCTION || k2 == TK_EXTERNAL);
}

/* idstmt := ID args | assign */
static Stmt *parse_id_statement(Parser *P)
{
    const Token *t = cur(P);
    if (is_funcdef_start(P))
        fail(P, t, "function definitions are only allowed at the top level of a file");
    if (peek(P, 1)->kind != TK_LPAREN) return parse_assignment(P);
    Stmt *s = new_stmt(P, ST_EXPR, t);
    advance(P);
    s->u.expr.call = parse_call_rest(P, t);
    return s;
}

/* statement := ( source | setwd | if | for | while | multiassign | idstmt ) ';'* */
static Stmt *parse_statement(Parser *P)
{
    enter(P);
    const Token *t = cur(P);
    Stmt *s;
    switch (t->kind) {
    case TK_SOURCE: s = parse_source(P); break;
    case TK_SETWD: s = parse_setwd(P); break;
    case TK_IF: s = parse_if(P); break;
    case TK_FOR:
    case TK_PARFOR: s = parse_for(P); break;
    case TK_WHILE: s = parse_while(P); break;
    case TK_LBRACKET: s = parse_multiassign(P); break;
    case TK_ID: s = parse_id_statement(P); break;
    case TK_PARAM: {
        TokKind k = peek(P, 1)->kind;
        if (k == TK_ASSIGN || k == TK_LARROW || k == TK_PLUSEQ || k == TK_LBRACKET)
            target_name(P, t); /* fails: "assignment of commandline parameters ..." */
        fail_unexpected(P, "a statement");
    }
    default: fail_unexpected(P, "a statement");
    }
    int last = P->pos - 1;   /* a nested statement may have eaten its ';' */
    while (last > 0 && P->toks[last].kind == TK_SEMI) last--;
    s->end = end_of(P, &P->toks[last]);
    while (accept(P, TK_SEMI)) {
    }
    leave(P);
    return s;
}

/* ---- functions --------------------------------------------------------------- */

/* Data-type words of DML.md 2.2. */
static int data_type_of(const char *s, DataType *dt)
{
    static const struct { const char *s; DataType dt; } tab[] = {
        {"matrix", DT_MATRIX}, {"Matrix", DT_MATRIX}, {"frame", DT_FRAME},
        {"Frame", DT_FRAME},   {"list", DT_LIST},     {"List", DT_LIST},
        {"scalar", DT_SCALAR}, {"Scalar", DT_SCALAR},
    };
    for (int i = 0; i < NELEM(tab); i++)
        if (strcmp(tab[i].s, s) == 0) {
            *dt = tab[i].dt;
            return 1;
        }
    return 0;
}

/* valueType := VALUETYPE   (an identifier here is a located error) */
static ValueType parse_value_type(Parser *P)
{
    const Token *t = cur(P);
    if (t->kind == TK_VALUETYPE) return advance(P)->v.vt;
    if (t->kind == TK_ID && strcmp(t->str, "bool") == 0)
        fail(P, t, "invalid valuetype bool (Quickfix: use 'boolean' instead)");
    if (t->kind == TK_ID) fail(P, t, "invalid valuetype %s", t->str);
    fail_unexpected(P, "a value type (e.g. Double, Integer, Boolean, String)");
}

/* type := valueType | ID '[' valueType ']' */
static TypeDecl parse_type(Parser *P)
{
    TypeDecl td = {DT_SCALAR, VT_UNKNOWN};
    const Token *t = cur(P);
    if (t->kind == TK_ID && peek(P, 1)->kind == TK_LBRACKET) {
        if (!data_type_of(t->str, &td.dt))
            fail(P, t, "incorrect datatype (expected matrix, frame, list, or scalar)");
        advance(P);
        const Token *open = advance(P);
        td.vt = parse_value_type(P);
        expect_close(P, TK_RBRACKET, open, NULL);
        return td;
    }
    td.vt = parse_value_type(P);
    return td;
}

/* params := ( param ( ',' param )* )? ')'
 * param  := type ID ( '=' expr )?          (defaults only if allowed) */
static Param *parse_params(Parser *P, const Token *open, int defaults, int *n)
{
    Vec v;
    vec_init(&v, sizeof(Param));
    if (!at(P, TK_RPAREN)) {
        do {
            Param *p = vec_push(P, &v);
            p->type = parse_type(P);
            const Token *id = cur(P);
            if (id->kind != TK_ID || is_qualified(id)) fail_unexpected(P, "a parameter name");
            advance(P);
            p->name = dup_str(P, id->str);
            p->span = span_of(P, id);
            if (defaults && accept(P, TK_ASSIGN)) p->defval = parse_expr(P);
        } while (accept(P, TK_COMMA));
    }
    expect_close(P, TK_RPAREN, open, "',' or ");
    *n = v.n;
    return vec_finish(P, &v);
}

/* implemented := 'implemented' 'in' '(' ( ID '=' STRING ( ',' ID '=' STRING )* )? ')' */
static void parse_implemented_in(Parser *P)
{
    expect(P, TK_IMPLEMENTED, "after an externalFunction signature");
    expect(P, TK_IN, "after 'implemented'");
    const Token *open = expect(P, TK_LPAREN, "after 'implemented in'");
    if (!at(P, TK_RPAREN)) {
        do {
            expect(P, TK_ID, "(a name=\"value\" pair)");
            expect(P, TK_ASSIGN, "in a name=\"value\" pair");
            expect(P, TK_STR, "in a name=\"value\" pair");
        } while (accept(P, TK_COMMA));
    }
    expect_close(P, TK_RPAREN, open, "',' or ");
}

/* funcdef := ID ( '=' | '<-' ) 'function' '(' params ( 'return' '(' outs )?
 *                '{' statement+ '}' ';'*
 *          | ID ( '=' | '<-' ) 'externalFunction' '(' outs ( 'return' '(' outs )?
 *                implemented ';'*
 * outs := params without defaults */
static FuncDef *parse_funcdef(Parser *P)
{
    const Token *name = advance(P);
    if (is_qualified(name)) fail(P, name, "invalid function name '%s'", name->str);
    advance(P);
    FuncDef *fd = ar_alloc(P->ar, sizeof *fd);
    fd->is_external = advance(P)->kind == TK_EXTERNAL;
    fd->name = dup_str(P, name->str);
    fd->span = span_of(P, name);
    fd->file = P->file;
    const Token *open = expect(P, TK_LPAREN, "after 'function'");
    fd->params = parse_params(P, open, !fd->is_external, &fd->nparams);
    if (accept(P, TK_RETURN)) {
        open = expect(P, TK_LPAREN, "after 'return'");
        fd->outs = parse_params(P, open, 0, &fd->nouts);
    }
    if (fd->is_external) {
        parse_implemented_in(P);
    } else {
        if (!at(P, TK_LBRACE)) fail_unexpected(P, "'{' to start the function body");
        fd->body = parse_block_rest(P, advance(P));
        if (fd->body.n == 0) fail(P, name, "functions with no statements are not allowed");
    }
    while (accept(P, TK_SEMI)) {
    }
    return fd;
}

/* Two definitions of one name in a file are an error (DML.md 5.1). */
static void check_function_conflict(Parser *P, const FuncDef *fd)
{
    FuncDef **fs = (FuncDef **)P->funcs.data;
    for (int i = 0; i < P->funcs.n; i++)
        if (strcmp(fs[i]->name, fd->name) == 0)
            fail_span(P, fd->span, TSR_SYNTAX, "Function Name Conflict: '%s' already defined in %s",
                      fd->name, P->path);
}

/* program := ( funcdef | statement )* EOF */
static AstFile *parse_program(Parser *P)
{
    AstFile *f = ar_alloc(P->ar, sizeof *f);
    f->path = P->path;
    P->file = f;
    Vec stmts;
    vec_init(&stmts, sizeof(Stmt *));
    vec_init(&P->funcs, sizeof(FuncDef *));
    while (!at(P, TK_EOF)) {
        if (is_funcdef_start(P)) {
            FuncDef *fd = parse_funcdef(P);
            check_function_conflict(P, fd);
            vec_push_ptr(P, &P->funcs, fd);
        } else {
            vec_push_ptr(P, &stmts, parse_statement(P));
        }
    }
    f->stmts = stmtlist_finish(P, &stmts);
    f->funcs = vec_finish(P, &P->funcs);
    f->nfuncs = P->funcs.n;
    return f;
}

AstFile *prs_parse(Arena *a, const char *path, const char *text, const ParseArgs *args, Err *err)
{
    Parser *P = xcalloc(1, sizeof *P);
    ar_init(&P->tmp);
    P->ar = a;
    P->path = ar_strdup(a, path ? path : "<script>");
    P->args = args;
    P->err = err;
    P->toks = lex_tokenize(&P->tmp, text, &P->ntok);
    AstFile *volatile f = NULL;
    if (setjmp(P->jb) == 0) f = parse_program(P);
    ar_free(&P->tmp);
    free(P);
    return f;
}
