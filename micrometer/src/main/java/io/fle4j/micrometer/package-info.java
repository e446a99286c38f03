/**
 * fle4j's encryption events as Micrometer meters and observations: {@link
 * io.fle4j.micrometer.Fle4jMetrics}.
 */
package io.fle4j.micrometer;
