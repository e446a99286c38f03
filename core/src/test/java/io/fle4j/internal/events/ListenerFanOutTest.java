package io.fle4j.internal.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerFanOutTest {
  /** Records the name of each event it gets; optionally throws after recording. */
  private static EncryptionEventListener recorder(List<String> seen, String name, boolean fail) {
    return new EncryptionEventListener() {
      private void got(String what) {
        seen.add(name + ":" + what);
        if (fail) {
          throw new IllegalStateException(name + " broke");
        }
      }

      @Override
      public void kmsRequest(EncryptionEvent.KmsRequest event) {
        got("kms");
      }

      @Override
      public void keyLifecycle(EncryptionEvent.KeyLifecycle event) {
        got("lifecycle");
      }
    };
  }

  private static final EncryptionEvent.KmsRequest KMS = new EncryptionEvent.KmsRequest(1, "local",
      EncryptionEvent.KmsOperation.DECRYPT, "", Duration.ZERO, EncryptionEvent.Outcome.SUCCESS,
      null, 0);

  @Test
  void everyListenerGetsEveryEvent_inOrder() {
    List<String> seen = new ArrayList<>();
    EncryptionEventListener all = EncryptionEventListener.allOf(List.of(
        recorder(seen, "a", false), recorder(seen, "b", false)));
    all.kmsRequest(KMS);
    all.dataKeyCache(null); // neither overrides it: nothing happens
    assertThat(seen).containsExactly("a:kms", "b:kms");
  }

  @Test
  void aListenerThatThrows_doesNotKeepTheEventFromTheOthers_andTheFirstFailureIsThrown() {
    List<String> seen = new ArrayList<>();
    EncryptionEventListener all = EncryptionEventListener.allOf(List.of(
        recorder(seen, "a", true), recorder(seen, "b", false), recorder(seen, "c", true)));
    assertThatThrownBy(() -> all.kmsRequest(KMS)).hasMessage("a broke")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("c broke"));
    assertThat(seen).containsExactly("a:kms", "b:kms", "c:kms");
  }
}
