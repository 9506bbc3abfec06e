"""What the tests share and the benchmark may use: generated exports, stand-in upstreams, the live service,
job backends, media probes, the truths races and statistics are held to. No test module imports another;
they import from here."""
