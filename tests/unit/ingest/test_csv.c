/*
 * test_csv.c - the streaming CSV reader and the cell parser of the ingest module, on
 * small in-memory inputs whose expected fields are written out by hand.
 */
#include <string.h>

#include "cpts/ctx.h"
#include "ingest/ingest_int.h"
#include "tap.h"

/* Read all rows of a memory CSV; returns rows read or the error status. */
static int read_all(cpts_ctx *ctx, const char *data, size_t len, char out[][4][64], int max)
{
	cpts_csv *c = NULL;
	char **f;
	size_t n;
	int rc, rows = 0;

	cpts_error_clear(ctx);
	if ((rc = cpts_csv_open_mem(ctx, &c, data, len, "mem.csv")) < 0)
		return rc;
	while ((rc = cpts_csv_next(ctx, c, &f, &n)) == 1) {
		for (size_t i = 0; i < n && i < 4 && rows < max; i++)
			snprintf(out[rows][i], 64, "%s", f[i]);
		rows++;
	}
	cpts_csv_free(c);
	return rc < 0 ? rc : rows;
}

static void test_dialects(cpts_ctx *ctx)
{
	char r[8][4][64];
	static const char semi[] = "a;b;c\r\n1;\"x;y\";3\r\n\r\n4;\"multi\nline \"\"q\"\"\";6\r\n";
	static const char tab[] = "a\tb\n1\t2\n";
	static const char comma[] = "\xEF\xBB\xBF" "code,nom\n44109,\"Nantes, ville\"\n";
	static const char latin1[] = "code;nom\n01004;Amb\xE9rieu \x80\n";
	static const char trailing[] = "a;b\n1;2;\n";

	is_int(read_all(ctx, semi, sizeof(semi) - 1, r, 8), 2, "';' CRLF: 2 rows (blank line skipped)");
	is_str(r[0][1], "x;y", "quoted delimiter kept in the field");
	is_str(r[1][1], "multi\nline \"q\"", "quoted newline and doubled quotes");
	is_int(read_all(ctx, tab, sizeof(tab) - 1, r, 8), 1, "tab-delimited: 1 row");
	is_str(r[0][1], "2", "tab field");
	is_int(read_all(ctx, comma, sizeof(comma) - 1, r, 8), 1, "UTF-8 BOM + ',': 1 row");
	is_str(r[0][0], "44109", "BOM stripped from the first field of the header, data intact");
	is_str(r[0][1], "Nantes, ville", "quoted comma");
	is_int(read_all(ctx, latin1, sizeof(latin1) - 1, r, 8), 1, "Windows-1252 file");
	/* é = U+00E9 = C3 A9; 0x80 in CP1252 = U+20AC = E2 82 AC */
	is_str(r[0][1], "Amb\xC3\xA9rieu \xE2\x82\xAC", "Windows-1252 converted to UTF-8");
	is_int(read_all(ctx, trailing, sizeof(trailing) - 1, r, 8), 1, "trailing delimiter tolerated");
}

static void test_errors(cpts_ctx *ctx)
{
	char r[8][4][64];
	static const char unbalanced[] = "a;b\n1;\"open\n2;3\n";
	static const char short_row[] = "a;b;c\n1;2;3\n4;5\n";
	static const char binary[] = "a;b\n\x01\x02\x03\0\0\x05";
	static const char after_quote[] = "a;b\n\"x\"y;2\n";

	is_int(read_all(ctx, unbalanced, sizeof(unbalanced) - 1, r, 8), CPTS_EINPUT, "unbalanced quote");
	ok(strstr(ctx->err.msg, "mem.csv:2") && strstr(ctx->err.msg, "unbalanced quote"),
	   "unbalanced quote names file and opening line: %s", ctx->err.msg);
	is_int(read_all(ctx, short_row, sizeof(short_row) - 1, r, 8), CPTS_EINPUT, "short row");
	ok(strstr(ctx->err.msg, "mem.csv:3") && strstr(ctx->err.msg, "2 fields, the header has 3"),
	   "short row names the line: %s", ctx->err.msg);
	is_int(read_all(ctx, binary, sizeof(binary) - 1, r, 8), CPTS_EINPUT, "binary data");
	ok(strstr(ctx->err.msg, "binary") != NULL, "binary is named: %s", ctx->err.msg);
	is_int(read_all(ctx, "", 0, r, 8), CPTS_EINPUT, "empty input");
	ok(strstr(ctx->err.msg, "empty") != NULL, "empty is named: %s", ctx->err.msg);
	is_int(read_all(ctx, after_quote, sizeof(after_quote) - 1, r, 8), CPTS_EINPUT,
	       "character after a closing quote");
}

