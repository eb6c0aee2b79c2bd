/*
 * builtins_frame2.c - more frame builtins (DML.md 7.2, 7.12): typeof for
 * every value kind, map with a small interpreter for the portable Java
 * lambda subset, applySchema, tokenize (whitespace/ngram; count, position,
 * hash), and the frame half of contains (called from builtins_misc.c).
 *
 * Not here: row-wise map (margin=1), SystemDS utility calls inside map
 * lambdas, freplicate (DML.md gives no semantics).  Strings are handled as
 * UTF-8; length/substring count code points, case mapping is ASCII only.
 */
#include "runtime/builtins_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static tsr_status ret_frame(tsr_status st, FrameBlock **f, Value *out)
{
    if (st == TSR_OK) *out = rt_frame_take(*f);
    else fr_free(*f);
    *f = NULL;
    return st;
}

static void copy_names(FrameBlock *dst, const FrameBlock *src)
{
    for (int64_t j = 0; j < src->cols && j < dst->cols; j++)
        if (src->c[j].name) fr_set_col_name(dst, j, src->c[j].name);
}

/* ---- typeof ---------------------------------------------------------------------------- */

/* Frames: 1 x ncol frame of schema names; matrices: 1 x ncol frame of
 * "FP64"; scalars and lists: the string "Scalar" / "List". */
tsr_status bi_typeof(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    (void)nout;
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "typeof() expects exactly 1 argument, found %d", bi_nargs(a));
    const Value *v = a->npos ? &a->pos[0] : &a->named[0];
    FrameBlock *r = NULL;
    switch (v->dt) {
    case DT_FRAME: return ret_frame(fr_names_frame(rt_frame_block(v), 1, &r, &ctx->err), &r, out);
    case DT_MATRIX: {
        int64_t n = rt_mat_block(v)->cols;
        r = fr_new(1, n, NULL, &ctx->err);
        if (!r) return ctx->err.code;
        for (int64_t j = 0; j < n; j++) r->c[j].s[0] = xstrdup("FP64");
        return ret_frame(TSR_OK, &r, out);
    }
    case DT_SCALAR: *out = rt_str("Scalar"); return TSR_OK;
    case DT_LIST: *out = rt_str("List"); return TSR_OK;
    default: return bi_err(ctx, "typeof(): unsupported argument of type %s", rt_dt_name(v->dt));
    }
}

/* ---- map: the portable Java lambda subset ------------------------------------------------
 * Grammar: VAR "->" VAR ( "." METHOD "(" [ARG {"," ARG}] ")" | "[" INT "]" )*
 * with ARG a Java string/char literal or an integer.  Values flow as
 * string -> (string | int | boolean | string array). */

typedef enum { LK_STR, LK_INT, LK_BOOL, LK_ARR } LKind;
typedef enum {
    LO_LENGTH, LO_LOWER, LO_UPPER, LO_EQUALS, LO_REPLACEALL, LO_REPLACE, LO_SPLIT, LO_INDEX,
    LO_TRIM, LO_SUBSTRING
} LOpK;

#define LAMBDA_MAXOPS 8
typedef struct LOp {
    LOpK k;
    char *a1, *a2;      /* string arguments (owned) */
    int64_t n1, n2;     /* integer arguments; n2 < 0: absent */
    regex_t re;
    int has_re;
} LOp;

typedef struct Lambda {
    LOp ops[LAMBDA_MAXOPS];
    int n;
    LKind result;
} Lambda;

static void lambda_free(Lambda *l)
{
    for (int k = 0; k < l->n; k++) {
        free(l->ops[k].a1);
        free(l->ops[k].a2);
        if (l->ops[k].has_re) regfree(&l->ops[k].re);
    }
    l->n = 0;
}

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

static const char *ident(const char *p, size_t *n)
{
    const char *q = p;
    if (!(isalpha((unsigned char)*q) || *q == '_')) {
        *n = 0;
        return p;
    }
    while (isalnum((unsigned char)*q) || *q == '_') q++;
    *n = (size_t)(q - p);
    return q;
}

