package io.fle4j;

import java.util.List;
import java.util.UUID;

/**
 * {@code rewrapManyDataKey} with {@link Fle4jSettings.Builder#rewrapOnlyUnchangedKeys} on found
 * keys whose key material changed between its read and its write (another rewrap ran at the same
 * time). Those keys were left as the other change made them, and are still readable; every other
 * key was rewrapped.
 */
public class KeyChangedDuringRewrapException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final List<UUID> changedKeyIds;
  private final int rewrapped;

  public KeyChangedDuringRewrapException(List<UUID> changedKeyIds, int rewrapped) {
    super("rewrapManyDataKey: " + changedKeyIds.size() + " key(s) changed after they were read"
        + " (another rewrap at the same time?) and hold what that change wrote, not this"
        + " rewrap's: " + changedKeyIds + "; " + rewrapped + " update(s) applied. Run the rewrap"
        + " again if those keys should move too.");
    this.changedKeyIds = List.copyOf(changedKeyIds);
    this.rewrapped = rewrapped;
  }

  /** The keys that were not written because they had changed. */
  public List<UUID> changedKeyIds() {
    return changedKeyIds;
  }

  /** How many of this rewrap's updates were applied. */
  public int rewrapped() {
    return rewrapped;
  }
}
