/*
 * transform.c - transformencode, transformapply and transformdecode over
 * frames (DML.md 7.12): recode, dummycode, bin (equi-width, equi-height),
 * impute (global_mean, global_mode, constant), omit and pass-through.
 *
 * Spec.  A JSON object; keys and word-like values may be unquoted ({ids:
 * true, bin: [{id: 1, method: equi-width}]}, as SystemDS's lenient JSON
 * reader allows) and trailing commas are accepted: spec_normalize() quotes
 * bare words and single-quoted strings and drops trailing commas before
 * cJSON parses the text.
 * Columns are addressed by 1-based position (a number, or {id: k}) or by
 * name (a string, or {name: "x"}); `ids` only documents which one a script
 * uses, both forms are accepted either way.  Keys: recode: [cols],
 * dummycode: [cols] (a dummycoded column that is not binned is recoded
 * too), bin: [{id|name, method: "equi-width"|"equi-height", numbins (10)}],
 * impute: [{id|name, method: "global_mean"|"global_mode"|"constant",
 * value}], omit: [cols].  Other keys are ignored; `hash` is rejected.
 *
 * Encoding (per input column, in column order):
 *  - missing cells are null cells, empty strings and NaN in numeric columns;
 *  - impute replaces missing cells (mean of the parsed values as
 *    Double.toString text, most frequent value with ties to the first seen,
 *    or the constant) before anything else is computed;
 *  - recode: distinct non-missing values (their string form: "1.0" for an
 *    FP64 cell) get codes 1..k in order of first appearance over all rows;
 *    missing cells (and values unseen in transformapply) give NaN;
 *  - bin: boundaries from the parsed non-missing values; equi-width bins
 *    [min + i*w, min + (i+1)*w] with w = (max-min)/numbins; equi-height bin
 *    i ends at the sorted value of rank ceil(n*i/numbins) (the last at max);
 *    a value gets the first bin whose upper bound is >= the value, clamped to
 *    1..numbins (all values equal: bin 1); missing -> NaN;
 *  - dummycode: the code c of the column (recode or bin) becomes k columns
 *    with a 1 at position c; a missing/unknown code gives all zeros;
 *  - pass-through: the value parsed as a double (missing -> NaN; text that
 *    is not a number is an error naming the cell);
 *  - omit: rows with a missing (pre-impute) cell in an omit column are
 *    dropped from X (the recode/bin/impute statistics use all rows).
 *
 * Metadata frame M: ncol(F) STRING columns named like F's columns, and as
 * many rows as the longest column needs.  Recode columns (also when
 * dummycoded) hold "value\u00B7code" in code order; bin columns hold
 * "binMin\u00B7binMax" (Double.toString) per bin; all other cells are null.
 * Column metadata: ndistinct = number of codes or bins; mv = the impute
 * replacement text.  transformapply reads the recode map and bins back from
 * the cells (splitting at the last U+00B7) and the replacement from mv
 * (falling back to the spec's constant).
 *
 * Decoding (output: nrow(X) x ncol(M) STRING frame, names from M): recode
 * codes map back to their values (NaN/unknown -> null); dummycoded blocks
 * decode through the position of their first non-zero cell; bins decode to
 * binMin + (binMax-binMin)/2 + (x - round(x))*(binMax-binMin); pass-through
 * cells become Double.toString of the value.
 */
#include "frame/frame.h"
#include "frame/frame_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MIDDOT "\xC2\xB7"    /* U+00B7, separator of recode/bin metadata entries */
#define DEFAULT_NUMBINS 10

enum { IMP_NONE = 0, IMP_MEAN, IMP_MODE, IMP_CONST };

typedef struct TfCol {
    int recode, dummy, bin, omit, impute;
    int equi_height;
    int64_t numbins;
    char *constant;            /* impute constant text, owned */
    /* built or loaded state */
    HMap map;                  /* recode value -> code (intptr_t) */
    char **keys;               /* keys[c-1] = value of code c (owned) */
    int64_t nkeys, capkeys;
    double *bmin, *bmax;       /* bins */
    int64_t nb;
    char *mv;                  /* impute replacement, owned */
    int64_t width;             /* output columns */
} TfCol;

