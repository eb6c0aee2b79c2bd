/*
 * test_frame.c - unit tests of the frame module (src/frame) and of the
 * frame readers/writers (src/io/frame_csv.c): schema names, cell forms and
 * conversions, slicing, left indexing with type conversion, cbind/rbind
 * (names, schema merging, errors), the exact toString layout, casts to and
 * from matrices, removeEmpty, replace, detectSchema, the transform encoders
 * (recode order, dummycode expansion, equi-width/equi-height bins, impute,
 * omit, lenient JSON specs, metadata layout and its round trip through
 * transformapply/transformdecode) and csv/text round trips with quoting and
 * column metadata.  Files live in a fresh mkdtemp directory.
 */
#include "frame/frame.h"
#include "io/io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* A rows x cols frame of the given schema filled row-wise from texts. */
static FrameBlock *mk(int64_t rows, int64_t cols, const FrType *sch, const char *const *texts)
{
    Err err = {0};
    FrameBlock *f = fr_new(rows, cols, sch, &err);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < cols; j++)
            if (fr_set_text(f, r, j, texts[r * cols + j], &err) != TSR_OK)
                printf("mk: %s\n", err.msg);
    return f;
}

static char *to_str(const FrameBlock *f, int decimal)
{
    StrBuf s;
    sb_init(&s);
    fr_to_string(f, -1, -1, decimal, " ", "\n", &s);
    return sb_take(&s);
}

static void test_schema(void)
{
    Err err = {0};
    FrType t, *sch = NULL;
    int64_t n = 0;
    CHECK(fr_type_parse("fp64", 4, &t) == 0 && t == FR_FP64);
    CHECK(fr_type_parse("Integer", 7, &t) == 0 && t == FR_INT64);
    CHECK(fr_type_parse("bool", 4, &t) == 0 && t == FR_BOOLEAN);
    CHECK(fr_type_parse("FOO", 3, &t) == -1);
    CHECK(fr_schema_parse(" STRING, INT32 ,BOOLEAN", &sch, &n, &err) == TSR_OK && n == 3);
    CHECK(sch && sch[0] == FR_STRING && sch[1] == FR_INT32 && sch[2] == FR_BOOLEAN);
    free(sch);
    CHECK(fr_schema_parse("STRING,,FP64", &sch, &n, &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "Invalid value type") != NULL);
    CHECK(streq(fr_type_name(FR_FP32), "FP32") && streq(fr_type_name(FR_BOOLEAN), "BOOLEAN"));
}

