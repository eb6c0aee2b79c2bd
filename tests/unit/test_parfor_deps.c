/*
 * test_parfor_deps.c - the parfor loop-dependency checker (DML.md 8.4) and
 * the forbidden statements (8.7) on a table of small programs, through the
 * front end only (prs_load_program + sem_validate; nothing runs).
 *
 * Each row is a program and its expected outcome: OK (validates), DEP (the
 * exact list of variables reported, at the line:col of the parfor that
 * reports them) or ERR (an exact other error message at a location).  The
 * expectations follow the rules of DML.md 8.4 read literally, with the
 * conservative choices noted next to the rows.  Every DEP program is also
 * validated again with check=0 added to each parfor header and must then
 * be accepted.
 */
#include "lang/lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { OK, DEP, ERR };

typedef struct Row {
    const char *src;   /* appended to the common prelude P (line 1) */
    int kind;
    const char *want;  /* DEP: "A, s"; ERR: the exact message */
    const char *at;    /* the error is at the first occurrence of this text
                        * (NULL: at the first "parfor") */
} Row;

/* Variables that exist before every loop below (line 1). */
#define P                                                                                     \
    "A = matrix(0, 20, 20); B = matrix(1, 20, 20); C = matrix(0, 20, 20); "                   \
    "G = matrix(0, 200, 1); L = list(1, 2, 3, 4, 5, 6, 7, 8, 9, 10); s = 0; x = 1; n = 10; "  \
    "k = 3\n"

/* Functions appended to some programs (callable before their definition). */
#define FN_SUM "\nf = function(Matrix[Double] X) return (Double y) { y = sum(X) }"
#define FN_INC "\ng = function(Matrix[Double] X) return (Matrix[Double] Y) { Y = X + 1 }"
#define FN_TWO "\nf2 = function(Integer a) return (Double p, Double q) { p = a; q = a * 2 }"
#define FN_LOC "\nh = function(Integer a) return (Double s) { s = a * 2; x = s }"
#define FN_PRN "\npr = function(Matrix[Double] X) { print(sum(X)) }"
#define FN_STOP                                                                               \
    "\nchk = function(Integer a) return (Integer b) { if (a < 0) { stop(\"neg\") }; b = a }"

#define UDF_LINDEX                                                                            \
    "Unsupported function call to 'f' in left indexing expression. Please, assign the "      \
    "function output to a variable."
#define STOP_MSG                                                                              \
    "PARFOR loop dependency analysis: stop() statement is not allowed inside a parfor loop body."
#define ASSERT_MSG                                                                            \
    "PARFOR loop dependency analysis: assert() statement is not allowed inside a parfor loop "  \
    "body."