typedef struct TfSpec {
    int64_t n;
    TfCol *col;
} TfSpec;

/* ---- lenient JSON ------------------------------------------------------------------ */

static int ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$';
}

static int ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c == '-' || c == '.';
}

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

/* Copies a quoted string starting at *p (quote char q) as a JSON string. */
static const char *copy_string(const char *p, char q, StrBuf *out)
{
    sb_putc(out, '"');
    for (p++; *p && *p != q; p++) {
        if (*p == '\\' && p[1]) {
            if (q == '\'' && p[1] == '\'') {
                sb_putc(out, '\'');
            } else {
                sb_putc(out, '\\');
                sb_putc(out, p[1]);
            }
            p++;
        } else if (*p == '"' && q == '\'') {
            sb_puts(out, "\\\"");
        } else {
            sb_putc(out, *p);
        }
    }
    sb_putc(out, '"');
    return *p ? p + 1 : p;
}

/* Quotes bare keys, bare string values (identifier-like words other than
 * true/false/null, e.g. equi-width) and single-quoted strings; drops
 * trailing commas.  Strings are copied verbatim. */
static char *spec_normalize(const char *s)
{
    StrBuf out;
    sb_init(&out);
    const char *p = s;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\'') {
            p = copy_string(p, (char)c, &out);
        } else if (c == ',') {
            const char *q = skip_ws(p + 1);
            if (*q != '}' && *q != ']') sb_putc(&out, ',');
            p++;
        } else if (ident_start(c)) {
            const char *e = p;
            while (*e && ident_char((unsigned char)*e)) e++;
            size_t n = (size_t)(e - p);
            int literal = (n == 4 && (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))) ||
                          (n == 5 && !strncmp(p, "false", 5));
            if (!literal || *skip_ws(e) == ':') {   /* bare key or bare string value */
                sb_putc(&out, '"');
                sb_putn(&out, p, n);
                sb_putc(&out, '"');
            } else {
                sb_putn(&out, p, n);
            }
            p = e;
        } else {
            sb_putc(&out, (char)c);
            p++;
        }
    }
    return out.s ? sb_take(&out) : xstrdup("");
}

cJSON *fr_json_parse(const char *spec)
{
    char *norm = spec_normalize(spec);
    cJSON *root = cJSON_Parse(norm);
    free(norm);
    return root;
}

/* ---- spec ---------------------------------------------------------------------------- */

static void spec_free(TfSpec *sp)
{
    for (int64_t j = 0; j < sp->n; j++) {
        TfCol *c = &sp->col[j];
        hm_free(&c->map);
        for (int64_t k = 0; k < c->nkeys; k++) free(c->keys[k]);
        free(c->keys);
        free(c->bmin);
        free(c->bmax);
        free(c->mv);
        free(c->constant);
    }
    free(sp->col);
    sp->col = NULL;
    sp->n = 0;
}

/* The 0-based column an entry designates: a number (1-based id), a string
 * (name), or an object with "id" or "name". */
static tsr_status resolve_col(const cJSON *it, const FrameBlock *names, const char *key,
                              int64_t *j, Err *err)
{
    char buf[FR_CELLBUF];
    if (cJSON_IsObject(it)) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (!id && !nm)
            return err_set(err, TSR_RUNTIME, "transform spec: an entry of '%s' has neither "
                           "id nor name", key);
        it = id ? id : nm;
    }
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d != floor(d) || d < 1 || d > (double)names->cols) {
            if (d == floor(d) && fabs(d) < 1e15) snprintf(buf, sizeof buf, "%lld", (long long)d);
            else nf_double(buf, sizeof buf, d);
            return err_set(err, TSR_RUNTIME, "transform spec: column id %s in '%s' is out of "
                           "range [1, %lld]", buf, key, (long long)names->cols);
        }
        *j = (int64_t)d - 1;
        return TSR_OK;
    }
    if (!cJSON_IsString(it))
        return err_set(err, TSR_RUNTIME, "transform spec: invalid column reference in '%s'",
                       key);
    for (int64_t k = 0; k < names->cols; k++)
        if (strcmp(fr_col_name(names, k, buf), it->valuestring) == 0) {
            *j = k;
            return TSR_OK;
        }
    return err_set(err, TSR_RUNTIME, "transform spec: column name '%s' in '%s' does not exist",
                   it->valuestring, key);
}

