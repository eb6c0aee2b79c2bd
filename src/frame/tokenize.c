/*
 * tokenize.c - the tokenize builtin over frames (DML.md 7.12,
 * SystemDS's Tokenizer): bag-of-words and token n-grams of one text column,
 * one document per input row.
 *
 * Spec (lenient JSON, read with fr_json_parse from transform.c):
 *   algo: "whitespace" (default) splits the cell text at runs of ASCII
 *         whitespace, empty tokens dropped; "ngram" builds TOKEN n-grams of
 *         those whitespace tokens (not character n-grams) for
 *         n = min_gram..max_gram (algo_params: {min_gram: 1, max_gram: 2} by
 *         default; 1 <= min_gram <= max_gram), the words joined by one space,
 *         ordered by n, then by start position.
 *   out:  "count" (default): one row per (document, distinct token): id
 *         columns, token (STRING), count (INT64); tokens in order of first
 *         appearance, or byte-wise sorted with out_params: {sort_alpha: true}.
 *         "position": one row per token: id columns, position (INT64, 1-based),
 *         token (STRING).
 *         "hash": out_params: {num_features: k} (required, >= 1); a token goes
 *         to index floorMod(h, k) + 1 with h Java's String.hashCode (UTF-16
 *         code units); one row per (document, non-zero index): id columns,
 *         index (INT64), count (INT64), indexes ascending.
 *   id_cols: [1-based columns] (or one number) copied with their type and name
 *         in front of every output row (default: none).
 *   tokenize_col: the 1-based text column (required); non-string cells are
 *         tokenized in their string form, null cells have no tokens.
 *   format_wide (false): one row per document instead: "position" gives the
 *         id columns and max_tokens STRING columns (token i in column i, null
 *         past the end; max_tokens <= 100000); "hash" the id columns and k
 *         INT64 count columns;
 *         "count" has no wide form (error).
 * max_tokens (>= 1): only the first max_tokens tokens of each document
 * (after n-gram generation) are used.  Other spec keys are ignored.  Columns
 * other than the id columns get default names.
 *
 * Not supported: algo_params.regex, character n-grams (ngram_type "token"),
 * a wide "count" output, columns named by name.
 */
#include "frame/frame.h"
#include "frame/frame_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { OUT_COUNT, OUT_POSITION, OUT_HASH };

typedef struct TkSpec {
    int ngram;
    int64_t min_gram, max_gram;
    int out;
    int sort_alpha;
    int64_t num_features;
    int64_t *ids;
    int64_t nids;
    int64_t col;           /* 0-based text column */
    int wide;
} TkSpec;

/* One long-format output row: document, number (count/position/index),
 * token (owned, or NULL for hash). */
typedef struct TkRow {
    int64_t doc, num, num2;
    char *tok;
} TkRow;

typedef struct TkList {
    char **v;
    int64_t n, cap;
} TkList;

static tsr_status tk_push(TkList *l, char *s, Err *err)
{
    if (!s) return err_set(err, TSR_NOMEM, "out of memory in tokenize");
    if (l->n == l->cap) {
        int64_t nc = l->cap ? 2 * l->cap : 16;
        char **nv = realloc(l->v, (size_t)nc * sizeof *nv);
        if (!nv) {
            free(s);
            return err_set(err, TSR_NOMEM, "out of memory in tokenize");
        }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return TSR_OK;
}

static void tk_clear(TkList *l)
{
    for (int64_t i = 0; i < l->n; i++) free(l->v[i]);
    l->n = 0;
}

/* ---- spec ------------------------------------------------------------------------------- */

static tsr_status spec_int(const cJSON *o, const char *key, int64_t dflt, int64_t *out, Err *err)
{
    const cJSON *it = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    if (!it) {
        *out = dflt;
        return TSR_OK;
    }
    if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int64_t)it->valuedouble)
        return err_set(err, TSR_RUNTIME, "tokenize spec: '%s' must be an integer", key);
    *out = (int64_t)it->valuedouble;
    return TSR_OK;
}

