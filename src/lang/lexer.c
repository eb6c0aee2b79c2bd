/*
 * lexer.c - DML lexical analysis (DML.md section 1).
 *
 * Turns a whole script into a token array: identifiers (plain, the fixed
 * dotted ones such as `as.scalar`, and `ns::name`), the reserved words of
 * 1.4, integer/double/string literals, `$` placeholders and the operator
 * tokens of 1.8.  Newlines are insignificant; `#` and block comments are
 * skipped.  Positions are 1-based lines and columns counted in characters
 * (a tab is one column, a UTF-8 sequence is one column).
 *
 * What it does not do: placeholder substitution, folding of signs, or any
 * grammar decision (parser.c).  Lexical errors are reported as a TK_ERROR
 * token, never by longjmp, so the lexer has no cleanup path at all.
 */
#include "lang/lang_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct Lexer {
    Arena *ar;
    const char *p;          /* next unread byte                */
    int line, col;          /* position of *p                  */
    Token *toks;
    int n, cap;
} Lexer;

static const char *const kind_names[] = {
#define X(e, s) s,
    LEX_SPECIAL(X) LEX_PUNCT(X) LEX_KEYWORDS(X)
#undef X
};

const char *lex_kind_name(TokKind k)
{
    return (k >= 0 && k < TK__COUNT) ? kind_names[k] : "?";
}

/* Operator table derived from the X-macro; LEX_PUNCT lists longer
 * spellings first, so the first match is the longest match. */
static const struct { TokKind kind; const char *s; } punct_table[] = {
#define X(e, s) {e, s},
    LEX_PUNCT(X)
#undef X
};

static const struct { TokKind kind; const char *s; } keyword_table[] = {
#define X(e, s) {e, s},
    LEX_KEYWORDS(X)
#undef X
};

/* Value-type words of DML.md 2.2 (reserved words too). */
static const struct { const char *s; ValueType vt; } vtype_table[] = {
    {"int", VT_INT64},     {"integer", VT_INT64}, {"Int", VT_INT64},
    {"Integer", VT_INT64}, {"double", VT_FP64},   {"Double", VT_FP64},
    {"boolean", VT_BOOL},  {"Boolean", VT_BOOL},  {"string", VT_STRING},
    {"String", VT_STRING}, {"unknown", VT_UNKNOWN}, {"Unknown", VT_UNKNOWN},
};

