#!/bin/sh
# scripts/method-demo.sh - shows the convention of src/basins/methods.c on a temporary
# copy of the committed tree (HEAD): adds a dummy basin method, "singles" (every commune
# its own basin, then the floor and the count merge them), as its file, its row and its
# test; counts the files the addition touched (git status: 3 expected, no build file);
# then builds cpts and the new test there and runs it with the registration check, and
# lists the methods of `cpts basins --help`. Never part of the tests (a build from
# scratch: a few minutes on 2 cores). Exit status 0 when all of it holds.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpts-method-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git archive HEAD | tar -x -C "$tmp"
cd "$tmp"
git init -q && git add -A && git -c user.name=demo -c user.email=demo@localhost commit -qm base

# 1. the method's file
cat > src/basins/method_singles.c <<'C'
/*
 * method_singles.c - a demonstration basin method (scripts/method-demo.sh): every
 * unlocked commune starts as its own basin; the floor step, then the count, merge them.
 */
#include "basins/basins_int.h"

CPTS_BASINS__METHOD(cpts_basins__method_singles); /* the prototype, as in methods.c */

CPTS_BASINS__METHOD(cpts_basins__method_singles)
{
	(void)sum;
	for (size_t i = 0; i < w->m->n; i++)
		if (!w->locked[i])
			w->lab[i] = (long)w->n_lab++;
	cpts_basins__merge_floor(w, false);
	if (target)
		cpts_basins__agglomerate(w, target);
	cpts_basins__compact(w);
	return CPTS_OK;
}
C
# 2. its declaration and row in the method table
awk '
  /^CPTS_BASINS__METHOD\(cpts_basins__method_leiden\);/ {
    print; print "CPTS_BASINS__METHOD(cpts_basins__method_singles);"; next }
  /^static const cpts_basins__method methods\[\] = \{/ { in_table = 1 }
  in_table && /^\};/ {
    print "\t{ { \"singles\", \"every commune its own basin, merged by the floor and the count\",";
    print "\t    \"communes isolées regroupées par le plancher\", 0, false },";
    print "\t  cpts_basins__method_singles },";
    in_table = 0 }
  { print }' src/basins/methods.c > methods.c.new
mv methods.c.new src/basins/methods.c
# 3. its test
cat > tests/unit/basins/test_method_singles.c <<'C'
/*
 * test_method_singles.c - the demonstration method of scripts/method-demo.sh on the strip
 * of four 1 km squares of test_methods.c: 44001 and 44004 (10,000 inhabitants) at the
 * ends, 44002 sends 90 of its 100 flows west, 44003 80 of 100 east. Asked for two basins,
 * the adjacent singletons exchanging most flows merge: {44001, 44002} {44003, 44004},
 * overall LI (900 + 90 + 80 + 950) / 2200.
 */
#include <math.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "tap.h"
#include "unit/graph/ws_helper.h"

int main(void)
{
	cpts_ctx c, *ctx = &c;
	char path[256];
	cpts_store *s = cpts_ctx_init(ctx) < 0 ? NULL : ws_create(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	static const char *code[4] = { "44001", "44002", "44003", "44004" };
	static const double pop[4] = { 10000, 1000, 1000, 10000 };
	int rc = s ? cpts_store_begin(ctx, s) : -1;

	for (int i = 0; i < 4 && rc == 0; i++)
		rc = ws_rect(ctx, s, code[i], 1000.0 * i, 0, 1000.0 * (i + 1), 1000) |
		     ws_pop(ctx, s, code[i], pop[i]);
	rc |= ws_flow(ctx, s, "44001", "44001", "", 900, 0);
	rc |= ws_flow(ctx, s, "44001", "44004", "", 100, 0);
	rc |= ws_flow(ctx, s, "44002", "44001", "", 90, 0);
	rc |= ws_flow(ctx, s, "44002", "44004", "", 10, 0);
	rc |= ws_flow(ctx, s, "44003", "44004", "", 80, 0);
	rc |= ws_flow(ctx, s, "44003", "44001", "", 20, 0);
	rc |= ws_flow(ctx, s, "44004", "44004", "", 950, 0);
	rc |= ws_flow(ctx, s, "44004", "44001", "", 50, 0);
	if (rc == 0)
		rc = cpts_store_commit(ctx, s);
	ctx->verbosity = CPTS_LOG_ERROR;
	ok(rc == 0, "strip workspace built");
	o.method = "singles";
	o.name = "b_singles";
	o.target_count = 2;
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "singles runs");
	is_int(sum.n_basins, 2, "two basins");
	ok(fabs(sum.li_overall - 2020.0 / 2200.0) < 1e-9, "overall LI %.6f = 2020 / 2200",
	   sum.li_overall);
	ws_drop(s, path);
	cpts_ctx_release(ctx);
	return done_testing();
}
C

echo "files touched to add the method:"
git status --porcelain
n=$(git status --porcelain | wc -l)
echo "count: $n"
[ "$n" -eq 3 ]
meson setup build -Dwerror=true > build-setup.log || { tail -20 build-setup.log; exit 1; }
ninja -C build cpts tests/unit_basins_test_method_singles tests/unit_basins_test_methods > build.log || { grep -B2 -A12 -E "error|FAILED" build.log | head -60; exit 1; }
meson test -C build --no-rebuild basins/test_method_singles basins/test_methods registered
./build/cpts basins --help | sed -n '/--method values/,/^$/p'
echo "method-demo: ok"
