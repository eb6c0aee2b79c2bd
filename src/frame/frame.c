/*
 * frame.c - frame blocks: schema names, allocation and copying, typed cell
 * access with the Java string forms SystemDS uses, slicing, left indexing,
 * cbind/rbind and the frame toString (DML.md 2.5, 6.2, 7.8).
 *
 * Conversions between frames and matrices, removeEmpty, replace and
 * detectSchema are in frame_ops.c; the transform encoders in transform.c.
 * Files are read and written by the io module (io/frame_csv.c).
 */
#include "frame/frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- schema ------------------------------------------------------------------ */

static const char *const TYPE_NAMES[FR_NTYPES] = {"STRING", "FP64", "FP32",
                                                  "INT64", "INT32", "BOOLEAN"};

const char *fr_type_name(FrType t)
{
    return (unsigned)t < FR_NTYPES ? TYPE_NAMES[t] : "UNKNOWN";
}

int fr_type_parse(const char *s, size_t n, FrType *t)
{
    static const struct { const char *name; FrType t; } alias[] = {
        {"STRING", FR_STRING}, {"STR", FR_STRING}, {"FP64", FR_FP64}, {"DOUBLE", FR_FP64},
        {"FP32", FR_FP32}, {"FLOAT", FR_FP32}, {"INT64", FR_INT64}, {"INT", FR_INT64},
        {"INTEGER", FR_INT64}, {"LONG", FR_INT64}, {"INT32", FR_INT32},
        {"BOOLEAN", FR_BOOLEAN}, {"BOOL", FR_BOOLEAN}};
    for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++)
        if (strlen(alias[k].name) == n && strncasecmp(alias[k].name, s, n) == 0) {
            *t = alias[k].t;
            return 0;
        }
    return -1;
}

int fr_is_numeric(FrType t)
{
    return t != FR_STRING;
}

static int is_int_type(FrType t)
{
    return t == FR_INT64 || t == FR_INT32 || t == FR_BOOLEAN;
}

tsr_status fr_schema_parse(const char *s, FrType **out, int64_t *n, Err *err)
{
    int64_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ',';
    FrType *t = malloc((size_t)cap * sizeof *t);
    if (!t) return err_set(err, TSR_NOMEM, "out of memory parsing a frame schema");
    int64_t k = 0;
    for (const char *p = s;; k++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *a = p;
        while (len > 0 && (unsigned char)*a <= ' ') { a++; len--; }
        while (len > 0 && (unsigned char)a[len - 1] <= ' ') len--;
        if (fr_type_parse(a, len, &t[k]) != 0) {
            free(t);
            return err_set(err, TSR_RUNTIME, "Invalid value type %.*s in frame schema '%s'",
                           (int)len, a, s);
        }
        if (!e) break;
        p = e + 1;
    }
    *out = t;
    *n = k + 1;
    return TSR_OK;
}

/* ---- allocation ----------------------------------------------------------------- */

static void col_free_cells(FrColumn *c, int64_t rows)
{
    if (c->s)
        for (int64_t r = 0; r < rows; r++) free(c->s[r]);
    free(c->s);
    free(c->d);
    free(c->i);
    free(c->na);
    c->s = NULL;
    c->d = NULL;
    c->i = NULL;
    c->na = NULL;
}

/* Allocates the (zeroed) cell array of column c for its type. */
static int col_alloc(FrColumn *c, int64_t rows)
{
    size_t n = rows > 0 ? (size_t)rows : 1;
    if (c->type == FR_STRING) c->s = calloc(n, sizeof *c->s);
    else if (is_int_type(c->type)) c->i = calloc(n, sizeof *c->i);
    else c->d = calloc(n, sizeof *c->d);
    return c->s || c->i || c->d ? 0 : -1;
}