static tsr_status spec_col(const cJSON *it, const char *key, int64_t ncol, int64_t *j, Err *err)
{
    if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int64_t)it->valuedouble)
        return err_set(err, TSR_RUNTIME, "tokenize spec: '%s' must hold 1-based column numbers",
                       key);
    int64_t k = (int64_t)it->valuedouble;
    if (k < 1 || k > ncol)
        return err_set(err, TSR_RUNTIME, "tokenize spec: column %lld in '%s' is out of range "
                       "[1, %lld]", (long long)k, key, (long long)ncol);
    *j = k - 1;
    return TSR_OK;
}

static tsr_status spec_parse(const cJSON *root, const char *spec, int64_t ncol, TkSpec *sp,
                             Err *err)
{
    if (!root || !cJSON_IsObject(root))
        return err_set(err, TSR_RUNTIME, "tokenize spec is not a valid JSON object: %s", spec);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "algo");
    const char *algo = it ? cJSON_GetStringValue(it) : "whitespace";
    if (!algo || (strcmp(algo, "whitespace") && strcmp(algo, "ngram")))
        return err_set(err, TSR_RUNTIME, "tokenize spec: unknown algo '%s' (valid: whitespace, "
                       "ngram)", algo ? algo : "?");
    sp->ngram = !strcmp(algo, "ngram");
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(root, "algo_params");
    tsr_status st = spec_int(ap, "min_gram", 1, &sp->min_gram, err);
    if (!st) st = spec_int(ap, "max_gram", 2, &sp->max_gram, err);
    if (st) return st;
    if (sp->ngram && (sp->min_gram < 1 || sp->max_gram < sp->min_gram))
        return err_set(err, TSR_RUNTIME, "tokenize spec: invalid n-gram range min_gram=%lld, "
                       "max_gram=%lld", (long long)sp->min_gram, (long long)sp->max_gram);

    it = cJSON_GetObjectItemCaseSensitive(root, "out");
    const char *o = it ? cJSON_GetStringValue(it) : "count";
    if (o && !strcmp(o, "count")) sp->out = OUT_COUNT;
    else if (o && !strcmp(o, "position")) sp->out = OUT_POSITION;
    else if (o && !strcmp(o, "hash")) sp->out = OUT_HASH;
    else
        return err_set(err, TSR_RUNTIME, "tokenize spec: unknown out '%s' (valid: count, "
                       "position, hash)", o ? o : "?");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "out_params");
    it = op ? cJSON_GetObjectItemCaseSensitive(op, "sort_alpha") : NULL;
    sp->sort_alpha = cJSON_IsTrue(it);
    if (sp->out == OUT_HASH) {
        if (!op || !cJSON_GetObjectItemCaseSensitive(op, "num_features"))
            return err_set(err, TSR_RUNTIME, "tokenize spec: out 'hash' needs out_params "
                           "num_features");
        if ((st = spec_int(op, "num_features", 0, &sp->num_features, err))) return st;
        if (sp->num_features < 1 || sp->num_features > INT32_MAX)
            return err_set(err, TSR_RUNTIME, "tokenize spec: invalid num_features %lld",
                           (long long)sp->num_features);
    }

    it = cJSON_GetObjectItemCaseSensitive(root, "tokenize_col");
    if (!it) return err_set(err, TSR_RUNTIME, "tokenize spec: 'tokenize_col' is missing");
    if ((st = spec_col(it, "tokenize_col", ncol, &sp->col, err))) return st;

    it = cJSON_GetObjectItemCaseSensitive(root, "id_cols");
    if (it) {
        int64_t n = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : 1;
        sp->ids = malloc((size_t)(n ? n : 1) * sizeof *sp->ids);
        if (!sp->ids) return err_set(err, TSR_NOMEM, "out of memory in tokenize");
        if (cJSON_IsArray(it)) {
            const cJSON *e;
            cJSON_ArrayForEach(e, it) {
                if ((st = spec_col(e, "id_cols", ncol, &sp->ids[sp->nids], err))) return st;
                sp->nids++;
            }
        } else {
            if ((st = spec_col(it, "id_cols", ncol, &sp->ids[0], err))) return st;
            sp->nids = 1;
        }
    }

    it = cJSON_GetObjectItemCaseSensitive(root, "format_wide");
    if (it && !cJSON_IsBool(it))
        return err_set(err, TSR_RUNTIME, "tokenize spec: 'format_wide' must be true or false");
    sp->wide = cJSON_IsTrue(it);
    if (sp->wide && sp->out == OUT_COUNT)
        return err_set(err, TSR_RUNTIME, "tokenize spec: format_wide is not supported for out "
                       "'count'");
    return TSR_OK;
}

