/*
 * builtins_io.c - read(), readMM() and write() (DML.md 6.4 - 6.6).
 *
 * read merges its named options with "<file>.mtd" (io_meta_read; options
 * complement the metadata and must agree with it), then reads a matrix
 * (io_read_matrix) or a scalar (io_read_scalar_text + conversion by
 * value_type).  write maps its options onto IoMeta and calls
 * io_write_matrix / io_write_scalar / io_write_frame.  File formats,
 * parsing and the .mtd JSON are entirely the io module's; lists are not
 * supported.
 */
#include "runtime/builtins_int.h"

#include "io/io.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VALID_FORMATS "[TEXT, MM, CSV, LIBSVM, BINARY]"

static tsr_status parse_format(RtCtx *ctx, const char *s, IoFormat *f)
{
    *f = io_format_parse(s);
    if (*f == IO_FMT_UNKNOWN)
        return bi_err(ctx, "Unknown file format: %s (valid values: " VALID_FORMATS ")", s);
    return TSR_OK;
}

static int parse_vt(const char *s, ValueType *vt)
{
    static const struct { const char *name; ValueType vt; } names[] = {
        {"double", VT_FP64}, {"fp64", VT_FP64}, {"int", VT_INT64}, {"integer", VT_INT64},
        {"int64", VT_INT64}, {"boolean", VT_BOOL}, {"string", VT_STRING}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *vt = names[i].vt;
            return 0;
        }
    return -1;
}

static int parse_dt(const char *s, DataType *dt)
{
    static const struct { const char *name; DataType dt; } names[] = {
        {"matrix", DT_MATRIX}, {"scalar", DT_SCALAR}, {"frame", DT_FRAME}, {"list", DT_LIST}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *dt = names[i].dt;
            return 0;
        }
    return -1;
}

/* ---- read ------------------------------------------------------------------------------ */

static const char *const READ_P[] = {"file", "format", "data_type", "value_type", "rows",
                                     "cols", "nnz", "header", "sep", "fill", "default",
                                     "naStrings", "schema", "indSep", "rows_in_block",
                                     "cols_in_block", NULL};
enum { RP_FILE, RP_FORMAT, RP_DT, RP_VT, RP_ROWS, RP_COLS, RP_NNZ, RP_HEADER, RP_SEP, RP_FILL,
       RP_DEFAULT, RP_NA, RP_SCHEMA, RP_INDSEP, RP_RIB, RP_CIB };

static tsr_status read_bind(RtCtx *ctx, const RtArgs *a, const Value **v)
{
    static const BiSig sig = {"read", READ_P, 1, 0};
    if (a->npos < 1)
        return bi_err(ctx, "first parameter to read statement must be filename");
    for (int j = 0; j < a->nnamed; j++) {
        int ok = 0;
        for (int i = 1; READ_P[i]; i++)
            ok |= strcmp(READ_P[i], a->names[j]) == 0;
        if (!ok)
            return bi_err(ctx, "attempted to add invalid read statement parameter %s",
                          a->names[j]);
    }
    if (a->npos > 1)
        return bi_err(ctx, "read(): only the file name may be given without a name");
    return bi_bind(ctx, a, &sig, v);
}

/* A dimension option must agree with the metadata when both give one. */
static tsr_status merge_dim(RtCtx *ctx, const char *k, const Value *v, int64_t *field)
{
    int64_t x;
    if (!v)
        return TSR_OK;
    if (bi_int(ctx, "read", k, v, -1, &x))
        return TSR_RUNTIME;
    if (*field >= 0 && x >= 0 && *field != x)
        return bi_err(ctx, "Invalid parameter %s in read statement: value %lld conflicts with "
                      "the metadata file value %lld", k, (long long)x, (long long)*field);
    if (x >= 0)
        *field = x;
    return TSR_OK;
}

static tsr_status merge_format(RtCtx *ctx, const Value *v, IoMeta *m)
{
    const char *s;
    IoFormat f;
    if (!v)
        return TSR_OK;
    if (bi_str(ctx, "read", "format", v, NULL, &s) || parse_format(ctx, s, &f))
        return TSR_RUNTIME;
    if (m->format != IO_FMT_UNKNOWN && m->format != f)
        return bi_err(ctx, "Invalid parameter format in read statement: value %s conflicts "
                      "with the metadata file value %s", s, io_format_name(m->format));
    m->format = f;
    return TSR_OK;
}

static tsr_status merge_types(RtCtx *ctx, const Value **v, IoMeta *m)
{
    const char *s;
    if (v[RP_DT]) {
        if (bi_str(ctx, "read", "data_type", v[RP_DT], NULL, &s))
            return TSR_RUNTIME;
        if (parse_dt(s, &m->data_type))
            return bi_err(ctx, "Invalid parameter data_type in read statement: %s", s);
    }
    if (v[RP_VT]) {
        if (bi_str(ctx, "read", "value_type", v[RP_VT], NULL, &s))
            return TSR_RUNTIME;
        if (parse_vt(s, &m->value_type))
            return bi_err(ctx, "Invalid parameter value_type in read statement: %s", s);
    }
    return TSR_OK;
}

