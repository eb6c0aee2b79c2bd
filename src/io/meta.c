/*
 * meta.c - the .mtd metadata file (DML.md 6.6): lenient reading with cJSON
 * and writing in SystemDS's key order, plus IoMeta init/copy/merge.
 *
 * Reading accepts hand-written files: trailing commas before '}' / ']',
 * integers given as numbers or strings, booleans as true/false, "true"/"false"
 * or 0/1.  Unknown keys, `author`, `created`, `dataset`, `indSep` for non
 * libsvm files are ignored.  Values that cannot be right (negative or
 * fractional rows, unknown format names) are errors naming the .mtd file.
 * Not here: checking the metadata against the data file (the readers do).
 */
#include "io/io_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MTD_MAX_BYTES (16 << 20)   /* a metadata file is small; refuse giants */

/* ---- IoMeta basics ----------------------------------------------------------- */

void io_meta_init(IoMeta *m)
{
    memset(m, 0, sizeof *m);
    m->data_type = DT_UNKNOWN;
    m->value_type = VT_UNKNOWN;
    m->format = IO_FMT_UNKNOWN;
    m->rows = m->cols = m->nnz = -1;
    m->rows_in_block = m->cols_in_block = -1;
}

void io_meta_free(IoMeta *m)
{
    free(m->sep);
    free(m->na_strings);
    free(m->description_json);
    free(m->schema);
    free(m->ind_sep);
    io_meta_init(m);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void io_meta_copy(IoMeta *dst, const IoMeta *src)
{
    *dst = *src;
    dst->sep = dup_or_null(src->sep);
    dst->na_strings = dup_or_null(src->na_strings);
    dst->description_json = dup_or_null(src->description_json);
    dst->schema = dup_or_null(src->schema);
    dst->ind_sep = dup_or_null(src->ind_sep);
}

void io_meta_merge(IoMeta *dst, const IoMeta *src)
{
    if (dst->data_type == DT_UNKNOWN) dst->data_type = src->data_type;
    if (dst->value_type == VT_UNKNOWN) dst->value_type = src->value_type;
    if (dst->format == IO_FMT_UNKNOWN) dst->format = src->format;
    if (dst->rows < 0) dst->rows = src->rows;
    if (dst->cols < 0) dst->cols = src->cols;
    if (dst->nnz < 0) dst->nnz = src->nnz;
    if (!dst->has_header && src->has_header) { dst->has_header = 1; dst->header = src->header; }
    if (!dst->has_fill && src->has_fill) { dst->has_fill = 1; dst->fill = src->fill; }
    if (!dst->has_default && src->has_default) {
        dst->has_default = 1;
        dst->default_value = src->default_value;
    }
    if (dst->rows_in_block < 0) dst->rows_in_block = src->rows_in_block;
    if (dst->cols_in_block < 0) dst->cols_in_block = src->cols_in_block;
    if (!dst->sep) dst->sep = dup_or_null(src->sep);
    if (!dst->na_strings) dst->na_strings = dup_or_null(src->na_strings);
    if (!dst->description_json) dst->description_json = dup_or_null(src->description_json);
    if (!dst->schema) dst->schema = dup_or_null(src->schema);
    if (!dst->ind_sep) dst->ind_sep = dup_or_null(src->ind_sep);
    if (!dst->sparse) dst->sparse = src->sparse;
}

/* ---- reading ----------------------------------------------------------------- */

/* Reads a whole small file into *out (NUL-terminated, caller frees).
 * Returns 1, 0 if the file does not exist, -1 on error (err set). */
static int slurp(const char *path, size_t limit, char **out, size_t *len, Err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) return 0;
        err_set(err, TSR_IO, "%s: cannot read metadata file: %s", path, strerror(errno));
        return -1;
    }
    StrBuf b;
    sb_init(&b);
    char chunk[8192];
    size_t n;
    int rc = 1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > limit) {
            err_set(err, TSR_IO, "%s: metadata file larger than %zu bytes", path, limit);
            rc = -1;
            break;
        }
        sb_putn(&b, chunk, n);
    }
    if (rc == 1 && ferror(f)) {
        err_set(err, TSR_IO, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    if (rc < 0) {
        sb_free(&b);
        return -1;
    }
    *len = b.len;
    *out = sb_take(&b);
    return 1;
}

/* Removes commas that are followed (after blanks) by '}' or ']', outside of
 * strings, in place. */
static void strip_trailing_commas(char *s)
{
    char *w = s;
    int in_str = 0;
    for (char *r = s; *r; r++) {
        char c = *r;
        if (in_str) {
            if (c == '\\' && r[1]) { *w++ = c; *w++ = *++r; continue; }
            if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == ',') {
            char *q = r + 1;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
            if (*q == '}' || *q == ']') continue;
        }
        *w++ = c;
    }
    *w = '\0';
}

typedef struct MtdCtx {
    const char *file;   /* "<path>.mtd" for messages */
    Err *err;
} MtdCtx;

static int mtd_fail(const MtdCtx *c, const char *key, const char *what)
{
    err_set(c->err, TSR_IO, "%s: invalid value for \"%s\": %s", c->file, key, what);
    return -1;
}

/* Integer field: a JSON number without fraction or a numeric string. */
static int get_int(const MtdCtx *c, const cJSON *v, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d == floor(d))) return mtd_fail(c, v->string, "not an integer");
        if (fabs(d) >= 9.2e18) return mtd_fail(c, v->string, "out of range");
        *out = (int64_t)d;
        return 0;
    }
    if (cJSON_IsString(v)) {
        int64_t x;
        const char *s = v->valuestring;
        while (*s == ' ') s++;
        if (nf_parse_long(s, &x) == 0) { *out = x; return 0; }
        double d;
        if (nf_parse_double(s, &d) == 0 && d == floor(d) && fabs(d) < 9.2e18) {
            *out = (int64_t)d;
            return 0;
        }
    }
    return mtd_fail(c, v->string, "not an integer");
}