/* Sets the flag at offset `flag` of TfCol for every column listed under key. */
static tsr_status mark_list(const cJSON *root, const char *key, const FrameBlock *names,
                            TfSpec *sp, size_t flag, Err *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key), *it;
    if (!a) return TSR_OK;
    if (!cJSON_IsArray(a))
        return err_set(err, TSR_RUNTIME, "transform spec: '%s' must be a list", key);
    cJSON_ArrayForEach(it, a) {
        int64_t j;
        if (resolve_col(it, names, key, &j, err)) return TSR_RUNTIME;
        *(int *)((char *)&sp->col[j] + flag) = 1;
    }
    return TSR_OK;
}

static const char *obj_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static tsr_status parse_bins(const cJSON *root, const FrameBlock *names, TfSpec *sp, Err *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "bin"), *it;
    if (!a) return TSR_OK;
    if (!cJSON_IsArray(a))
        return err_set(err, TSR_RUNTIME, "transform spec: 'bin' must be a list");
    cJSON_ArrayForEach(it, a) {
        int64_t j;
        if (resolve_col(it, names, "bin", &j, err)) return TSR_RUNTIME;
        TfCol *c = &sp->col[j];
        const char *m = cJSON_IsObject(it) ? obj_str(it, "method") : NULL;
        const cJSON *nb = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "numbins")
                                             : NULL;
        if (m && strcasecmp(m, "equi-width") != 0 && strcasecmp(m, "equi-height") != 0)
            return err_set(err, TSR_RUNTIME, "transform spec: unknown bin method '%s' (valid: "
                           "equi-width, equi-height)", m);
        c->bin = 1;
        c->equi_height = m && strcasecmp(m, "equi-height") == 0;
        c->numbins = cJSON_IsNumber(nb) ? (int64_t)nb->valuedouble
                   : cJSON_IsString(nb) ? strtoll(nb->valuestring, NULL, 10) : DEFAULT_NUMBINS;
        if (c->numbins < 1 || c->numbins > (1 << 24))
            return err_set(err, TSR_RUNTIME, "transform spec: invalid numbins %lld for a bin "
                           "column", (long long)c->numbins);
    }
    return TSR_OK;
}

/* Text of a JSON scalar (impute constants). */
static char *json_scalar_text(const cJSON *v)
{
    char buf[FR_CELLBUF];
    if (cJSON_IsString(v)) return xstrdup(v->valuestring);
    if (cJSON_IsBool(v)) return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15) snprintf(buf, sizeof buf, "%lld", (long long)d);
        else nf_double(buf, sizeof buf, d);
        return xstrdup(buf);
    }
    return NULL;
}

static tsr_status parse_impute(const cJSON *root, const FrameBlock *names, TfSpec *sp, Err *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "impute"), *it;
    if (!a) return TSR_OK;
    if (!cJSON_IsArray(a))
        return err_set(err, TSR_RUNTIME, "transform spec: 'impute' must be a list");
    cJSON_ArrayForEach(it, a) {
        int64_t j;
        if (resolve_col(it, names, "impute", &j, err)) return TSR_RUNTIME;
        TfCol *c = &sp->col[j];
        const char *m = cJSON_IsObject(it) ? obj_str(it, "method") : NULL;
        if (!m) return err_set(err, TSR_RUNTIME, "transform spec: impute entry without method");
        if (!strcmp(m, "global_mean")) c->impute = IMP_MEAN;
        else if (!strcmp(m, "global_mode")) c->impute = IMP_MODE;
        else if (!strcmp(m, "constant")) c->impute = IMP_CONST;
        else
            return err_set(err, TSR_RUNTIME, "transform spec: unknown impute method '%s' "
                           "(valid: global_mean, global_mode, constant)", m);
        if (c->impute == IMP_CONST) {
            free(c->constant);
            c->constant = json_scalar_text(cJSON_GetObjectItemCaseSensitive(it, "value"));
            if (!c->constant)
                return err_set(err, TSR_RUNTIME, "transform spec: impute method constant "
                               "needs a value");
        }
    }
    return TSR_OK;
}