/* Java string or char literal at p; *out owned; NULL if not a literal. */
static const char *str_lit(const char *p, char **out)
{
    char q = *p;
    if (q != '"' && q != '\'') return NULL;
    StrBuf b;
    sb_init(&b);
    for (p++; *p && *p != q; p++) {
        char c = *p;
        if (c == '\\' && p[1]) {
            p++;
            c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
        }
        sb_printf(&b, "%c", c);
    }
    if (*p != q) {
        sb_free(&b);
        return NULL;
    }
    *out = b.s ? sb_take(&b) : xstrdup("");
    return p + 1;
}

/* Java regex -> POSIX ERE for the simple cases (\d \s \w and their
 * negations, escaped punctuation, \t \n). */
static char *java_regex(const char *j)
{
    StrBuf b;
    int in_br = 0;
    sb_init(&b);
    for (const char *p = j; *p; p++) {
        if (*p == '\\' && p[1]) {
            char c = *++p;
            const char *cls = c == 'd' || c == 'D' ? (in_br ? "0-9" : "0-9")
                              : c == 's' || c == 'S' ? "[:space:]"
                              : c == 'w' || c == 'W' ? "[:alnum:]_" : NULL;
            if (cls && in_br) sb_puts(&b, cls);
            else if (cls) sb_printf(&b, "[%s%s]", isupper((unsigned char)c) ? "^" : "", cls);
            else if (c == 't') sb_puts(&b, "\t");
            else if (c == 'n') sb_puts(&b, "\n");
            else if (in_br) sb_printf(&b, "%c", c);
            else sb_printf(&b, "\\%c", c);
            continue;
        }
        if (*p == '[' && !in_br) {
            in_br = 1;
            sb_puts(&b, "[");
            if (p[1] == '^') sb_puts(&b, "^"), p++;
            if (p[1] == ']') sb_puts(&b, "]"), p++;
            continue;
        }
        if (*p == ']' && in_br) in_br = 0;
        sb_printf(&b, "%c", *p);
    }
    return b.s ? sb_take(&b) : xstrdup("");
}

static tsr_status lambda_unsupported(RtCtx *ctx, const char *src, const char *at)
{
    return bi_err(ctx, "map(): unsupported lambda expression '%s' at '%s' (supported: x -> "
                  "x.length(), toLowerCase(), toUpperCase(), trim(), equals(\"s\"), "
                  "replaceAll(\"re\", \"r\"), replace(\"a\", \"b\"), substring(a[, b]), "
                  "split(\"re\")[k])", src, at);
}

