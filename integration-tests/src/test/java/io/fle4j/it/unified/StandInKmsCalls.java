package io.fle4j.it.unified;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which cloud KMS stand-ins were asked to wrap or unwrap a data key during one test case. A case
 * in which any was asked is aborted afterwards, whatever its result: the real KMS was needed, so
 * neither a pass nor a failure (nor an expected error satisfied by the stand-in's refusal) would
 * mean anything.
 */
final class StandInKmsCalls {
  private final Set<String> providers = new TreeSet<>();

  synchronized void record(String providerName) {
    providers.add(providerName);
  }

  /** The names of the providers whose stand-in was called, sorted. */
  synchronized List<String> providers() {
    return List.copyOf(providers);
  }

  synchronized boolean any() {
    return !providers.isEmpty();
  }
}
