/*
 * libsvm.c - LIBSVM sparse text (DML.md 6.7 "libsvm"): each line is
 * "label sep idx indSep val sep idx indSep val ...", 1-based feature indexes;
 * the matrix has cols = #features + 1 and the label in the last column.
 *
 * Separators: `sep` is taken literally when given; by default any run of
 * blanks or commas separates (SystemDS's default "," and the standard " "
 * both read).  indSep defaults to ":".  Writing uses `sep`, by default ","
 * as SystemDS does (DML.md 6.7).
 * Without rows/cols a first pass counts lines and the largest index.  The
 * second pass sorts each line's features (repeated index: last wins) and
 * appends them to the row builder (build.c): the data is naturally sparse
 * and stays CSR unless dense.  Writing walks the non-zeros of either format.
 * Not here: qid fields and comments.
 */
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>

/* One feature of the line being read; `pos` keeps the arrival order. */
typedef struct SvmCell {
    int64_t col;
    int64_t pos;
    double v;
} SvmCell;

typedef struct SvmCtx {
    const char *sep;      /* NULL: blanks or commas */
    const char *ind;
    size_t seplen, indlen;
    SvmCell *cells;       /* features of the current line (reused) */
    int64_t ncells, cap;
} SvmCtx;

/* Next token of s[*pos..len) as a span; 0 at the end of the line. */
static int svm_token(const SvmCtx *c, const char *s, size_t len, size_t *pos, const char **t,
                     size_t *tn)
{
    size_t p = *pos;
    if (!c->sep) {
        while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == ',')) p++;
        if (p >= len) return 0;
        size_t q = p;
        while (q < len && s[q] != ' ' && s[q] != '\t' && s[q] != ',') q++;
        *t = s + p;
        *tn = q - p;
        *pos = q;
        return 1;
    }
    if (p >= len) return 0;
    const char *e = strstr(s + p, c->sep);
    size_t q = e ? (size_t)(e - s) : len;
    *t = s + p;
    *tn = q - p;
    *pos = e ? q + c->seplen : len;
    return 1;
}

/* Long.parseLong on a span (feature indexes are short). */
static int parse_index(const char *s, size_t n, int64_t *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return nf_parse_long(buf, out);
}

static tsr_status svm_keep(SvmCtx *c, int64_t col, double v, Err *err)
{
    if (c->ncells == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 64;
        SvmCell *n = realloc(c->cells, (size_t)cap * sizeof *n);
        if (!n) return err_set(err, TSR_NOMEM, "out of memory reading a libsvm line");
        c->cells = n;
        c->cap = cap;
    }
    c->cells[c->ncells] = (SvmCell){ col, c->ncells, v };
    c->ncells++;
    return TSR_OK;
}

static int cmp_cell(const void *pa, const void *pb)
{
    const SvmCell *a = pa, *b = pb;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Appends the kept features in column order (a repeated index: the last
 * one wins) and the label as the last column, then closes the row. */
static tsr_status svm_flush_row(SvmCtx *c, IoRowBuild *b, double label, Err *err)
{
    int sorted = 1;
    for (int64_t k = 1; k < c->ncells && sorted; k++) sorted = c->cells[k - 1].col < c->cells[k].col;
    if (!sorted) qsort(c->cells, (size_t)c->ncells, sizeof *c->cells, cmp_cell);
    tsr_status st = TSR_OK;
    for (int64_t k = 0; k < c->ncells && st == TSR_OK; k++)
        if (k + 1 == c->ncells || c->cells[k + 1].col != c->cells[k].col)
            st = io_rb_put(b, c->cells[k].col, c->cells[k].v, err);
    c->ncells = 0;
    if (st == TSR_OK) st = io_rb_put(b, b->cols - 1, label, err);
    return st == TSR_OK ? io_rb_end_row(b, err) : st;
}

/* Parses one feature token "idx<indSep>val"; 0 or -1 with err set. */
static int svm_feature(const SvmCtx *c, LineReader *lr, const char *t, size_t tn, int64_t *idx,
                       double *v, Err *err)
{
    const char *colon = NULL;
    for (size_t k = 0; k + c->indlen <= tn && !colon; k++)
        if (memcmp(t + k, c->ind, c->indlen) == 0) colon = t + k;
    if (!colon) {
        io_err_line(err, lr, "expected idx%sval in \"%.200s\"", c->ind, lr->line);
        return -1;
    }
    const char *val = colon + c->indlen;
    if (parse_index(t, (size_t)(colon - t), idx) || *idx < 1 ||
        nf_parse_double_n(val, (size_t)(t + tn - val), v)) {
        io_err_line(err, lr, "invalid feature \"%.*s\" in \"%.200s\"",
                    (int)(tn > 100 ? 100 : tn), t, lr->line);
        return -1;
    }
    return 0;
}

/* Parses the current line.  With b == NULL only records the largest index;
 * else appends the row to b.  Returns 0, or -1 with err set. */
static int svm_line(SvmCtx *c, LineReader *lr, IoRowBuild *b, int64_t *maxidx, Err *err)
{
    size_t pos = 0, tn;
    const char *t;
    double label;
    if (!svm_token(c, lr->line, lr->len, &pos, &t, &tn))   /* only separators: a zero row */
        return b && svm_flush_row(c, b, 0.0, err) ? -1 : 0;
    if (nf_parse_double_n(t, tn, &label)) {
        io_err_line(err, lr, "cannot parse label \"%.*s\" as a number", (int)(tn > 200 ? 200 : tn), t);
        return -1;
    }
    while (svm_token(c, lr->line, lr->len, &pos, &t, &tn)) {
        if (tn == 0) continue;
        int64_t idx;
        double v;
        if (svm_feature(c, lr, t, tn, &idx, &v, err)) return -1;
        if (idx > *maxidx) *maxidx = idx;
        if (!b) continue;
        if (idx > b->cols - 1) {
            io_err_line(err, lr, "feature index %lld is out of range for %lld columns",
                        (long long)idx, (long long)b->cols);
            return -1;
        }
        if (svm_keep(c, idx - 1, v, err)) return -1;
    }
    return b && svm_flush_row(c, b, label, err) ? -1 : 0;
}

static int is_blank_line(const LineReader *lr)
{
    for (size_t i = 0; i < lr->len; i++)
        if ((unsigned char)lr->line[i] > ' ') return 0;
    return 1;
}

/* One pass over the file: counts rows / max index, or fills b. */
static tsr_status svm_pass(SvmCtx *c, const char *path, IoRowBuild *b, int64_t *rows,
                           int64_t *maxidx, Err *err)
{
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    int rc;
    int64_t r = 0;
    while ((rc = io_lr_next(&lr, err)) == 1) {
        if (is_blank_line(&lr)) continue;
        if (b && r >= b->rows) {
            io_err_line(err, &lr, "found more than the %lld rows given by the metadata or read "
                        "options", (long long)b->rows);
            rc = -1;
            break;
        }
        if (svm_line(c, &lr, b, maxidx, err)) { rc = -1; break; }
        r++;
    }
    io_lr_close(&lr);
    *rows = r;
    if (rc >= 0) return TSR_OK;
    return err->code == TSR_NOMEM ? TSR_NOMEM : TSR_IO;
}

/* Rows and columns from the options or, if missing, a counting pass. */
static tsr_status svm_dims(SvmCtx *c, const char *path, const IoMeta *m, int64_t *rows,
                           int64_t *cols, Err *err)
{
    int64_t n, maxidx = 0;
    *rows = m->rows;
    *cols = m->cols;
    if (*rows >= 0 && *cols >= 0) return TSR_OK;
    if (svm_pass(c, path, NULL, &n, &maxidx, err) != TSR_OK) return err->code;
    if (*rows >= 0 && *rows != n)
        return err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                       "options say %lld", path, (long long)n, (long long)*rows);
    *rows = n;
    if (*cols < 0) *cols = maxidx + 1;
    return TSR_OK;
}