static tsr_status lambda_parse(RtCtx *ctx, const char *src, Lambda *l)
{
    static const struct { const char *name; LOpK k; int nstr, nint, optint; LKind in, out; } M[] = {
        {"length", LO_LENGTH, 0, 0, 0, LK_STR, LK_INT},
        {"toLowerCase", LO_LOWER, 0, 0, 0, LK_STR, LK_STR},
        {"toUpperCase", LO_UPPER, 0, 0, 0, LK_STR, LK_STR},
        {"trim", LO_TRIM, 0, 0, 0, LK_STR, LK_STR},
        {"equals", LO_EQUALS, 1, 0, 0, LK_STR, LK_BOOL},
        {"replaceAll", LO_REPLACEALL, 2, 0, 0, LK_STR, LK_STR},
        {"replace", LO_REPLACE, 2, 0, 0, LK_STR, LK_STR},
        {"split", LO_SPLIT, 1, 0, 0, LK_STR, LK_ARR},
        {"substring", LO_SUBSTRING, 0, 1, 1, LK_STR, LK_STR},
    };
    size_t vn, n2;
    memset(l, 0, sizeof *l);
    const char *p = skip_ws(src), *var = p;
    p = ident(p, &vn);
    if (!vn) return lambda_unsupported(ctx, src, p);
    p = skip_ws(p);
    if (strncmp(p, "->", 2) != 0) return lambda_unsupported(ctx, src, p);
    p = skip_ws(p + 2);
    const char *v2 = p;
    p = ident(p, &n2);
    if (n2 != vn || strncmp(var, v2, vn) != 0) return lambda_unsupported(ctx, src, v2);
    LKind cur = LK_STR;
    for (;;) {
        p = skip_ws(p);
        if (!*p) break;
        const char *at = p;
        if (l->n == LAMBDA_MAXOPS) goto bad;
        LOp *op = &l->ops[l->n];
        op->n2 = -1;
        if (*p == '[') {
            char *e;
            if (cur != LK_ARR) goto bad;
            long long k = strtoll(p + 1, &e, 10);
            if (e == p + 1 || *skip_ws(e) != ']') goto bad;
            op->k = LO_INDEX;
            op->n1 = k;
            l->n++;
            cur = LK_STR;
            p = skip_ws(e) + 1;
            continue;
        }
        if (*p != '.') goto bad;
        size_t mn;
        const char *mname = skip_ws(p + 1);
        p = skip_ws(ident(mname, &mn));
        size_t mi = 0;
        while (mi < sizeof M / sizeof M[0] &&
               !(strlen(M[mi].name) == mn && !strncmp(M[mi].name, mname, mn)))
            mi++;
        if (mi == sizeof M / sizeof M[0] || M[mi].in != cur || *p != '(') goto bad;
        p = skip_ws(p + 1);
        op->k = M[mi].k;
        int ns = 0, ni = 0;
        while (*p != ')') {
            if (ns + ni > 0) {
                if (*p != ',') goto bad;
                p = skip_ws(p + 1);
            }
            char *s = NULL, *e;
            const char *q = str_lit(p, &s);
            if (q) {
                if (ns == 2 || ni) { free(s); goto bad; }
                if (ns++ == 0) op->a1 = s;
                else op->a2 = s;
                p = skip_ws(q);
                continue;
            }
            long long k = strtoll(p, &e, 10);
            if (e == p || ni == 2 || ns) goto bad;
            if (ni++ == 0) op->n1 = k;
            else op->n2 = k;
            p = skip_ws(e);
        }
        p++;
        l->n++;
        if (ns != M[mi].nstr || ni < M[mi].nint || ni > M[mi].nint + M[mi].optint) goto bad;
        if (op->k == LO_REPLACEALL || op->k == LO_SPLIT) {
            char *re = java_regex(op->a1);
            int rc = regcomp(&op->re, re, REG_EXTENDED);
            free(re);
            if (rc) {
                char msg[128];
                regerror(rc, &op->re, msg, sizeof msg);
                lambda_free(l);
                return bi_err(ctx, "map(): invalid regular expression \"%s\": %s", op->a1, msg);
            }
            op->has_re = 1;
        }
        cur = M[mi].out;
        (void)at;
        continue;
    bad:
        lambda_free(l);
        return lambda_unsupported(ctx, src, at);
    }
    if (cur == LK_ARR) {
        lambda_free(l);
        return bi_err(ctx, "map(): lambda '%s' returns a string array; index it with [k]", src);
    }
    l->result = cur;
    return TSR_OK;
}

/* Byte offset of code point k in s (strlen(s) if k == count); -1 if beyond. */
static int64_t cp_offset(const char *s, int64_t k)
{
    int64_t off = 0;
    for (int64_t c = 0; c < k; c++) {
        if (!s[off]) return -1;
        off++;
        while ((s[off] & 0xC0) == 0x80) off++;
    }
    return off;
}

static int64_t cp_count(const char *s)
{
    int64_t n = 0;
    for (; *s; s++) n += (*s & 0xC0) != 0x80;
    return n;
}

static void append_repl(StrBuf *b, const char *s, const char *r, const regmatch_t *m)
{
    for (; *r; r++) {
        if (*r == '\\' && r[1]) {
            sb_printf(b, "%c", *++r);
        } else if (*r == '$' && isdigit((unsigned char)r[1])) {
            int g = *++r - '0';
            if (g < 10 && m[g].rm_so >= 0)
                sb_printf(b, "%.*s", (int)(m[g].rm_eo - m[g].rm_so), s + m[g].rm_so);
        } else {
            sb_printf(b, "%c", *r);
        }
    }
}