static void test_cells(void)
{
    Err err = {0};
    FrType sch[5] = {FR_STRING, FR_FP64, FR_INT64, FR_BOOLEAN, FR_INT32};
    FrameBlock *f = fr_new(2, 5, sch, &err);
    char buf[FR_CELLBUF];
    double d;
    CHECK(f && f->rows == 2 && f->cols == 5);
    CHECK(fr_is_null(f, 0, 0) && !fr_is_null(f, 0, 1));   /* strings null, numbers 0 */
    CHECK(fr_set_text(f, 0, 0, "hello", &err) == TSR_OK);
    CHECK(fr_set_text(f, 0, 1, " 2.5 ", &err) == TSR_OK);
    CHECK(fr_set_text(f, 0, 2, "7", &err) == TSR_OK);
    CHECK(fr_set_text(f, 0, 3, "TRUE", &err) == TSR_OK);
    CHECK(fr_set_text(f, 0, 4, "3.9", &err) == TSR_OK);   /* INT truncates */
    CHECK(streq(fr_cell_text(f, 0, 0, buf), "hello"));
    CHECK(streq(fr_cell_text(f, 0, 1, buf), "2.5"));
    CHECK(streq(fr_cell_text(f, 0, 2, buf), "7"));
    CHECK(streq(fr_cell_text(f, 0, 3, buf), "true"));
    CHECK(streq(fr_cell_text(f, 0, 4, buf), "3"));
    fr_set_double(f, 1, 1, 4.0);
    CHECK(streq(fr_cell_text(f, 1, 1, buf), "4.0"));
    fr_set_double(f, 1, 0, 0.5);
    CHECK(streq(fr_cell_text(f, 1, 0, buf), "0.5"));
    CHECK(fr_set_text(f, 1, 2, "", &err) == TSR_OK && fr_is_null(f, 1, 2));
    CHECK(fr_cell_text(f, 1, 2, buf) == NULL);
    CHECK(fr_cell_double(f, 1, 2, &d) == 0 && isnan(d));
    CHECK(fr_set_text(f, 1, 2, "x", &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "Cannot convert 'x' to INT64 for frame cell [2,3]") != NULL);
    CHECK(fr_set_text(f, 1, 3, "maybe", &err) == TSR_RUNTIME);
    CHECK(fr_cell_double(f, 0, 0, &d) == -1);
    fr_set_null(f, 0, 1);
    CHECK(fr_is_null(f, 0, 1));
    fr_set_double(f, 0, 1, 1.0);
    CHECK(!fr_is_null(f, 0, 1));
    CHECK(streq(fr_col_name(f, 2, buf), "C3") && !fr_has_names(f));
    fr_set_col_name(f, 2, "n");
    CHECK(streq(fr_col_name(f, 2, buf), "n") && fr_has_names(f));
    fr_free(f);
    CHECK(fr_new(-1, 2, NULL, &err) == NULL && err.code == TSR_LIMIT);
}

static void test_slice_assign(void)
{
    Err err = {0};
    FrType sch[3] = {FR_STRING, FR_INT64, FR_FP64};
    const char *cells[] = {"a", "1", "1.5", "b", "2", "2.5", "c", "3", "3.5"};
    FrameBlock *f = mk(3, 3, sch, cells), *s = NULL;
    char buf[FR_CELLBUF];
    fr_set_col_name(f, 1, "k");
    f->c[2].mv = xstrdup("mv");
    CHECK(fr_slice(f, 1, 2, 1, 2, &s, &err) == TSR_OK);
    CHECK(s->rows == 2 && s->cols == 2 && s->c[0].type == FR_INT64 && s->c[1].type == FR_FP64);
    CHECK(streq(fr_col_name(s, 0, buf), "k") && streq(fr_col_name(s, 1, buf), "C2"));
    CHECK(streq(s->c[1].mv, "mv"));
    CHECK(streq(fr_cell_text(s, 1, 1, buf), "3.5"));
    /* assign the INT/FP64 slice into the STRING/INT columns: converted */
    CHECK(fr_assign(f, 0, 0, s, &err) == TSR_OK);
    CHECK(streq(fr_cell_text(f, 0, 0, buf), "2") && streq(fr_cell_text(f, 0, 1, buf), "2"));
    CHECK(streq(fr_cell_text(f, 1, 0, buf), "3") && streq(fr_cell_text(f, 1, 1, buf), "3"));
    FrameBlock *c = fr_copy(f, &err);
    fr_set_text(c, 2, 0, "changed", &err);
    CHECK(streq(fr_cell_text(f, 2, 0, buf), "c"));
    FrameBlock *e = NULL;
    CHECK(fr_slice(f, 0, -1, 0, 2, &e, &err) == TSR_OK && e->rows == 0 && e->cols == 3);
    fr_free(e);
    fr_free(c);
    fr_free(s);
    fr_free(f);
}