/* Parses spec against the column names of `names` into sp (sp->n columns). */
static tsr_status spec_parse(const char *spec, const FrameBlock *names, TfSpec *sp, Err *err)
{
    sp->n = names->cols;
    sp->col = calloc(names->cols > 0 ? (size_t)names->cols : 1, sizeof *sp->col);
    if (!sp->col) return err_set(err, TSR_NOMEM, "out of memory parsing a transform spec");
    for (int64_t j = 0; j < sp->n; j++) hm_init(&sp->col[j].map);
    cJSON *root = fr_json_parse(spec);
    tsr_status st = TSR_OK;
    if (!root || !cJSON_IsObject(root))
        st = err_set(err, TSR_RUNTIME, "transform spec is not a valid JSON object: %s", spec);
    else if (cJSON_GetObjectItemCaseSensitive(root, "hash"))
        st = err_set(err, TSR_RUNTIME, "transform spec: hash encoding is not supported");
    if (!st) st = mark_list(root, "recode", names, sp, offsetof(TfCol, recode), err);
    if (!st) st = mark_list(root, "dummycode", names, sp, offsetof(TfCol, dummy), err);
    if (!st) st = mark_list(root, "omit", names, sp, offsetof(TfCol, omit), err);
    if (!st) st = parse_bins(root, names, sp, err);
    if (!st) st = parse_impute(root, names, sp, err);
    for (int64_t j = 0; !st && j < sp->n; j++) {
        TfCol *c = &sp->col[j];
        char buf[FR_CELLBUF];
        if (c->recode && c->bin)
            st = err_set(err, TSR_RUNTIME, "transform spec: column %s cannot be both recoded "
                         "and binned", fr_col_name(names, j, buf));
        if (c->dummy && !c->bin) c->recode = 1;
    }
    cJSON_Delete(root);
    if (st) spec_free(sp);
    return st;
}

/* ---- cell access ------------------------------------------------------------------------ */

/* Text of a cell, NULL when missing (null, "", NaN in a numeric column). */
static const char *raw_text(const FrameBlock *in, int64_t r, int64_t j, char *buf)
{
    const char *t = fr_cell_text(in, r, j, buf);
    if (!t || !*t) return NULL;
    if ((in->c[j].type == FR_FP64 || in->c[j].type == FR_FP32) && isnan(in->c[j].d[r]))
        return NULL;
    return t;
}

/* Text of a cell after imputation (NULL: still missing). */
static const char *cell_text(const FrameBlock *in, int64_t r, int64_t j, const TfCol *c,
                             char *buf)
{
    const char *t = raw_text(in, r, j, buf);
    return t ? t : c->mv;
}

/* Numeric value of a cell after imputation (c may be NULL: no imputation):
 * NaN when missing; text that is not a number is an error naming the cell. */
static tsr_status cell_num(const FrameBlock *in, int64_t r, int64_t j, const TfCol *c,
                           double *v, Err *err)
{
    char buf[FR_CELLBUF];
    const char *t = raw_text(in, r, j, buf);
    *v = NAN;
    if (t && in->c[j].type != FR_STRING) {
        fr_cell_double(in, r, j, v);
        return TSR_OK;
    }
    if (!t) t = c ? c->mv : NULL;
    if (!t || nf_parse_double(t, v) == 0) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "transform: cannot convert cell [%lld,%lld] with value "
                   "'%s' of column %s to a number", (long long)(r + 1), (long long)(j + 1), t,
                   fr_col_name(in, j, buf));
}

/* ---- building: impute, recode, bin ---------------------------------------------------------- */