static char *replace_all(const regex_t *re, const char *s, const char *repl)
{
    StrBuf b;
    regmatch_t m[10];
    const char *p = s;
    int flags = 0;
    sb_init(&b);
    while (regexec(re, p, 10, m, flags) == 0) {
        sb_printf(&b, "%.*s", (int)m[0].rm_so, p);
        append_repl(&b, p, repl, m);
        if (m[0].rm_eo == m[0].rm_so) {
            if (!p[m[0].rm_eo]) {
                p += m[0].rm_eo;
                break;
            }
            sb_printf(&b, "%c", p[m[0].rm_eo]);
            p += m[0].rm_eo + 1;
        } else {
            p += m[0].rm_eo;
        }
        flags = REG_NOTBOL;
        if (!*p) {   /* Java still tries an empty match at the end */
            if (regexec(re, p, 10, m, flags) == 0 && m[0].rm_eo == 0) append_repl(&b, p, repl, m);
            break;
        }
    }
    sb_puts(&b, p);
    return b.s ? sb_take(&b) : xstrdup("");
}

static char *replace_lit(const char *s, const char *a, const char *r)
{
    StrBuf b;
    size_t na = strlen(a);
    sb_init(&b);
    if (!na) {   /* Java: "ab".replace("", "-") = "-a-b-" */
        sb_puts(&b, r);
        for (const char *p = s; *p; p++) sb_printf(&b, "%c%s", *p, r);
    } else {
        const char *p = s, *q;
        while ((q = strstr(p, a))) {
            sb_printf(&b, "%.*s%s", (int)(q - p), p, r);
            p = q + na;
        }
        sb_puts(&b, p);
    }
    return b.s ? sb_take(&b) : xstrdup("");
}

/* Java String.split(regex)[k]: trailing empty strings removed, empty
 * matches skipped.  NULL with *len set when k is out of bounds. */
static char *split_index(const regex_t *re, const char *s, int64_t k, int64_t *len)
{
    int64_t n = 0, cap = 8;
    char **parts = xcalloc((size_t)cap, sizeof *parts);
    const char *p = s, *start = s;
    regmatch_t m[1];
    int flags = 0;
    while (*p && regexec(re, p, 1, m, flags) == 0) {
        if (m[0].rm_eo == m[0].rm_so) {
            p += m[0].rm_so + 1;
            flags = REG_NOTBOL;
            continue;
        }
        if (n + 1 >= cap) parts = xrealloc(parts, (size_t)(cap *= 2) * sizeof *parts);
        parts[n++] = xstrndup(start, (size_t)(p + m[0].rm_so - start));
        p += m[0].rm_eo;
        start = p;
        flags = REG_NOTBOL;
    }
    if (n + 1 >= cap) parts = xrealloc(parts, (size_t)(cap *= 2) * sizeof *parts);
    parts[n++] = xstrdup(start);
    if (n > 1 || *s)
        while (n > 0 && !*parts[n - 1]) free(parts[--n]);
    if (n == 0 && !*s) n = 0;
    char *res = NULL;
    if (k >= 0 && k < n) {
        res = parts[k];
        parts[k] = NULL;
    }
    for (int64_t t = 0; t < n; t++) free(parts[t]);
    free(parts);
    *len = n;
    return res;
}

/* Applies l to s; *out owned.  Errors as Java exceptions would raise them. */
static tsr_status lambda_apply(RtCtx *ctx, const Lambda *l, const char *s, char **out)
{
    char *cur = xstrdup(s);
    char buf[32];
    for (int k = 0; k < l->n; k++) {
        const LOp *op = &l->ops[k];
        char *nx = NULL;
        switch (op->k) {
        case LO_LENGTH:
            snprintf(buf, sizeof buf, "%lld", (long long)cp_count(cur));
            nx = xstrdup(buf);
            break;
        case LO_LOWER:
        case LO_UPPER:
            nx = xstrdup(cur);
            for (char *p = nx; *p; p++)
                *p = (char)(op->k == LO_LOWER ? tolower((unsigned char)*p)
                                              : toupper((unsigned char)*p));
            break;
        case LO_TRIM: {
            const char *b = cur, *e = cur + strlen(cur);
            while (b < e && (unsigned char)*b <= ' ') b++;
            while (e > b && (unsigned char)e[-1] <= ' ') e--;
            nx = xstrndup(b, (size_t)(e - b));
            break;
        }
        case LO_EQUALS: nx = xstrdup(strcmp(cur, op->a1) ? "false" : "true"); break;
        case LO_REPLACEALL: nx = replace_all(&op->re, cur, op->a2); break;
        case LO_REPLACE: nx = replace_lit(cur, op->a1, op->a2); break;
        case LO_SUBSTRING: {
            int64_t len = cp_count(cur), b = op->n1, e = op->n2 < 0 ? len : op->n2;
            if (b < 0 || e > len || b > e) {
                free(cur);
                return bi_err(ctx, "map(): substring(%lld, %lld) out of range for \"%s\" of "
                              "length %lld", (long long)b, (long long)e, s, (long long)len);
            }
            int64_t ob = cp_offset(cur, b), oe = cp_offset(cur, e);
            nx = xstrndup(cur + ob, (size_t)(oe - ob));
            break;
        }
        case LO_SPLIT: {
            int64_t n = 0, idx = k + 1 < l->n ? l->ops[k + 1].n1 : 0;
            nx = split_index(&op->re, cur, idx, &n);
            if (!nx) {
                free(cur);
                return bi_err(ctx, "map(): index %lld out of bounds for length %lld (split of "
                              "\"%s\")", (long long)idx, (long long)n, s);
            }
            k++;   /* the index op is consumed */
            break;
        }
        case LO_INDEX: nx = xstrdup(cur); break;   /* unreachable: consumed by split */
        }
        free(cur);
        cur = nx;
    }
    *out = cur;
    return TSR_OK;
}

