/*
 * fmt.c - French number formats for everything a report reader sees: `12 345`,
 * `12,4`, `12,4 %`. Thousands are separated by U+202F (narrow no-break space, the
 * typographic choice of the Imprimerie nationale), the decimal mark is a comma.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpts/util.h"

#define NNBSP "\xe2\x80\xaf" /* U+202F */

size_t cpts_utf8_fit(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	if (len <= max)
		return len;
	len = max;
	/* back over continuation bytes to the start of the cut character */
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void cpts_utf8_copy(char *out, size_t n, const char *s)
{
	size_t len;

	if (n == 0)
		return;
	len = cpts_utf8_fit(s, n - 1);
	memcpy(out, s, len);
	out[len] = '\0';
}

char *cpts_fmt_fr(char *out, size_t n, double v, int decimals)
{
	char raw[64], *dot, *p;
	size_t int_len, j = 0;
	bool neg;

	if (n == 0)
		return out;
	if (!isfinite(v)) {
		snprintf(out, n, "%s", "n.d.");
		return out;
	}
	if (decimals < 0)
		decimals = 0;
	snprintf(raw, sizeof(raw), "%.*f", decimals, v);
	/* "-0" and "-0,0" read as zero */
	neg = raw[0] == '-';
	if (neg) {
		bool all_zero = true;
		for (p = raw + 1; *p; p++)
			if (*p >= '1' && *p <= '9')
				all_zero = false;
		if (all_zero)
			memmove(raw, raw + 1, strlen(raw));
		neg = raw[0] == '-';
	}
	p = raw + (neg ? 1 : 0);
	dot = strchr(p, '.');
	int_len = dot ? (size_t)(dot - p) : strlen(p);
	char tmp[128];
	if (neg)
		tmp[j++] = '-';
	for (size_t i = 0; i < int_len; i++) {
		if (i > 0 && (int_len - i) % 3 == 0) {
			memcpy(tmp + j, NNBSP, 3);
			j += 3;
		}
		tmp[j++] = p[i];
	}
	if (dot) {
		tmp[j++] = ',';
		for (const char *q = dot + 1; *q && j < sizeof(tmp) - 1; q++)
			tmp[j++] = *q;
	}
	tmp[j] = '\0';
	cpts_utf8_copy(out, n, tmp); /* a short buffer never gets half a U+202F */
	return out;
}

char *cpts_fmt_fr_pct(char *out, size_t n, double proportion, int decimals)
{
	char num[96];

	if (!isfinite(proportion)) {
		snprintf(out, n, "%s", "n.d.");
		return out;
	}
	cpts_fmt_fr(num, sizeof(num), proportion * 100.0, decimals);
	snprintf(num + strlen(num), sizeof(num) - strlen(num), "\xc2\xa0%%"); /* U+00A0 */
	cpts_utf8_copy(out, n, num);
	return out;
}
