/*
 * frame_csv.c - reading and writing frames (DML.md 6.4-6.7): csv and text
 * (IJV) formats plus the frame .mtd (data_type "frame", schema).
 *
 * csv read: an optional header line gives the column names (trimmed); every
 * other line is one row whose cells are split on the literal separator and
 * trimmed.  A cell may be quoted ("a,b"; "" inside is one quote): separators
 * inside quotes do not split, and the quotes are removed.  Cells are
 * converted by the schema (read option or .mtd; none = all STRING): an
 * empty cell or a naStrings token ('\u00B7'-separated list) is null; except
 * that an empty cell of a numeric column is `default` (0.0) when fill=TRUE,
 * as SystemDS's primitive columns hold.  Blank lines are skipped.  Lines
 * "#Meta\u00B7MV<sep>..." and "#Meta\u00B7NDistinct<sep>..." right after the
 * header restore the column metadata of transform meta frames (written by
 * the csv writer with header=TRUE when a frame carries such metadata).
 *
 * csv write: optional header (column names), then one line per row, cells
 * in their Java string form (FP64 "1.0", booleans "true"), null cells empty;
 * a cell that contains the separator, a quote or a line break is quoted.
 *
 * text: "i j value" per non-null cell (1-based), value = the rest of the
 * line; dimensions from the .mtd or read options.  Binary frames are not
 * supported.  Errors name the file and line ("f.csv:3: expected 2 cells but
 * found 3").
 */
#include "io/io_int.h"

#include <stdlib.h>
#include <string.h>

#define MIDDOT "\xC2\xB7"
#define META_MV "#Meta" MIDDOT "MV"
#define META_ND "#Meta" MIDDOT "NDistinct"

/* ---- cell lists ---------------------------------------------------------------------- */

typedef struct CellList {
    char **v;            /* owned texts, NULL = null */
    int64_t n, cap;
} CellList;

static void cl_push(CellList *c, char *s)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xrealloc(c->v, (size_t)c->cap * sizeof *c->v);
    }
    c->v[c->n++] = s;
}

static void cl_free(CellList *c)
{
    for (int64_t k = 0; k < c->n; k++) free(c->v[k]);
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* ---- splitting ---------------------------------------------------------------------------- */

static void trim_span(const char **s, size_t *n)
{
    while (*n > 0 && (unsigned char)**s <= ' ') { (*s)++; (*n)--; }
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ') (*n)--;
}

/* One trimmed cell, unquoted when it is a quoted field. */
static char *cell_dup(const char *s, size_t n)
{
    trim_span(&s, &n);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        char *o = xmalloc(n), *w = o;
        for (size_t k = 1; k + 1 < n; k++) {
            *w++ = s[k];
            if (s[k] == '"' && s[k + 1] == '"' && k + 2 < n) k++;
        }
        *w = 0;
        return o;
    }
    return xstrndup(s, n);
}

/* First occurrence of sep (length sl > 0) in s[0..n), or NULL. */
static const char *find_sep(const char *s, size_t n, const char *sep, size_t sl)
{
    for (size_t k = 0; k + sl <= n; k++)
        if (s[k] == sep[0] && memcmp(s + k, sep, sl) == 0) return s + k;
    return NULL;
}

/* Splits line on sep and appends the cells; returns their count.  A cell
 * whose first non-blank character is a quote extends to the closing quote
 * ("" escapes a quote), so separators inside it do not split. */
static int64_t split_line(const char *line, size_t len, const char *sep, CellList *out)
{
    size_t sl = strlen(sep), p = 0;
    int64_t k = 0;
    for (;;) {
        size_t start = p, q = p;
        while (q < len && (line[q] == ' ' || line[q] == '\t')) q++;
        if (q < len && line[q] == '"') {
            for (q++; q < len; q++) {
                if (line[q] != '"') continue;
                if (q + 1 < len && line[q + 1] == '"') {
                    q++;
                    continue;
                }
                q++;
                break;
            }
            p = q;
        }
        const char *e = sl ? find_sep(line + p, len - p, sep, sl) : NULL;
        size_t end = e ? (size_t)(e - line) : len;
        cl_push(out, cell_dup(line + start, end - start));
        k++;
        if (!e) break;
        p = end + sl;
    }
    return k;
}

/* ---- reading csv ---------------------------------------------------------------------------- */