tsr_status bi_map(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = {"target", "expr", "margin", NULL};
    static const BiSig sig = {"map", names, 2, 0};
    const Value *v[BI_MAXP];
    const char *src;
    int64_t margin;
    Lambda l;
    char buf[FR_CELLBUF];
    (void)nout;
    if (bi_bind(ctx, a, &sig, v) || bi_str(ctx, "map", "expr", v[1], NULL, &src) ||
        bi_int(ctx, "map", "margin", v[2], 0, &margin))
        return TSR_RUNTIME;
    if (v[0]->dt != DT_FRAME)
        return bi_err(ctx, "map(): target must be a frame, found a %s", rt_dt_name(v[0]->dt));
    if (margin != 0)
        return bi_err(ctx, "map(): margin=%lld (row-wise lambdas) is not supported",
                      (long long)margin);
    if (lambda_parse(ctx, src, &l)) return TSR_RUNTIME;
    const FrameBlock *f = rt_frame_block(v[0]);
    FrameBlock *r = fr_new(f->rows, f->cols, NULL, &ctx->err);
    if (!r) {
        lambda_free(&l);
        return ctx->err.code;
    }
    copy_names(r, f);
    tsr_status st = TSR_OK;
    for (int64_t i = 0; i < f->rows && !st; i++)
        for (int64_t j = 0; j < f->cols && !st; j++) {
            const char *t = fr_cell_text(f, i, j, buf);
            if (t) st = lambda_apply(ctx, &l, t, &r->c[j].s[i]);
        }
    lambda_free(&l);
    return ret_frame(st, &r, out);
}

/* ---- applySchema ------------------------------------------------------------------------- */

/* applySchema(F, S): S a 1-row frame of type names (detectSchema output)
 * or a comma-separated string; cells are converted with fr_set_text. */
tsr_status bi_apply_schema(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = {"target", "schema", NULL};
    static const BiSig sig = {"applySchema", names, 2, 0};
    const Value *v[BI_MAXP];
    char buf[FR_CELLBUF];
    StrBuf s;
    FrType *schema = NULL;
    int64_t n = 0;
    (void)nout;
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    if (v[0]->dt != DT_FRAME)
        return bi_err(ctx, "applySchema(): target must be a frame, found a %s",
                      rt_dt_name(v[0]->dt));
    const FrameBlock *f = rt_frame_block(v[0]);
    sb_init(&s);
    if (v[1]->dt == DT_FRAME && rt_frame_block(v[1])->rows >= 1) {
        const FrameBlock *sf = rt_frame_block(v[1]);
        for (int64_t j = 0; j < sf->cols; j++) {
            const char *t = fr_cell_text(sf, 0, j, buf);
            sb_printf(&s, "%s%s", j ? "," : "", t ? t : "");
        }
    } else if (v[1]->dt == DT_SCALAR && v[1]->vt == VT_STRING) {
        sb_puts(&s, v[1]->u.s);
    } else {
        return bi_err(ctx, "applySchema(): schema must be a frame or a string of value types");
    }
    tsr_status st = fr_schema_parse(s.s ? s.s : "", &schema, &n, &ctx->err);
    sb_free(&s);
    if (st) return st;
    if (n != f->cols) {
        free(schema);
        return bi_err(ctx, "applySchema(): the schema has %lld value types but the frame has "
                      "%lld columns", (long long)n, (long long)f->cols);
    }
    FrameBlock *r = fr_new(f->rows, f->cols, schema, &ctx->err);
    free(schema);
    if (!r) return ctx->err.code;
    copy_names(r, f);
    for (int64_t i = 0; i < f->rows && !st; i++)
        for (int64_t j = 0; j < f->cols && !st; j++) {
            const char *t = fr_cell_text(f, i, j, buf);
            if (!t) fr_set_null(r, i, j);
            else st = fr_set_text(r, i, j, t, &ctx->err);
        }
    return ret_frame(st, &r, out);
}