static const Row rows[] = {
    /* ---- scalars: every write to an existing scalar is a dependency ---- */
    {"parfor (i in 1:10) { s = s + i }", DEP, "s", NULL},
    {"parfor (i in 1:10) { x = 5 }", DEP, "x", NULL},
    {"parfor (i in 1:10) { s += i }", DEP, "s", NULL},
    {"parfor (i in 1:10) { if (i > 5) { s = i } }", DEP, "s", NULL},
    {"parfor (i in 1:10) { if (i > 5) { y = i } else { x = 2 } }", DEP, "x", NULL},
    {"parfor (i in 1:10) { for (j in 1:3) { s = j } }", DEP, "s", NULL},
    {"parfor (i in 1:10) { m = 0; while (m < 3) { m = m + 1 }; s = m }", DEP, "s", NULL},
    {"parfor (i in 1:10) { x = i; s = i }", DEP, "x, s", NULL},
    {"parfor (i in 1:10) { A[i, 1] = i; s = i; B[1, 1] = i }", DEP, "s, B", NULL},
    {"parfor (i in 1:10) { [s, y] = f2(i) }" FN_TWO, DEP, "s", NULL},
    /* a variable that exists only after one branch is still a candidate */
    {"if (n > 5) { q = 1 }\nparfor (i in 1:10) { q = i }", DEP, "q", NULL},
    /* variables first created in the body are never candidates */
    {"parfor (i in 1:10) { t = i * 2; A[i, 1] = t }", OK, NULL, NULL},
    {"parfor (i in 1:10) { u = i; u = u + 1; A[i, 1] = u }", OK, NULL, NULL},
    {"parfor (i in 1:10) { z = i }\nz = 1", OK, NULL, NULL},
    /* iteration-locals (and a new loop variable) of an earlier parfor are
     * undefined after it (DML.md 8.5) */
    {"parfor (i in 1:4) { t = i }\nparfor (i in 1:4) { t = i; A[i, 1] = t }\n"
     "parfor (i in 1:4) { t = i; A[i, 2] = t }", OK, NULL, NULL},
    {"parfor (i in 1:4) { t = i }\nif (n > 5) { t = 1 }\nparfor (i in 1:5) { t = i }", DEP,
     "t", "parfor (i in 1:5)"},
    {"parfor (j in 1:4) { A[j, 1] = j }\nparfor (i in 1:4) { j = i; A[i, 2] = j }", OK, NULL,
     NULL},
    {"parfor (i in 1:4) { t = i }\nt = 0\nparfor (i in 1:5) { t = i }", DEP, "t",
     "parfor (i in 1:5)"},
    {"parfor (i in 1:10) { [p, q] = f2(i); A[i, 1] = p + q }" FN_TWO, OK, NULL, NULL},
    {"parfor (i in 1:10) { W = matrix(i, 2, 2); W[1, 1] = 0; W = W + 1 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = s + x * i }", OK, NULL, NULL},
    {"i = 5\nparfor (i in 1:10) { A[i, 1] = i }", OK, NULL, NULL},

    /* ---- matrices: writes and reads indexed by the loop variable ---- */
    {"parfor (i in 1:10) { A[i, 1] = B[i, 1] }", OK, NULL, NULL},
    {"parfor (i in 2:10) { A[i, 1] = B[i, 1] + A[i - 1, 1] }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, 1] = A[i, 1] * 2 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, ] = B[i, ] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[, i] = B[, i] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i] = B[i, ] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = 1; A[i, 2] = 2 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = A[i, 2] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[1, i] = A[2, i] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, i] = 1 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = A[i + 1, 1] }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, ] = t(A[, i]) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, 1] = as.scalar(B[i, 1]); B[i + 1, 1] = 0 }", DEP, "B", NULL},
    {"parfor (i in 1:10) { Y = A; Y[i, 1] = i; B[i, 1] = sum(Y) }", OK, NULL, NULL},
    {"parfor (i in 1:nrow(A)) { A[i, 1] = i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { Z = matrix(0, 3, 3); Z[1, 1] = i; A[i, 1] = sum(Z) }", OK, NULL,
     NULL},
    {"F = as.frame(matrix(0, 10, 2))\nparfor (i in 1:10) { F[i, 1] = \"a\" }", OK, NULL, NULL},
    {"F = as.frame(matrix(0, 10, 2))\nparfor (i in 1:10) { F[1, 1] = \"a\" }", DEP, "F", NULL},
    /* whole reads; nrow/ncol/length are not reads */
    {"parfor (i in 1:10) { A[i, 1] = sum(A) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, 1] = 1; print(sum(A)) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, 1] = 1; print(toString(A[i, ])) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = nrow(A) + ncol(A) + length(A) }", OK, NULL, NULL},
    /* writes without index or with an index that does not use i */
    {"parfor (i in 1:10) { A = B }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[1, 1] = i }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[k, 1] = i }", DEP, "A", NULL},
    {"parfor (i in 1:1) { A[1, 1] = i }", DEP, "A", NULL},
    /* a cell read by every iteration and written by iteration 1 */
    {"parfor (i in 1:10) { A[i, 1] = as.scalar(A[1, 1]) }", DEP, "A", NULL},
    {"parfor (i in 2:10) { A[i, 1] = as.scalar(A[1, 1]) }", OK, NULL, NULL},
    /* loop-invariant symbols cancel only with equal coefficients */
    {"parfor (i in 1:10) { A[i + k, 1] = B[i, 1] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i + k, 1] = A[i + k + 1, 1] }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i + k, 1] = 1; A[i, 1] = 2 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[k * i, 1] = 1 }", DEP, "A", NULL},

    /* ---- ranges never prove disjointness; another dimension may ---- */
    {"parfor (i in 1:10) { A[1:10, i] = matrix(1, 10, 1); A[i, 5] = 2 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[1:10, i] = matrix(1, 10, 1) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1:5] = matrix(1, 1, 5) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[1:10, i] = matrix(1, 10, 1); B[i, 1] = sum(A[1:10, i]) }", OK, NULL,
     NULL},
    {"parfor (i in 1:9) { A[1:10, i] = matrix(1, 10, 1); A[1:10, i + 1] = matrix(2, 10, 1) }",
     DEP, "A", NULL},
    /* the documented false positive (workaround check=0) */
    {"ms = matrix(0, 2, 9); mv = matrix(1, 2, 3)\n"
     "parfor (v in 1:3) { ms[, (v - 1) * 3 + 1:v * 3] = mv }", DEP, "ms", NULL},
    {"parfor (i in 1:5) { A[(i - 1) * 3 + 1:i * 3, 1] = matrix(1, 3, 1) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i:i, 1] = matrix(1, 1, 1) }", DEP, "A", NULL},

    /* ---- linear indexes: GCD test and Banerjee bounds ---- */
    {"parfor (i in 1:5) { A[2 * i, 1] = 1; A[2 * i + 1, 1] = 2 }", OK, NULL, NULL},
    {"parfor (i in 1:5) { A[2 * i, 1] = as.scalar(A[2 * i + 1, 1]) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[2 * i, 1] = as.scalar(A[i, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:5) { A[2 * i, 1] = 1; A[i, 1] = 2 }", DEP, "A", NULL},
    {"parfor (i in 1:5) { A[3 * i, 1] = 1; A[3 * i + 1, 1] = 2; A[3 * i + 2, 1] = 3 }", OK, NULL,
     NULL},
    {"parfor (i in 1:4) { A[4 * i, 1] = as.scalar(A[2 * i + 1, 1]) }", OK, NULL, NULL},
    {"parfor (i in 1:4) { A[4 * i, 1] = as.scalar(A[2 * i, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:5) { A[i, 1] = as.scalar(A[i + 5, 1]) }", OK, NULL, NULL},
    {"parfor (i in 1:6) { A[i, 1] = as.scalar(A[i + 5, 1]) }", DEP, "A", NULL},
    {"parfor (i in 5:9) { A[2 * i, 1] = as.scalar(A[i, 1]) }", OK, NULL, NULL},
    {"parfor (i in 1:n) { A[i, 1] = as.scalar(A[i + 5, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:n) { A[i, 1] = B[i, 1] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[11 - i, 1] = i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[-i + 11, 1] = 1; A[i, 2] = 2 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[11 - i, 1] = as.scalar(A[i, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[(2 * i) / 2, 1] = i }", OK, NULL, NULL},
    /* index values are truncated (DML.md 3.2): i / 2 is 1 for i = 2 and 3 */
    {"parfor (i in 1:10) { A[i / 2, 1] = i }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i + 0.5, 1] = i }", OK, NULL, NULL},
    /* i + 1.5 truncates to i + 1, the cell iteration i + 1 reads */
    {"parfor (i in 1:10) { A[i + 1.5, 1] = as.scalar(A[i, 1]) }", DEP, "A", NULL},

    /* ---- non-linear indexes count as dependent ---- */
    {"parfor (i in 1:4) { A[i * i, 1] = 1 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i %% 5 + 1, 1] = 1 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i ^ 1, 1] = 1 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[as.integer(i), 1] = 1 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { m = i + 1; A[m, 1] = 1 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { x = i; A[x, 1] = 1 }", DEP, "x, A", NULL},
    /* the body rebinds the loop variable: i is no longer the iteration */
    {"parfor (i in 1:10) { i = 1; A[i, 1] = 2 }", DEP, "A", NULL},

    /* ---- nested loops ---- */
    {"parfor (i in 1:10) { for (j in 1:5) { A[i, j] = i * j } }", OK, NULL, NULL},
    {"parfor (i in 1:10) { for (j in 1:5) { A[j, 1] = i } }", DEP, "A", NULL},
    {"parfor (i in 1:10) { for (j in 1:5) { A[i, j] = as.scalar(A[i, j + 1]) } }", OK, NULL, NULL},
    {"parfor (i in 1:10) { for (j in 1:5) { A[i, j] = 1 }; for (j in 1:5) { B[i, j] = "
     "as.scalar(A[i, j]) } }", OK, NULL, NULL},
    {"parfor (i in 1:10) { m = 1; while (m <= 3) { A[i, m] = 1; m = m + 1 } }", OK, NULL, NULL},
    /* Banerjee bounds with the literal bounds of the inner loop */
    {"parfor (i in 1:3) { for (j in 1:4) { A[5 * i + j, 1] = 1 } }", OK, NULL, NULL},
    {"parfor (i in 1:2) { for (j in 1:6) { A[5 * i + j, 1] = 1 } }", DEP, "A", NULL},
    {"parfor (i in 1:3) { for (j in 1:n) { A[5 * i + j, 1] = 1 } }", DEP, "A", NULL},
    /* the bounds of j hold only inside the loop that binds j, and only if the
     * body does not rebind j */
    {"parfor (i in 1:3) { for (j in 1:2) { y = j }; for (j in 1:100) { G[10 * i + j, 1] = 1 } }",
     DEP, "G", NULL},
    {"parfor (i in 1:3) { for (j in 1:2) { j = 10 * j; G[10 * i + j, 1] = 1 } }", DEP, "G", NULL},
    {"parfor (i in 1:10) { for (j in 1:2) { G[3 * i + j, 1] = i }; j = 5; "
     "y = as.scalar(G[j + 3 * i, 1]) }", DEP, "G", NULL},
    {"j = -1\nparfor (i in 1:10) { y = as.scalar(G[3 * i + j, 1]); for (j in 1:2) { "
     "G[3 * i + j, 1] = y } }", DEP, "G", NULL},
    /* a nested loop over the parfor's variable shadows it */
    {"parfor (i in 1:4) { for (i in 1:2) { A[i, 1] = 1 } }", DEP, "A", NULL},
    /* the header of a nested for is not a write of an existing j; an
     * assignment to j in the body is */
    {"j = 7\nparfor (i in 1:4) { for (j in 1:2) { A[i, j] = 1 } }", OK, NULL, NULL},
    {"j = 0\nparfor (i in 1:4) { for (j in 1:2) { A[i, j] = 1 }; j = 5 }", DEP, "j", NULL},
    /* nested parfor: each parfor checks its own body, the outer one also
     * through the inner one */
    {"parfor (i in 1:4) { parfor (j in 1:5) { A[i, j] = i } }", OK, NULL, NULL},
    {"parfor (i in 1:4) {\n  parfor (j in 2:5) { A[i, j] = as.scalar(A[i, j - 1]) }\n}", DEP, "A",
     "parfor (j"},
    {"parfor (i in 1:4) { parfor (j in 1:5, check=0) { A[j, 1] = i } }", DEP, "A", NULL},
    {"parfor (i in 1:4, check=0) { parfor (j in 1:5) { A[j, 1] = i } }", OK, NULL, NULL},
    {"parfor (i in 1:2) { parfor (j in 1:2) { x = j } }", DEP, "x", "parfor (j"},
    /* a variable assigned in an enclosing loop's body only inside (or after)
     * an inner parfor does not exist before it in program order */
    {"parfor (i in 1:9) {\n  X = B[, i]\n  parfor (j in (i + 1):10) { Y = B[, j]; "
     "A[i, j] = sum(X * Y) }\n}", OK, NULL, NULL},
    {"for (r in 1:3) { if (r > 1) { z = 1 }; parfor (j in 1:10) { Y = B[, j]; "
     "A[r, j] = sum(Y) }; Y = B }", OK, NULL, NULL},
    {"for (r in 1:3) { Y = B; parfor (j in 1:10) { Y = B[, j]; A[r, j] = sum(Y) } }", DEP, "Y",
     NULL},
    {"for (r in 1:3) { Y = B }\nparfor (j in 1:10) { Y = B[, j]; A[1, j] = sum(Y) }", DEP, "Y",
     NULL},

    /* ---- if / else / while ---- */
    {"parfor (i in 1:10) { if (i %% 2 == 0) { A[i, 1] = 1 } else { A[i, 2] = 2 } }", OK, NULL,
     NULL},
    {"parfor (i in 1:10) { if (i > 5) { A[1, 1] = i } }", DEP, "A", NULL},
    {"parfor (i in 1:10) { if (i > 5) { A = B } }", DEP, "A", NULL},
    {"parfor (i in 1:10) { while (FALSE) { A[1, 1] = i } }", DEP, "A", NULL},
    {"parfor (i in 1:10) { if (as.scalar(A[i + 1, 1]) > 0) { A[i, 1] = 1 } }", DEP, "A", NULL},

    /* ---- accumulators ---- */
    {"parfor (i in 1:10) { A += i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A += i; A += i * B }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A += matrix(i, nrow(A), ncol(A)) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A += i * A }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A += as.scalar(A[i, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A += i; A = B }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A += i; A[i, 1] = 2 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A += B; C[i, 1] = sum(A) }", DEP, "A", NULL},
    /* indexed accumulators */
    {"parfor (i in 1:10) { A[1, 1] += i; A[2, 1] += i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[, 1] += B[, i] }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] += i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[1, 1] += i; A[i, 1] = 5 }", DEP, "A", NULL},
    {"parfor (i in 2:10) { A[1, 1] += i; A[i, 1] = 5 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { A[1, 1] += i; A[1, 1] = 0 }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[1, 1] += i; y = as.scalar(A[1, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[1, 1] += i; y = as.scalar(A[2, 1]) }", OK, NULL, NULL},
    /* a read inside the candidate's own += right-hand side */
    {"parfor (i in 1:10) { A[1, 1] += as.scalar(A[2, 1]) }", DEP, "A", NULL},
    {"parfor (i in 1:10) { A[i, 1] += as.scalar(A[i, 1]) }", DEP, "A", NULL},

    /* ---- function calls: arguments are reads; functions have no globals ---- */
    {"parfor (i in 1:10) { r = f(A); A[i, 1] = r }" FN_SUM, DEP, "A", NULL},
    {"parfor (i in 1:10) { r = f(B); A[i, 1] = r }" FN_SUM, OK, NULL, NULL},
    {"parfor (i in 1:10) { A = g(A) }" FN_INC, DEP, "A", NULL},
    {"parfor (i in 1:10) { pr(A); A[i, 1] = 1 }" FN_PRN, DEP, "A", NULL},
    {"parfor (i in 1:10) { r = h(i); A[i, 1] = r }" FN_LOC, OK, NULL, NULL},
    {"parfor (i in 1:10) { A[i, 1] = f(B) }" FN_SUM, ERR, UDF_LINDEX, "f(B)"},

    /* ---- lists ---- */
    {"parfor (i in 1:10) { L[i] = i * 2 }", OK, NULL, NULL},
    {"parfor (i in 1:10) { y = as.scalar(L[i]) + length(L); L[i] = y }", OK, NULL, NULL},
    {"parfor (i in 1:10) { L[1] = i }", DEP, "L", NULL},
    {"parfor (i in 1:9) { L[i] = as.scalar(L[i + 1]) }", DEP, "L", NULL},
    /* the second index of a list is ignored (DML.md 4.2) */
    {"parfor (i in 1:10) { L[i, 1] = i }", OK, NULL, NULL},
    {"parfor (i in 1:10) { L[1, i] = i }", DEP, "L", NULL},
    {"N = list(a = 1, b = 2)\nparfor (i in 1:10) { N[\"a\"] = i }", DEP, "N", NULL},
    {"parfor (i in 1:10) { L[[i]] = i }", ERR,
     "a bracket list [a, b, ...] is only allowed as a function call argument", "[i]]"},

    /* ---- increments other than +1 ---- */
    {"parfor (i in 10:2) { A[i, 1] = as.scalar(A[i - 1, 1]) }", DEP, "A", NULL},
    {"parfor (i in 10:2) { A[i, 1] = B[i, 1] }", OK, NULL, NULL},
    {"parfor (i in seq(10, 1, -1)) { A[i, 1] = i }", OK, NULL, NULL},
    {"parfor (i in seq(10, 1, -1)) { A[i, 1] = as.scalar(A[i + 1, 1]) }", DEP, "A", NULL},
    {"parfor (i in 10:1) { A[11 - i, 1] = as.scalar(A[12 - i, 1]) }", DEP, "A", NULL},
    /* i odd: i + 1 is never another iteration's i */
    {"parfor (i in seq(1, 10, 2)) { A[i + 1, 1] = as.scalar(A[i, 1]) }", OK, NULL, NULL},
    {"parfor (i in seq(1, 10, 2)) { A[i + 2, 1] = as.scalar(A[i, 1]) }", DEP, "A", NULL},
    {"parfor (i in seq(1, 9, 4)) { A[i, 1] = 1; A[i + 1, 1] = 2; A[i + 2, 1] = 3; "
     "A[i + 3, 1] = 4 }", OK, NULL, NULL},
    {"parfor (i in seq(20, 2, -2)) { A[i, 1] = as.scalar(A[i - 1, 1]) }", OK, NULL, NULL},
    /* unknown increment: both directions, step 1 */
    {"parfor (i in seq(1, n, k)) { A[i + 1, 1] = as.scalar(A[i, 1]) }", DEP, "A", NULL},
    {"parfor (i in seq(1, n, k)) { A[i, 1] = as.scalar(A[i, 2]) }", OK, NULL, NULL},
    /* one and zero iterations: no two different iterations exist */
    {"parfor (i in 3:3) { A[i, 1] = as.scalar(A[i + 1, 1]) }", OK, NULL, NULL},
    {"parfor (i in seq(1, 10, -1)) { A[i, 1] = as.scalar(A[i + 1, 1]) }", OK, NULL, NULL},

    /* ---- check=0; stop() and assert() ---- */
    {"parfor (i in 1:10, check=0) { s = s + i; A[1, 1] = sum(A) }", OK, NULL, NULL},
    {"parfor (i in 1:10) { stop(\"no\") }", ERR, STOP_MSG, "stop("},
    {"parfor (i in 1:10, check=0) { if (i == 2) { stop(\"no\") } }", ERR, STOP_MSG, "stop("},
    {"parfor (i in 1:10) { while (FALSE) { assert(TRUE) } }", ERR, ASSERT_MSG, "assert("},
    {"parfor (i in 1:10) { for (j in 1:2) { if (j > 5) { stop(\"x\") } } }", ERR, STOP_MSG,
     "stop("},
    {"parfor (i in 1:10) { parfor (j in 1:2, check=0) { assert(i > 0) } }", ERR, ASSERT_MSG,
     "assert("},
    /* stop() in a called function, in a plain for or after the loop is fine */
    {"parfor (i in 1:10) { r = chk(i); A[i, 1] = r }" FN_STOP, OK, NULL, NULL},
    {"for (i in 1:10) { if (i > 20) { stop(\"x\") } }", OK, NULL, NULL},
    {"parfor (i in 1:4) { A[i, 1] = i }\nif (n > 100) { stop(\"x\") }", OK, NULL, NULL},
};