static void recode_add(TfCol *c, const char *key, int64_t code)
{
    if (code > c->capkeys) {
        int64_t cap = c->capkeys ? c->capkeys : 8;
        while (cap < code) cap *= 2;
        c->keys = xrealloc(c->keys, (size_t)cap * sizeof *c->keys);
        memset(c->keys + c->capkeys, 0, (size_t)(cap - c->capkeys) * sizeof *c->keys);
        c->capkeys = cap;
    }
    if (code > c->nkeys) c->nkeys = code;
    free(c->keys[code - 1]);
    c->keys[code - 1] = xstrdup(key);
    hm_put(&c->map, key, (void *)(intptr_t)code);
}

static tsr_status build_impute(const FrameBlock *in, int64_t j, TfCol *c, Err *err)
{
    char buf[FR_CELLBUF];
    if (c->impute == IMP_CONST) {
        c->mv = xstrdup(c->constant);
        return TSR_OK;
    }
    if (c->impute == IMP_MEAN) {
        double sum = 0, comp = 0, v;
        int64_t n = 0;
        for (int64_t r = 0; r < in->rows; r++) {
            if (cell_num(in, r, j, NULL, &v, err)) return TSR_RUNTIME;
            if (isnan(v)) continue;
            double y = v - comp, s = sum + y;   /* Kahan summation, as SystemDS */
            comp = (s - sum) - y;
            sum = s;
            n++;
        }
        if (n > 0) {
            nf_double(buf, sizeof buf, sum / (double)n);
            c->mv = xstrdup(buf);
        }
        return TSR_OK;
    }
    HMap counts;   /* value -> count; ties go to the first value seen */
    hm_init(&counts);
    int64_t best = 0;
    for (int64_t r = 0; r < in->rows; r++) {
        const char *t = raw_text(in, r, j, buf);
        if (!t) continue;
        intptr_t k = (intptr_t)hm_get(&counts, t) + 1;
        hm_put(&counts, t, (void *)k);
        if (k > best) {
            best = k;
            free(c->mv);
            c->mv = xstrdup(t);
        }
    }
    hm_free(&counts);
    return TSR_OK;
}