static void test_bind(void)
{
    Err err = {0};
    FrType s1[2] = {FR_STRING, FR_INT64}, s2[2] = {FR_STRING, FR_FP64};
    const char *c1[] = {"a", "1", "b", "2"}, *c2[] = {"c", "3.5"};
    FrameBlock *a = mk(2, 2, s1, c1), *b = mk(1, 2, s2, c2), *o = NULL;
    char buf[FR_CELLBUF];
    const FrameBlock *in[2] = {a, b};
    CHECK(fr_rbind(in, 2, &o, &err) == TSR_OK && o->rows == 3);
    CHECK(o->c[0].type == FR_STRING && o->c[1].type == FR_STRING);   /* INT64 vs FP64 */
    CHECK(streq(fr_cell_text(o, 2, 1, buf), "3.5") && streq(fr_cell_text(o, 0, 1, buf), "1"));
    fr_free(o);
    CHECK(fr_cbind(in, 2, &o, &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "inputs to cbind must have same number of rows: input 1 rows: 2, "
                          "input 2 rows: 1") != NULL);
    fr_set_col_name(a, 0, "x");
    const FrameBlock *in2[2] = {a, a};
    CHECK(fr_cbind(in2, 2, &o, &err) == TSR_OK && o->cols == 4);
    CHECK(streq(fr_col_name(o, 0, buf), "x") && streq(fr_col_name(o, 1, buf), "C2") &&
          streq(fr_col_name(o, 2, buf), "x") && streq(fr_col_name(o, 3, buf), "C2"));
    fr_free(o);
    fr_free(a);
    fr_free(b);
}

static void test_to_string(void)
{
    FrType sch[4] = {FR_STRING, FR_FP64, FR_BOOLEAN, FR_INT32};
    const char *cells[] = {"x", "1", "true", "5", NULL, "-0.0005", "false", NULL};
    FrameBlock *f = mk(2, 4, sch, cells);
    fr_set_col_name(f, 0, "name");
    char *s = to_str(f, 3);
    CHECK(streq(s, "# FRAME: nrow = 2, ncol = 4\n# name C2 C3 C4\n# STRING FP64 BOOLEAN INT32\n"
                   "x 1.000 TRUE 5\nnull -0.001 FALSE null\n"));
    free(s);
    StrBuf b;
    sb_init(&b);
    fr_to_string(f, 1, 2, 1, ",", ";", &b);
    CHECK(streq(b.s, "# FRAME: nrow = 2, ncol = 4;#,name,C2;#,STRING,FP64;x,1.0;"));
    sb_free(&b);
    fr_free(f);
}

static void test_matrix_casts(void)
{
    Err err = {0};
    const char *cells[] = {"1", "2.5", "", "x"};
    FrameBlock *f = mk(2, 2, NULL, cells), *g = NULL;
    MatBlock *m = NULL;
    CHECK(fr_to_matrix(f, &m, &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "Cannot convert frame cell [2,2] with value 'x' to a double") != NULL);
    fr_set_text(f, 1, 1, "-4", &err);
    CHECK(fr_to_matrix(f, &m, &err) == TSR_OK);
    CHECK(mb_get(m, 0, 1) == 2.5 && isnan(mb_get(m, 1, 0)) && mb_get(m, 1, 1) == -4);
    CHECK(fr_from_matrix(m, &g, &err) == TSR_OK && g->c[1].type == FR_FP64);
    CHECK(g->c[1].d[0] == 2.5 && !fr_has_names(g));
    mb_free(m);
    fr_free(g);
    fr_free(f);
}

static void test_remove_empty_replace(void)
{
    Err err = {0};
    FrType sch[2] = {FR_STRING, FR_FP64};
    const char *cells[] = {"a", "0", "", "0", NULL, "NaN", "b", "2"};
    FrameBlock *f = mk(4, 2, sch, cells), *o = NULL;
    char buf[FR_CELLBUF];
    CHECK(fr_remove_empty(f, 1, NULL, 1, &o, &err) == TSR_OK && o->rows == 3);   /* NaN kept */
    CHECK(streq(fr_cell_text(o, 2, 0, buf), "b"));
    fr_free(o);
    CHECK(fr_remove_empty(f, 0, NULL, 1, &o, &err) == TSR_OK && o->cols == 2);
    fr_free(o);
    CHECK(fr_replace(f, "NaN", "7", &o, &err) == TSR_OK);
    CHECK(streq(fr_cell_text(o, 2, 1, buf), "7.0") && streq(fr_cell_text(o, 0, 0, buf), "a"));
    fr_free(o);
    CHECK(fr_replace(f, "a", "z", &o, &err) == TSR_OK && streq(fr_cell_text(o, 0, 0, buf), "z"));
    fr_free(o);
    CHECK(fr_replace(f, "0", "x", &o, &err) == TSR_RUNTIME);   /* "x" is no FP64 */
    fr_free(f);
}

