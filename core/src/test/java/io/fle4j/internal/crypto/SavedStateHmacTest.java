package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha512Test {

  @Test
  void doFinal_anyMessageLengthAndSplit_equalsTheJdkMac() throws Exception {
    Random random = new Random(42);
    for (int keyLength : new int[] {1, 32, 64, 128}) {
      byte[] key = new byte[keyLength];
      random.nextBytes(key);
      Mac jdk = Mac.getInstance("HmacSHA512");
      jdk.init(new SecretKeySpec(key, "HmacSHA512"));
      HmacSha512 ours = new HmacSha512(key);
      for (int length = 0; length <= 300; length += 7) {
        byte[] message = new byte[length];
        random.nextBytes(message);
        int split = length / 3;
        ours.update(message, 0, split);
        ours.update(message, split, length - split);
        byte[] mac = new byte[HmacSha512.LENGTH];
        ours.doFinal(mac);
        assertThat(mac).as("key %d, message %d", keyLength, length).isEqualTo(jdk.doFinal(message));
      }
    }
  }

  @Test
  void update_thatFails_doesNotPrefixTheNextMessage() throws Exception {
    byte[] key = new byte[32];
    key[0] = 9;
    Mac jdk = Mac.getInstance("HmacSHA512");
    jdk.init(new SecretKeySpec(key, "HmacSHA512"));
    HmacSha512 ours = new HmacSha512(key);
    byte[] message = "the next message".getBytes();

    ours.update(new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ours.update(message, 10, 100)).isInstanceOf(RuntimeException.class);
    ours.update(message, 0, message.length);
    byte[] mac = new byte[HmacSha512.LENGTH];
    ours.doFinal(mac);
    assertThat(mac).isEqualTo(jdk.doFinal(message));
  }

  @Test
  void wiped_refusesToComputeInsteadOfHashingWithoutAKey() {
    HmacSha512 mac = new HmacSha512(new byte[32]);
    mac.wipe();
    assertThatThrownBy(() -> mac.update(new byte[1]))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> mac.doFinal(new byte[64]))
        .isInstanceOf(IllegalStateException.class);
  }
}
