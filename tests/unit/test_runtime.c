/*
 * test_runtime.c - unit tests of the interpreter and the validator through
 * the public API: small scripts run with tsr_open/tsr_run, output captured
 * in a memory stream, compared exactly; failures compared by substring of
 * the rendered "file:line:col: error: msg".
 *
 * Covers statements and control flow (DML.md 4), calls and binding (5),
 * validation errors, parfor rules (8), the statistics block (11.2) and the
 * DML-bodied builtin / sourced-module paths (using a temporary scripts dir).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tessera.h"

#include "check.h"

static char tmpdir[256];

typedef struct Result {
    int rc;
    char *out;      /* print() output */
    char *warn;     /* warnings */
    const char *err;
} Result;

/* Runs `script` as "test.dml"; the caller frees r->out and r->warn and
 * closes *ctx. */
static Result run_opts(const char *script, tsr_options *o, tsr_ctx **ctx)
{
    Result r;
    size_t n1, n2;
    FILE *out = open_memstream(&r.out, &n1);
    FILE *warn = open_memstream(&r.warn, &n2);
    o->out = out;
    o->err = warn;
    *ctx = tsr_open(o);
    r.rc = tsr_run(*ctx, "test.dml", script, NULL);
    r.err = tsr_errmsg(*ctx);
    fclose(out);
    fclose(warn);
    return r;
}

static void check(int ok, const char *name, const char *script, const Result *r,
                  const char *want)
{
    if (check_count(ok))
        return;
    fprintf(stderr, "FAIL %s\n  script: %s\n  rc=%d out=[%s] err=[%s]\n  expected: [%s]\n", name,
            script, r->rc, r->out, r->err, want);
}

/* The script must succeed and print exactly `want`. */
static void expect_out(const char *name, const char *script, const char *want)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    Result r = run_opts(script, &o, &c);
    check(r.rc == 0 && strcmp(r.out, want) == 0, name, script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);
}

/* The script must fail with an error message containing `want`. */
static void expect_err(const char *name, const char *script, const char *want)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    Result r = run_opts(script, &o, &c);
    check(r.rc != 0 && strstr(r.err, want) != NULL, name, script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);
}

/* Like expect_err, and the output before the error must be `out`. */
static void expect_out_err(const char *name, const char *script, const char *out,
                           const char *want)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    Result r = run_opts(script, &o, &c);
    check(r.rc != 0 && strstr(r.err, want) && !strcmp(r.out, out), name, script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);
}

/* The script must succeed and warn with a message containing `want`. */
static void expect_warn(const char *name, const char *script, const char *want)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    Result r = run_opts(script, &o, &c);
    check(r.rc == 0 && strstr(r.warn, want) != NULL, name, script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);
}

/* The script must succeed, print `want` and warn nothing. */
static void expect_quiet(const char *name, const char *script, const char *want)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    Result r = run_opts(script, &o, &c);
    check(r.rc == 0 && !strcmp(r.out, want) && r.warn[0] == '\0', name, script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);
}

/* ---- expressions and assignments ---------------------------------------------- */