tsr_status io_libsvm_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    SvmCtx c = { m->sep, m->ind_sep ? m->ind_sep : ":", 0, 0, NULL, 0, 0 };
    c.seplen = c.sep ? strlen(c.sep) : 0;
    c.indlen = strlen(c.ind);
    *out = NULL;
    if ((c.sep && c.seplen == 0) || c.indlen == 0)
        return err_set(err, TSR_IO, "%s: libsvm separators must not be empty", path);
    int64_t rows, cols, n, maxidx = 0;
    tsr_status st = svm_dims(&c, path, m, &rows, &cols, err);
    if (st == TSR_OK && cols == 0 && rows > 0)
        st = err_set(err, TSR_IO, "%s: a libsvm matrix needs at least one column", path);
    IoRowBuild b;
    /* a non-zero takes >= 2 bytes ("1" and a separator or line end) */
    int64_t hint = io_nnz_hint(m->nnz, io_path_bytes(path), 2);
    if (st == TSR_OK && (st = io_rb_init(&b, rows, cols, hint, err)) == TSR_OK) {
        st = svm_pass(&c, path, &b, &n, &maxidx, err);
        if (st == TSR_OK && n != rows)
            st = err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                         "options say %lld", path, (long long)n, (long long)rows);
        if (st == TSR_OK && !(*out = io_rb_finish(&b, err))) st = err->code;
        if (st != TSR_OK && b.m) io_rb_free(&b);
    }
    free(c.cells);
    return st;
}

/* Writes row i: the label (last column), then the non-zero features
 * (walking only the non-zeros of a CSR row).  Returns the non-zeros written. */
static int64_t svm_write_row(FILE *f, const MatBlock *a, int64_t i, const char *sep,
                             const char *ind)
{
    char buf[40];
    double label = mb_get(a, i, a->cols - 1), v;
    int64_t nz = label != 0.0, j;
    io_fmt_value(buf, label);
    fputs(buf, f);
    IoNz it;
    for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v) && j + 1 < a->cols; nz++) {
        io_fmt_value(buf, v);
        fprintf(f, "%s%lld%s%s", sep, (long long)(j + 1), ind, buf);
    }
    fputc('\n', f);
    return nz;
}

tsr_status io_libsvm_write(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                           Err *err)
{
    const char *sep = m->sep ? m->sep : ",";
    const char *ind = m->ind_sep ? m->ind_sep : ":";
    if (a->cols == 0 && a->rows > 0)
        return err_set(err, TSR_IO, "cannot write %s: a libsvm matrix needs at least one column "
                       "(the label)", path);
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    int64_t nz = 0;
    for (int64_t i = 0; i < a->rows && a->cols > 0; i++) nz += svm_write_row(f, a, i, sep, ind);
    *nnz = nz;
    return io_wclose(f, path, err);
}