static void build_recode(const FrameBlock *in, int64_t j, TfCol *c)
{
    char buf[FR_CELLBUF];
    for (int64_t r = 0; r < in->rows; r++) {
        const char *t = cell_text(in, r, j, c, buf);
        if (t && !hm_has(&c->map, t)) recode_add(c, t, c->nkeys + 1);
    }
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static tsr_status build_bins(const FrameBlock *in, int64_t j, TfCol *c, Err *err)
{
    double *v = malloc((size_t)(in->rows > 0 ? in->rows : 1) * sizeof *v);
    c->nb = c->numbins;
    c->bmin = calloc((size_t)c->nb, sizeof *c->bmin);
    c->bmax = calloc((size_t)c->nb, sizeof *c->bmax);
    if (!v || !c->bmin || !c->bmax) {
        free(v);
        return err_set(err, TSR_NOMEM, "out of memory building bins");
    }
    int64_t n = 0;
    for (int64_t r = 0; r < in->rows; r++) {
        double x;
        if (cell_num(in, r, j, c, &x, err)) {
            free(v);
            return TSR_RUNTIME;
        }
        if (!isnan(x)) v[n++] = x;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    double lo = n ? v[0] : NAN, hi = n ? v[n - 1] : NAN, w = (hi - lo) / (double)c->nb;
    for (int64_t i = 0; i < c->nb; i++) {
        if (c->equi_height && n > 0) {
            int64_t rank = (int64_t)ceil((double)n * (double)(i + 1) / (double)c->nb);
            c->bmax[i] = i == c->nb - 1 ? hi : v[(rank < 1 ? 1 : rank > n ? n : rank) - 1];
            c->bmin[i] = i == 0 ? lo : c->bmax[i - 1];
        } else {
            c->bmin[i] = lo + (double)i * w;
            c->bmax[i] = lo + (double)(i + 1) * w;
        }
    }
    free(v);
    return TSR_OK;
}

/* Bin of value x: first bin whose upper bound is >= x, clamped. */
static double bin_code(const TfCol *c, double x)
{
    if (isnan(x) || c->nb == 0) return NAN;
    if (c->bmax[c->nb - 1] == c->bmin[0]) return 1;
    int64_t lo = 0, hi = c->nb;   /* lower bound over bmax */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (c->bmax[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return (double)(lo >= c->nb ? c->nb : lo + 1);
}

/* ---- loading state from a metadata frame ------------------------------------------------------ */

/* Splits "value·code" at the last U+00B7: *vlen = length of the value part,
 * *rest = the text after the separator; -1 without separator. */
static int split_entry(const char *s, size_t *vlen, const char **rest)
{
    const char *last = NULL;
    for (const char *p = strstr(s, MIDDOT); p; p = strstr(p + 1, MIDDOT)) last = p;
    if (!last) return -1;
    *vlen = (size_t)(last - s);
    *rest = last + 2;
    return 0;
}

static tsr_status meta_error(const FrameBlock *meta, int64_t r, int64_t j, const char *s,
                             Err *err)
{
    char buf[FR_CELLBUF];
    return err_set(err, TSR_RUNTIME, "transform: invalid metadata entry '%s' in row %lld of "
                   "column %s", s, (long long)(r + 1), fr_col_name(meta, j, buf));
}

static tsr_status load_recode(const FrameBlock *meta, int64_t j, TfCol *c, Err *err)
{
    char buf[FR_CELLBUF];
    for (int64_t r = 0; r < meta->rows; r++) {
        const char *s = fr_cell_text(meta, r, j, buf), *rest;
        size_t vlen;
        int64_t code;
        if (!s) continue;
        if (split_entry(s, &vlen, &rest) || nf_parse_long(rest, &code) || code < 1 ||
            code > meta->rows * 4 + 16)
            return meta_error(meta, r, j, s, err);
        char *key = xstrndup(s, vlen);
        recode_add(c, key, code);
        free(key);
    }
    return TSR_OK;
}

static tsr_status load_bins(const FrameBlock *meta, int64_t j, TfCol *c, Err *err)
{
    char buf[FR_CELLBUF];
    int64_t n = 0;
    for (int64_t r = 0; r < meta->rows; r++) n += !fr_is_null(meta, r, j);
    c->nb = n;
    c->bmin = calloc((size_t)(n > 0 ? n : 1), sizeof *c->bmin);
    c->bmax = calloc((size_t)(n > 0 ? n : 1), sizeof *c->bmax);
    if (!c->bmin || !c->bmax) return err_set(err, TSR_NOMEM, "out of memory loading bins");
    for (int64_t r = 0, i = 0; r < meta->rows; r++) {
        const char *s = fr_cell_text(meta, r, j, buf), *rest;
        size_t vlen;
        if (!s) continue;
        char *lo = split_entry(s, &vlen, &rest) == 0 ? xstrndup(s, vlen) : NULL;
        int bad = !lo || nf_parse_double(lo, &c->bmin[i]) || nf_parse_double(rest, &c->bmax[i]);
        free(lo);
        if (bad) return meta_error(meta, r, j, s, err);
        i++;
    }
    return TSR_OK;
}

static tsr_status load_state(const FrameBlock *meta, TfSpec *sp, Err *err)
{
    for (int64_t j = 0; j < sp->n; j++) {
        TfCol *c = &sp->col[j];
        tsr_status st = TSR_OK;
        if (c->recode) st = load_recode(meta, j, c, err);
        else if (c->bin) st = load_bins(meta, j, c, err);
        if (st) return st;
        if (c->impute) c->mv = meta->c[j].mv ? xstrdup(meta->c[j].mv)
                             : c->constant ? xstrdup(c->constant) : NULL;
        c->width = c->dummy ? (c->recode ? c->nkeys : c->nb) : 1;
    }
    return TSR_OK;
}

/* ---- applying ------------------------------------------------------------------------------------ */

/* Code (or value) of one input cell for column c. */
static tsr_status encode_cell(const FrameBlock *in, int64_t r, int64_t j, const TfCol *c,
                              double *out, Err *err)
{
    char buf[FR_CELLBUF];
    if (c->recode) {
        const char *t = cell_text(in, r, j, c, buf);
        intptr_t code = t ? (intptr_t)hm_get(&c->map, t) : 0;
        *out = code > 0 ? (double)code : NAN;
        return TSR_OK;
    }
    if (cell_num(in, r, j, c, out, err)) return TSR_RUNTIME;
    if (c->bin) *out = bin_code(c, *out);
    return TSR_OK;
}

static int row_omitted(const FrameBlock *in, int64_t r, const TfSpec *sp)
{
    char buf[FR_CELLBUF];
    for (int64_t j = 0; j < sp->n; j++)
        if (sp->col[j].omit && !raw_text(in, r, j, buf)) return 1;
    return 0;
}

static tsr_status apply_all(const FrameBlock *in, const TfSpec *sp, MatBlock **x, Err *err)
{
    int64_t width = 0, rows = 0;
    *x = NULL;
    for (int64_t j = 0; j < sp->n; j++) width += sp->col[j].width;
    for (int64_t r = 0; r < in->rows; r++) rows += !row_omitted(in, r, sp);
    MatBlock *m = mb_new(rows, width, err);
    if (!m) return err->code;
    for (int64_t r = 0, o = 0; r < in->rows; r++) {
        if (row_omitted(in, r, sp)) continue;
        for (int64_t j = 0, off = 0; j < sp->n; off += sp->col[j].width, j++) {
            const TfCol *c = &sp->col[j];
            double v;
            if (encode_cell(in, r, j, c, &v, err)) {
                mb_free(m);
                return TSR_RUNTIME;
            }
            if (!c->dummy) mb_set(m, o, off, v);
            else if (!isnan(v) && v >= 1 && v <= (double)c->width)
                mb_set(m, o, off + (int64_t)v - 1, 1.0);
        }
        o++;
    }
    *x = m;
    return TSR_OK;
}

/* ---- metadata frame ---------------------------------------------------------------------------- */

static tsr_status build_meta(const FrameBlock *in, const TfSpec *sp, FrameBlock **meta, Err *err)
{
    char buf[FR_CELLBUF], a[FR_CELLBUF], b[FR_CELLBUF];
    int64_t rows = 0;
    for (int64_t j = 0; j < sp->n; j++) {
        const TfCol *c = &sp->col[j];
        int64_t n = c->recode ? c->nkeys : c->bin ? c->nb : 0;
        if (n > rows) rows = n;
    }
    FrameBlock *m = fr_new(rows, in->cols, NULL, err);
    *meta = NULL;
    if (!m) return err->code;
    StrBuf s;
    sb_init(&s);
    for (int64_t j = 0; j < sp->n; j++) {
        const TfCol *c = &sp->col[j];
        fr_set_col_name(m, j, fr_col_name(in, j, buf));
        m->c[j].mv = c->mv ? xstrdup(c->mv) : NULL;
        m->c[j].ndistinct = c->recode ? c->nkeys : c->bin ? c->nb : 0;
        for (int64_t k = 0; c->recode && k < c->nkeys; k++) {
            sb_clear(&s);
            sb_printf(&s, "%s" MIDDOT "%lld", c->keys[k], (long long)(k + 1));
            m->c[j].s[k] = xstrdup(s.s);
        }
        for (int64_t k = 0; c->bin && k < c->nb; k++) {
            nf_double(a, sizeof a, c->bmin[k]);
            nf_double(b, sizeof b, c->bmax[k]);
            sb_clear(&s);
            sb_printf(&s, "%s" MIDDOT "%s", a, b);
            m->c[j].s[k] = xstrdup(s.s);
        }
    }
    sb_free(&s);
    *meta = m;
    return TSR_OK;
}

/* ---- entry points ----------------------------------------------------------------------------------- */

tsr_status fr_transform_encode(const FrameBlock *in, const char *spec, MatBlock **x,
                               FrameBlock **meta, Err *err)
{
    TfSpec sp;
    *x = NULL;
    *meta = NULL;
    if (spec_parse(spec, in, &sp, err)) return TSR_RUNTIME;
    tsr_status st = TSR_OK;
    for (int64_t j = 0; !st && j < sp.n; j++)
        if (sp.col[j].impute) st = build_impute(in, j, &sp.col[j], err);
    for (int64_t j = 0; !st && j < sp.n; j++) {
        TfCol *c = &sp.col[j];
        if (c->recode) build_recode(in, j, c);
        else if (c->bin) st = build_bins(in, j, c, err);
        c->width = c->dummy ? (c->recode ? c->nkeys : c->nb) : 1;
    }
    if (!st) st = apply_all(in, &sp, x, err);
    if (!st) st = build_meta(in, &sp, meta, err);
    if (st) {
        mb_free(*x);
        *x = NULL;
    }
    spec_free(&sp);
    return st;
}

tsr_status fr_transform_apply(const FrameBlock *in, const char *spec, const FrameBlock *meta,
                              MatBlock **x, Err *err)
{
    TfSpec sp;
    *x = NULL;
    if (meta->cols != in->cols)
        return err_set(err, TSR_RUNTIME, "transformapply: the metadata frame has %lld columns "
                       "but the input frame has %lld", (long long)meta->cols,
                       (long long)in->cols);
    if (spec_parse(spec, in, &sp, err)) return TSR_RUNTIME;
    tsr_status st = load_state(meta, &sp, err);
    if (!st) st = apply_all(in, &sp, x, err);
    spec_free(&sp);
    return st;
}

/* Decoded text of column j of row r into s (cleared); 0 = null. */
static int decode_cell(const MatBlock *x, int64_t r, int64_t off, const TfCol *c, StrBuf *s)
{
    char buf[FR_CELLBUF];
    double v;
    sb_clear(s);
    if (c->dummy) {
        v = NAN;
        for (int64_t k = 0; k < c->width; k++)
            if (mb_get(x, r, off + k) != 0.0) {
                v = (double)(k + 1);
                break;
            }
    } else {
        v = mb_get(x, r, off);
    }
    if (c->recode) {
        double code = round(v);
        if (isnan(v) || code < 1 || code > (double)c->nkeys || !c->keys[(int64_t)code - 1])
            return 0;
        sb_puts(s, c->keys[(int64_t)code - 1]);
        return 1;
    }
    if (c->bin && !isnan(v) && c->nb > 0) {
        double key = round(v);
        int64_t k = key < 1 ? 1 : key > (double)c->nb ? c->nb : (int64_t)key;
        double lo = c->bmin[k - 1], hi = c->bmax[k - 1];
        v = lo + (hi - lo) / 2 + (v - key) * (hi - lo);
    }
    nf_double(buf, sizeof buf, v);
    sb_puts(s, buf);
    return 1;
}

tsr_status fr_transform_decode(const MatBlock *x, const char *spec, const FrameBlock *meta,
                               FrameBlock **out, Err *err)
{
    TfSpec sp;
    char buf[FR_CELLBUF];
    *out = NULL;
    if (spec_parse(spec, meta, &sp, err)) return TSR_RUNTIME;
    tsr_status st = load_state(meta, &sp, err);
    int64_t width = 0;
    for (int64_t j = 0; j < sp.n; j++) width += sp.col[j].width;
    if (!st && width != x->cols)
        st = err_set(err, TSR_RUNTIME, "transformdecode: the matrix has %lld columns but the "
                     "spec and metadata describe %lld", (long long)x->cols, (long long)width);
    FrameBlock *f = st ? NULL : fr_new(x->rows, meta->cols, NULL, err);
    if (!st && !f) st = err->code;
    StrBuf s;
    sb_init(&s);
    for (int64_t j = 0, off = 0; !st && j < sp.n; off += sp.col[j].width, j++) {
        fr_set_col_name(f, j, fr_col_name(meta, j, buf));
        for (int64_t r = 0; r < x->rows; r++)
            if (decode_cell(x, r, off, &sp.col[j], &s)) f->c[j].s[r] = xstrdup(s.s ? s.s : "");
    }
    sb_free(&s);
    spec_free(&sp);
    if (st) fr_free(f);
    else *out = f;
    return st;
}