static void test_basics(void)
{
    expect_out("int arithmetic", "x = 3; y = x * 2 - 1; print(y)", "5\n");
    expect_out("division is double", "print(6 / 2); print(2 ^ 3)", "3.0\n8.0\n");
    expect_out("concat", "B = 10; C = B + sum(matrix(0, 10, 10)); print(\"B:\" + B + \", C:\" + C)",
               "B:10, C:10.0\n");
    expect_out("unary minus", "x = 4; print(-x); print(-2 ^ 2)", "-4\n-4.0\n");
    expect_out("accumulate", "x = 1; x += 2; x += 0.5; print(x)", "3.5\n");
    expect_out("accumulate matrix", "A = matrix(1, 2, 2); A += A; print(sum(A))", "8.0\n");
    expect_out("value semantics", "A = matrix(0, 2, 2); B = A; B[1, 1] = 5; print(sum(A)); "
               "print(sum(B))", "0.0\n5.0\n");
    expect_out("builtin Rand", "X = Rand(rows = 3, cols = 2, seed = 7); print(nrow(X) + ncol(X))",
               "5\n");
    expect_out("exists", "x = 1; print(exists(x)); print(exists(nope)); print(exists(\"x\"))",
               "TRUE\nFALSE\nTRUE\n");
    expect_out("eval user function", "f = function(Double a, Double b) return (Double c) "
               "{ c = a - b }; print(as.scalar(eval(\"f\", 5, 2)))", "3.0\n");
    expect_err("eval unknown", "x = eval(\"nosuch\", 1)",
               "Function '.defaultNS::nosuch' (called through eval) is non-existing.");
    expect_out("boolean ops", "a = TRUE; b = !a | (3 > 2); print(b)", "TRUE\n");
    expect_out("rand any case", "X = RAND(rows = 2, cols = 1); Y = rAnd(rows = 1, cols = 3); "
               "print(length(X) + length(Y))", "5\n");
    expect_err("concat 1x1", "x = \"v\" + matrix(1, 1, 1)", "test.dml:1:5: error: String "
               "concatenation needs a scalar, but the right operand is a 1x1 matrix (use "
               "as.scalar())");
    expect_err("concat matrix", "x = matrix(1, 2, 3) + \"v\"", "the left operand is a 2x3 "
               "matrix (use as.scalar() for one cell or toString() for the whole matrix)");
}

static void test_indexing(void)
{
    expect_out("left index cell", "A = matrix(0, 2, 3); A[2, 3] = 7; A[1, 1] = matrix(2, 1, 1); "
               "print(toString(A, decimal = 0))", "2 0 0\n0 0 7\n\n");
    expect_out("left index row/col",
               "A = matrix(0, 3, 3); A[2, ] = matrix(1, 1, 3); A[, 3] = matrix(5, 3, 1); "
               "print(sum(A)); print(as.scalar(A[2, 3]))", "17.0\n5.0\n");
    expect_out("left index range", "A = matrix(0, 4, 4); A[2:3, 2:3] = matrix(1, 2, 2); "
               "print(sum(A[2:3, ]))", "4.0\n");
    expect_out("indexed accumulate", "A = matrix(1, 2, 2); A[1, 2] += 4; print(sum(A))", "8.0\n");
    expect_out("right index forms",
               "X = matrix(\"1 2 3 4 5 6\", 2, 3); print(sum(X[2, ])); print(sum(X[, 2])); "
               "print(sum(X[2])); print(sum(X[1:2, 2:3])); print(nrow(X[1, 1]))",
               "15.0\n7.0\n15.0\n16.0\n1\n");
    expect_out("double index bounds", "X = matrix(\"1 2 3 4\", 2, 2); i = 2.0; "
               "print(as.scalar(X[i, 1]))", "3.0\n");
    expect_err("right index out of bounds", "X = matrix(1, 2, 2); y = X[3, 1]",
               "Invalid values for matrix indexing: [3:3,1:1] must be within matrix dimensions "
               "[2,2]");
    expect_err("scalar into range", "X = matrix(1, 3, 3); X[1:2, 1] = 5",
               "Invalid index range of scalar leftindexing");
    expect_err("left index uninitialised", "X[1, 1] = 5",
               "cannot assign value to indexed identifier X without first initializing X");
    expect_err("left index shape mismatch", "X = matrix(1, 3, 3); X[1:2, 1] = matrix(1, 3, 1)",
               "test.dml:1:22: error:");
}

static void test_lists(void)
{
    expect_out("list by name", "L = list(a = 1, b = \"x\"); print(as.scalar(L[\"b\"])); "
               "print(length(L[1]))", "x\n1\n");
    expect_out("list range", "L = list(1, 2, 3, 4); M = L[2:3]; print(length(M)); "
               "print(as.scalar(M[2]))", "2\n3\n");
    expect_out("list left index", "L = list(a = 1, b = 2); L[\"b\"] = 5; L[1] = 9; "
               "print(as.scalar(L[1]) + as.scalar(L[2]))", "14\n");
    expect_err("name in unnamed list", "L = list(1, 2); x = L[\"a\"]",
               "Invalid indexing by name in unnamed list: a.");
    expect_err("missing name", "L = list(a = 1); x = L[\"zz\"]",
               "List indexing returned no entry for name='zz'");
}