static void test_cells(void)
{
	double v = -1;

	is_int(cpts_ingest__cell("12,5", &v), CPTS_CELL_VALUE, "decimal comma");
	near(v, 12.5, 0, "12,5 = 12.5");
	is_int(cpts_ingest__cell("1 234,5", &v), CPTS_CELL_VALUE, "thousands blank");
	near(v, 1234.5, 0, "1 234,5 = 1234.5");
	is_int(cpts_ingest__cell("1\xE2\x80\xAF" "234", &v), CPTS_CELL_VALUE, "narrow no-break space");
	near(v, 1234, 0, "1 234 (U+202F) = 1234");
	is_int(cpts_ingest__cell("<11", &v), CPTS_CELL_MASKED, "<11 masked");
	is_int(cpts_ingest__cell("< 11", &v), CPTS_CELL_MASKED, "< 11 masked");
	is_int(cpts_ingest__cell("s", &v), CPTS_CELL_MASKED, "s masked");
	is_int(cpts_ingest__cell("NS", &v), CPTS_CELL_MASKED, "NS masked");
	is_int(cpts_ingest__cell("secret", &v), CPTS_CELL_MASKED, "secret masked");
	is_int(cpts_ingest__cell("", &v), CPTS_CELL_EMPTY, "empty");
	is_int(cpts_ingest__cell("abc", &v), CPTS_CELL_BAD, "abc is bad");
	is_int(cpts_ingest__cell("1,2,3", &v), CPTS_CELL_BAD, "two separators is bad");
	is_int(cpts_ingest__cell("inf", &v), CPTS_CELL_BAD, "inf is bad");
	is_int(cpts_ingest__cell("-3", &v), CPTS_CELL_VALUE, "negative parses (checked later)");
	{ /* issue 12 item 6: the file's decimal separator decides "1,234" */
		char dec = 0;
		is_int(cpts_ingest__number("1,234", &dec, false, &v), CPTS_CELL_AMBIGUOUS,
		       "1,234 in a number, separator unknown: ambiguous");
		is_int(cpts_ingest__number("1,234", &dec, true, &v), CPTS_CELL_VALUE,
		       "1,234 in a whole count: thousands");
		near(v, 1234, 0, "1,234 (count) = 1234");
		is_int(dec, 0, "nothing learnt from an ambiguous cell");
		is_int(cpts_ingest__number("0,5", &dec, false, &v), CPTS_CELL_VALUE, "0,5");
		is_int(dec, ',', "0,5 tells the decimal separator is ','");
		is_int(cpts_ingest__number("1,234", &dec, true, &v), CPTS_CELL_VALUE, "1,234 again");
		near(v, 1.234, 1e-12, "1,234 = 1.234 once ',' is the decimal separator");
		is_int(cpts_ingest__number("1.234", &dec, false, &v), CPTS_CELL_VALUE, "1.234");
		near(v, 1234, 0, "1.234 = 1234 when ',' is the decimal separator");
		is_int(cpts_ingest__number("1.234.567,5", &dec, false, &v), CPTS_CELL_VALUE,
		       "1.234.567,5");
		near(v, 1234567.5, 0, "1.234.567,5 = 1234567.5");
		is_int(cpts_ingest__number("12 34", &dec, false, &v), CPTS_CELL_BAD,
		       "12 34: groups of three digits only");
		is_int(cpts_ingest__number(" 1 234 \xC2\xA0 ", &dec, true, &v), CPTS_CELL_VALUE,
		       "blanks around the number are not separators");
		near(v, 1234, 0, "' 1 234 ' = 1234");
		is_int(cpts_ingest__number("1,2", &dec, true, &v), CPTS_CELL_VALUE, "1,2 parses");
		ok(v != floor(v), "1,2 is not whole (the loader refuses it in a count)");
	}
}

static void test_check_mem(cpts_ctx *ctx)
{
	static const char flows[] = "residence;exercice;volume\n44109;44020;12\n44109;35238;<11\n";
	static const char badnum[] = "code_commune;population\n44109;12\n44020;douze\n";
	long long n = 0;

	cpts_error_clear(ctx);
	is_int(cpts_ingest__check_csv_mem(ctx, CPTS_TABLE_FLOWS, flows, sizeof(flows) - 1, &n),
	       CPTS_OK, "flows with aliases parse");
	is_int(n, 2, "2 flow rows");
	is_int(cpts_ingest__check_csv_mem(ctx, CPTS_TABLE_POPULATION, badnum, sizeof(badnum) - 1, &n),
	       CPTS_EINPUT, "non-numeric population refused");
	ok(strstr(ctx->err.msg, ":3: column 'population': 'douze' is not a number") != NULL,
	   "message names line, column and value: %s", ctx->err.msg);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_dialects(&ctx);
	test_errors(&ctx);
	test_cells();
	test_check_mem(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