static void test_detect_schema(void)
{
    Err err = {0};
    const char *cells[] = {"1", "TRUE", "1", "a", "", "false", "2.5", "b",
                           "-7", "true", "99999999999", "NaN"};
    FrameBlock *f = mk(3, 4, NULL, cells), *o = NULL;
    char buf[FR_CELLBUF];
    CHECK(fr_detect_schema(f, &o, &err) == TSR_OK && o->rows == 1 && o->cols == 4);
    CHECK(streq(fr_cell_text(o, 0, 0, buf), "INT32") && streq(fr_cell_text(o, 0, 1, buf), "BOOLEAN"));
    CHECK(streq(fr_cell_text(o, 0, 2, buf), "FP64") && streq(fr_cell_text(o, 0, 3, buf), "STRING"));
    fr_free(o);
    fr_free(f);
}

/* ---- transform ----------------------------------------------------------------- */

static int mat_eq(const MatBlock *m, int64_t r, int64_t c, const double *v)
{
    if (!m || m->rows != r || m->cols != c) return 0;
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) {
            double x = mb_get(m, i, j), y = v[i * c + j];
            if (!(x == y || (isnan(x) && isnan(y)))) return 0;
        }
    return 1;
}

static void test_recode_dummy(void)
{
    Err err = {0};
    const char *cells[] = {"b", "x", "a", "y", "b", "x", "c", NULL};
    FrameBlock *f = mk(4, 2, NULL, cells), *meta = NULL, *dec = NULL;
    MatBlock *x = NULL;
    char buf[FR_CELLBUF];
    /* bare keys, a trailing comma, a single-quoted spec word */
    const char *spec = "{ids: true, recode: [1,], 'dummycode': [2]}";
    CHECK(fr_transform_encode(f, spec, &x, &meta, &err) == TSR_OK);
    double want[] = {1, 1, 0, 2, 0, 1, 1, 1, 0, 3, 0, 0};
    CHECK(mat_eq(x, 4, 3, want));
    CHECK(meta->rows == 3 && meta->cols == 2 && meta->c[0].type == FR_STRING);
    CHECK(streq(fr_cell_text(meta, 0, 0, buf), "b\xC2\xB7" "1"));
    CHECK(streq(fr_cell_text(meta, 2, 0, buf), "c\xC2\xB7" "3"));
    CHECK(streq(fr_cell_text(meta, 1, 1, buf), "y\xC2\xB7" "2") && fr_is_null(meta, 2, 1));
    CHECK(meta->c[0].ndistinct == 3 && meta->c[1].ndistinct == 2);
    CHECK(streq(fr_col_name(meta, 1, buf), "C2"));
    CHECK(fr_transform_decode(x, spec, meta, &dec, &err) == TSR_OK);
    CHECK(streq(fr_cell_text(dec, 3, 0, buf), "c") && streq(fr_cell_text(dec, 1, 1, buf), "y"));
    CHECK(fr_is_null(dec, 3, 1));   /* missing in, all-zero block, null out */
    fr_free(dec);
    MatBlock *y = NULL;
    CHECK(fr_transform_apply(f, spec, meta, &y, &err) == TSR_OK && mat_eq(y, 4, 3, want));
    mb_free(y);
    mb_free(x);
    fr_free(meta);
    fr_free(f);
}

