/*
 * csv.c - delimited text matrices (DML.md 6.7 "csv").
 *
 * Reading: one row per line, cells split on a literal (possibly multi-char)
 * separator, each cell trimmed (Java String.trim) and parsed with Java
 * Double.parseDouble rules; tokens listed in naStrings read as NaN; empty
 * cells become `default` when fill=TRUE (the default), else an error.  An
 * optional header line is skipped (first file only for a directory of part
 * files).  Blank lines after the last data line are ignored unless the known
 * row count needs them; a blank line in the middle is a row with one empty
 * cell.  When rows/cols are unknown a first pass counts them; the second
 * pass parses row by row into the row builder (build.c), which keeps the
 * non-zeros in CSR while the data is sparse and switches to a dense block
 * once the count seen so far makes the matrix dense (or the first rows are
 * dense): sparse files never get a rows x cols allocation, dense files never
 * hold a full sparse copy.
 *
 * Writing: optional header C1..Cn, Double.toString values, zeros as "0" (or
 * empty with sparse=TRUE), "\n" line ends; a CSR block is written from its
 * non-zeros (no dense copy, no per-cell lookup).
 *
 * Not here: quoted cells (matrices never need them) and frames.
 */
#include "io/io_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NA_SEP "\xC2\xB7"   /* U+00B7 MIDDLE DOT separates naStrings tokens */

typedef struct NaTok {
    const char *s;
    size_t n;
} NaTok;

typedef struct CsvCtx {
    const char *path;
    const char *sep;
    size_t seplen;
    int header, fill;
    double def;
    NaTok *na;          /* borrowed spans of the options' na_strings */
    int nna;
    /* pass state */
    IoRowBuild b;       /* pass 2: the block being built */
    int64_t rows, cols; /* expected; pass 1 sets them */
    int64_t r;          /* rows seen so far */
} CsvCtx;

typedef int (*CsvVisit)(CsvCtx *c, const char *line, size_t len, const char *file,
                        int64_t lineno, Err *err);

/* First occurrence of the separator in s[0..n), or NULL. */
static const char *find_sep(const CsvCtx *c, const char *s, size_t n)
{
    if (c->seplen == 1) return memchr(s, c->sep[0], n);
    while (n >= c->seplen) {
        const char *p = memchr(s, c->sep[0], n - c->seplen + 1);
        if (!p) return NULL;
        if (memcmp(p, c->sep, c->seplen) == 0) return p;
        n -= (size_t)(p + 1 - s);
        s = p + 1;
    }
    return NULL;
}

static int64_t count_cells(const CsvCtx *c, const char *s, size_t n)
{
    int64_t k = 1;
    const char *p;
    while ((p = find_sep(c, s, n)) != NULL) {
        k++;
        n -= (size_t)(p + c->seplen - s);
        s = p + c->seplen;
    }
    return k;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (unsigned char)**s <= ' ') { (*s)++; (*n)--; }
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ') (*n)--;
}

static int is_blank(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 0;
}

/* Parses one cell: 0 = value in *v, 1 = empty, -1 = not a number. */
static int parse_cell(const CsvCtx *c, const char *s, size_t n, double *v)
{
    trim(&s, &n);
    if (n == 0) return 1;
    for (int i = 0; i < c->nna; i++)
        if (c->na[i].n == n && memcmp(c->na[i].s, s, n) == 0) {
            *v = NAN;
            return 0;
        }
    return nf_parse_double_n(s, n, v) == 0 ? 0 : -1;
}

static int line_error(Err *err, const char *file, int64_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int line_error(Err *err, const char *file, int64_t lineno, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, TSR_IO, "%s:%lld: %s", file, (long long)lineno, msg);
    return -1;
}

/* Pass 1: counts rows; the first row fixes the number of columns. */
static int visit_count(CsvCtx *c, const char *line, size_t len, const char *file,
                       int64_t lineno, Err *err)
{
    if (c->r == 0) c->cols = count_cells(c, line, len);
    c->r++;
    return 0;
}