/* ---- control flow ------------------------------------------------------------------ */

static void test_control(void)
{
    expect_out("for 1:0 runs twice", "for (i in 1:0) print(i)", "1\n0\n");
    expect_out("for explicit incr", "for (i in seq(1, 10, 4)) print(i)", "1\n5\n9\n");
    expect_out("for wrong sign", "n = -1; for (i in seq(1, 3, n)) print(i); print(\"done\")",
               "done\n");
    expect_out("for down", "for (i in 3:1) print(i)", "3\n2\n1\n");
    expect_out("loop var keeps value", "for (i in 1:3) { x = i }; print(i)", "3\n");
    expect_out("bounds evaluated once", "n = 3; c = 0; for (i in 1:n) { n = 10; c = c + 1 }; "
               "print(c)", "3\n");
    expect_out("double bounds", "for (i in 1.0:3.2) print(i)", "1\n2\n3\n");
    expect_out("while", "i = 0; while (i < 3) { i = i + 1 }; print(i)", "3\n");
    expect_out("else if chain", "x = 5; if (x < 3) print(\"a\") else if (x < 10) print(\"b\") "
               "else print(\"c\")", "b\n");
    expect_out("brace-less else", "x = 1; if (x > 2) y = 1; else y = 2; z = 3; print(y + z)",
               "5\n");
    expect_out("numeric predicate", "if (0.5) print(\"yes\")", "yes\n");
    expect_warn("literal predicate warning", "if (2) print(\"yes\")",
                "Numerical value '2' (!= 0/1) is converted to boolean TRUE by DML");
    expect_err("string predicate", "s = \"abc\"; if (s) print(1)",
               "String value 'abc' is not allowed for iterable predicate");
    expect_err("matrix predicate", "X = matrix(1, 2, 2); while (X) print(1)",
               "Predicate must be a boolean or numeric scalar");
    expect_err("existing loop var type", "i = 0.5; for (i in 1:3) print(i)",
               "iterable predicate in for loop 'i' must be a scalar integer");
    expect_out_err("maybe-defined var", "x = 1; if (x > 5) { y = 2 }; print(x); print(y)",
                   "1\n", "Undefined Variable (y) used in statement");
}

/* ---- validation ---------------------------------------------------------------------- */

static void test_validation(void)
{
    expect_err("undefined variable", "x = 1\ny = z + 1",
               "test.dml:2:5: error: Undefined Variable (z) used in statement");
    expect_err("undefined function", "x = foo(1)",
               "function foo is undefined in namespace .defaultNS");
    expect_err("undefined namespace", "x = ns::foo(1)", "namespace ns is not defined ");
    expect_err("bool arithmetic", "b = TRUE; x = b + 1",
               "Invalid Valuetypes for operation BOOLEAN INT64");
    expect_err("bool negation", "b = TRUE; x = -b", "Invalid Valuetypes for operation BOOLEAN");
    expect_err("accumulate undefined", "x += 1",
               "Invalid accumulator assignment to non-existing variable x.");
    expect_err("print no args", "print()", "print() must have more than 0 parameters");
    expect_err("stop two args", "stop(\"a\", \"b\")",
               "stop() function cannot have more than 1 parameter");
    expect_err("builtin arity", "x = nrow(matrix(1, 2, 2), 3)",
               "Invalid number of arguments for function nrow()");
    expect_err("multi-assign of builtin", "[a, b] = nrow(matrix(1, 2, 2))",
               "can only use user-defined functions with multi-assignment statement");
    expect_err("multi-return builtin single", "x = remove(list(1, 2), 1)",
               "Function REMOVE needs to be called with multi-return assignment.");
    expect_err("loop dt change", "x = 1; i = 0; while (i < 2) { x = matrix(1, 2, 2); i = i + 1 }",
               "WhileStatementBlock has unsupported conditional data type change of variable "
               "'x' in loop body.");
    expect_err("for dt change", "x = 1; for (i in 1:2) { x = list(1) }",
               "ForStatementBlock has unsupported conditional data type change of variable 'x'");
    expect_err("if dt change", "x = 1; if (x > 0) { x = matrix(1, 2, 2) }",
               "IfStatementBlock has unsupported conditional data type change of variable 'x' "
               "in if branch.");
    expect_err("if/else dt change", "if (TRUE) { y = 1 } else { y = matrix(1, 1, 1) }",
               "in if/else branch.");
    expect_out("dt change outside loops", "x = 1; x = matrix(1, 2, 2); print(sum(x))", "4.0\n");
    expect_warn("one-branch init warning", "x = 1; if (x > 0) { y = 2 }; print(y)",
                "Initialization of y depends on if-else execution");
    expect_err("seq wrong sign", "x = seq(5, 1, 1)",
               "Wrong sign for the increment in a call to seq()");
    expect_err("builtin constant", "pi = 3", "Cannot assign a value to the builtin constant pi.");
    expect_err("index lower bound", "X = matrix(1, 2, 2); y = X[0, 1]",
               "lower-bound row index 0 initialized to out of bounds value. Value must be >= 1");
}

