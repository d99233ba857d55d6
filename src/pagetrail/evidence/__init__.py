"""Where evidence comes from: bundle folders now, live systems later. Every source yields the
same domain Evidence."""