/* ---- tokens ----------------------------------------------------------------------------- */

/* Whitespace tokens of s, then n-grams when requested, truncated to max. */
static tsr_status doc_tokens(const TkSpec *sp, const char *s, int64_t max, TkList *words,
                             TkList *toks, Err *err)
{
    tsr_status st = TSR_OK;
    tk_clear(words);
    tk_clear(toks);
    if (!s) return TSR_OK;
    TkList *dst = sp->ngram ? words : toks;
    for (const char *p = s; *p && !st;) {
        while (*p && isspace((unsigned char)*p)) p++;
        const char *e = p;
        while (*e && !isspace((unsigned char)*e)) e++;
        if (e > p) st = tk_push(dst, xstrndup(p, (size_t)(e - p)), err);
        p = e;
    }
    if (!sp->ngram) {
        while (toks->n > max) free(toks->v[--toks->n]);
        return st;
    }
    for (int64_t n = sp->min_gram; n <= sp->max_gram && !st && toks->n < max; n++)
        for (int64_t i = 0; i + n <= words->n && !st && toks->n < max; i++) {
            StrBuf b;
            sb_init(&b);
            for (int64_t k = 0; k < n; k++) sb_printf(&b, "%s%s", k ? " " : "", words->v[i + k]);
            st = tk_push(toks, sb_take(&b), err);
        }
    return st;
}

/* Java String.hashCode over the UTF-16 code units of a UTF-8 string. */
static int32_t java_hash(const char *s)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c = *p++;
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra) c &= 0x3Fu >> extra;
        for (; extra && (*p & 0xC0) == 0x80; extra--) c = (c << 6) | (*p++ & 0x3F);
        if (c > 0xFFFF) {
            c -= 0x10000;
            h = 31 * h + (0xD800 + (c >> 10));
            h = 31 * h + (0xDC00 + (c & 0x3FF));
        } else {
            h = 31 * h + c;
        }
    }
    return (int32_t)h;
}