typedef struct FrCsv {
    const char *sep;
    int header, fill;
    double def;
    const char *na;          /* naStrings list or NULL */
    CellList names, cells, mv, nd;
    int64_t cols, rows;
} FrCsv;

static int is_na(const FrCsv *c, const char *s)
{
    if (!c->na || !*c->na) return 0;
    size_t n = strlen(s);
    for (const char *p = c->na;;) {
        const char *e = strstr(p, MIDDOT);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0) return 1;
        if (!e) return 0;
        p = e + 2;
    }
}

static int starts_with(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

/* "#Meta·MV<sep>v1<sep>..." after the header: column metadata. */
static tsr_status meta_line(FrCsv *c, LineReader *lr, CellList *dst, const char *pre, Err *err)
{
    CellList tmp = {0};
    int64_t k = split_line(lr->line, lr->len, c->sep, &tmp);
    if (k != c->cols + 1) {
        cl_free(&tmp);
        return io_err_line(err, lr, "expected %lld cells in the %s line but found %lld",
                           (long long)(c->cols + 1), pre, (long long)k);
    }
    cl_free(dst);
    for (int64_t j = 1; j < k; j++) {
        cl_push(dst, tmp.v[j]);
        tmp.v[j] = NULL;
    }
    cl_free(&tmp);
    return TSR_OK;
}

static tsr_status data_line(FrCsv *c, LineReader *lr, Err *err)
{
    int64_t before = c->cells.n;
    int64_t k = split_line(lr->line, lr->len, c->sep, &c->cells);
    if (c->cols < 0) c->cols = k;
    if (k != c->cols)
        return io_err_line(err, lr, "expected %lld cells but found %lld", (long long)c->cols,
                           (long long)k);
    for (int64_t t = before; t < c->cells.n; t++)
        if (is_na(c, c->cells.v[t])) {
            free(c->cells.v[t]);
            c->cells.v[t] = NULL;
        }
    c->rows++;
    return TSR_OK;
}

static tsr_status scan_csv(const char *path, FrCsv *c, Err *err)
{
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    tsr_status st = TSR_OK;
    int first = 1, r;
    while (st == TSR_OK && (r = io_lr_next(&lr, err)) > 0) {
        const char *s = lr.line;
        size_t n = lr.len;
        trim_span(&s, &n);
        if (n == 0) continue;
        if (first && c->header) {
            c->cols = split_line(lr.line, lr.len, c->sep, &c->names);
        } else if (c->header && c->rows == 0 && starts_with(s, n, META_MV)) {
            st = meta_line(c, &lr, &c->mv, META_MV, err);
        } else if (c->header && c->rows == 0 && starts_with(s, n, META_ND)) {
            st = meta_line(c, &lr, &c->nd, META_ND, err);
        } else {
            st = data_line(c, &lr, err);
        }
        first = 0;
    }
    if (st == TSR_OK && r < 0) st = TSR_IO;
    io_lr_close(&lr);
    return st;
}

/* Schema from the options: all STRING when absent; length checked. */
static tsr_status read_schema(const char *path, const IoMeta *m, int64_t cols, FrType **sch,
                              Err *err)
{
    int64_t n = 0;
    *sch = NULL;
    if (!m->schema || !*m->schema) {
        *sch = calloc((size_t)(cols > 0 ? cols : 1), sizeof **sch);   /* FR_STRING == 0 */
        return *sch ? TSR_OK : err_set(err, TSR_NOMEM, "out of memory reading %s", path);
    }
    if (fr_schema_parse(m->schema, sch, &n, err) != TSR_OK) return err->code;
    if (n != cols) {
        free(*sch);
        *sch = NULL;
        return err_set(err, TSR_IO, "%s: the schema has %lld value types but the file has %lld "
                       "columns", path, (long long)n, (long long)cols);
    }
    return TSR_OK;
}

static tsr_status fill_frame(const char *path, FrCsv *c, FrameBlock *f, Err *err)
{
    for (int64_t r = 0; r < c->rows; r++)
        for (int64_t j = 0; j < c->cols; j++) {
            const char *s = c->cells.v[r * c->cols + j];
            tsr_status st;
            if (s && !*s && fr_is_numeric(f->c[j].type)) {
                if (!c->fill)
                    return err_set(err, TSR_IO, "%s: Empty fields found in delimited file. Use "
                                   "\"fill\" option to read delimited files with empty fields "
                                   "(row %lld)", path, (long long)(r + 1));
                fr_set_double(f, r, j, c->def);
                continue;
            }
            st = fr_set_text(f, r, j, s && *s ? s : NULL, err);
            if (st) {
                char msg[ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return err_set(err, TSR_IO, "%s: %s", path, msg);
            }
        }
    for (int64_t j = 0; j < c->names.n && j < c->cols; j++) fr_set_col_name(f, j, c->names.v[j]);
    for (int64_t j = 0; j < c->mv.n; j++)
        if (c->mv.v[j] && *c->mv.v[j]) f->c[j].mv = xstrdup(c->mv.v[j]);
    for (int64_t j = 0; j < c->nd.n; j++)
        if (c->nd.v[j]) f->c[j].ndistinct = strtoll(c->nd.v[j], NULL, 10);
    return TSR_OK;
}

static tsr_status csv_read(const char *path, const IoMeta *m, FrameBlock **out, Err *err)
{
    FrCsv c;
    FrType *sch = NULL;
    memset(&c, 0, sizeof c);
    c.sep = m->sep ? m->sep : ",";
    c.header = m->has_header && m->header;
    c.fill = m->has_fill ? m->fill : 1;
    c.def = m->has_default ? m->default_value : 0.0;
    c.na = m->na_strings;
    c.cols = -1;
    tsr_status st = scan_csv(path, &c, err);
    if (st == TSR_OK && c.cols < 0) c.cols = m->cols >= 0 ? m->cols : 0;
    if (st == TSR_OK) st = io_check_dims(path, "the file", c.rows, c.cols, m, err);
    if (st == TSR_OK) st = read_schema(path, m, c.cols, &sch, err);
    FrameBlock *f = st == TSR_OK ? fr_new(c.rows, c.cols, sch, err) : NULL;
    if (st == TSR_OK && !f) st = err->code;
    if (st == TSR_OK) st = fill_frame(path, &c, f, err);
    free(sch);
    cl_free(&c.names);
    cl_free(&c.cells);
    cl_free(&c.mv);
    cl_free(&c.nd);
    if (st != TSR_OK) fr_free(f);
    else *out = f;
    return st;
}

/* ---- reading text (IJV) ------------------------------------------------------------------------- */

static tsr_status text_read(const char *path, const IoMeta *m, FrameBlock **out, Err *err)
{
    FrType *sch = NULL;
    if (m->rows < 0 || m->cols < 0)
        return err_set(err, TSR_IO, "Missing or incomplete dimension information in read "
                       "statement: %s", path);
    if (read_schema(path, m, m->cols, &sch, err)) return err->code;
    FrameBlock *f = fr_new(m->rows, m->cols, sch, err);
    free(sch);
    if (!f) return err->code;
    LineReader lr;
    tsr_status st = io_lr_open(&lr, path, err);
    int r = 0;
    while (st == TSR_OK && (r = io_lr_next(&lr, err)) > 0) {
        char *p = lr.line, *e1, *e2;
        long long i = strtoll(p, &e1, 10), j = e1 != p ? strtoll(e1, &e2, 10) : 0;
        if (e1 == p || e2 == e1 || (*e2 != ' ' && *e2 != '\t' && *e2 != 0)) {
            const char *s = p;
            size_t n = lr.len;
            trim_span(&s, &n);
            if (n > 0) st = io_err_line(err, &lr, "expected \"i j value\" but found \"%s\"", p);
            continue;
        }
        if (i == 0 && j == 0) continue;
        if (i < 1 || i > f->rows || j < 1 || j > f->cols) {
            st = io_err_line(err, &lr, "cell [%lld,%lld] outside the frame dimensions %lldx%lld",
                             i, j, (long long)f->rows, (long long)f->cols);
            continue;
        }
        if (fr_set_text(f, i - 1, j - 1, *e2 ? e2 + 1 : "", err) != TSR_OK)
            st = io_err_line(err, &lr, "%s", "invalid value for the column type");
    }
    if (st == TSR_OK && r < 0) st = TSR_IO;
    io_lr_close(&lr);
    if (st != TSR_OK) fr_free(f);
    else *out = f;
    return st;
}

/* ---- writing ---------------------------------------------------------------------------------------- */

static void put_cell(FILE *f, const char *s, const char *sep)
{
    if (!strstr(s, sep) && !strchr(s, '"') && !strchr(s, '\n') && !strchr(s, '\r')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int has_col_meta(const FrameBlock *fb)
{
    for (int64_t j = 0; j < fb->cols; j++)
        if (fb->c[j].mv || fb->c[j].ndistinct) return 1;
    return 0;
}

static void put_meta_lines(FILE *f, const FrameBlock *fb, const char *sep)
{
    fputs(META_MV, f);
    for (int64_t j = 0; j < fb->cols; j++) {
        fputs(sep, f);
        if (fb->c[j].mv) put_cell(f, fb->c[j].mv, sep);
    }
    fputs("\n" META_ND, f);
    for (int64_t j = 0; j < fb->cols; j++) fprintf(f, "%s%lld", sep, (long long)fb->c[j].ndistinct);
    fputc('\n', f);
}

static tsr_status csv_write(const char *path, const FrameBlock *fb, const IoMeta *m, Err *err)
{
    const char *sep = m->sep ? m->sep : ",";
    char buf[FR_CELLBUF];
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    if (m->has_header && m->header) {
        for (int64_t j = 0; j < fb->cols; j++) {
            if (j) fputs(sep, f);
            put_cell(f, fr_col_name(fb, j, buf), sep);
        }
        fputc('\n', f);
        if (has_col_meta(fb)) put_meta_lines(f, fb, sep);
    }
    for (int64_t r = 0; r < fb->rows; r++) {
        for (int64_t j = 0; j < fb->cols; j++) {
            const char *s = fr_cell_text(fb, r, j, buf);
            if (j) fputs(sep, f);
            if (s) put_cell(f, s, sep);
        }
        fputc('\n', f);
    }
    return io_wclose(f, path, err);
}

static tsr_status text_write(const char *path, const FrameBlock *fb, Err *err)
{
    char buf[FR_CELLBUF];
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    int any = 0;
    for (int64_t r = 0; r < fb->rows; r++)
        for (int64_t j = 0; j < fb->cols; j++) {
            const char *s = fr_cell_text(fb, r, j, buf);
            if (!s) continue;
            fprintf(f, "%lld %lld %s\n", (long long)(r + 1), (long long)(j + 1), s);
            any = 1;
        }
    if (!any) fputs("0 0 0\n", f);
    return io_wclose(f, path, err);
}

/* ---- entry points ------------------------------------------------------------------------------------- */

tsr_status io_read_frame(const char *path, const IoMeta *opt, FrameBlock **out, Err *err)
{
    *out = NULL;
    IoMeta m;
    tsr_status st = io_read_prepare(path, opt, &m, err);
    if (st == TSR_OK) {
        if (m.format == IO_FMT_CSV) st = csv_read(path, &m, out, err);
        else if (m.format == IO_FMT_TEXT || m.format == IO_FMT_UNKNOWN)
            st = text_read(path, &m, out, err);
        else
            st = err_set(err, TSR_IO, "%s: reading frames in format %s is not supported", path,
                         io_format_name(m.format));
    }
    io_meta_free(&m);
    return st;
}

/* Comma-separated schema names of a frame (owned). */
static char *schema_string(const FrameBlock *fb)
{
    StrBuf s;
    sb_init(&s);
    for (int64_t j = 0; j < fb->cols; j++)
        sb_printf(&s, "%s%s", j ? "," : "", fr_type_name(fb->c[j].type));
    return s.s ? sb_take(&s) : xstrdup("");
}

tsr_status io_write_frame(const char *path, const FrameBlock *fb, const IoMeta *opt, Err *err)
{
    if (!path || !*path) return err_set(err, TSR_IO, "write: empty file name");
    IoMeta m;
    if (opt) io_meta_copy(&m, opt);
    else io_meta_init(&m);
    if (m.format == IO_FMT_UNKNOWN) m.format = IO_FMT_TEXT;
    tsr_status st;
    if (m.format == IO_FMT_CSV) st = csv_write(path, fb, &m, err);
    else if (m.format == IO_FMT_TEXT) st = text_write(path, fb, err);
    else st = err_set(err, TSR_IO, "writing frames in format %s is not supported",
                      io_format_name(m.format));
    if (st == TSR_OK) {
        m.data_type = DT_FRAME;
        m.value_type = VT_STRING;
        free(m.schema);
        m.schema = schema_string(fb);
        m.rows = fb->rows;
        m.cols = fb->cols;
        m.nnz = -1;
        st = io_meta_write(path, &m, err);
    }
    io_meta_free(&m);
    return st;
}