/* ---- functions ---------------------------------------------------------------------- */

static void test_functions(void)
{
    const char *f = "f = function(Double a, Integer b = 2, Integer c = b + 1) return (Double r, "
                    "Integer s) { r = a * b; s = c }\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%sprint(f(3)); print(f(a = 2, b = 5)); [x, y] = f(1, 4); "
             "print(y); z = f(1); print(z)", f);
    expect_out("positional/named/defaults", buf, "6.0\n10.0\n5\n2.0\n");
    snprintf(buf, sizeof buf, "%sx = f(1, b = 2)", f);
    expect_err("mixed binding", buf, " In DML, functions can only have named parameters (e.g., "
               "name1=value1, name2=value2) or unnamed parameters (e.g, value1, value2). f has "
               "both parameter types.");
    snprintf(buf, sizeof buf, "%sx = f(1, 2, 3, 4)", f);
    expect_err("too many args", buf, "function f has incorrect number of parameters. Function "
               "requires 3 but was called with 4");
    snprintf(buf, sizeof buf, "%sx = f(a = 1, d = 2)", f);
    expect_err("unknown named", buf, "Named function call parameter 'd' does not exist in "
               "signature of function 'f'. Function signature: [a, b, c]");
    snprintf(buf, sizeof buf, "%sx = f(b = 1)", f);
    expect_err("missing default", buf, "Missing default expression for unspecified function "
               "argument 'a' in call to function 'f'.");
    expect_out("argument cast", "g = function(Double x) return (Double y) { y = x }; print(g(3))",
               "3.0\n");
    expect_out("shadow builtin", "sum = function(Matrix[Double] X) return (Double s) { s = 42 }\n"
               "print(sum(matrix(1, 2, 2)))", "42.0\n");
    expect_out("call before definition", "print(h(2))\nh = function(Integer n) return (Integer m) "
               "{ m = n * 10 }", "20\n");
    expect_out("recursion", "fact = function(Integer n) return (Integer r) { if (n <= 1) r = 1 "
               "else r = n * fact(n - 1) }; print(fact(10))", "3628800\n");
    expect_err("recursion limit", "g = function(Integer n) return (Integer r) { r = g(n + 1) }; "
               "x = g(1)", "maximum function call depth exceeded");
    expect_err("output not defined", "g = function(Integer n) return (Integer r) { q = n }\n"
               "x = g(1)", "for function g, return variable r must be defined in function");
    expect_out("procedure", "p = function(String s) { print(\"p:\" + s) }; p(\"x\")", "p:x\n");
    expect_warn("procedure assigned", "p = function(String s) { print(s) }; y = p(\"x\")",
                "Function 'p' does not return a value but is assigned to y");
    expect_err("udf in left indexing", "g = function(Integer n) return (Integer r) { r = n }\n"
               "X = matrix(0, 2, 2); X[1, 1] = g(1)", "Unsupported function call to 'g' in left "
               "indexing expression. Please, assign the function output to a variable.");
    expect_err("no globals in functions", "x = 5; g = function(Integer n) return (Integer r) "
               "{ r = n + x }; y = g(1)", "Undefined Variable (x) used in statement");
    expect_err("runtime error location", "g = function(Matrix[Double] A) return (Matrix[Double] "
               "B) {\n  B = A[5, 1]\n}\nx = g(matrix(1, 2, 2))",
               "test.dml:2:7: error: Invalid values for matrix indexing");
}