static void replace_str(char **field, const char *s)
{
    free(*field);
    *field = xstrdup(s);
}

/* An optional string option replacing an owned IoMeta field. */
static tsr_status merge_str(RtCtx *ctx, const char *k, const Value *v, char **field)
{
    const char *s;
    if (!v)
        return TSR_OK;
    if (bi_str(ctx, "read", k, v, NULL, &s))
        return TSR_RUNTIME;
    replace_str(field, s);
    return TSR_OK;
}

static tsr_status merge_csv(RtCtx *ctx, const Value **v, IoMeta *m)
{
    if (bi_bool(ctx, "read", "header", v[RP_HEADER], m->header, &m->header) ||
        bi_bool(ctx, "read", "fill", v[RP_FILL], m->fill, &m->fill) ||
        bi_dbl(ctx, "read", "default", v[RP_DEFAULT], m->default_value, &m->default_value) ||
        merge_str(ctx, "sep", v[RP_SEP], &m->sep) ||
        merge_str(ctx, "naStrings", v[RP_NA], &m->na_strings) ||
        merge_str(ctx, "schema", v[RP_SCHEMA], &m->schema) ||
        merge_str(ctx, "indSep", v[RP_INDSEP], &m->ind_sep))
        return TSR_RUNTIME;
    m->has_header |= v[RP_HEADER] != NULL;
    m->has_fill |= v[RP_FILL] != NULL;
    m->has_default |= v[RP_DEFAULT] != NULL;
    return TSR_OK;
}

static tsr_status merge_options(RtCtx *ctx, const Value **v, IoMeta *m)
{
    if (merge_format(ctx, v[RP_FORMAT], m) || merge_types(ctx, v, m) ||
        merge_dim(ctx, "rows", v[RP_ROWS], &m->rows) ||
        merge_dim(ctx, "cols", v[RP_COLS], &m->cols) ||
        merge_dim(ctx, "nnz", v[RP_NNZ], &m->nnz) || merge_csv(ctx, v, m) ||
        bi_int(ctx, "read", "rows_in_block", v[RP_RIB], m->rows_in_block, &m->rows_in_block) ||
        bi_int(ctx, "read", "cols_in_block", v[RP_CIB], m->cols_in_block, &m->cols_in_block))
        return TSR_RUNTIME;
    return TSR_OK;
}

/* Scalar file contents converted by the declared value type. */
static tsr_status scalar_from_text(RtCtx *ctx, const char *path, char *text, ValueType vt,
                                   Value *out)
{
    int64_t i;
    double d;
    if (vt == VT_STRING) {
        *out = rt_str_take(text);
        return TSR_OK;
    }
    int bad = 0;
    if (vt == VT_INT64)
        bad = nf_parse_long(text, &i) != 0 && nf_parse_double(text, &d) != 0;
    else if (vt == VT_BOOL)
        *out = rt_bool(strcasecmp(text, "true") == 0);
    else
        bad = nf_parse_double(text, &d) != 0;
    if (!bad && vt == VT_INT64) {
        Value s = rt_str(text);
        *out = rt_int(rt_as_int(&s));
        rt_release(&s);
    } else if (!bad && vt != VT_BOOL) {
        *out = rt_dbl(d);
    }
    if (bad)
        bi_err(ctx, "%s: cannot parse scalar value '%s' as %s", path, text, rt_vt_name(vt));
    free(text);
    return bad ? TSR_RUNTIME : TSR_OK;
}

static tsr_status read_value(RtCtx *ctx, const char *path, const IoMeta *m, Value *out)
{
    MatBlock *blk = NULL;
    char *text = NULL;
    if (m->data_type == DT_SCALAR) {
        if (io_read_scalar_text(path, &text, &ctx->err) != TSR_OK)
            return ctx->err.code;
        return scalar_from_text(ctx, path, text,
                                m->value_type == VT_UNKNOWN ? VT_FP64 : m->value_type, out);
    }
    if (m->data_type == DT_FRAME) {
        FrameBlock *f = NULL;
        if (io_read_frame(path, m, &f, &ctx->err) != TSR_OK)
            return ctx->err.code;
        *out = rt_frame_take(f);
        return TSR_OK;
    }
    if (m->data_type != DT_MATRIX && m->data_type != DT_UNKNOWN)
        return bi_err(ctx, "read(): data_type %s is not supported", rt_dt_name(m->data_type));
    IoMeta pm = *m;            /* shallow: the strings stay m's */
    pm.par = &ctx->par;        /* csv/text parse on the pool */
    if (io_read_matrix(path, &pm, &blk, &ctx->err) != TSR_OK)
        return ctx->err.code;
    return bi_ret_block(TSR_OK, &blk, out);
}

