/*
 * test_core.c - unit tests of src/core: codes, French formats, SHA-256, buffers, the
 * string map, the error model and ACI tiers.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/code.h"
#include "cpts/ctx.h"
#include "cpts/domain.h"
#include "cpts/model.h"
#include "cpts/outfile.h"
#include "cpts/util.h"
#include "tap.h"

static void test_codes(void)
{
	char out[6];
	unsigned fl;

	ok(cpts_code_normalize("01004", 5, out, &fl, false) && strcmp(out, "01004") == 0 &&
	   fl == 0, "01004 kept");
	ok(cpts_code_normalize("1004", 4, out, &fl, false) && strcmp(out, "01004") == 0 &&
	   (fl & CPTS_CODE_REPAIRED), "1004 repaired to 01004");
	ok(cpts_code_normalize(" \"2a004\" ", 9, out, &fl, false) && strcmp(out, "2A004") == 0,
	   "quoted lower-case Corsican code");
	ok(cpts_code_normalize("1004.0", 6, out, &fl, false) && strcmp(out, "01004") == 0,
	   "spreadsheet 1004.0");
	ok(!cpts_code_normalize("20004", 5, out, &fl, false), "département 20 does not exist");
	ok(!cpts_code_normalize("ABCDE", 5, out, &fl, false), "letters rejected");
	ok(!cpts_code_normalize("123", 3, out, &fl, false), "3 digits rejected");
	ok(cpts_code_normalize("075056", 6, out, &fl, true) && strcmp(out, "75056") == 0 &&
	   (fl & CPTS_CODE_SNDS), "SNDS 075056 -> 75056");
	ok(cpts_code_normalize("02A004", 6, out, &fl, true) && strcmp(out, "2A004") == 0,
	   "SNDS 02A004 -> 2A004");
	ok(cpts_code_normalize("971105", 6, out, &fl, true) && strcmp(out, "97105") == 0,
	   "SNDS 971105 -> 97105");
	ok(!cpts_code_normalize("075056", 6, out, &fl, false), "6 chars without SNDS mode");
	cpts_code_dep("97101", out);
	is_str(out, "971", "département of 97101");
	cpts_code_dep("2B033", out);
	is_str(out, "2B", "département of 2B033");
	is_int(cpts_code_srid("44109"), 2154, "Lambert-93 in metropole");
	is_int(cpts_code_srid("97101"), 5490, "Guadeloupe UTM 20N");
	is_int(cpts_code_srid("97302"), 2972, "Guyane");
	is_int(cpts_code_srid("97411"), 2975, "La Réunion");
	is_int(cpts_code_srid("97611"), 4471, "Mayotte");
	is_str(cpts_code_arm_parent("75113"), "75056", "Paris 13e");
	is_str(cpts_code_arm_parent("69383"), "69123", "Lyon 3e");
	is_str(cpts_code_arm_parent("13216"), "13055", "Marseille 16e");
	ok(cpts_code_arm_parent("13217") == NULL, "13217 is not an arrondissement");
	is_str(cpts_dep_region("44"), "52", "Loire-Atlantique in Pays de la Loire");
	is_str(cpts_dep_region("2A"), "94", "Corse-du-Sud in Corse");
	is_str(cpts_dep_region("971"), "01", "Guadeloupe region");
	ok(cpts_dep_region("00") == NULL, "unknown département");
}

static void test_fmt(void)
{
	char b[64];

	is_str(cpts_fmt_fr(b, sizeof(b), 12345, 0), "12\xe2\x80\xaf" "345", "12 345");
	is_str(cpts_fmt_fr(b, sizeof(b), 1234567.891, 2), "1\xe2\x80\xaf" "234\xe2\x80\xaf" "567,89",
	       "1 234 567,89");
	is_str(cpts_fmt_fr(b, sizeof(b), -0.04, 1), "0,0", "negative zero printed as 0,0");
	is_str(cpts_fmt_fr(b, sizeof(b), -1234, 0), "-1\xe2\x80\xaf" "234", "-1 234");
	is_str(cpts_fmt_fr(b, sizeof(b), 999, 0), "999", "no separator under 1000");
	is_str(cpts_fmt_fr_pct(b, sizeof(b), 0.124, 1), "12,4\xc2\xa0%", "12,4 %% with a no-break space");
}

static void test_sha(void)
{
	cpts_sha256 s;
	char hex[65];

	cpts_sha256_init(&s);
	cpts_sha256_update(&s, "abc", 3);
	cpts_sha256_final(&s, hex);
	/* FIPS 180-4 example; also `printf abc | sha256sum` */
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "sha256(abc)");
	cpts_sha256_init(&s);
	cpts_sha256_update(&s, "", 0);
	cpts_sha256_final(&s, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "sha256(empty)");
	{
		/* 1,000,000 x 'a': FIPS 180-2 appendix B.3 */
		static char a[1000];
		memset(a, 'a', sizeof(a));
		cpts_sha256_init(&s);
		for (int i = 0; i < 1000; i++)
			cpts_sha256_update(&s, a, sizeof(a));
		cpts_sha256_final(&s, hex);
		is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		       "sha256(a x 1e6)");
	}
}