/* Pass 2: parses one row into the row builder. */
static int visit_parse(CsvCtx *c, const char *line, size_t len, const char *file,
                       int64_t lineno, Err *err)
{
    if (c->r >= c->rows)
        return line_error(err, file, lineno, "found more than the %lld rows given by the "
                          "metadata or read options", (long long)c->rows);
    const char *s = line, *bad = NULL;
    size_t n = len, badlen = 0;
    int64_t k = 0, badcol = 0;
    int empty = 0;
    for (;;) {
        const char *p = find_sep(c, s, n);
        size_t cl = p ? (size_t)(p - s) : n;
        if (k < c->cols) {
            double v = 0.0;
            int rc = parse_cell(c, s, cl, &v);
            if (rc == 1) { empty |= !c->fill; v = c->def; }
            else if (rc < 0 && !bad) { bad = s; badlen = cl; badcol = k + 1; }
            if (io_rb_put(&c->b, k, v, err) != TSR_OK) return -1;
        }
        k++;
        if (!p) break;
        n -= cl + c->seplen;
        s = p + c->seplen;
    }
    if (k != c->cols)
        return line_error(err, file, lineno, "expected %lld cells but found %lld",
                          (long long)c->cols, (long long)k);
    if (empty)
        return line_error(err, file, lineno, "Empty fields found in delimited file. Use \"fill\" "
                          "option to read delimited files with empty fields:%s", line);
    if (bad) {
        trim(&bad, &badlen);
        return line_error(err, file, lineno, "cannot parse \"%.*s\" as a number (column %lld)",
                          (int)(badlen > 200 ? 200 : badlen), bad, (long long)badcol);
    }
    c->r++;
    return io_rb_end_row(&c->b, err) == TSR_OK ? 0 : -1;
}

/* Visits the `pending` blank lines that end at line `last`. */
static int visit_blanks(CsvCtx *c, CsvVisit visit, const LineReader *lr, int64_t pending,
                        int64_t last, Err *err)
{
    for (int64_t k = pending - 1; k >= 0; k--)
        if (visit(c, "", 0, io_lr_name(lr), last - k, err)) return -1;
    return 0;
}

/*
 * Feeds every data row to visit: skips the header, holds blank lines back
 * until a non-blank line follows.  Blank lines at the end of the input are
 * rows only as far as the known row count asks for them (a one-column
 * matrix written with sparse=TRUE ends in empty lines for its zeros);
 * otherwise they vanish.
 */
static tsr_status csv_scan(CsvCtx *c, CsvVisit visit, Err *err)
{
    LineReader lr;
    if (io_lr_open(&lr, c->path, err) != TSR_OK) return TSR_IO;
    int64_t pending = 0;
    int rc, file = -1;
    c->r = 0;
    while ((rc = io_lr_next(&lr, err)) == 1) {
        if (lr.cur != file) { pending = 0; file = lr.cur; }   /* new part file */
        if (c->header && lr.cur == 0 && lr.lineno == 1) continue;
        if (is_blank(lr.line, lr.len)) { pending++; continue; }
        if (visit_blanks(c, visit, &lr, pending, lr.lineno - 1, err) ||
            visit(c, lr.line, lr.len, io_lr_name(&lr), lr.lineno, err)) {
            rc = -1;
            break;
        }
        pending = 0;
    }
    if (rc == 0 && file == lr.cur && c->rows > c->r) {   /* blank lines at the end */
        int64_t take = pending < c->rows - c->r ? pending : c->rows - c->r;
        if (visit_blanks(c, visit, &lr, take, lr.lineno - pending + take, err)) rc = -1;
    }
    io_lr_close(&lr);
    if (rc >= 0) return TSR_OK;
    return err->code == TSR_NOMEM ? TSR_NOMEM : TSR_IO;
}

/* Splits the naStrings list into spans (borrowed from `list`). */
static void na_split(CsvCtx *c, const char *list)
{
    c->na = NULL;
    c->nna = 0;
    if (!list) return;
    int cap = 1;
    for (const char *p = list; (p = strstr(p, NA_SEP)) != NULL; p += 2) cap++;
    c->na = xmalloc((size_t)cap * sizeof *c->na);
    const char *s = list;
    for (;;) {
        const char *p = strstr(s, NA_SEP);
        size_t n = p ? (size_t)(p - s) : strlen(s);
        if (n > 0) c->na[c->nna++] = (NaTok){ s, n };
        if (!p) break;
        s = p + 2;
    }
}

