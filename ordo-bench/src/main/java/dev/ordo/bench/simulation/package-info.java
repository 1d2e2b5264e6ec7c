/**
 * Simulations of a policy against its fixed alternative under a changing load: the adaptive
 * out-of-orderness bound under a delay shift (deterministic, simulated time), the adaptive
 * concurrency limit when a downstream slows down, and a byte budget against an unbounded pipeline
 * under a tenfold overload.
 */
package dev.ordo.bench.simulation;