static void test_meta_entries(void)
{
    Err err = {0};
    /* values containing the separator: the code follows the last one */
    const char *cells[] = {"p\xC2\xB7q", "r"};
    FrameBlock *f = mk(2, 1, NULL, cells), *meta = NULL;
    MatBlock *x = NULL, *y = NULL;
    CHECK(fr_transform_encode(f, "{recode: [1]}", &x, &meta, &err) == TSR_OK);
    CHECK(fr_transform_apply(f, "{recode: [1]}", meta, &y, &err) == TSR_OK);
    double want[] = {1, 2};
    CHECK(mat_eq(y, 2, 1, want));
    fr_set_text(meta, 0, 0, "broken", &err);
    mb_free(y);
    CHECK(fr_transform_apply(f, "{recode: [1]}", meta, &y, &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "invalid metadata entry 'broken'") != NULL);
    mb_free(x);
    fr_free(meta);
    fr_free(f);
}

static void test_bins(void)
{
    Err err = {0};
    FrType fp = FR_FP64;
    const char *cells[] = {"0", "10", "5", "2.5", NULL, "7.5", "1"};
    FrameBlock *f = mk(7, 1, &fp, cells), *meta = NULL, *dec = NULL;
    MatBlock *x = NULL;
    char buf[FR_CELLBUF];
    CHECK(fr_transform_encode(f, "{ids: true, bin: [{id: 1, method: equi-width, numbins: 4}]}",
                              &x, &meta, &err) == TSR_OK);
    double w[] = {1, 4, 2, 1, NAN, 3, 1};
    CHECK(mat_eq(x, 7, 1, w));
    CHECK(streq(fr_cell_text(meta, 0, 0, buf), "0.0\xC2\xB7" "2.5"));
    CHECK(streq(fr_cell_text(meta, 3, 0, buf), "7.5\xC2\xB7" "10.0"));
    CHECK(fr_transform_decode(x, "{bin: [{id: 1, numbins: 4}]}", meta, &dec, &err) == TSR_OK);
    CHECK(streq(fr_cell_text(dec, 1, 0, buf), "8.75") && fr_is_null(dec, 4, 0) == 0);
    fr_free(dec);
    mb_free(x);
    fr_free(meta);
    /* equi-height: n = 6 non-missing values, 3 bins end at ranks 2, 4, 6 */
    CHECK(fr_transform_encode(f, "{bin: [{id: 1, method: \"equi-height\", numbins: 3}]}", &x,
                              &meta, &err) == TSR_OK);
    double h[] = {1, 3, 2, 2, NAN, 3, 1};
    CHECK(mat_eq(x, 7, 1, h));
    CHECK(streq(fr_cell_text(meta, 1, 0, buf), "1.0\xC2\xB7" "5.0"));
    mb_free(x);
    fr_free(meta);
    CHECK(fr_transform_encode(f, "{bin: [{id: 1, method: median}]}", &x, &meta, &err) ==
          TSR_RUNTIME);
    CHECK(strstr(err.msg, "unknown bin method 'median'") != NULL);
    fr_free(f);
}

static void test_impute_omit(void)
{
    Err err = {0};
    const char *cells[] = {"1", "a", "", "b", "5", "", NULL, "b"};
    FrameBlock *f = mk(4, 2, NULL, cells), *meta = NULL;
    MatBlock *x = NULL;
    const char *spec = "{impute: [{id: 1, method: global_mean}, {id: 2, method: global_mode}],"
                       " recode: [2]}";
    CHECK(fr_transform_encode(f, spec, &x, &meta, &err) == TSR_OK);
    double want[] = {1, 1, 3, 2, 5, 2, 3, 2};
    CHECK(mat_eq(x, 4, 2, want));
    CHECK(streq(meta->c[0].mv, "3.0") && streq(meta->c[1].mv, "b"));
    mb_free(x);
    fr_free(meta);
    CHECK(fr_transform_encode(f, "{omit: [1], recode: [2]}", &x, &meta, &err) == TSR_OK);
    double kept[] = {1, 1, 5, NAN};
    CHECK(mat_eq(x, 2, 2, kept));
    mb_free(x);
    fr_free(meta);
    CHECK(fr_transform_encode(f, "{recode: [1] ", &x, &meta, &err) == TSR_RUNTIME);
    CHECK(strstr(err.msg, "not a valid JSON object") != NULL);
    CHECK(fr_transform_encode(f, "{hash: [1], K: 3}", &x, &meta, &err) == TSR_RUNTIME);
    fr_free(f);
}