static void test_buf_map(void)
{
	cpts_buf b = CPTS_BUF_INIT;
	cpts_strmap *m = cpts_strmap_new(4);
	int64_t v = 0;
	char *d;
	size_t len;

	is_str(b.data, "", "empty buffer is an empty string");
	for (int i = 0; i < 1000; i++)
		cpts_buf_addf(&b, "%d,", i);
	is_int(b.len, 3890, "buffer length after 1000 appends");
	cpts_buf_reset(&b);
	cpts_buf_add_html(&b, "Saint-Jean <d'Angély> & co");
	is_str(b.data, "Saint-Jean &lt;d&#39;Angély&gt; &amp; co", "HTML escaping");
	d = cpts_buf_detach(&b, &len);
	is_str(b.data, "", "detached buffer is reset");
	free(d);
	for (int i = 0; i < 50000; i++) {
		char k[16];
		snprintf(k, sizeof(k), "%05d", i);
		cpts_strmap_put(m, k, i * 2);
	}
	is_int(cpts_strmap_count(m), 50000, "50000 keys");
	ok(cpts_strmap_get(m, "12345", &v) && v == 24690, "lookup 12345");
	ok(!cpts_strmap_get(m, "2A004", NULL), "missing key");
	cpts_strmap_put(m, "12345", -1);
	ok(cpts_strmap_get(m, "12345", &v) && v == -1, "replace");
	cpts_strmap_free(m);
	cpts_buf_release(&b);
}

static void test_errors(void)
{
	cpts_ctx ctx;
	FILE *devnull = fopen("/dev/null", "w");

	ok(cpts_ctx_init(&ctx) == CPTS_OK, "context init (GEOS, PROJ)");
	ctx.log = devnull;
	is_int(cpts_fail(&ctx, CPTS_EINPUT, "first %d", 1), CPTS_EINPUT, "fail returns its code");
	cpts_fail(&ctx, CPTS_EIO, "second");
	is_str(ctx.err.msg, "first 1", "first error wins");
	cpts_error_where(&ctx, "a.csv:3");
	cpts_error_where(&ctx, "b.csv:4");
	is_str(ctx.err.where, "a.csv:3", "where is set once");
	is_int(cpts_status_exit_code(CPTS_EINPUT), 3, "input -> 3");
	is_int(cpts_status_exit_code(CPTS_EIO), 4, "io -> 4");
	is_int(cpts_status_exit_code(CPTS_EDEP), 5, "dep -> 5");
	is_int(cpts_status_exit_code(CPTS_EUSAGE), 2, "usage -> 2");
	is_int(cpts_status_exit_code(CPTS_ECANCEL), 130, "cancel -> 130");
	is_int(cpts_status_exit_code(CPTS_EINTERNAL), 70, "internal -> 70");
	cpts_ctx_release(&ctx);
	fclose(devnull);
}