/* 1-based line and column of the first occurrence of `what` in `src`. */
static int locate(const char *src, const char *what, int *line, int *col)
{
    const char *p = strstr(src, what);
    if (!p) return 0;
    *line = 1;
    *col = 1;
    for (const char *q = src; q < p; q++) {
        if (*q == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
    return 1;
}

/* Validates `src`; returns the status with *e filled. */
static tsr_status validate(const char *src, Err *e)
{
    err_clear(e);
    AstProgram *p = prs_load_program("t.dml", src, NULL, NULL, e);
    if (!p) return e->code;
    SemCtx *s = sem_new(p, NULL);
    tsr_status rc = sem_validate(s, e);
    sem_free(s);
    e->span.file = NULL;   /* points into the program freed below */
    prs_free_program(p);
    return rc;
}

/* `src` with ", check=0" added to every parfor header that has no check
 * option yet (before the ')' closing the header). */
static char *with_check0(const char *src)
{
    StrBuf sb;
    sb_init(&sb);
    const char *p = src;
    for (const char *h; (h = strstr(p, "parfor (")) != NULL;) {
        const char *q = h + strlen("parfor (");
        for (int depth = 1; *q && depth > 0; q++) depth += (*q == '(') - (*q == ')');
        const char *opt = strstr(h, "check=");
        int has = opt && opt < q;
        sb_printf(&sb, "%.*s%s)", (int)(q - 1 - p), p, has ? "" : ", check=0");
        p = q;
    }
    sb_printf(&sb, "%s", p);
    return sb_take(&sb);
}

static void fail(int r, const char *src, const char *want, const Err *e, int wl, int wc)
{
    fprintf(stderr, "FAIL row %d\n  src:  %s\n  want: %d:%d: %s\n  got:  %s%d:%d: %s\n", r, src,
            wl, wc, want ? want : "OK", e->code ? "" : "OK ", e->span.line, e->span.col,
            e->code ? e->msg : "");
}

static void run_row(int r, const Row *row)
{
    StrBuf src, want;
    sb_init(&src);
    sb_init(&want);
    sb_printf(&src, "%s%s", P, row->src);
    int wl = 0, wc = 0;
    if (row->kind != OK && !locate(src.s, row->at ? row->at : "parfor", &wl, &wc)) {
        fprintf(stderr, "row %d: marker not found\n", r);
        check_count(0);
    }
    if (row->kind == DEP)
        sb_printf(&want, "PARFOR loop dependency analysis: inter-iteration (loop-carried) "
                         "dependencies detected for variable(s): %s. \n Please, ensure "
                         "independence of iterations.", row->want);
    else if (row->kind == ERR)
        sb_printf(&want, "%s", row->want);
    Err e;
    tsr_status rc = validate(src.s, &e);
    int ok = row->kind == OK ? rc == TSR_OK
                             : rc != TSR_OK && !strcmp(e.msg, want.s) && e.span.line == wl &&
                                   e.span.col == wc;
    if (!check_count(ok)) fail(r, src.s, row->kind == OK ? NULL : want.s, &e, wl, wc);
    if (row->kind == DEP) {   /* check=0 skips the analysis */
        char *off = with_check0(src.s);
        rc = validate(off, &e);
        if (!check_count(rc == TSR_OK)) fail(r, off, NULL, &e, 0, 0);
        free(off);
    }
    sb_free(&src);
    sb_free(&want);
}

int main(void)
{
    int n = (int)(sizeof rows / sizeof rows[0]);
    for (int r = 0; r < n; r++) run_row(r, &rows[r]);
    printf("%d rows\n", n);
    return check_summary();
}
