/*
 * lang_int.h - private interface between the pieces of the front end
 * (lexer.c, parser.c, loader.c, ast.c).  Nothing outside src/lang includes it.
 *
 * The lexer turns the whole source text into an array of tokens up front
 * (the parser needs unbounded lookahead for one ambiguity, see parser.c).
 * Lexical errors do not abort lexing by themselves: they become a TK_ERROR
 * token carrying the message, followed by TK_EOF, so that a syntax error that
 * comes earlier in the text is still reported first.
 */
#ifndef TSR_LANG_INT_H
#define TSR_LANG_INT_H

#include "lang/ast.h"
#include "lang/lang.h"
#include "util/util.h"

/* Depth limit of one expression tree, counting every operator level
 * including left-associative chains (`a + b + ... ` of n terms has depth
 * n): later passes recurse over expressions, so this bounds their stack.
 * Paren/call/block nesting is bounded separately by PRS_MAX_NESTING. */
#define PRS_MAX_EXPR_DEPTH 2000

/* Token kinds, X-macro: enum name, spelling used in error messages.
 * Punctuation is listed longest spelling first within each family; the
 * lexer's operator table is derived from the LEX_PUNCT rows. */
#define LEX_SPECIAL(X)                 \
    X(TK_EOF, "end of input")          \
    X(TK_ERROR, "invalid token")       \
    X(TK_ID, "identifier")             \
    X(TK_INT, "integer literal")       \
    X(TK_DBL, "number literal")        \
    X(TK_STR, "string literal")        \
    X(TK_PARAM, "command-line parameter") \
    X(TK_VALUETYPE, "value type")

#define LEX_PUNCT(X)          \
    X(TK_MATMUL, "%*%")       \
    X(TK_INTDIV, "%/%")       \
    X(TK_MOD, "%%")           \
    X(TK_GE, ">=")            \
    X(TK_LE, "<=")            \
    X(TK_EQ, "==")            \
    X(TK_NE, "!=")            \
    X(TK_ANDAND, "&&")        \
    X(TK_OROR, "||")          \
    X(TK_LARROW, "<-")        \
    X(TK_PLUSEQ, "+=")        \
    X(TK_COLONCOLON, "::")    \
    X(TK_POW, "^")            \
    X(TK_MINUS, "-")          \
    X(TK_PLUS, "+")           \
    X(TK_STAR, "*")           \
    X(TK_SLASH, "/")          \
    X(TK_GT, ">")             \
    X(TK_LT, "<")             \
    X(TK_NOT, "!")            \
    X(TK_AND, "&")            \
    X(TK_OR, "|")             \
    X(TK_ASSIGN, "=")         \
    X(TK_LPAREN, "(")         \
    X(TK_RPAREN, ")")         \
    X(TK_LBRACKET, "[")       \
    X(TK_RBRACKET, "]")       \
    X(TK_LBRACE, "{")         \
    X(TK_RBRACE, "}")         \
    X(TK_COMMA, ",")          \
    X(TK_SEMI, ";")           \
    X(TK_COLON, ":")

/* Reserved words of DML.md 1.4 except the value-type words (TK_VALUETYPE). */
#define LEX_KEYWORDS(X)                    \
    X(TK_AS, "as")                         \
    X(TK_ELSE, "else")                     \
    X(TK_EXTERNAL, "externalFunction")     \
    X(TK_FALSE, "FALSE")                   \
    X(TK_FOR, "for")                       \
    X(TK_FUNCTION, "function")             \
    X(TK_IF, "if")                         \
    X(TK_IFDEF, "ifdef")                   \
    X(TK_IMPLEMENTED, "implemented")       \
    X(TK_IN, "in")                         \
    X(TK_PARFOR, "parfor")                 \
    X(TK_RETURN, "return")                 \
    X(TK_SETWD, "setwd")                   \
    X(TK_SOURCE, "source")                 \
    X(TK_TRUE, "TRUE")                     \
    X(TK_WHILE, "while")

typedef enum {
#define X(e, s) e,
    LEX_SPECIAL(X) LEX_PUNCT(X) LEX_KEYWORDS(X)
#undef X
    TK__COUNT
} TokKind;

typedef struct Token {
    TokKind kind;
    int line, col;          /* 1-based position of the first character      */
    const char *text;       /* raw source text (not NUL-terminated)         */
    int len;
    union {
        int64_t ival;       /* TK_INT                                       */
        double dval;        /* TK_DBL                                       */
        ValueType vt;       /* TK_VALUETYPE                                 */
    } v;
    /* TK_STR: unescaped value (slen bytes); TK_ID: name (NUL-terminated);
     * TK_PARAM: name without '$'; TK_ERROR: the message. */
    const char *str;
    size_t slen;
} Token;

/* Tokenizes `text` (NUL-terminated) into an array allocated in `a`; the last
 * token is always TK_EOF.  Never fails: lexical errors become a TK_ERROR
 * token (see above).  Tokens point into `text`, which must outlive them. */
Token *lex_tokenize(Arena *a, const char *text, int *ntok);

/* DML string unescaping (DML.md 1.5): textual replacement, in this order, of
 * \b \t \n \f \r, then \' and \" ; "\\" is left alone.  Result in `a`,
 * NUL-terminated, length in *outlen. */
char *lex_unescape(Arena *a, const char *s, size_t n, size_t *outlen);

/* Spelling of a token kind for messages ("'%*%'" style callers add quotes). */
const char *lex_kind_name(TokKind k);

#endif /* TSR_LANG_INT_H */
