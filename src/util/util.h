/*
 * util.h - shared low-level pieces used by every Tessera module.
 *
 * What is here: the status enum and error record (errors are values with a
 * source span), a growable string buffer (sb_), a bump arena for compile-time
 * data (ar_), a string-keyed hash map (hm_), Java-compatible number
 * formatting (nf_), and a monotonic clock (tm_).  Nothing here keeps global
 * mutable state; everything that allocates takes or returns its owner.
 *
 * Small allocations go through xmalloc/xcalloc/xrealloc/xstrdup which abort
 * the process on exhaustion (like Redis zmalloc): they are used only for
 * bounded bookkeeping.  Large data (matrix cells) must use plain malloc and
 * turn failure into a TSR_NOMEM error instead.
 */
#ifndef TSR_UTIL_H
#define TSR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Cross-module internal symbols: hidden from the shared-library ABI. */
#define TSR_INTERNAL __attribute__((visibility("hidden")))

/* ---------------------------------------------------------------------------
 * Status codes and error records
 * ------------------------------------------------------------------------- */
typedef enum {
    TSR_OK = 0,
    TSR_SYNTAX,      /* parse error */
    TSR_TYPE,        /* validation (compile-time) error */
    TSR_RUNTIME,     /* runtime error, incl. stop() and failed assert() */
    TSR_NOMEM,       /* allocation failure of user-sized data */
    TSR_IO,          /* file could not be read/written/parsed */
    TSR_LIMIT,       /* an input-controlled limit was exceeded */
    TSR_INTERRUPTED,
    TSR_PEER_FAILED
} tsr_status;

/* A position in a script.  `file` is borrowed (owned by the program that
 * holds the source text); line and col are 1-based, 0 means unknown. */
typedef struct Span {
    const char *file;
    int line, col;
} Span;

/* An error value.  Kernels and readers fill `code` and `msg` only; the
 * interpreter adds the span of the statement that failed.  Rendered as
 * "file:line:col: error: msg". */
#define ERR_MSG_MAX 1024
typedef struct Err {
    tsr_status code;
    Span span;                 /* line == 0: no location known */
    char msg[ERR_MSG_MAX];
} Err;

/* Sets code and formatted message (keeps an already-set span); returns code. */
tsr_status err_set(Err *e, tsr_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
tsr_status err_setv(Err *e, tsr_status code, const char *fmt, va_list ap);
/* Like err_set, and records the span too. */
tsr_status err_at(Err *e, Span sp, tsr_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void err_clear(Err *e);
/* Writes "file:line:col: error: msg\n" (or "error: msg\n" without span). */
void err_print(const Err *e, FILE *f);

/* ---------------------------------------------------------------------------
 * Checked small allocations (abort on exhaustion; bookkeeping only)
 * ------------------------------------------------------------------------- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Checked a*b for sizes derived from input; returns 0 and sets *out on
 * success, -1 on overflow. */
int mul_overflows_i64(int64_t a, int64_t b, int64_t *out);

/* ---------------------------------------------------------------------------
 * String buffer (always NUL-terminated)
 * ------------------------------------------------------------------------- */
typedef struct StrBuf {
    char *s;
    size_t len, cap;
} StrBuf;

void sb_init(StrBuf *b);
void sb_free(StrBuf *b);
void sb_clear(StrBuf *b);
void sb_putc(StrBuf *b, char c);
void sb_puts(StrBuf *b, const char *s);
void sb_putn(StrBuf *b, const char *s, size_t n);
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Transfers ownership of the buffer to the caller and resets b. */
char *sb_take(StrBuf *b);

/* ---------------------------------------------------------------------------
 * Arena: bump allocator for tokens, AST and other compile-time data.
 * Everything is freed at once with ar_free.  Not thread-safe.
 * ------------------------------------------------------------------------- */
typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;
} Arena;

void ar_init(Arena *a);
void ar_free(Arena *a);
void *ar_alloc(Arena *a, size_t n);           /* zeroed, 16-byte aligned */
char *ar_strdup(Arena *a, const char *s);
char *ar_strndup(Arena *a, const char *s, size_t n);

/* ---------------------------------------------------------------------------
 * Hash map from NUL-terminated strings to void*.  Keys are copied and owned
 * by the map; values are not owned (the caller frees them, e.g. while
 * iterating before hm_free).  Iteration order is unspecified.
 * ------------------------------------------------------------------------- */
typedef struct HMap {
    struct HEntry *slots;
    size_t cap, count, used;  /* used counts tombstones too */
} HMap;

void hm_init(HMap *m);
void hm_free(HMap *m);
void *hm_get(const HMap *m, const char *key);           /* NULL if absent */
int hm_has(const HMap *m, const char *key);
/* Inserts or replaces; returns the previous value (or NULL). */
void *hm_put(HMap *m, const char *key, void *val);
/* Removes key; returns its value (or NULL). */
void *hm_del(HMap *m, const char *key);
/* Iteration: start with *it = 0; returns 0 at the end. */
int hm_next(const HMap *m, size_t *it, const char **key, void **val);

/* ---------------------------------------------------------------------------
 * Number formatting and parsing with Java / DML semantics
 * ------------------------------------------------------------------------- */
/* Java Double.toString: "5.0", "0.3333333333333333", "1.0E-4", "1.0E7",
 * "NaN", "Infinity", "-0.0"; shortest round-trip digits.  Writes at most
 * `cap` bytes incl. NUL into buf (32 is always enough); returns length. */
int nf_double(char *buf, size_t cap, double v);
/* Java-style String.format(fmt, args) for DML's printf form of print().
 * Args are given as typed cells.  Returns 0 or -1 with a message in *err
 * (e.g. "%d" with a double argument). */
typedef enum { NF_ARG_INT, NF_ARG_DBL, NF_ARG_BOOL, NF_ARG_STR } NfArgKind;
typedef struct NfArg {
    NfArgKind kind;
    int64_t i;
    double d;
    int b;
    const char *s;
} NfArg;
int nf_javaformat(StrBuf *out, const char *fmt, const NfArg *args, int nargs, Err *err);
/* Fixed-point with `decimal` digits, round-half-even on the exact binary
 * value; "-0.0" prints as "0.000"; NaN/Inf as "NaN"/"Infinity"/"-Infinity".
 * decimal < 0: Java DecimalFormat default (up to 3 digits, no trailing 0s).
 * Appends to out. */
void nf_fixed(StrBuf *out, double v, int decimal);
/* Java Double.parseDouble-compatible: accepts leading/trailing blanks,
 * optional sign, "NaN", "Infinity", hex is not accepted.  Returns 0 on
 * success, -1 if `s` is not a number. */
int nf_parse_double(const char *s, double *out);
/* Same on the n bytes at s (no NUL needed); used by the file readers. */
int nf_parse_double_n(const char *s, size_t n, double *out);
/* Java Long.parseLong: optional sign and decimal digits only, in range.
 * Returns 0, -1 not a long, -2 out of range. */
int nf_parse_long(const char *s, int64_t *out);

/* ---------------------------------------------------------------------------
 * Monotonic clock
 * ------------------------------------------------------------------------- */
int64_t tm_now_ns(void);

#endif /* TSR_UTIL_H */
