package io.ext3ns.bench.shooter;

import java.util.Random;

/**
 * Who asks for what and when, as the paper's PseudoPlayer drives its server: titles by Zipf popularity (title k of
 * n with probability proportional to 1/k^s) and arrivals as a Poisson process (exponential gaps at a fixed rate).
 */
public final class Popularity {
    private final double[] cumulative;
    private final double arrivalsPerSecond;
    private final Random random;

    public Popularity(int titles, double zipfExponent, double arrivalsPerSecond, long seed) {
        if (titles < 1 || !(arrivalsPerSecond > 0)) {
            throw new IllegalArgumentException("need at least one title and a positive arrival rate");
        }
        cumulative = new double[titles];
        double sum = 0;
        for (int k = 0; k < titles; k++) {
            sum += 1.0 / Math.pow(k + 1, zipfExponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < titles; k++) {
            cumulative[k] /= sum;
        }
        this.arrivalsPerSecond = arrivalsPerSecond;
        this.random = new Random(seed);
    }

    /** A title index, 0 the most popular. */
    public int nextTitle() {
        double u = random.nextDouble();
        for (int k = 0; k < cumulative.length; k++) {
            if (u < cumulative[k]) {
                return k;
            }
        }
        return cumulative.length - 1;
    }

    /** Nanoseconds until the next arrival. */
    public long nextGapNanos() {
        return (long) (-Math.log(1 - random.nextDouble()) / arrivalsPerSecond * 1e9);
    }
}