static tsr_status ctx_init(CsvCtx *c, const char *path, const IoMeta *m, Err *err)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->sep = m->sep ? m->sep : ",";
    c->seplen = strlen(c->sep);
    if (c->seplen == 0) return err_set(err, TSR_IO, "%s: the csv separator must not be empty", path);
    c->header = m->has_header && m->header;
    c->fill = m->has_fill ? m->fill : 1;
    c->def = m->has_default ? m->default_value : 0.0;
    na_split(c, m->na_strings);
    return TSR_OK;
}

/* Pass 1: counts rows and columns and checks them against the given ones. */
static tsr_status csv_infer_dims(CsvCtx *c, const IoMeta *m, Err *err)
{
    c->cols = 0;
    tsr_status st = csv_scan(c, visit_count, err);
    if (st == TSR_OK && m->rows >= 0 && m->rows != c->r)
        st = err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                     "options say %lld", c->path, (long long)c->r, (long long)m->rows);
    if (st == TSR_OK && m->cols >= 0 && c->r > 0 && m->cols != c->cols)
        st = err_set(err, TSR_IO, "%s: the file has %lld columns but the metadata or read "
                     "options say %lld", c->path, (long long)c->cols, (long long)m->cols);
    c->rows = c->r;
    if (c->r == 0 && m->cols >= 0) c->cols = m->cols;
    return st;
}

tsr_status io_csv_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    CsvCtx c;
    *out = NULL;
    if (ctx_init(&c, path, m, err) != TSR_OK) return TSR_IO;
    tsr_status st = TSR_OK;
    c.rows = m->rows;
    c.cols = m->cols;
    if (c.rows < 0 || c.cols < 0) st = csv_infer_dims(&c, m, err);
    int built = 0;
    if (st == TSR_OK) {
        /* a non-zero cell takes >= 2 bytes (digit and separator or line end) */
        int64_t hint = io_nnz_hint(m->nnz, io_path_bytes(path), 2);
        st = io_rb_init(&c.b, c.rows, c.cols, hint, err);
        built = st == TSR_OK;
    }
    if (st == TSR_OK && c.cols > 0) {        /* pass 2 (n x 0 has nothing to parse) */
        st = csv_scan(&c, visit_parse, err);
        if (st == TSR_OK && c.r != c.rows)
            st = err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                         "options say %lld", path, (long long)c.r, (long long)c.rows);
    }
    free(c.na);
    if (st != TSR_OK) {
        if (built) io_rb_free(&c.b);
        return st;
    }
    *out = io_rb_finish(&c.b, err);
    return *out ? TSR_OK : err->code;
}

/* Writes the cells from column *next up to (not including) column `to` as
 * zeros: "0", or nothing with sparse=TRUE. */
static void csv_zeros(FILE *f, int64_t *next, int64_t to, const char *sep, size_t seplen,
                      int sparse)
{
    for (; *next < to; (*next)++) {
        if (*next) fwrite(sep, 1, seplen, f);
        if (!sparse) fputc('0', f);
    }
}

/* Writes row i (walking only its non-zeros for a CSR block); returns the
 * number of non-zeros written. */
static int64_t csv_row(FILE *f, const MatBlock *a, int64_t i, const char *sep, int sparse)
{
    char buf[40];
    size_t seplen = strlen(sep);
    int64_t next = 0, nz = 0, j;
    double v;
    IoNz it;
    for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v); nz++) {
        csv_zeros(f, &next, j, sep, seplen, sparse);
        if (j) fwrite(sep, 1, seplen, f);
        fwrite(buf, 1, (size_t)io_fmt_value(buf, v), f);
        next = j + 1;
    }
    csv_zeros(f, &next, a->cols, sep, seplen, sparse);
    fputc('\n', f);
    return nz;
}

tsr_status io_csv_write(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                        Err *err)
{
    const char *sep = m->sep ? m->sep : ",";
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    if (m->has_header && m->header && a->cols > 0) {
        for (int64_t j = 0; j < a->cols; j++)
            fprintf(f, "%sC%lld", j ? sep : "", (long long)(j + 1));
        fputc('\n', f);
    }
    int64_t nz = 0;
    for (int64_t i = 0; i < a->rows && a->cols > 0; i++) nz += csv_row(f, a, i, sep, m->sparse);
    *nnz = nz;
    return io_wclose(f, path, err);
}