/* ---- stop / assert ---------------------------------------------------------------- */

/* Declared types of parameters and outputs (DML.md 5.1/5.3). */
static void test_signature_types(void)
{
    expect_err("output data type", "f = function(Double a) return (Matrix[Double] c) { c = a }\n"
               "y = f(1)", "test.dml:1:47: error: for function f, return variable c data type "
               "of SCALAR does not match data type in function signature of MATRIX");
    expect_err("output value type", "f = function(Double a) return (Integer c) { c = \"n\" + a }",
               "test.dml:1:40: error: for function f, return variable c value type of STRING "
               "does not match value type in function signature of INT64 and cannot safely "
               "cast value");
    expect_err("scalar for matrix", "f = function(Matrix[Double] X) return (Double s) "
               "{ s = sum(X) }\ny = f(X = 2)", "test.dml:2:7: error: for function f, argument "
               "for parameter X data type of SCALAR does not match data type in function "
               "signature of MATRIX");
    expect_err("matrix for scalar", "f = function(Integer k) return (Integer s) { s = k }\n"
               "y = f(matrix(1, 1, 1))", "argument for parameter k data type of MATRIX");
    expect_err("string for boolean", "f = function(Boolean b) return (Boolean s) { s = b }\n"
               "y = f(\"TRUE\")", "argument for parameter b value type of STRING does not "
               "match value type in function signature of BOOLEAN");
    expect_err("list for scalar", "f = function(Unknown u) return (Unknown s) { s = u }\n"
               "y = f(list(1))", "argument for parameter u data type of LIST");
    expect_err("matrix default", "f = function(Double a = matrix(0, 1, 1)) return (Double s) "
               "{ s = a }", "test.dml:1:25: error: for function f, argument for parameter a "
               "data type of MATRIX");
    expect_out("conversions", "f = function(Double a, Integer b, Boolean c, String d, Unknown e) "
               "return (Double r, String s) { r = a + b; s = d + c + e }\n"
               "[r, s] = f(TRUE, 2.9, 0, 7, \"u\"); print(r); print(s)", "3.0\n7FALSEu\n");
    /* not known statically: checked when the call happens */
    expect_out_err("run-time argument check", "f = function(Double a) return (Double r) "
                   "{ r = a }\nx = 1\nfor (i in 1:2) x = \"s\" + i\nprint(f(2))\ny = f(x)",
                   "2.0\n", "test.dml:5:5: error: for function f, argument for parameter a "
                   "value type of STRING");
    expect_out_err("run-time output check", "g = function(Double a) return (Matrix[Double] M) "
                   "{ M = matrix(a, 1, 1) }\nf = function(Double a) return (Double c) "
                   "{ c = eval(\"g\", a) }\nprint(1)\ny = f(1)", "1\n",
                   "test.dml:4:5: error: for function f, return variable c data type of MATRIX "
                   "does not match data type in function signature of SCALAR");
}

static void test_stop_assert(void)
{
    expect_out_err("stop message", "print(\"a\"); stop(\"boom\"); print(\"b\")", "a\n", "boom");
    expect_err("stop empty", "stop(\"\")", "Stop Called");
    expect_err("assert", "x = 1\nassert(x > 2)", "test.dml:2:1: error: assertion failed at "
               "test.dml 2:1-2:13");
    expect_err("assert span over lines", "x = 1\nif (x == 1) {\n  assert(x >\n    2);  y = 2\n}",
               "assertion failed at test.dml 3:3-4:6");
    expect_out("assert ok", "assert(TRUE); print(1)", "1\n");
}

/* ---- parfor ------------------------------------------------------------------------ */