static int get_dim(const MtdCtx *c, const cJSON *v, int64_t *out)
{
    if (get_int(c, v, out)) return -1;
    if (*out < 0) {
        /* SystemDS writes -1 for unknown nnz; negative dims are an error */
        if (strcmp(v->string, "nnz") == 0) { *out = -1; return 0; }
        return mtd_fail(c, v->string, "negative");
    }
    return 0;
}

static int get_bool(const MtdCtx *c, const cJSON *v, int *out)
{
    if (cJSON_IsBool(v)) { *out = cJSON_IsTrue(v); return 0; }
    if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) {
        *out = v->valuedouble != 0;
        return 0;
    }
    if (cJSON_IsString(v)) {
        if (strcasecmp(v->valuestring, "true") == 0) { *out = 1; return 0; }
        if (strcasecmp(v->valuestring, "false") == 0) { *out = 0; return 0; }
    }
    return mtd_fail(c, v->string, "not a boolean");
}

static int get_str(const MtdCtx *c, const cJSON *v, char **out)
{
    if (!cJSON_IsString(v)) return mtd_fail(c, v->string, "not a string");
    free(*out);
    *out = xstrdup(v->valuestring);
    return 0;
}

static int get_double(const MtdCtx *c, const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) { *out = v->valuedouble; return 0; }
    if (cJSON_IsString(v) && nf_parse_double(v->valuestring, out) == 0) return 0;
    return mtd_fail(c, v->string, "not a number");
}

static int parse_data_type(const char *s, DataType *dt)
{
    static const struct { const char *name; DataType dt; } names[] = {
        { "matrix", DT_MATRIX }, { "scalar", DT_SCALAR }, { "frame", DT_FRAME },
        { "list", DT_LIST },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) { *dt = names[i].dt; return 0; }
    return -1;
}

static int parse_value_type(const char *s, ValueType *vt)
{
    static const struct { const char *name; ValueType vt; } names[] = {
        { "double", VT_FP64 }, { "fp64", VT_FP64 }, { "float", VT_FP64 }, { "fp32", VT_FP64 },
        { "int", VT_INT64 }, { "integer", VT_INT64 }, { "int64", VT_INT64 },
        { "int32", VT_INT64 }, { "long", VT_INT64 }, { "boolean", VT_BOOL },
        { "bool", VT_BOOL }, { "string", VT_STRING }, { "str", VT_STRING },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) { *vt = names[i].vt; return 0; }
    return -1;
}