/* The only dotted identifiers of DML.md 1.3. */
static const char *const dotted_ids[] = {
    "as.scalar", "as.matrix", "as.frame", "as.list", "as.double", "as.integer",
    "as.logical", "as.boolean", "index.return", "empty.return", "lower.tail",
    "lower.tri", "upper.tri", "is.na", "is.nan", "is.infinite",
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_idchar(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }

/* Consumes one byte, keeping line/column (UTF-8 continuation bytes do not
 * start a new column). */
static void adv(Lexer *L)
{
    unsigned char c = (unsigned char)*L->p++;
    if (c == '\n') {
        L->line++;
        L->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        L->col++;
    }
}

static void adv_n(Lexer *L, int n)
{
    while (n-- > 0) adv(L);
}

/* Appends a token starting at (line, col, start) and ending at L->p. */
static Token *push_tok(Lexer *L, TokKind k, int line, int col, const char *start)
{
    if (L->n == L->cap) {
        int ncap = L->cap ? L->cap * 2 : 256;
        Token *nt = ar_alloc(L->ar, (size_t)ncap * sizeof *nt);
        if (L->n) memcpy(nt, L->toks, (size_t)L->n * sizeof *nt);
        L->toks = nt;
        L->cap = ncap;
    }
    Token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    t->line = line;
    t->col = col;
    t->text = start;
    t->len = (int)(L->p - start);
    return t;
}

/* Records a lexical error: a TK_ERROR token with the message. */
static void push_error(Lexer *L, int line, int col, const char *start, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void push_error(Lexer *L, int line, int col, const char *start, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    Token *t = push_tok(L, TK_ERROR, line, col, start);
    t->str = ar_strdup(L->ar, msg);
    t->slen = strlen(msg);
}

/* Skips whitespace and comments.  Returns 0, or -1 after recording an
 * unterminated block comment. */
static int skip_blank(Lexer *L)
{
    for (;;) {
        char c = *L->p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            adv(L);
        } else if (c == '#') {
            while (*L->p && *L->p != '\n' && *L->p != '\r') adv(L);
        } else if (c == '/' && L->p[1] == '*') {
            const char *start = L->p;
            int line = L->line, col = L->col;
            adv_n(L, 2);
            while (*L->p && !(L->p[0] == '*' && L->p[1] == '/')) adv(L);
            if (!*L->p) {
                push_error(L, line, col, start, "unterminated block comment");
                return -1;
            }
            adv_n(L, 2);
        } else {
            return 0;
        }
    }
}

/* Length of the longest dotted identifier starting at s, or 0. */
static int dotted_len(const char *s)
{
    int best = 0;
    for (int i = 0; i < NELEM(dotted_ids); i++) {
        int n = (int)strlen(dotted_ids[i]);
        if (n > best && strncmp(s, dotted_ids[i], (size_t)n) == 0) best = n;
    }
    return best;
}

/* Classifies a plain word as keyword, value type or identifier. */
static void classify_word(Token *t)
{
    for (int i = 0; i < NELEM(keyword_table); i++)
        if ((int)strlen(keyword_table[i].s) == t->len &&
            memcmp(keyword_table[i].s, t->text, (size_t)t->len) == 0) {
            t->kind = keyword_table[i].kind;
            return;
        }
    for (int i = 0; i < NELEM(vtype_table); i++)
        if ((int)strlen(vtype_table[i].s) == t->len &&
            memcmp(vtype_table[i].s, t->text, (size_t)t->len) == 0) {
            t->kind = TK_VALUETYPE;
            t->v.vt = vtype_table[i].vt;
            return;
        }
}

/* ID := [A-Za-z][A-Za-z0-9_]* ( '::' [A-Za-z][A-Za-z0-9_]* )? | dotted-id */
static void lex_word(Lexer *L)
{
    const char *start = L->p;
    int line = L->line, col = L->col;
    int n = 0;
    while (is_idchar((unsigned char)start[n])) n++;
    int dl = dotted_len(start);
    int plain = 1;
    if (dl > n) {
        n = dl;
        plain = 0;
    } else if (start[n] == ':' && start[n + 1] == ':' && is_alpha((unsigned char)start[n + 2])) {
        n += 2;
        while (is_idchar((unsigned char)start[n])) n++;
        plain = 0;
    }
    adv_n(L, n);
    Token *t = push_tok(L, TK_ID, line, col, start);
    t->str = ar_strndup(L->ar, start, (size_t)n);
    t->slen = (size_t)n;
    if (plain) classify_word(t);
}

/* Parses DIGIT+ as a Java long; returns -1 on overflow. */
static int parse_decimal_long(const char *s, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Scans the exponent part [eE][+-]?DIGIT+ if present; returns its length. */
static int exponent_len(const char *s)
{
    if (*s != 'e' && *s != 'E') return 0;
    int i = 1;
    if (s[i] == '+' || s[i] == '-') i++;
    if (!is_digit((unsigned char)s[i])) return 0;
    while (is_digit((unsigned char)s[i])) i++;
    return i;
}

/* Converts the numeric literal s[0..n) into a TK_INT/TK_DBL token. */
static void emit_number(Lexer *L, const char *s, int n, int is_dbl, int line, int col)
{
    if (!is_dbl) {
        int64_t v;
        if (parse_decimal_long(s, n, &v) != 0)
            push_error(L, line, col, s, "cannot parse the int value: '%.*s'", n, s);
        else
            push_tok(L, TK_INT, line, col, s)->v.ival = v;
        return;
    }
    char buf[512];
    if (n >= (int)sizeof buf) {
        push_error(L, line, col, s, "cannot parse the float value: '%.*s'", n, s);
        return;
    }
    memcpy(buf, s, (size_t)n);
    buf[n] = '\0';
    push_tok(L, TK_DBL, line, col, s)->v.dval = strtod(buf, NULL);
}

/* INT := DIGIT+ [Ll]?
 * DOUBLE := DIGIT+ '.' DIGIT* EXP? | DIGIT+ EXP | '.' DIGIT+ EXP?  (+ [Ll]?)
 * The optional L suffix lexes (as in SystemDS) but never converts. */
static void lex_number(Lexer *L)
{
    const char *s = L->p;
    int line = L->line, col = L->col;
    int n = 0, is_dbl = 0;
    while (is_digit((unsigned char)s[n])) n++;
    if (s[n] == '.') {
        is_dbl = 1;
        n++;
        while (is_digit((unsigned char)s[n])) n++;
    }
    int e = exponent_len(s + n);
    if (e) is_dbl = 1;
    n += e;
    int suffix = (s[n] == 'L' || s[n] == 'l');
    adv_n(L, n + suffix);
    if (suffix)
        push_error(L, line, col, s, "cannot parse the %s value: '%.*s'", is_dbl ? "float" : "int",
                   n + 1, s);
    else
        emit_number(L, s, n, is_dbl, line, col);
}

/* STRING := '"' ( ESC | ~[\\"] )* '"' | '\'' ( ESC | ~[\\'] )* '\''
 * ESC := '\\' [btnfr"'\\]   (strings may span lines) */
static void lex_string(Lexer *L)
{
    const char *s = L->p;
    int line = L->line, col = L->col;
    char q = *s;
    adv(L);
    for (;;) {
        char c = *L->p;
        if (c == '\0') {
            push_error(L, line, col, s, "unterminated string literal");
            return;
        }
        if (c == q) break;
        if (c == '\\') {
            char e = L->p[1];
            if (e == '\0' || !strchr("btnfr\"'\\", e)) {
                int el = L->line, ec = L->col;
                if (e == '\0') {
                    push_error(L, line, col, s, "unterminated string literal");
                } else {
                    push_error(L, el, ec, L->p,
                               "invalid escape sequence '\\%c' in string literal", e);
                }
                return;
            }
            adv(L);
        }
        adv(L);
    }
    adv(L);
    Token *t = push_tok(L, TK_STR, line, col, s);
    t->str = lex_unescape(L->ar, s + 1, (size_t)(t->len - 2), &t->slen);
}

/* PARAM := '$' [A-Za-z][A-Za-z0-9_]* | '$' DIGIT+ */
static void lex_param(Lexer *L)
{
    const char *s = L->p;
    int line = L->line, col = L->col;
    int n = 1;
    if (is_alpha((unsigned char)s[1])) {
        while (is_idchar((unsigned char)s[n])) n++;
    } else if (is_digit((unsigned char)s[1])) {
        while (is_digit((unsigned char)s[n])) n++;
    } else {
        adv(L);
        push_error(L, line, col, s, "'$' must be followed by a parameter name or number");
        return;
    }
    adv_n(L, n);
    Token *t = push_tok(L, TK_PARAM, line, col, s);
    t->str = ar_strndup(L->ar, s + 1, (size_t)n - 1);
    t->slen = (size_t)n - 1;
}

/* Operators and punctuation (DML.md 1.8), longest match. */
static int lex_punct(Lexer *L)
{
    for (int i = 0; i < NELEM(punct_table); i++) {
        size_t n = strlen(punct_table[i].s);
        if (strncmp(L->p, punct_table[i].s, n) == 0) {
            const char *s = L->p;
            int line = L->line, col = L->col;
            adv_n(L, (int)n);
            push_tok(L, punct_table[i].kind, line, col, s);
            return 1;
        }
    }
    return 0;
}

static void lex_bad_char(Lexer *L)
{
    const char *s = L->p;
    int line = L->line, col = L->col;
    unsigned char c = (unsigned char)*s;
    adv(L);
    if (c >= 0x20 && c < 0x7f)
        push_error(L, line, col, s, "unexpected character '%c'", c);
    else
        push_error(L, line, col, s, "unexpected character 0x%02X", c);
}

/* Lexes one token; returns 0 to go on, -1 after TK_ERROR or TK_EOF. */
static int lex_one(Lexer *L)
{
    if (skip_blank(L) != 0) return -1;
    unsigned char c = (unsigned char)*L->p;
    if (c == '\0') {
        push_tok(L, TK_EOF, L->line, L->col, L->p);
        return -1;
    }
    if (is_alpha(c)) lex_word(L);
    else if (is_digit(c) || (c == '.' && is_digit((unsigned char)L->p[1]))) lex_number(L);
    else if (c == '"' || c == '\'') lex_string(L);
    else if (c == '$') lex_param(L);
    else if (!lex_punct(L)) lex_bad_char(L);
    return L->toks[L->n - 1].kind == TK_ERROR ? -1 : 0;
}

Token *lex_tokenize(Arena *a, const char *text, int *ntok)
{
    Lexer L = {a, text ? text : "", 1, 1, NULL, 0, 0};
    if (strncmp(L.p, "\xEF\xBB\xBF", 3) == 0) L.p += 3;   /* UTF-8 BOM */
    while (lex_one(&L) == 0) {
    }
    if (L.toks[L.n - 1].kind == TK_ERROR) push_tok(&L, TK_EOF, L.line, L.col, L.p);
    *ntok = L.n;
    return L.toks;
}

/* One left-to-right, non-overlapping pass replacing "\<from>" by `to`
 * (Java String.replace semantics).  Works in place; returns new length. */
static size_t replace_pass(char *s, size_t n, char from, char to)
{
    size_t r = 0, w = 0;
    while (r < n) {
        if (s[r] == '\\' && r + 1 < n && s[r + 1] == from) {
            s[w++] = to;
            r += 2;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return w;
}

char *lex_unescape(Arena *a, const char *s, size_t n, size_t *outlen)
{
    static const char from[] = {'b', 't', 'n', 'f', 'r', '\'', '"'};
    static const char to[] = {'\b', '\t', '\n', '\f', '\r', '\'', '"'};
    char *d = ar_strndup(a, s, n);
    for (int i = 0; i < NELEM(from); i++) n = replace_pass(d, n, from[i], to[i]);
    if (outlen) *outlen = n;
    return d;
}
