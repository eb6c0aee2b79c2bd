/*
 * frame_ops.c - whole-frame operations: casts between frames and matrices
 * (as.matrix, as.frame), removeEmpty and replace on frames, detectSchema and
 * the name/schema frames of colnames() and typeof() (DML.md 2.5, 7.2, 7.8,
 * 7.12).
 *
 * Cell-level access and structural operations (slice, bind, toString) are in
 * frame.c; nothing here knows about the interpreter.
 */
#include "frame/frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- frames and matrices ----------------------------------------------------------- */

tsr_status fr_to_matrix(const FrameBlock *f, MatBlock **out, Err *err)
{
    char buf[FR_CELLBUF];
    *out = NULL;
    MatBlock *m = mb_new(f->rows, f->cols, err);
    if (!m) return err->code;
    for (int64_t r = 0; r < f->rows; r++)
        for (int64_t j = 0; j < f->cols; j++) {
            double v;
            if (fr_cell_double(f, r, j, &v) != 0) {
                mb_free(m);
                return err_set(err, TSR_RUNTIME, "Cannot convert frame cell [%lld,%lld] with "
                               "value '%s' to a double", (long long)(r + 1), (long long)(j + 1),
                               fr_cell_text(f, r, j, buf));
            }
            mb_set(m, r, j, v);
        }
    *out = m;
    return TSR_OK;
}

tsr_status fr_from_matrix(const MatBlock *m, FrameBlock **out, Err *err)
{
    FrType *sch = calloc((size_t)(m->cols > 0 ? m->cols : 1), sizeof *sch);
    *out = NULL;
    if (!sch) return err_set(err, TSR_NOMEM, "out of memory in as.frame");
    for (int64_t j = 0; j < m->cols; j++) sch[j] = FR_FP64;
    FrameBlock *f = fr_new(m->rows, m->cols, sch, err);
    free(sch);
    if (!f) return err->code;
    double *row = malloc((size_t)(m->cols > 0 ? m->cols : 1) * sizeof *row);
    if (!row) {
        fr_free(f);
        return err_set(err, TSR_NOMEM, "out of memory in as.frame");
    }
    for (int64_t r = 0; r < m->rows; r++) {
        mb_read_row(m, r, row);
        for (int64_t j = 0; j < m->cols; j++) f->c[j].d[r] = row[j];
    }
    free(row);
    *out = f;
    return TSR_OK;
}

/* ---- removeEmpty --------------------------------------------------------------------- */

/* SystemDS Array.findEmpty: null, "", numeric 0 and FALSE are empty. */
static int cell_empty(const FrameBlock *f, int64_t r, int64_t j)
{
    const FrColumn *c = &f->c[j];
    if (fr_is_null(f, r, j)) return 1;
    if (c->type == FR_STRING) return c->s[r][0] == 0;
    if (c->i) return c->i[r] == 0;
    return c->d[r] == 0.0;
}

/* keep[k] for each row (by_rows) or column; returns the number kept. */
static int64_t select_kept(const FrameBlock *f, int by_rows, const MatBlock *sel, uint8_t *keep)
{
    int64_t n = by_rows ? f->rows : f->cols, kept = 0;
    for (int64_t k = 0; k < n; k++) {
        int any = 0;
        if (sel) {
            any = mb_get(sel, sel->rows == 1 ? 0 : k, sel->rows == 1 ? k : 0) != 0.0;
        } else {
            int64_t m = by_rows ? f->cols : f->rows;
            for (int64_t t = 0; t < m && !any; t++)
                any = by_rows ? !cell_empty(f, k, t) : !cell_empty(f, t, k);
        }
        keep[k] = (uint8_t)any;
        kept += any;
    }
    return kept;
}

/* The kept rows (columns) of f. */
static tsr_status gather(const FrameBlock *f, int by_rows, const uint8_t *keep, int64_t kept,
                         FrameBlock **out, Err *err)
{
    int64_t n = by_rows ? f->rows : f->cols, other = by_rows ? f->cols : f->rows;
    int64_t *idx = malloc((size_t)(kept > 0 ? kept : 1) * sizeof *idx);
    int64_t *all = malloc((size_t)(other > 0 ? other : 1) * sizeof *all);
    tsr_status st;
    *out = NULL;
    if (!idx || !all) {
        st = err_set(err, TSR_NOMEM, "out of memory in removeEmpty");
    } else {
        for (int64_t k = 0, t = 0; k < n; k++)
            if (keep[k]) idx[t++] = k;
        for (int64_t k = 0; k < other; k++) all[k] = k;
        st = by_rows ? fr_select(f, idx, kept, all, other, out, err)
                     : fr_select(f, all, other, idx, kept, out, err);
    }
    free(idx);
    free(all);
    return st;
}