/* naStrings: a string, or an array of strings joined with U+00B7. */
static int get_na_strings(const MtdCtx *c, const cJSON *v, char **out)
{
    if (cJSON_IsString(v)) return get_str(c, v, out);
    if (!cJSON_IsArray(v)) return mtd_fail(c, v->string, "not a string or list of strings");
    StrBuf b;
    sb_init(&b);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e)) {
            sb_free(&b);
            return mtd_fail(c, v->string, "not a string or list of strings");
        }
        if (b.len) sb_puts(&b, "\xC2\xB7");
        sb_puts(&b, e->valuestring);
    }
    free(*out);
    *out = sb_take(&b);
    return 0;
}

/* One key of the metadata object; unknown keys are ignored. */
static int mtd_field(const MtdCtx *c, const cJSON *v, IoMeta *m)
{
    const char *k = v->string;
    if (strcmp(k, "data_type") == 0) {
        if (!cJSON_IsString(v) || parse_data_type(v->valuestring, &m->data_type))
            return mtd_fail(c, k, "expected matrix, frame, scalar or list");
    } else if (strcmp(k, "value_type") == 0) {
        if (!cJSON_IsString(v) || parse_value_type(v->valuestring, &m->value_type))
            return mtd_fail(c, k, "expected double, int, boolean or string");
    } else if (strcmp(k, "format") == 0) {
        if (!cJSON_IsString(v)) return mtd_fail(c, k, "not a string");
        m->format = io_format_parse(v->valuestring);
        if (m->format == IO_FMT_UNKNOWN) {
            err_set(c->err, TSR_IO, "%s: Unknown file format: %s (valid values: [text, csv, mm, "
                    "binary, libsvm])", c->file, v->valuestring);
            return -1;
        }
    } else if (strcmp(k, "rows") == 0) return get_dim(c, v, &m->rows);
    else if (strcmp(k, "cols") == 0) return get_dim(c, v, &m->cols);
    else if (strcmp(k, "nnz") == 0) return get_dim(c, v, &m->nnz);
    else if (strcmp(k, "rows_in_block") == 0) return get_dim(c, v, &m->rows_in_block);
    else if (strcmp(k, "cols_in_block") == 0) return get_dim(c, v, &m->cols_in_block);
    else if (strcmp(k, "header") == 0) { m->has_header = 1; return get_bool(c, v, &m->header); }
    else if (strcmp(k, "fill") == 0) { m->has_fill = 1; return get_bool(c, v, &m->fill); }
    else if (strcmp(k, "default") == 0) {
        m->has_default = 1;
        return get_double(c, v, &m->default_value);
    } else if (strcmp(k, "sep") == 0) return get_str(c, v, &m->sep);
    else if (strcmp(k, "indSep") == 0) return get_str(c, v, &m->ind_sep);
    else if (strcmp(k, "naStrings") == 0) return get_na_strings(c, v, &m->na_strings);
    else if (strcmp(k, "schema") == 0) return get_str(c, v, &m->schema);
    else if (strcmp(k, "description") == 0) {
        char *txt = cJSON_PrintUnformatted(v);
        if (!txt) return mtd_fail(c, k, "cannot be stored");
        free(m->description_json);
        m->description_json = xstrdup(txt);
        cJSON_free(txt);
    }
    return 0;
}

/* Position (line) of a parse error for the message. */
static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at && *p; p++) line += *p == '\n';
    return line;
}

int io_meta_read(const char *path, IoMeta *m, Err *err)
{
    size_t plen = strlen(path);
    char *file = xmalloc(plen + 5);
    memcpy(file, path, plen);
    memcpy(file + plen, ".mtd", 5);
    size_t len = 0;
    char *text = NULL;
    int got = slurp(file, MTD_MAX_BYTES, &text, &len, err);
    if (got <= 0) {
        free(file);
        return got;
    }
    if (strlen(text) != len) {
        err_set(err, TSR_IO, "%s: malformed metadata (NUL byte)", file);
        free(text);
        free(file);
        return -1;
    }
    strip_trailing_commas(text);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
    int rc = 1;
    MtdCtx c = { file, err };
    if (!root || !cJSON_IsObject(root)) {
        err_set(err, TSR_IO, "%s:%d: malformed metadata: expected one JSON object", file,
                line_of(text, root ? text : (end ? end : text)));
        rc = -1;
    } else {
        const cJSON *v;
        cJSON_ArrayForEach(v, root) {
            if (v->string && mtd_field(&c, v, m)) { rc = -1; break; }
        }
    }
    cJSON_Delete(root);
    free(text);
    free(file);
    return rc;
}