/* read(file, ...) with an optional forced format (readMM). */
static tsr_status read_common(RtCtx *ctx, const RtArgs *a, IoFormat force, Value *out)
{
    const Value *v[BI_MAXP];
    const char *path;
    IoMeta m;
    if (read_bind(ctx, a, v) || bi_str(ctx, "read", "file", v[RP_FILE], NULL, &path))
        return TSR_RUNTIME;
    io_meta_init(&m);
    tsr_status st = TSR_OK;
    if (io_meta_read(path, &m, &ctx->err) < 0)
        st = ctx->err.code ? ctx->err.code : TSR_IO;
    if (st == TSR_OK && force != IO_FMT_UNKNOWN && !v[RP_FORMAT])
        m.format = force;
    if (st == TSR_OK)
        st = merge_options(ctx, v, &m);
    if (st == TSR_OK)
        st = read_value(ctx, path, &m, out);
    io_meta_free(&m);
    return st;
}

tsr_status bi_read(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return read_common(ctx, a, IO_FMT_UNKNOWN, out);
}

tsr_status bi_readmm(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return read_common(ctx, a, IO_FMT_MM, out);
}

/* ---- write ------------------------------------------------------------------------------ */

static const char *const WRITE_P[] = {"x", "file", "format", "header", "sep", "sparse",
                                      "description", "rows_in_block", "cols_in_block",
                                      "value_type", "data_type", NULL};
enum { WP_X, WP_FILE, WP_FORMAT, WP_HEADER, WP_SEP, WP_SPARSE, WP_DESC, WP_RIB, WP_CIB };

/* JSON text of a description value (strings quoted and escaped). */
static char *json_of(const Value *v)
{
    StrBuf s, t;
    sb_init(&s);
    sb_init(&t);
    rt_scalar_to_string(v, &t);
    if (v->vt != VT_STRING) {
        sb_free(&s);
        return t.s ? sb_take(&t) : xstrdup("");
    }
    sb_putc(&s, '"');
    for (const char *p = t.s ? t.s : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            sb_printf(&s, "\\%c", c);
        else if (c < 0x20)
            sb_printf(&s, "\\u%04x", c);
        else
            sb_putc(&s, (char)c);
    }
    sb_putc(&s, '"');
    sb_free(&t);
    return sb_take(&s);
}

static tsr_status write_options(RtCtx *ctx, const Value **v, IoMeta *m)
{
    const char *s;
    if (bi_str(ctx, "write", "format", v[WP_FORMAT], "text", &s) ||
        parse_format(ctx, s, &m->format) ||
        bi_bool(ctx, "write", "header", v[WP_HEADER], 0, &m->header) ||
        bi_bool(ctx, "write", "sparse", v[WP_SPARSE], 0, &m->sparse) ||
        bi_int(ctx, "write", "rows_in_block", v[WP_RIB], m->rows_in_block, &m->rows_in_block) ||
        bi_int(ctx, "write", "cols_in_block", v[WP_CIB], m->cols_in_block, &m->cols_in_block))
        return TSR_RUNTIME;
    m->has_header = v[WP_HEADER] != NULL;
    if (v[WP_SEP]) {
        if (bi_str(ctx, "write", "sep", v[WP_SEP], ",", &s))
            return TSR_RUNTIME;
        replace_str(&m->sep, s);
    }
    if (v[WP_DESC]) {
        if (v[WP_DESC]->dt != DT_SCALAR)
            return bi_err(ctx, "write(): description must be a scalar");
        free(m->description_json);
        m->description_json = json_of(v[WP_DESC]);
    }
    return TSR_OK;
}

static tsr_status write_value(RtCtx *ctx, const Value *x, const char *path, IoMeta *m)
{
    if (x->dt == DT_SCALAR) {
        StrBuf s;
        sb_init(&s);
        rt_scalar_to_string(x, &s);
        tsr_status st = io_write_scalar(path, s.s ? s.s : "", x->vt, &ctx->err);
        sb_free(&s);
        return st;
    }
    if (x->dt == DT_FRAME)
        return io_write_frame(path, rt_frame_block(x), m, &ctx->err);
    if (x->dt != DT_MATRIX)
        return bi_err(ctx, "write(): writing a %s is not supported", rt_dt_name(x->dt));
    m->data_type = DT_MATRIX;
    m->value_type = VT_FP64;
    m->par = &ctx->par;        /* csv/text format rows on the pool */
    return io_write_matrix(path, rt_mat_block(x), m, &ctx->err);
}

tsr_status bi_write(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"write", WRITE_P, 2, 0};
    const Value *v[BI_MAXP];
    const char *path;
    IoMeta m;
    if (bi_nargs(a) < 2)
        return bi_err(ctx, "incorrect usage of write function (at least 2 arguments required)");
    if (bi_bind(ctx, a, &sig, v) || bi_str(ctx, "write", "file", v[WP_FILE], NULL, &path))
        return TSR_RUNTIME;
    io_meta_init(&m);
    tsr_status st = write_options(ctx, v, &m);
    if (st == TSR_OK)
        st = write_value(ctx, v[WP_X], path, &m);
    io_meta_free(&m);
    return st;
}