static int cmp_tok(const void *a, const void *b)
{
    return strcmp(((const TkRow *)a)->tok, ((const TkRow *)b)->tok);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- output ----------------------------------------------------------------------------- */

typedef struct TkRows {
    TkRow *v;
    int64_t n, cap;
} TkRows;

static tsr_status row_push(TkRows *r, int64_t doc, int64_t num, char *tok, Err *err)
{
    if (r->n == r->cap) {
        int64_t nc = r->cap ? 2 * r->cap : 64;
        TkRow *nv = realloc(r->v, (size_t)nc * sizeof *nv);
        if (!nv) {
            free(tok);
            return err_set(err, TSR_NOMEM, "out of memory in tokenize");
        }
        r->v = nv;
        r->cap = nc;
    }
    r->v[r->n++] = (TkRow){doc, num, 0, tok};
    return TSR_OK;
}

/* Long-format rows of one document (tokens are moved out of toks). */
static tsr_status doc_rows(const TkSpec *sp, int64_t doc, TkList *toks, TkRows *rows, Err *err)
{
    tsr_status st = TSR_OK;
    if (sp->out == OUT_POSITION) {
        for (int64_t i = 0; i < toks->n && !st; i++) {
            st = row_push(rows, doc, i + 1, toks->v[i], err);
            toks->v[i] = NULL;
        }
        toks->n = 0;
        return st;
    }
    if (sp->out == OUT_HASH) {
        int64_t *hidx = malloc((size_t)(toks->n ? toks->n : 1) * sizeof *hidx);
        if (!hidx) return err_set(err, TSR_NOMEM, "out of memory in tokenize");
        for (int64_t i = 0; i < toks->n; i++) {
            int64_t h = java_hash(toks->v[i]) % sp->num_features;
            hidx[i] = (h < 0 ? h + sp->num_features : h) + 1;
        }
        qsort(hidx, (size_t)toks->n, sizeof *hidx, cmp_i64);
        for (int64_t i = 0; i < toks->n && !st;) {
            int64_t k = i;
            while (k < toks->n && hidx[k] == hidx[i]) k++;
            st = row_push(rows, doc, hidx[i], NULL, err);
            if (!st) rows->v[rows->n - 1].num2 = k - i;
            i = k;
        }
        free(hidx);
        return st;
    }
    /* count: distinct tokens in order of first appearance */
    HMap seen;
    hm_init(&seen);
    int64_t first = rows->n;
    for (int64_t i = 0; i < toks->n && !st; i++) {
        intptr_t at = (intptr_t)hm_get(&seen, toks->v[i]);
        if (at) {
            rows->v[at - 1].num++;
            continue;
        }
        hm_put(&seen, toks->v[i], (void *)(intptr_t)(rows->n + 1));
        st = row_push(rows, doc, 1, toks->v[i], err);
        toks->v[i] = NULL;
    }
    hm_free(&seen);
    if (!st && sp->sort_alpha)
        qsort(rows->v + first, (size_t)(rows->n - first), sizeof *rows->v, cmp_tok);
    return st;
}

static void copy_cell(FrameBlock *dst, int64_t r, int64_t j, const FrameBlock *src, int64_t sr,
                      int64_t sj)
{
    const FrColumn *c = &src->c[sj];
    if (fr_is_null(src, sr, sj)) fr_set_null(dst, r, j);
    else if (c->type == FR_STRING) dst->c[j].s[r] = xstrdup(c->s[sr]);
    else if (c->d) dst->c[j].d[r] = c->d[sr];
    else dst->c[j].i[r] = c->i[sr];
}

/* Output frame: id columns, then `extra` columns of the given types. */
static FrameBlock *out_frame(const FrameBlock *in, const TkSpec *sp, int64_t rows,
                             int64_t extra, const FrType *types, FrType fill, Err *err)
{
    int64_t nc = sp->nids + extra;
    if (rows > 0 && nc > FR_MAX_CELLS / rows) {
        err_set(err, TSR_LIMIT, "tokenize: output of %lld x %lld cells is too large",
                (long long)rows, (long long)nc);
        return NULL;
    }
    FrType *schema = malloc((size_t)(nc ? nc : 1) * sizeof *schema);
    if (!schema) {
        err_set(err, TSR_NOMEM, "out of memory in tokenize");
        return NULL;
    }
    for (int64_t j = 0; j < sp->nids; j++) schema[j] = in->c[sp->ids[j]].type;
    for (int64_t j = 0; j < extra; j++) schema[sp->nids + j] = types ? types[j] : fill;
    FrameBlock *f = fr_new(rows, nc, schema, err);
    free(schema);
    if (f)
        for (int64_t j = 0; j < sp->nids; j++)
            if (in->c[sp->ids[j]].name) fr_set_col_name(f, j, in->c[sp->ids[j]].name);
    return f;
}

static tsr_status run(const FrameBlock *in, const TkSpec *sp, int64_t max, FrameBlock **out,
                      Err *err)
{
    TkList words = {0}, toks = {0};
    TkRows rows = {0};
    FrameBlock *f = NULL;
    char buf[FR_CELLBUF];
    tsr_status st = TSR_OK;
    int64_t nk = sp->wide ? (sp->out == OUT_HASH ? sp->num_features : max) : 2;
    if (sp->wide) {
        f = out_frame(in, sp, in->rows, nk, NULL, sp->out == OUT_HASH ? FR_INT64 : FR_STRING,
                      err);
        if (!f) st = err->code;
    }
    for (int64_t r = 0; r < in->rows && !st; r++) {
        st = doc_tokens(sp, fr_cell_text(in, r, sp->col, buf), max, &words, &toks, err);
        if (st) break;
        if (!sp->wide) {
            st = doc_rows(sp, r, &toks, &rows, err);
            continue;
        }
        for (int64_t j = 0; j < sp->nids; j++) copy_cell(f, r, j, in, r, sp->ids[j]);
        for (int64_t i = 0; i < toks.n; i++) {
            if (sp->out == OUT_POSITION) {
                f->c[sp->nids + i].s[r] = toks.v[i];
                toks.v[i] = NULL;
            } else {
                int64_t h = java_hash(toks.v[i]) % sp->num_features;
                f->c[sp->nids + (h < 0 ? h + sp->num_features : h)].i[r]++;
            }
        }
        tk_clear(&toks);
    }
    if (!st && !sp->wide) {
        FrType t[2] = {FR_INT64, FR_INT64};
        if (sp->out == OUT_COUNT) t[0] = FR_STRING;
        if (sp->out == OUT_POSITION) t[1] = FR_STRING;
        f = out_frame(in, sp, rows.n, 2, t, FR_STRING, err);
        if (!f) st = err->code;
        for (int64_t i = 0; i < rows.n && !st; i++) {
            TkRow *w = &rows.v[i];
            int64_t c = sp->nids;
            for (int64_t j = 0; j < sp->nids; j++) copy_cell(f, i, j, in, w->doc, sp->ids[j]);
            if (sp->out == OUT_COUNT) {
                f->c[c].s[i] = w->tok;
                f->c[c + 1].i[i] = w->num;
            } else if (sp->out == OUT_POSITION) {
                f->c[c].i[i] = w->num;
                f->c[c + 1].s[i] = w->tok;
            } else {
                f->c[c].i[i] = w->num;
                f->c[c + 1].i[i] = w->num2;
            }
            w->tok = NULL;
        }
    }
    for (int64_t i = 0; i < rows.n; i++) free(rows.v[i].tok);
    free(rows.v);
    tk_clear(&words);
    tk_clear(&toks);
    free(words.v);
    free(toks.v);
    if (st) {
        fr_free(f);
        return st;
    }
    *out = f;
    return TSR_OK;
}

tsr_status fr_tokenize(const FrameBlock *in, const char *spec, int64_t max_tokens,
                       FrameBlock **out, Err *err)
{
    TkSpec sp;
    memset(&sp, 0, sizeof sp);
    *out = NULL;
    if (max_tokens < 1)
        return err_set(err, TSR_RUNTIME, "tokenize: max_tokens must be at least 1, found %lld",
                       (long long)max_tokens);
    cJSON *root = fr_json_parse(spec);
    tsr_status st = spec_parse(root, spec, in->cols, &sp, err);
    cJSON_Delete(root);
    if (!st && sp.wide && sp.out == OUT_POSITION && max_tokens > 100000)
        st = err_set(err, TSR_LIMIT, "tokenize: format_wide position output needs max_tokens "
                     "<= 100000, found %lld", (long long)max_tokens);
    if (!st) st = run(in, &sp, max_tokens, out, err);
    free(sp.ids);
    return st;
}
