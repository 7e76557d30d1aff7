/*
 * rng.c - the generator's random numbers: xoshiro256** seeded with splitmix64.
 *
 * Why our own generator: rand() differs between C libraries and its state is global,
 * so `cpts synth` would not be byte-identical across machines. xoshiro256** (Blackman
 * and Vigna, 2018) is small, fast and well tested; splitmix64 expands (seed, stream,
 * sub-stream) into a full state, so each stage and each origin commune draws from its
 * own stream and changing one stage does not shift the draws of another.
 */
#include <math.h>

#include "synth/synth_int.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void synth_rng_seed(synth_rng *r, uint64_t seed, uint64_t stream, uint64_t sub)
{
	uint64_t x = seed;

	x ^= splitmix64(&(uint64_t){ stream * 0xD1B54A32D192ED03ULL + 1 });
	x ^= splitmix64(&(uint64_t){ sub * 0x8CB92BA72F3D8DD7ULL + 7 });
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1; /* the all-zero state is a fixed point */
}

uint64_t synth_rng_next(synth_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double synth_rng_u01(synth_rng *r)
{
	return (double)(synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double synth_rng_range(synth_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * synth_rng_u01(r);
}

long synth_rng_int(synth_rng *r, long n)
{
	if (n <= 1)
		return 0;
	/* the top 53 bits scaled: the bias (n / 2^53) is irrelevant for our small n */
	return (long)(synth_rng_u01(r) * (double)n);
}

/* Marsaglia's polar method: no trigonometry, one cached value dropped for simplicity
 * so that each call consumes a whole number of draws (keeps streams easy to follow). */
double synth_rng_normal(synth_rng *r)
{
	double u, v, q;

	do {
		u = 2.0 * synth_rng_u01(r) - 1.0;
		v = 2.0 * synth_rng_u01(r) - 1.0;
		q = u * u + v * v;
	} while (q >= 1.0 || q == 0.0);
	return u * sqrt(-2.0 * log(q) / q);
}

/* Knuth's multiplication method below 30, a rounded normal approximation above
 * (relative error of the variance under 2 % there, plenty for fictional counts). */
long synth_rng_poisson(synth_rng *r, double lambda)
{
	if (!(lambda > 0))
		return 0;
	if (lambda < 30) {
		double l = exp(-lambda), p = 1.0;
		long k = 0;

		do {
			k++;
			p *= synth_rng_u01(r);
		} while (p > l);
		return k - 1;
	}
	double x = floor(lambda + sqrt(lambda) * synth_rng_normal(r) + 0.5);
	return x < 0 ? 0 : (long)x;
}

long synth_rng_binom(synth_rng *r, long n, double p)
{
	long k = 0;

	if (n <= 0 || p <= 0)
		return 0;
	if (p >= 1)
		return n;
	if (n < 40) {
		for (long i = 0; i < n; i++)
			k += synth_rng_u01(r) < p;
		return k;
	}
	double x = floor(n * p + sqrt(n * p * (1 - p)) * synth_rng_normal(r) + 0.5);
	return x < 0 ? 0 : x > n ? n : (long)x;
}

double synth_dist(double x0, double y0, double x1, double y1)
{
	return hypot(x1 - x0, y1 - y0);
}
