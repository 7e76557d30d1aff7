/*
 * progress.c - the terminal progress renderer and scaled sub-progress (cpts/progress.h).
 * Draws on stderr only; on by default only when stderr is a terminal and the process
 * is in the foreground; silent for the first second; at most 10 redraws per second and
 * only when the shown percentage changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/progress.h"
#include "cpts/util.h"

struct cpts_progress_term {
	bool on;
	double start;     /* when the renderer was created */
	double last_draw; /* when it last drew */
	int last_pct;     /* last percentage drawn, -1 for none */
	bool drawn;       /* something is on the current line */
	char last_msg[96];
};

int cpts_progress_none(double frac, const char *msg, void *arg)
{
	(void)frac;
	(void)msg;
	(void)arg;
	return 1;
}

cpts_progress_term *cpts_progress_term_new(int mode)
{
	cpts_progress_term *t = cpts_calloc(1, sizeof(*t));

	if (mode < 0)
		t->on = isatty(2) && getpgrp() == tcgetpgrp(2);
	else
		t->on = mode != 0;
	t->start = cpts_now();
	t->last_pct = -1;
	return t;
}

void cpts_progress_term_done(cpts_progress_term *t)
{
	if (t && t->drawn) {
		fputs(", done.\n", stderr);
		t->drawn = false;
		t->last_pct = -1;
	}
}

void cpts_progress_term_free(cpts_progress_term *t)
{
	if (!t)
		return;
	cpts_progress_term_done(t);
	free(t);
}

int cpts_progress_term_cb(double frac, const char *msg, void *arg)
{
	cpts_progress_term *t = arg;
	double now;
	int pct;

	if (!t || !t->on)
		return 1;
	now = cpts_now();
	if (now - t->start < 1.0)
		return 1;
	if (msg && t->drawn && strncmp(msg, t->last_msg, sizeof(t->last_msg) - 1) != 0) {
		/* a new step: finish the line of the previous one */
		cpts_progress_term_done(t);
	}
	pct = frac < 0 ? -1 : (int)(frac * 100.0 + 0.5);
	if (t->drawn && (now - t->last_draw < 0.1 || (pct == t->last_pct && pct >= 0)))
		return 1;
	if (pct >= 0)
		fprintf(stderr, "\rcpts: %s: %3d%%", msg ? msg : "working", pct > 100 ? 100 : pct);
	else
		fprintf(stderr, "\rcpts: %s", msg ? msg : "working");
	fflush(stderr);
	snprintf(t->last_msg, sizeof(t->last_msg), "%s", msg ? msg : "");
	t->last_pct = pct;
	t->last_draw = now;
	t->drawn = true;
	if (pct >= 100)
		cpts_progress_term_done(t);
	return 1;
}

int cpts_progress_scaled_cb(double frac, const char *msg, void *arg)
{
	cpts_progress_scaled *s = arg;

	if (frac < 0)
		return s->parent(frac, msg, s->parent_arg);
	return s->parent(s->lo + (s->hi - s->lo) * frac, msg, s->parent_arg);
}
