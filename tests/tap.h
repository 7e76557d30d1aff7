/*
 * tap.h - a tiny TAP producer for the unit tests (meson reads TAP with protocol: 'tap').
 * ok(), is_int(), is_str(), near() print "ok N - name" or "not ok N - name" with the
 * expected and obtained values and the [file:line]; done_testing() prints the plan and
 * returns the exit status. Header-only so every test is one file.
 */
#ifndef CPTS_TAP_H
#define CPTS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_result(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_result(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char desc[1024];

	tap_n++;
	if (!pass)
		tap_failed++;
	/* one line per result: a description quoting a captured message may hold a newline
	 * (or a '#', which TAP reads as a directive); both are replaced */
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	for (char *p = desc; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
		else if (*p == '#')
			*p = '_';
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_n, desc);
	if (!pass)
		printf("#   failed at [%s:%d]\n", file, line);
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_result(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                           \
	do {                                                                             \
		long long g_ = (long long)(got), w_ = (long long)(want);                 \
		if (!tap_result(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))              \
			printf("#   expected %lld, obtained %lld\n", w_, g_);               \
	} while (0)

#define is_str(got, want, ...)                                                           \
	do {                                                                             \
		const char *g_ = (got), *w_ = (want);                                    \
		int p_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;                      \
		if (!tap_result(p_, __FILE__, __LINE__, __VA_ARGS__))                    \
			printf("#   expected '%s', obtained '%s'\n", w_ ? w_ : "(null)",    \
			       g_ ? g_ : "(null)");                                      \
	} while (0)

/* relative tolerance tol (absolute when want == 0) */
#define near(got, want, tol, ...)                                                        \
	do {                                                                             \
		double g_ = (double)(got), w_ = (double)(want);                          \
		double d_ = fabs(g_ - w_), s_ = fabs(w_) > 0 ? fabs(w_) : 1.0;           \
		if (!tap_result(d_ <= (tol) * s_, __FILE__, __LINE__, __VA_ARGS__))      \
			printf("#   expected %.12g, obtained %.12g (tolerance %g)\n", w_,   \
			       g_, (double)(tol));                                       \
	} while (0)

#define diag(...)                                  \
	do {                                       \
		printf("# ");                      \
		printf(__VA_ARGS__);               \
		printf("\n");                      \
	} while (0)

static inline void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of the shared real data (../shared/data) or NULL when absent. */
static inline const char *tap_shared_data(void)
{
	static char path[4096];
	const char *root = getenv("CPTS_SHARED");
	FILE *f;

	if (!root)
		return NULL;
	snprintf(path, sizeof(path), "%s/data/SOURCES.md", root);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fclose(f);
	snprintf(path, sizeof(path), "%s/data", root);
	return path;
}

#endif