/* ---- tokenize ---------------------------------------------------------------------------- */

/* tokenize(target=F, spec=s [, max_tokens=1000]): see fr_tokenize
 * (src/frame/tokenize.c) for the spec keys: algo whitespace|ngram (token
 * n-grams, algo_params min_gram/max_gram), out count|position|hash
 * (out_params num_features, sort_alpha), id_cols, tokenize_col,
 * format_wide (position and hash only).  Result: a frame. */
tsr_status bi_tokenize(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = {"target", "spec", "max_tokens", NULL};
    static const BiSig sig = {"tokenize", names, 2, 0};
    const Value *v[BI_MAXP];
    const char *spec;
    int64_t max_tokens;
    FrameBlock *r = NULL;
    (void)nout;
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    if (v[0]->dt != DT_FRAME)
        return bi_err(ctx, "tokenize(): target must be a frame, found a %s",
                      rt_dt_name(v[0]->dt));
    if (v[1]->dt != DT_SCALAR || v[1]->vt != VT_STRING)
        return bi_err(ctx, "tokenize(): spec must be a string");
    if (bi_str(ctx, "tokenize", "spec", v[1], "", &spec) ||
        bi_int(ctx, "tokenize", "max_tokens", v[2], 1000, &max_tokens))
        return TSR_RUNTIME;
    return ret_frame(fr_tokenize(rt_frame_block(v[0]), spec, max_tokens, &r, &ctx->err), &r,
                     out);
}

/* ---- contains on frames ---------------------------------------------------------------- */

/* TRUE if any cell equals the pattern: numerically for a numeric pattern
 * (or a string pattern that parses as a number) where the cell is a
 * number (NaN matches NaN), else by text. */
tsr_status bi_frame_contains(RtCtx *ctx, const Value *target, const Value *pattern, Value *out)
{
    char buf[FR_CELLBUF];
    if (pattern->dt != DT_SCALAR)
        return bi_err(ctx, "contains(): pattern must be a scalar, found a %s",
                      rt_dt_name(pattern->dt));
    const FrameBlock *f = rt_frame_block(target);
    StrBuf ps;
    sb_init(&ps);
    rt_scalar_to_string(pattern, &ps);
    const char *pt = ps.s ? ps.s : "";
    double pd = NAN;
    int pnum = bi_is_num(pattern);
    if (pnum) pd = rt_as_double(pattern);
    else if (*pt) {
        char *e;
        pd = strtod(pt, &e);
        pnum = *skip_ws(e) == 0;
    }
    int found = 0;
    for (int64_t j = 0; j < f->cols && !found; j++)
        for (int64_t i = 0; i < f->rows && !found; i++) {
            const char *t = fr_cell_text(f, i, j, buf);
            double d;
            if (t && !strcmp(t, pt) && pattern->vt == VT_STRING) found = 1;
            else if (pnum && fr_is_numeric(f->c[j].type) && !fr_is_null(f, i, j) &&
                     fr_cell_double(f, i, j, &d) == 0)
                found = d == pd || (isnan(d) && isnan(pd));
            else if (pnum && t && *t && fr_cell_double(f, i, j, &d) == 0)
                found = d == pd || (isnan(d) && isnan(pd));
        }
    sb_free(&ps);
    *out = rt_bool(found);
    return TSR_OK;
}