static void test_tiers(void)
{
	int to;

	is_int(cpts_aci_tier_of(39999)->tier, 1, "39 999 inhabitants: tier 1");
	is_int(cpts_aci_tier_of(40000)->tier, 2, "40 000: tier 2");
	is_int(cpts_aci_tier_of(175000)->tier, 4, "175 000: tier 4");
	near(cpts_aci_tier_of(100000)->total_eur, 370000, 0, "tier 3 total");
	near(cpts_aci_tier_distance(75000, &to), 5000, 0, "5 000 to tier 3");
	is_int(to, 3, "toward tier 3");
	near(cpts_aci_tier_distance(200000, &to), -25000, 0, "tier 4: 25 000 above tier 3");
}

/* Issue 12: slugs (item 11), shell quoting (item 13), visible escaping (item 14). */
static void slug_is(const char *in, const char *want)
{
	char *s = cpts_slug(in, 60, "territoire");
	is_str(s, want, "slug of '%s'", cpts_text(in));
	free(s);
}

static void shell_is(const char *in, const char *want)
{
	cpts_buf b = CPTS_BUF_INIT;
	cpts_buf_add_shell(&b, in);
	is_str(b.data, want, "shell word of '%s'", cpts_text(in));
	cpts_buf_release(&b);
}

static void test_safe_text(void)
{
	char *s;
	cpts_buf b = CPTS_BUF_INIT;

	slug_is("CA Cholet Agglomération", "ca-cholet-agglomeration");
	slug_is("Saint-Étienne-d'Arve", "saint-etienne-darve");
	slug_is("Œuvre ÆØÅ ß", "oeuvre-aeoa-ss");
	slug_is("../../etc/passwd", "etc-passwd");
	slug_is("a/b\\c", "a-b-c");
	slug_is("-rf", "rf");
	slug_is(".hidden", "hidden");
	slug_is("..", "territoire");
	slug_is("CON", "con-1");
	slug_is("lpt9", "lpt9-1");
	slug_is("com10", "com10");
	slug_is("\xf0\x9f\x8f\xa5 Santé \xce\x91\xce\xb8", "sante");
	slug_is("a\nb\x1b[31m", "a-b-31m");
	slug_is("x\xff\xfe" "y", "x-y"); /* invalid UTF-8 bytes are separators */
	s = cpts_slug("ABCDEFGHIJ abcdefghij ABCDEFGHIJ abcdefghij ABCDEFGHIJ abcdefghij xyz",
		      60, NULL);
	ok(strlen(s) <= 60 && strncmp(s, "abcdefghij-abcdefghij", 21) == 0,
	   "slug bounded to 60 bytes (%zu)", strlen(s));
	free(s);
	shell_is("plain-1.0_x", "plain-1.0_x");
	shell_is("", "''");
	shell_is("p $(touch x)", "'p $(touch x)'");
	shell_is("O'Neil", "'O'\\''Neil'");
	shell_is("`id`", "'`id`'");
	shell_is("a\nb'c", "$'a\\nb\\'c'");
	shell_is("esc\x1b", "$'esc\\x1b'");
	cpts_buf_add_text(&b, "a\nb\rc\td\\e\x1b" "f\x7f");
	is_str(b.data, "a\\nb\\rc\\td\\\\e\\x1bf\\x7f", "control characters escaped visibly");
	cpts_buf_release(&b);
	is_str(cpts_text("plain é"), "plain é", "cpts_text leaves plain text as is");
	cpts_text_release();
}

/* tap.h: a description holding a newline (a captured log line) stays one TAP line;
 * before the fix the rest of it was an "Unknown TAP output line" for meson. */