/* toString/print warn when the default 100x100 limits cut a matrix (DML.md 6.2). */
static void test_truncation_warning(void)
{
    expect_warn("toString default rows", "X = matrix(1, rows = 101, cols = 2)\ns = toString(X)",
                "WARNING: test.dml:2:5: Truncating matrix of size 101x2 to 100x2. Use "
                "toString(X, rows=..., cols=...) if necessary.");
    expect_warn("default cols with explicit rows", "s = toString(matrix(1, 1, 130), rows = 1)",
                "Truncating matrix of size 1x130 to 1x100.");
    expect_warn("print", "print(matrix(0, 2, 101))", "Truncating matrix of size 2x101 to 2x100.");
    expect_warn("list element", "print(toString(list(1, matrix(0, 101, 1))))",
                "Truncating matrix of size 101x1 to 100x1.");
    expect_quiet("explicit limits", "X = matrix(1, rows = 101, cols = 2)\n"
                 "s = toString(X, rows = 3); t = toString(X, rows = -1, cols = 1)\n"
                 "print(toString(matrix(1, 100, 100), decimal = 0) == \"\")", "FALSE\n");
}

/* A zero (or truncated-to-zero) for increment is an error at the loop (DML.md 4.8). */
static void test_for_increment(void)
{
    expect_out_err("fractional increment", "print(0)\nfor (i in seq(1, 2, 0.5)) print(i)", "0\n",
                   "test.dml:2:1: error: for loop increment must not be 0 (after conversion "
                   "to an integer: 0.5)");
    expect_err("zero increment", "k = 0\nparfor (i in seq(1, 2, k)) print(i)",
               "test.dml:2:1: error: Expression for increment of variable 'i' must evaluate to a "
               "non-zero value.");
    expect_out("increment 1.5 steps by 1", "for (i in seq(1, 2, 1.5)) print(i)", "1\n2\n");
    expect_out("wrong sign still zero iterations", "for (i in seq(1, 2, -1)) print(i); print(9)",
               "9\n");
}

static void test_parfor(void)
{
    expect_out("parfor basic", "R = matrix(0, 4, 1); parfor (i in 1:4) { R[i, 1] = i * 2 }; "
               "print(sum(R))", "20.0\n");
    expect_out("parfor check=0 scalar", "s = 5; parfor (i in 1:4, check=0) { s = i }; print(s)",
               "5\n");
    expect_out("parfor accumulate", "A = matrix(0, 2, 2); B = matrix(1, 2, 2); "
               "parfor (i in 1:3) { A += i * B }; print(sum(A))", "24.0\n");
    expect_out("parfor nested", "R = matrix(0, 3, 2); parfor (i in 1:3) { parfor (j in 1:2) "
               "{ R[i, j] = i * 10 + j } }; print(sum(R))", "129.0\n");
    expect_out("parfor read aligned", "X = matrix(2, 3, 1); parfor (i in 1:3) { X[i, 1] = "
               "X[i, 1] * i }; print(sum(X))", "12.0\n");
    expect_err("parfor local after loop", "parfor (i in 1:2) { t = i }; print(t)",
               "Undefined Variable (t)");
    expect_err("parfor stop", "parfor (i in 1:3) { stop(\"x\") }",
               "PARFOR loop dependency analysis: stop() statement is not allowed inside a "
               "parfor loop body.");
    expect_err("parfor assert", "parfor (i in 1:3, check=0) { if (i > 1) { assert(TRUE) } }",
               "assert() statement is not allowed inside a parfor loop body.");
    expect_err("parfor option", "parfor (i in 1:3, foo=2) { x = i }",
               "PARFOR: The specified parameter 'foo' is no valid parfor parameter.");
    expect_err("parfor option value", "parfor (i in 1:3, mode=FAST) { x = i }",
               "Error parsing specified ParFOR parameters");
    expect_err("parfor dependency", "A = matrix(1, 10, 1); parfor (i in 2:10) { A[i, 1] = "
               "A[i - 1, 1] + 1 }", "inter-iteration (loop-carried) dependencies detected for "
               "variable(s): A. \n Please, ensure independence of iterations.");
    expect_err("parfor scalar dep", "s = 0; parfor (i in 1:3) { s = s + i }",
               "dependencies detected for variable(s): s.");
    expect_err("parfor accumulator read", "A = matrix(1, 2, 2); parfor (i in 1:3) { A += i * A }",
               "variable(s): A.");
    expect_err("parfor range/single", "A = matrix(0, 10, 10); parfor (i in 1:10) { "
               "A[1:10, i] = matrix(1, 10, 1); A[i, 5] = 2 }", "variable(s): A.");
    expect_err("parfor false positive", "ms = matrix(0, 2, 9); mv = matrix(1, 2, 3); "
               "parfor (v in 1:3) { ms[, (v-1)*3+1:v*3] = mv }", "variable(s): ms.");
    expect_err("parfor down dep", "A = matrix(1, 10, 1); parfor (i in 10:2) { A[i, 1] = "
               "A[i - 1, 1] }", "variable(s): A.");
    expect_out("parfor gcd disjoint", "A = matrix(0, 20, 1); parfor (i in 1:5) { A[2 * i, 1] = "
               "1; A[2 * i + 1, 1] = 2 }; print(sum(A))", "15.0\n");
    expect_out("parfor check=0 skips", "A = matrix(1, 4, 1); parfor (i in 2:4, check=0) { "
               "A[i, 1] = as.scalar(A[i - 1, 1]) + 1 }; print(sum(A))", "10.0\n");
}