/* One all-empty row (column) shaped like f. */
static tsr_status empty_result(const FrameBlock *f, int by_rows, int empty_return,
                               FrameBlock **out, Err *err)
{
    int64_t nr = by_rows ? (empty_return ? 1 : 0) : f->rows;
    int64_t nc = by_rows ? f->cols : (empty_return ? 1 : 0);
    FrType *sch = calloc((size_t)(nc > 0 ? nc : 1), sizeof *sch);
    if (!sch) return err_set(err, TSR_NOMEM, "out of memory in removeEmpty");
    for (int64_t j = 0; j < nc; j++) sch[j] = by_rows ? f->c[j].type : FR_STRING;
    *out = fr_new(nr, nc, sch, err);
    free(sch);
    if (!*out) return err->code;
    for (int64_t j = 0; by_rows && j < nc; j++) fr_set_col_name(*out, j, f->c[j].name);
    return TSR_OK;
}

tsr_status fr_remove_empty(const FrameBlock *f, int by_rows, const MatBlock *select,
                           int empty_return, FrameBlock **out, Err *err)
{
    int64_t n = by_rows ? f->rows : f->cols;
    *out = NULL;
    if (select && (select->rows * select->cols != n || (select->rows != 1 && select->cols != 1)))
        return err_set(err, TSR_RUNTIME, "removeEmpty: the select vector has %lldx%lld cells "
                       "but the frame has %lld %s", (long long)select->rows,
                       (long long)select->cols, (long long)n, by_rows ? "rows" : "columns");
    uint8_t *keep = malloc((size_t)(n > 0 ? n : 1));
    if (!keep) return err_set(err, TSR_NOMEM, "out of memory in removeEmpty");
    int64_t kept = select_kept(f, by_rows, select, keep);
    tsr_status st = kept == 0 ? empty_result(f, by_rows, empty_return, out, err)
                              : gather(f, by_rows, keep, kept, out, err);
    free(keep);
    return st;
}

/* ---- replace ---------------------------------------------------------------------------- */

tsr_status fr_replace(const FrameBlock *f, const char *pattern, const char *replacement,
                      FrameBlock **out, Err *err)
{
    double pv, v;
    int pnum = nf_parse_double(pattern, &pv) == 0;
    char buf[FR_CELLBUF];
    FrameBlock *o = fr_copy(f, err);
    *out = NULL;
    if (!o) return err->code;
    for (int64_t j = 0; j < f->cols; j++)
        for (int64_t r = 0; r < f->rows; r++) {
            int hit;
            if (f->c[j].type == FR_STRING) {
                const char *s = fr_cell_text(f, r, j, buf);
                hit = s && strcmp(s, pattern) == 0;
            } else if (f->c[j].type == FR_BOOLEAN && !pnum) {
                const char *s = fr_cell_text(f, r, j, buf);
                hit = s && strcasecmp(s, pattern) == 0;
            } else {
                fr_cell_double(f, r, j, &v);
                hit = pnum && (v == pv || (isnan(v) && isnan(pv)));
            }
            if (!hit) continue;
            tsr_status st = fr_set_text(o, r, j, replacement, err);
            if (st) {
                fr_free(o);
                return st;
            }
        }
    *out = o;
    return TSR_OK;
}

/* ---- detectSchema, colnames, typeof ------------------------------------------------------- */

/* Narrowest type level of one string: 0 BOOLEAN, 1 INT32, 2 INT64, 3 FP64,
 * 4 STRING. */
static int text_level(const char *s)
{
    int64_t i;
    double d;
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) return 0;
    if (nf_parse_long(s, &i) == 0) return i >= INT32_MIN && i <= INT32_MAX ? 1 : 2;
    if (nf_parse_double(s, &d) == 0) return 3;
    return 4;
}

static FrType detect_column(const FrameBlock *f, int64_t j)
{
    static const FrType level_type[5] = {FR_BOOLEAN, FR_INT32, FR_INT64, FR_FP64, FR_STRING};
    if (f->c[j].type != FR_STRING) return f->c[j].type;
    int level = -1;
    for (int64_t r = 0; r < f->rows && level < 4; r++) {
        const char *s = f->c[j].s[r];
        if (!s || !*s) continue;   /* null and empty cells say nothing */
        int l = text_level(s);
        if (l > level) level = l;
    }
    return level < 0 ? FR_STRING : level_type[level];
}

/* 1 x ncol STRING frame whose cells are name(f, j); names of f kept. */
static tsr_status row_frame(const FrameBlock *f, int what, FrameBlock **out, Err *err)
{
    char buf[FR_CELLBUF];
    *out = fr_new(1, f->cols, NULL, err);
    if (!*out) return err->code;
    for (int64_t j = 0; j < f->cols; j++) {
        const char *s = what == 0 ? fr_col_name(f, j, buf)
                      : what == 1 ? fr_type_name(f->c[j].type)
                                  : fr_type_name(detect_column(f, j));
        (*out)->c[j].s[0] = xstrdup(s);
        if (what != 0) fr_set_col_name(*out, j, f->c[j].name);
    }
    return TSR_OK;
}

tsr_status fr_detect_schema(const FrameBlock *f, FrameBlock **out, Err *err)
{
    return row_frame(f, 2, out, err);
}

tsr_status fr_names_frame(const FrameBlock *f, int schema, FrameBlock **out, Err *err)
{
    return row_frame(f, schema ? 1 : 0, out, err);
}