static void test_tap_newline(void)
{
	char path[] = "/tmp/cpts_tap_XXXXXX", line[256];
	int fd = mkstemp(path), saved, n_lines = 0, n_save = tap_n, f_save = tap_failed;
	FILE *f;

	if (fd < 0) {
		ok(0, "temporary file for the TAP check");
		return;
	}
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	tap_result(1, __FILE__, __LINE__, "warning: %s", "first line\nsecond line # not a directive");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	tap_n = n_save;
	tap_failed = f_save;
	f = fdopen(fd, "r");
	rewind(f);
	while (fgets(line, sizeof(line), f))
		n_lines++;
	rewind(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	unlink(path);
	is_int(n_lines, 1, "a description with a newline is printed on one line");
	ok(strncmp(line, "ok ", 3) == 0 && strstr(line, "first line second line") &&
	   !strchr(line + 3, '#'), "newline and '#' replaced in the description");
}

/* issue 12 item 7: a short buffer never receives half a character (the scale bar of a
 * huge map was cut inside a U+202F, an invalid UTF-8 page) */
static void test_utf8_cut(void)
{
	bool all_valid = true;
	char b[32];

	for (size_t n = 1; n <= sizeof(b); n++) {
		cpts_fmt_fr(b, n, 1234567890123.0, 0);
		size_t len = strlen(b);
		for (size_t i = 0; i < len;) { /* every lead byte has its continuation bytes */
			unsigned char c = (unsigned char)b[i];
			size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			if (i + k > len)
				all_valid = false;
			for (size_t j = 1; j < k && i + j < len; j++)
				if (((unsigned char)b[i + j] & 0xC0) != 0x80)
					all_valid = false;
			i += k;
		}
	}
	ok(all_valid, "cpts_fmt_fr never cuts a character, for buffers of 1 to 32 bytes");
	cpts_fmt_fr(b, 6, 1234567.0, 0);
	is_str(b, "1\xe2\x80\xaf" "2", "1 234 567 in 6 bytes: '1 2', the U+202F whole");
	cpts_fmt_fr(b, 4, 1234567.0, 0);
	is_str(b, "1", "in 4 bytes: '1', not a cut U+202F");
	is_int((long long)cpts_utf8_fit("Caf\xc3\xa9", 4), 3, "'Café' fitted to 4 bytes: 'Caf'");
	cpts_fmt_fr_pct(b, 6, 0.123, 1);
	is_str(b, "12,3", "12,3 percent in 6 bytes: the U+00A0 left out whole");
}

/* cpts/domain.h: the dense code key (unique, bounded, -1 for malformed codes), the age
 * bands and the band edges of the tiers. */
static void test_domain(void)
{
	const char *codes[] = { "01001", "2A004", "2B033", "97101", "75056", "99999", "00000" };
	long seen[7];
	bool distinct = true;

	for (int i = 0; i < 7; i++) {
		seen[i] = cpts_code_key(codes[i]);
		for (int j = 0; j < i; j++)
			distinct = distinct && seen[j] != seen[i];
	}
	ok(distinct, "code keys of 7 different codes are distinct");
	is_int(cpts_code_key("01001"), (0 * 12 + 1) * 1000 + 1, "01001 -> 1001");
	is_int(cpts_code_key("2A004"), (2 * 12 + 10) * 1000 + 4, "2A004 -> 34004");
	is_int(cpts_code_key("99999"), (9 * 12 + 9) * 1000 + 999,
	       "99999 -> 117999, below the bound");
	ok(cpts_code_key("2C004") == -1 && cpts_code_key("0100") == -1 &&
	   cpts_code_key("010011") == -1 && cpts_code_key(NULL) == -1 &&
	   cpts_code_key("A1001") == -1, "malformed codes have no key");
	is_str(cpts_age_bands[0], "00-04", "first age band");
	is_str(cpts_age_bands[CPTS_DOMAIN_N_AGE_BANDS - 1], "95+", "last age band");
	is_int(cpts_aci_tier_of(CPTS_DOMAIN_POP_CEILING - 1)->tier, 3, "174,999: tier 3");
	is_int(cpts_aci_tier_of(CPTS_DOMAIN_POP_CEILING)->tier, 4, "175,000: tier 4");
	ok(strstr(CPTS_DOMAIN_ACI_VINTAGE, "2019") != NULL, "the tiers carry their vintage");
}

int main(void)
{
	test_domain();
	test_utf8_cut();
	test_codes();
	test_fmt();
	test_sha();
	test_buf_map();
	test_errors();
	test_tiers();
	test_safe_text();
	test_tap_newline();
	return done_testing();
}