/* ---- modules and DML-bodied builtins ------------------------------------------------ */

static int mkdir_p(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    return system(cmd);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void test_modules(void)
{
    char path[512], script[1024];
    snprintf(path, sizeof path, "%s/builtin", tmpdir);
    if (mkdir_p(path)) return;
    snprintf(path, sizeof path, "%s/builtin/twice.dml", tmpdir);
    write_file(path, "m_twice = function(Matrix[Double] X) return (Matrix[Double] Y) "
               "{ Y = helper(X) }\n"
               "s_twice = function(Double x) return (Double y) { y = x * 2 + 0.5 }\n"
               "helper = function(Matrix[Double] X) return (Matrix[Double] Y) { Y = X * 2 }\n");
    snprintf(path, sizeof path, "%s/builtin/lazyfail.dml", tmpdir);
    write_file(path, "m_lazyfail = function(Matrix[Double] X) return (Double y) { y = sum(X) }\n"
               "s_lazyfail = function(Double x) return (Double y) { y = notabuiltin(x) }\n");
    snprintf(path, sizeof path, "%s/mod.dml", tmpdir);
    write_file(path, "inc = function(Integer n) return (Integer m) { m = dbl(n) + 1 }\n"
               "dbl = function(Integer n) return (Integer m) { m = n * 2 }\n"
               "print(\"ignored top-level statement\")\n");

    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    o.scripts_dir = tmpdir;
    snprintf(script, sizeof script, "print(sum(twice(matrix(1, 2, 2)))); print(twice(3)); "
             "source(\"%s/mod.dml\") as m; print(m::inc(4)); "
             "Y = eval(\"twice\", matrix(1, 2, 2)); print(sum(twice(Y))); "
             "print(twice(as.scalar(Y[1, 1]))); print(as.scalar(eval(\"m::inc\", 1)))", tmpdir);
    Result r = run_opts(script, &o, &c);
    const char *want = "8.0\n6.5\n9\n16.0\n4.5\n3.0\n";
    check(r.rc == 0 && !strcmp(r.out, want), "dml builtin + source + eval", script, &r, want);
    free(r.out);
    free(r.warn);
    tsr_close(c);

    /* an unresolvable call in a library file fails only when it executes */
    tsr_options_default(&o);
    o.scripts_dir = tmpdir;
    snprintf(script, sizeof script, "print(lazyfail(matrix(1, 2, 2)))\ny = lazyfail(1)");
    r = run_opts(script, &o, &c);
    check(r.rc != 0 && !strcmp(r.out, "4.0\n") &&
          strstr(r.err, "function notabuiltin is undefined in namespace .defaultNS"),
          "library call deferred", script, &r, "4.0 then notabuiltin undefined");
    free(r.out);
    free(r.warn);
    tsr_close(c);

    tsr_options_default(&o);
    o.scripts_dir = tmpdir;
    snprintf(script, sizeof script, "source(\"%s/mod.dml\") as m; x = m::nothere(1)", tmpdir);
    r = run_opts(script, &o, &c);
    check(r.rc != 0 && strstr(r.err, "function nothere is undefined in namespace m"),
          "undefined in namespace", script, &r, "function nothere is undefined in namespace m");
    free(r.out);
    free(r.warn);
    tsr_close(c);

    /* signature types of a DML-bodied builtin: static when the variant is known, else at
     * run time (the first argument's value type is unknown after as.scalar of a list) */
    const char *cases[][2] = {
        {"x = twice(\"a\")", "test.dml:1:11: error: for function s_twice, argument for "
         "parameter x value type of STRING"},
        {"L = list(\"a\"); print(twice(2)); x = twice(as.scalar(L[1]))",
         "test.dml:1:37: error: for function s_twice, argument for parameter x value type of "
         "STRING does not match value type in function signature of FP64"},
    };
    for (int k = 0; k < 2; k++) {
        tsr_options_default(&o);
        o.scripts_dir = tmpdir;
        r = run_opts(cases[k][0], &o, &c);
        check(r.rc != 0 && strstr(r.err, cases[k][1]), "builtin signature types", cases[k][0], &r,
              cases[k][1]);
        free(r.out);
        free(r.warn);
        tsr_close(c);
    }
}

/* ---- statistics and API ----------------------------------------------------------- */

static void test_api(void)
{
    tsr_options o;
    tsr_ctx *c;
    tsr_options_default(&o);
    o.stats = 1;
    /* B is printed: an unread B would be dead code the compiler drops */
    const char *script = "A = matrix(1, 10, 10); B = A %*% A; x = 0; for (i in 1:5) x = x + i; "
                         "print(x + sum(B))";
    Result r = run_opts(script, &o, &c);
    char *st;
    size_t n;
    FILE *f = open_memstream(&st, &n);
    tsr_print_stats(c, f);
    fclose(f);
    int ok = r.rc == 0 && !strcmp(r.out, "1015.0\n") &&
             !strncmp(st, "SystemDS Statistics:\nTotal elapsed time:\t\t", 42) &&
             strstr(st, "Total compilation time:\t\t") && strstr(st, "Total execution time:\t\t") &&
             strstr(st, "Heavy hitter instructions:") && strstr(st, "ba+*") && strstr(st, "+");
    check(ok, "stats block", script, &r, st);
    free(st);
    free(r.out);
    free(r.warn);
    tsr_close(c);

    tsr_options_default(&o);
    r = run_opts("print(1)", &o, &c);
    f = open_memstream(&st, &n);
    tsr_print_stats(c, f);
    fclose(f);
    check(!strncmp(st, "SystemDS Statistics:\nTotal execution time:\t\t", 44) &&
          !strstr(st, "elapsed"), "short stats block", "print(1)", &r, st);
    free(st);
    free(r.out);
    free(r.warn);
    tsr_close(c);

    check(tsr_version() && tsr_version()[0], "version", "", &r, "non-empty");

    /* one context runs several scripts; the error of a failed run is reset */
    tsr_options_default(&o);
    c = tsr_open(&o);
    int rc1 = tsr_run(c, "t1.dml", "x = y", NULL);
    int had_err = strstr(tsr_errmsg(c), "t1.dml:1:5: error: Undefined Variable (y)") != NULL;
    int rc2 = tsr_run(c, "t2.dml", "z = 1", NULL);
    r.rc = rc2;
    r.out = (char *)"";
    r.err = tsr_errmsg(c);
    check(rc1 != 0 && had_err && rc2 == 0 && tsr_errmsg(c)[0] == '\0', "context reuse",
          "x = y / z = 1", &r, "");
    tsr_close(c);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsr_test_runtime_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_basics();
    test_indexing();
    test_lists();
    test_control();
    test_validation();
    test_functions();
    test_signature_types();
    test_stop_assert();
    test_truncation_warning();
    test_for_increment();
    test_parfor();
    test_modules();
    test_api();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    return check_summary();
}