/* ---- writing ------------------------------------------------------------------- */

static const char *value_type_name(ValueType vt)
{
    switch (vt) {
    case VT_INT64: return "int";
    case VT_BOOL: return "boolean";
    case VT_STRING: return "string";
    default: return "double";
    }
}

static const char *data_type_name(DataType dt)
{
    switch (dt) {
    case DT_SCALAR: return "scalar";
    case DT_FRAME: return "frame";
    case DT_LIST: return "list";
    default: return "matrix";
    }
}

/* Appends `    "key": ` (with the separator of the previous entry). */
static void put_key(StrBuf *b, const char *key)
{
    sb_puts(b, b->len > 2 ? ",\n    \"" : "    \"");
    sb_puts(b, key);
    sb_puts(b, "\": ");
}

static void put_json_string(StrBuf *b, const char *key, const char *val)
{
    cJSON *s = cJSON_CreateString(val);
    char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
    put_key(b, key);
    sb_puts(b, txt ? txt : "\"\"");
    cJSON_free(txt);
    cJSON_Delete(s);
}

static void put_json_int(StrBuf *b, const char *key, int64_t v)
{
    put_key(b, key);
    sb_printf(b, "%lld", (long long)v);
}

/* description: re-serialised if valid JSON, else stored as a string. */
static void put_description(StrBuf *b, const char *json)
{
    cJSON *d = cJSON_Parse(json);
    char *txt = d ? cJSON_PrintUnformatted(d) : NULL;
    if (txt) {
        put_key(b, "description");
        sb_puts(b, txt);
    } else {
        put_json_string(b, "description", json);
    }
    cJSON_free(txt);
    cJSON_Delete(d);
}

/* Renders the metadata in the key order of DML.md 6.6. */
static void mtd_render(StrBuf *b, const IoMeta *m)
{
    int scalar = m->data_type == DT_SCALAR;
    IoFormat fmt = m->format == IO_FMT_UNKNOWN ? IO_FMT_TEXT : m->format;
    sb_puts(b, "{\n");
    put_json_string(b, "data_type", data_type_name(m->data_type));
    put_json_string(b, "value_type", value_type_name(m->value_type));
    if (m->schema) put_json_string(b, "schema", m->schema);
    if (!scalar) {
        put_json_int(b, "rows", m->rows < 0 ? 0 : m->rows);
        put_json_int(b, "cols", m->cols < 0 ? 0 : m->cols);
        if (fmt == IO_FMT_BINARY) {
            put_json_int(b, "rows_in_block", m->rows_in_block > 0 ? m->rows_in_block : 1000);
            put_json_int(b, "cols_in_block", m->cols_in_block > 0 ? m->cols_in_block : 1000);
        }
        if (m->nnz >= 0) put_json_int(b, "nnz", m->nnz);
    }
    put_json_string(b, "format", io_format_name(fmt));
    if (fmt == IO_FMT_CSV && !scalar) {
        put_key(b, "header");
        sb_puts(b, m->has_header && m->header ? "true" : "false");
        put_json_string(b, "sep", m->sep ? m->sep : ",");
    }
    if (fmt == IO_FMT_LIBSVM && m->ind_sep) put_json_string(b, "indSep", m->ind_sep);
    if (m->description_json) put_description(b, m->description_json);
    put_json_string(b, "author", "Tessera");
    char ts[64];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S UTC", &tmv);
    put_json_string(b, "created", ts);
    sb_puts(b, "\n}\n");
}

tsr_status io_meta_write(const char *path, const IoMeta *m, Err *err)
{
    size_t plen = strlen(path);
    char *file = xmalloc(plen + 5);
    memcpy(file, path, plen);
    memcpy(file + plen, ".mtd", 5);
    StrBuf b;
    sb_init(&b);
    mtd_render(&b, m);
    tsr_status st = TSR_OK;
    FILE *f = io_wopen(file, err);
    if (!f) st = TSR_IO;
    else {
        fwrite(b.s, 1, b.len, f);
        st = io_wclose(f, file, err);
    }
    sb_free(&b);
    free(file);
    return st;
}
