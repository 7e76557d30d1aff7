/*
 * put.c - how the files of a synthetic territory write their numbers: integers by hand
 * (fprintf dominated the profile of a 5-million-row flows file), health counts masked
 * "<11" between 1 and 10 (DOMAIN.md section 7), tenths.
 *
 * Why its own file: write.c (the input files) and indicators.c (the catalogue's
 * indicators, the consumption rows by profession) both write these numbers; with the
 * helpers in write.c, each of the two files used the other (an import loop).
 */
#include <math.h>
#include <stdio.h>

#include "synth/synth_int.h"

void synth_put_long(FILE *f, long v)
{
	char buf[24];
	size_t i = sizeof(buf);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	fwrite(buf + i, 1, sizeof(buf) - i, f);
}

void synth_put_count(FILE *f, long v)
{
	if (v >= 1 && v <= 10)
		fputs("<11", f);
	else
		synth_put_long(f, v);
}

void synth_put_tenths(FILE *f, double v)
{
	long t = lround(v * 10.0);

	synth_put_long(f, t / 10);
	fputc('.', f);
	fputc((char)('0' + t % 10), f);
}