/* ---- io ------------------------------------------------------------------------- */

static void test_io(const char *dir)
{
    Err err = {0};
    char path[512], buf[FR_CELLBUF];
    FrType sch[3] = {FR_STRING, FR_FP64, FR_BOOLEAN};
    const char *cells[] = {"a,b", "1.5", "true", "say \"hi\"", NULL, "false", NULL, "-2", "true"};
    FrameBlock *f = mk(3, 3, sch, cells), *g = NULL;
    fr_set_col_name(f, 0, "s");
    f->c[1].mv = xstrdup("0.25");
    f->c[1].ndistinct = 4;
    snprintf(path, sizeof path, "%s/f.csv", dir);
    IoMeta m;
    io_meta_init(&m);
    m.format = IO_FMT_CSV;
    m.has_header = m.header = 1;
    CHECK(io_write_frame(path, f, &m, &err) == TSR_OK);
    io_meta_free(&m);
    CHECK(io_read_frame(path, NULL, &g, &err) == TSR_OK);   /* everything from the .mtd */
    CHECK(g && g->rows == 3 && g->cols == 3 && g->c[2].type == FR_BOOLEAN);
    if (g) {
        CHECK(streq(fr_cell_text(g, 0, 0, buf), "a,b") &&
              streq(fr_cell_text(g, 1, 0, buf), "say \"hi\""));
        CHECK(fr_is_null(g, 2, 0) && streq(fr_col_name(g, 0, buf), "s"));
        CHECK(fr_is_null(g, 1, 1) == 0 && g->c[1].d[1] == 0.0);   /* empty numeric: fill 0 */
        CHECK(streq(g->c[1].mv, "0.25") && g->c[1].ndistinct == 4);
    }
    fr_free(g);
    snprintf(path, sizeof path, "%s/f.ijv", dir);
    CHECK(io_write_frame(path, f, NULL, &err) == TSR_OK);
    CHECK(io_read_frame(path, NULL, &g, &err) == TSR_OK && g->rows == 3);
    /* cells absent from an IJV file: null strings, 0 in numeric columns */
    if (g) CHECK(streq(fr_cell_text(g, 1, 0, buf), "say \"hi\"") && g->c[1].d[1] == 0.0);
    fr_free(g);
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    CHECK(io_read_frame(path, NULL, &g, &err) == TSR_IO);
    CHECK(strstr(err.msg, "Read input file does not exist on FS (local mode)") != NULL);
    fr_free(f);
}

static void rm_dir(const char *dir)
{
    const char *names[] = {"f.csv", "f.csv.mtd", "f.ijv", "f.ijv.mtd"};
    char path[512];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    char dir[] = "/tmp/tsr_frame_XXXXXX";
    test_schema();
    test_cells();
    test_slice_assign();
    test_bind();
    test_to_string();
    test_matrix_casts();
    test_remove_empty_replace();
    test_detect_schema();
    test_recode_dummy();
    test_meta_entries();
    test_bins();
    test_impute_omit();
    if (mkdtemp(dir)) {
        test_io(dir);
        rm_dir(dir);
    } else {
        CHECK(!"mkdtemp");
    }
    return check_summary();
}