FrameBlock *fr_new(int64_t rows, int64_t cols, const FrType *schema, Err *err)
{
    int64_t cells;
    if (rows < 0 || cols < 0 || mul_overflows_i64(rows, cols, &cells) || cells > FR_MAX_CELLS) {
        err_set(err, TSR_LIMIT, "invalid frame dimensions %lldx%lld", (long long)rows,
                (long long)cols);
        return NULL;
    }
    FrameBlock *f = calloc(1, sizeof *f);
    FrColumn *c = calloc(cols > 0 ? (size_t)cols : 1, sizeof *c);
    if (!f || !c) {
        free(f);
        free(c);
        err_set(err, TSR_NOMEM, "out of memory allocating a %lldx%lld frame", (long long)rows,
                (long long)cols);
        return NULL;
    }
    f->rows = rows;
    f->cols = cols;
    f->c = c;
    for (int64_t j = 0; j < cols; j++) {
        c[j].type = schema ? schema[j] : FR_STRING;
        if (col_alloc(&c[j], rows) != 0) {
            fr_free(f);
            err_set(err, TSR_NOMEM, "out of memory allocating a %lldx%lld frame",
                    (long long)rows, (long long)cols);
            return NULL;
        }
    }
    return f;
}

void fr_free(FrameBlock *f)
{
    if (!f) return;
    for (int64_t j = 0; j < f->cols; j++) {
        col_free_cells(&f->c[j], f->rows);
        free(f->c[j].name);
        free(f->c[j].mv);
    }
    free(f->c);
    free(f);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Copies name and metadata of column src into dst (dst's are replaced). */
static void col_copy_meta(FrColumn *dst, const FrColumn *src)
{
    free(dst->name);
    free(dst->mv);
    dst->name = dup_or_null(src->name);
    dst->mv = dup_or_null(src->mv);
    dst->ndistinct = src->ndistinct;
}

FrameBlock *fr_copy(const FrameBlock *f, Err *err)
{
    FrameBlock *c = NULL;
    return fr_slice(f, 0, f->rows - 1, 0, f->cols - 1, &c, err) == TSR_OK ? c : NULL;
}

const char *fr_col_name(const FrameBlock *f, int64_t j, char buf[FR_CELLBUF])
{
    if (f->c[j].name) return f->c[j].name;
    snprintf(buf, FR_CELLBUF, "C%lld", (long long)(j + 1));
    return buf;
}

void fr_set_col_name(FrameBlock *f, int64_t j, const char *name)
{
    free(f->c[j].name);
    f->c[j].name = dup_or_null(name);
}

int fr_has_names(const FrameBlock *f)
{
    for (int64_t j = 0; j < f->cols; j++)
        if (f->c[j].name) return 1;
    return 0;
}

/* ---- cells -------------------------------------------------------------------------- */

int fr_is_null(const FrameBlock *f, int64_t r, int64_t j)
{
    const FrColumn *c = &f->c[j];
    if (c->type == FR_STRING) return c->s[r] == NULL;
    return c->na && c->na[r];
}

const char *fr_cell_text(const FrameBlock *f, int64_t r, int64_t j, char buf[FR_CELLBUF])
{
    const FrColumn *c = &f->c[j];
    if (fr_is_null(f, r, j)) return NULL;
    switch (c->type) {
    case FR_STRING: return c->s[r];
    case FR_BOOLEAN: return c->i[r] ? "true" : "false";
    case FR_INT64:
    case FR_INT32:
        snprintf(buf, FR_CELLBUF, "%lld", (long long)c->i[r]);
        return buf;
    default:
        nf_double(buf, FR_CELLBUF, c->d[r]);
        return buf;
    }
}

int fr_cell_double(const FrameBlock *f, int64_t r, int64_t j, double *out)
{
    const FrColumn *c = &f->c[j];
    *out = NAN;
    if (fr_is_null(f, r, j)) return 0;
    if (c->type == FR_STRING) {
        const char *s = c->s[r];
        const char *p = s;
        while (*p && (unsigned char)*p <= ' ') p++;
        if (!*p) return 0;
        return nf_parse_double(s, out) == 0 ? 0 : -1;
    }
    *out = is_int_type(c->type) ? (double)c->i[r] : c->d[r];
    return 0;
}

static int set_na(FrColumn *c, int64_t rows, int64_t r, int v)
{
    if (!c->na) {
        if (!v) return 0;
        c->na = calloc(rows > 0 ? (size_t)rows : 1, 1);
        if (!c->na) return -1;
    }
    c->na[r] = (uint8_t)(v != 0);
    return 0;
}

void fr_set_null(FrameBlock *f, int64_t r, int64_t j)
{
    FrColumn *c = &f->c[j];
    if (c->type == FR_STRING) {
        free(c->s[r]);
        c->s[r] = NULL;
        return;
    }
    if (is_int_type(c->type)) c->i[r] = 0;
    else c->d[r] = 0;
    (void)set_na(c, f->rows, r, 1);   /* out of memory: the cell stays 0 */
}

/* Double to int64 with truncation toward zero, saturating, NaN -> 0. */
static int64_t trunc_i64(double v)
{
    if (isnan(v)) return 0;
    if (v >= 0x1p63) return INT64_MAX;
    if (v <= -0x1p63) return INT64_MIN;
    return (int64_t)v;
}

void fr_set_double(FrameBlock *f, int64_t r, int64_t j, double v)
{
    FrColumn *c = &f->c[j];
    char buf[FR_CELLBUF];
    switch (c->type) {
    case FR_STRING:
        nf_double(buf, sizeof buf, v);
        free(c->s[r]);
        c->s[r] = xstrdup(buf);
        return;
    case FR_BOOLEAN: c->i[r] = v != 0; break;
    case FR_INT64:
    case FR_INT32: c->i[r] = trunc_i64(v); break;
    default: c->d[r] = v; break;
    }
    set_na(c, f->rows, r, 0);
}

/* Parses text for a boolean column: true/false in any case, else a number. */
static int parse_bool(const char *s, int64_t *out)
{
    double d;
    const char *p = s;
    while (*p && (unsigned char)*p <= ' ') p++;
    size_t n = strlen(p);
    while (n > 0 && (unsigned char)p[n - 1] <= ' ') n--;
    if ((n == 4 && strncasecmp(p, "true", 4) == 0) || (n == 1 && (*p == 't' || *p == 'T'))) {
        *out = 1;
        return 0;
    }
    if ((n == 5 && strncasecmp(p, "false", 5) == 0) || (n == 1 && (*p == 'f' || *p == 'F'))) {
        *out = 0;
        return 0;
    }
    if (nf_parse_double(s, &d) != 0) return -1;
    *out = d != 0;
    return 0;
}

static int is_blank(const char *s)
{
    while (*s && (unsigned char)*s <= ' ') s++;
    return *s == 0;
}

tsr_status fr_set_text(FrameBlock *f, int64_t r, int64_t j, const char *s, Err *err)
{
    FrColumn *c = &f->c[j];
    int64_t iv;
    double d;
    if (!s || (c->type != FR_STRING && is_blank(s))) {
        fr_set_null(f, r, j);
        return TSR_OK;
    }
    int bad = 0;
    switch (c->type) {
    case FR_STRING:
        free(c->s[r]);
        c->s[r] = xstrdup(s);
        return TSR_OK;
    case FR_BOOLEAN:
        bad = parse_bool(s, &iv) != 0;
        if (!bad) c->i[r] = iv;
        break;
    case FR_INT64:
    case FR_INT32:
        if (nf_parse_long(s, &iv) == 0) c->i[r] = iv;
        else if (nf_parse_double(s, &d) == 0) c->i[r] = trunc_i64(d);
        else bad = 1;
        break;
    default:
        bad = nf_parse_double(s, &d) != 0;
        if (!bad) c->d[r] = d;
        break;
    }
    if (bad)
        return err_set(err, TSR_RUNTIME, "Cannot convert '%s' to %s for frame cell [%lld,%lld]",
                       s, fr_type_name(c->type), (long long)(r + 1), (long long)(j + 1));
    if (set_na(c, f->rows, r, 0) != 0) return err_set(err, TSR_NOMEM, "out of memory");
    return TSR_OK;
}

/* Copies cell (sr, sj) of src into (dr, dj) of dst, converting types. */
static tsr_status copy_cell(FrameBlock *dst, int64_t dr, int64_t dj, const FrameBlock *src,
                            int64_t sr, int64_t sj, Err *err)
{
    const FrColumn *s = &src->c[sj];
    FrColumn *d = &dst->c[dj];
    char buf[FR_CELLBUF];
    if (fr_is_null(src, sr, sj)) {
        fr_set_null(dst, dr, dj);
        return TSR_OK;
    }
    if (s->type == d->type || (is_int_type(s->type) && is_int_type(d->type) &&
                               d->type != FR_BOOLEAN)) {
        if (d->type == FR_STRING) {
            free(d->s[dr]);
            d->s[dr] = xstrdup(s->s[sr]);
        } else if (is_int_type(d->type)) {
            d->i[dr] = s->i[sr];
        } else {
            d->d[dr] = s->d[sr];
        }
        if (d->type != FR_STRING && set_na(d, dst->rows, dr, 0) != 0)
            return err_set(err, TSR_NOMEM, "out of memory");
        return TSR_OK;
    }
    if (d->type != FR_STRING && d->type != FR_BOOLEAN && s->type != FR_STRING) {
        fr_set_double(dst, dr, dj, is_int_type(s->type) ? (double)s->i[sr] : s->d[sr]);
        return TSR_OK;
    }
    return fr_set_text(dst, dr, dj, fr_cell_text(src, sr, sj, buf), err);
}

/* ---- slicing and left indexing ------------------------------------------------------------ */

tsr_status fr_select(const FrameBlock *f, const int64_t *rows, int64_t nr, const int64_t *cols,
                     int64_t nc, FrameBlock **out, Err *err)
{
    FrType *sch = calloc((size_t)(nc > 0 ? nc : 1), sizeof *sch);
    *out = NULL;
    if (!sch) return err_set(err, TSR_NOMEM, "out of memory selecting frame cells");
    for (int64_t j = 0; j < nc; j++) sch[j] = f->c[cols[j]].type;
    FrameBlock *o = fr_new(nr, nc, sch, err);
    free(sch);
    if (!o) return err->code;
    for (int64_t j = 0; j < nc; j++) {
        const FrColumn *s = &f->c[cols[j]];
        FrColumn *d = &o->c[j];
        col_copy_meta(d, s);
        for (int64_t r = 0; r < nr; r++) {
            int64_t sr = rows[r];
            if (s->type == FR_STRING) d->s[r] = dup_or_null(s->s[sr]);
            else if (is_int_type(s->type)) d->i[r] = s->i[sr];
            else d->d[r] = s->d[sr];
            if (s->na && s->na[sr] && set_na(d, nr, r, 1) != 0) {
                fr_free(o);
                return err_set(err, TSR_NOMEM, "out of memory selecting frame cells");
            }
        }
    }
    *out = o;
    return TSR_OK;
}

tsr_status fr_slice(const FrameBlock *f, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                    FrameBlock **out, Err *err)
{
    int64_t nr = ru - rl + 1, nc = cu - cl + 1;
    int64_t *ri = malloc((size_t)(nr > 0 ? nr : 1) * sizeof *ri);
    int64_t *ci = malloc((size_t)(nc > 0 ? nc : 1) * sizeof *ci);
    tsr_status st;
    *out = NULL;
    if (!ri || !ci) {
        st = err_set(err, TSR_NOMEM, "out of memory slicing a frame");
    } else {
        for (int64_t r = 0; r < nr; r++) ri[r] = rl + r;
        for (int64_t j = 0; j < nc; j++) ci[j] = cl + j;
        st = fr_select(f, ri, nr, ci, nc, out, err);
    }
    free(ri);
    free(ci);
    return st;
}

tsr_status fr_assign(FrameBlock *dst, int64_t rl, int64_t cl, const FrameBlock *src, Err *err)
{
    for (int64_t j = 0; j < src->cols; j++)
        for (int64_t r = 0; r < src->rows; r++) {
            tsr_status st = copy_cell(dst, rl + r, cl + j, src, r, j, err);
            if (st) return st;
        }
    return TSR_OK;
}

/* ---- cbind / rbind --------------------------------------------------------------------------- */

tsr_status fr_cbind(const FrameBlock *const *in, int n, FrameBlock **out, Err *err)
{
    int64_t cols = 0, named = 0;
    *out = NULL;
    for (int k = 0; k < n; k++) {
        if (in[k]->rows != in[0]->rows)
            return err_set(err, TSR_RUNTIME, "inputs to cbind must have same number of rows: "
                           "input 1 rows: %lld, input %d rows: %lld", (long long)in[0]->rows,
                           k + 1, (long long)in[k]->rows);
        cols += in[k]->cols;
        named |= fr_has_names(in[k]);
    }
    FrType *sch = calloc((size_t)(cols > 0 ? cols : 1), sizeof *sch);
    if (!sch) return err_set(err, TSR_NOMEM, "out of memory in cbind");
    for (int64_t k = 0, j0 = 0; k < n; j0 += in[k]->cols, k++)
        for (int64_t j = 0; j < in[k]->cols; j++) sch[j0 + j] = in[k]->c[j].type;
    FrameBlock *o = fr_new(in[0]->rows, cols, sch, err);
    free(sch);
    if (!o) return err->code;
    int64_t j0 = 0;
    for (int k = 0; k < n; j0 += in[k]->cols, k++) {
        tsr_status st = fr_assign(o, 0, j0, in[k], err);
        if (st) {
            fr_free(o);
            return st;
        }
        for (int64_t j = 0; j < in[k]->cols; j++) {
            char buf[FR_CELLBUF];
            col_copy_meta(&o->c[j0 + j], &in[k]->c[j]);
            if (named) fr_set_col_name(o, j0 + j, fr_col_name(in[k], j, buf));
        }
    }
    *out = o;
    return TSR_OK;
}

tsr_status fr_rbind(const FrameBlock *const *in, int n, FrameBlock **out, Err *err)
{
    int64_t rows = 0, cols = in[0]->cols;
    *out = NULL;
    for (int k = 0; k < n; k++) {
        if (in[k]->cols != cols)
            return err_set(err, TSR_RUNTIME, "inputs to rbind must have same number of columns: "
                           "input 1 columns: %lld, input %d columns: %lld", (long long)cols,
                           k + 1, (long long)in[k]->cols);
        rows += in[k]->rows;
    }
    FrType *sch = calloc((size_t)(cols > 0 ? cols : 1), sizeof *sch);
    if (!sch) return err_set(err, TSR_NOMEM, "out of memory in rbind");
    for (int64_t j = 0; j < cols; j++) {
        sch[j] = in[0]->c[j].type;
        for (int k = 1; k < n; k++)
            if (in[k]->c[j].type != sch[j]) sch[j] = FR_STRING;
    }
    FrameBlock *o = fr_new(rows, cols, sch, err);
    free(sch);
    if (!o) return err->code;
    int64_t r0 = 0;
    for (int k = 0; k < n; r0 += in[k]->rows, k++) {
        tsr_status st = fr_assign(o, r0, 0, in[k], err);
        if (st) {
            fr_free(o);
            return st;
        }
    }
    for (int64_t j = 0; j < cols; j++) col_copy_meta(&o->c[j], &in[0]->c[j]);
    *out = o;
    return TSR_OK;
}

/* ---- toString ---------------------------------------------------------------------------------- */

static int64_t clamp_limit(int64_t limit, int64_t dim)
{
    return limit < 0 || limit > dim ? dim : limit;
}

static void cell_to_string(const FrameBlock *f, int64_t r, int64_t j, int decimal,
                           StrBuf *out)
{
    const FrColumn *c = &f->c[j];
    char buf[FR_CELLBUF];
    if (fr_is_null(f, r, j)) sb_puts(out, "null");
    else if (c->type == FR_FP64 || c->type == FR_FP32) nf_fixed(out, c->d[r], decimal);
    else if (c->type == FR_BOOLEAN) sb_puts(out, c->i[r] ? "TRUE" : "FALSE");
    else sb_puts(out, fr_cell_text(f, r, j, buf));
}

void fr_to_string(const FrameBlock *f, int64_t rows, int64_t cols, int decimal,
                  const char *sep, const char *linesep, StrBuf *out)
{
    int64_t m = clamp_limit(rows, f->rows), n = clamp_limit(cols, f->cols);
    char buf[FR_CELLBUF];
    sb_printf(out, "# FRAME: nrow = %lld, ncol = %lld%s", (long long)f->rows,
              (long long)f->cols, linesep);
    sb_puts(out, "#");
    for (int64_t j = 0; j < n; j++) {
        sb_puts(out, sep);
        sb_puts(out, fr_col_name(f, j, buf));
    }
    sb_puts(out, linesep);
    sb_puts(out, "#");
    for (int64_t j = 0; j < n; j++) {
        sb_puts(out, sep);
        sb_puts(out, fr_type_name(f->c[j].type));
    }
    sb_puts(out, linesep);
    for (int64_t r = 0; r < m; r++) {
        for (int64_t j = 0; j < n; j++) {
            if (j > 0) sb_puts(out, sep);
            cell_to_string(f, r, j, decimal, out);
        }
        sb_puts(out, linesep);
    }
}
