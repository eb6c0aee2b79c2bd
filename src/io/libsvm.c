/*
 * libsvm.c - LIBSVM sparse text (DML.md 6.7 "libsvm"): each line is
 * "label sep idx indSep val sep idx indSep val ...", 1-based feature indexes;
 * the matrix has cols = #features + 1 and the label in the last column.
 *
 * Separators: `sep` is taken literally when given; by default any run of
 * blanks or commas separates (SystemDS's default "," and the standard " "
 * both read).  indSep defaults to ":".  Writing uses `sep`, by default ","
 * as SystemDS does (DML.md 6.7).
 * Without rows/cols a first pass counts lines and the largest index.
 * Not here: qid fields and comments.
 */
#include "io/io_int.h"

#include <string.h>

typedef struct SvmCtx {
    const char *sep;      /* NULL: blanks or commas */
    const char *ind;
    size_t seplen, indlen;
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

/* Parses the current line.  With a == NULL only records the largest index.
 * Returns 0, or -1 with err set. */
static int svm_line(const SvmCtx *c, LineReader *lr, MatBlock *a, int64_t row, int64_t *maxidx,
                    Err *err)
{
    size_t pos = 0, tn;
    const char *t;
    double label;
    if (!svm_token(c, lr->line, lr->len, &pos, &t, &tn)) return 0;
    if (nf_parse_double_n(t, tn, &label)) {
        io_err_line(err, lr, "cannot parse label \"%.*s\" as a number", (int)(tn > 200 ? 200 : tn), t);
        return -1;
    }
    while (svm_token(c, lr->line, lr->len, &pos, &t, &tn)) {
        if (tn == 0) continue;
        const char *colon = NULL;
        for (size_t k = 0; k + c->indlen <= tn && !colon; k++)
            if (memcmp(t + k, c->ind, c->indlen) == 0) colon = t + k;
        int64_t idx;
        double v;
        if (!colon) {
            io_err_line(err, lr, "expected idx%sval in \"%.200s\"", c->ind, lr->line);
            return -1;
        }
        const char *val = colon + c->indlen;
        if (parse_index(t, (size_t)(colon - t), &idx) || idx < 1 ||
            nf_parse_double_n(val, (size_t)(t + tn - val), &v)) {
            io_err_line(err, lr, "invalid feature \"%.*s\" in \"%.200s\"",
                        (int)(tn > 100 ? 100 : tn), t, lr->line);
            return -1;
        }
        if (idx > *maxidx) *maxidx = idx;
        if (a) {
            if (idx > a->cols - 1) {
                io_err_line(err, lr, "feature index %lld is out of range for %lld columns",
                            (long long)idx, (long long)a->cols);
                return -1;
            }
            mb_set(a, row, idx - 1, v);
        }
    }
    if (a) mb_set(a, row, a->cols - 1, label);
    return 0;
}

static int is_blank_line(const LineReader *lr)
{
    for (size_t i = 0; i < lr->len; i++)
        if ((unsigned char)lr->line[i] > ' ') return 0;
    return 1;
}

/* One pass over the file: counts rows / max index, or fills a. */
static tsr_status svm_pass(const SvmCtx *c, const char *path, MatBlock *a, int64_t *rows,
                           int64_t *maxidx, Err *err)
{
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    int rc;
    int64_t r = 0;
    while ((rc = io_lr_next(&lr, err)) == 1) {
        if (is_blank_line(&lr)) continue;
        if (a && r >= a->rows) {
            io_err_line(err, &lr, "found more than the %lld rows given by the metadata or read "
                        "options", (long long)a->rows);
            rc = -1;
            break;
        }
        if (svm_line(c, &lr, a, r, maxidx, err)) { rc = -1; break; }
        r++;
    }
    io_lr_close(&lr);
    *rows = r;
    return rc < 0 ? TSR_IO : TSR_OK;
}

tsr_status io_libsvm_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    SvmCtx c = { m->sep, m->ind_sep ? m->ind_sep : ":", 0, 0 };
    c.seplen = c.sep ? strlen(c.sep) : 0;
    c.indlen = strlen(c.ind);
    *out = NULL;
    if ((c.sep && c.seplen == 0) || c.indlen == 0)
        return err_set(err, TSR_IO, "%s: libsvm separators must not be empty", path);
    int64_t rows = m->rows, cols = m->cols, maxidx = 0, n;
    if (rows < 0 || cols < 0) {
        if (svm_pass(&c, path, NULL, &n, &maxidx, err) != TSR_OK) return TSR_IO;
        if (rows >= 0 && rows != n)
            return err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                           "options say %lld", path, (long long)n, (long long)rows);
        rows = n;
        if (cols < 0) cols = maxidx + 1;
    }
    MatBlock *a = mb_new(rows, cols, err);
    if (!a) return err->code;
    if (cols == 0 && rows > 0) {
        mb_free(a);
        return err_set(err, TSR_IO, "%s: a libsvm matrix needs at least one column", path);
    }
    tsr_status st = svm_pass(&c, path, a, &n, &maxidx, err);
    if (st == TSR_OK && n != rows)
        st = err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read options "
                     "say %lld", path, (long long)n, (long long)rows);
    if (st != TSR_OK) {
        mb_free(a);
        return st;
    }
    *out = a;
    return TSR_OK;
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
    char buf[40];
    int64_t nz = 0;
    for (int64_t i = 0; i < a->rows && a->cols > 0; i++) {
        double label = mb_get(a, i, a->cols - 1);
        nz += label != 0.0;
        io_fmt_value(buf, label);
        fputs(buf, f);
        for (int64_t j = 0; j + 1 < a->cols; j++) {
            double v = mb_get(a, i, j);
            if (v == 0.0) continue;
            io_fmt_value(buf, v);
            fprintf(f, "%s%lld%s%s", sep, (long long)(j + 1), ind, buf);
            nz++;
        }
        fputc('\n', f);
    }
    *nnz = nz;
    return io_wclose(f, path, err);
}
