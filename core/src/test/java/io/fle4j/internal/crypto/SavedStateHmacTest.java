package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SavedStateHmacTest {

  @Test
  void doFinal_anyMessageLengthAndSplit_equalsTheJdkMac() throws Exception {
    Random random = new Random(42);
    for (int keyLength : new int[] {1, 32, 64, 128}) {
      byte[] key = new byte[keyLength];
      random.nextBytes(key);
      Mac jdk = Mac.getInstance("HmacSHA512");
      jdk.init(new SecretKeySpec(key, "HmacSHA512"));
      SavedStateHmac ours = SavedStateHmac.sha512(key);
      for (int length = 0; length <= 300; length += 7) {
        byte[] message = new byte[length];
        random.nextBytes(message);
        int split = length / 3;
        ours.update(message, 0, split);
        ours.update(message, split, length - split);
        byte[] mac = new byte[SavedStateHmac.SHA512_LENGTH];
        ours.doFinal(mac);
        assertThat(mac).as("key %d, message %d", keyLength, length).isEqualTo(jdk.doFinal(message));
      }
    }
  }

  @Test
  void sha256_oneShotAtAnOffset_equalsTheJdkMac() throws Exception {
    Random random = new Random(7);
    for (int keyLength : new int[] {1, 32, 64}) {
      byte[] key = new byte[keyLength];
      random.nextBytes(key);
      Mac jdk = Mac.getInstance("HmacSHA256");
      jdk.init(new SecretKeySpec(key, "HmacSHA256"));
      SavedStateHmac ours = SavedStateHmac.sha256(key);
      for (int length = 0; length <= 150; length += 5) {
        byte[] message = new byte[length + 3];
        random.nextBytes(message);
        byte[] out = new byte[SavedStateHmac.SHA256_LENGTH + 4];
        ours.mac(message, 3, length, out, 4);
        jdk.update(message, 3, length);
        assertThat(java.util.Arrays.copyOfRange(out, 4, out.length))
            .as("key %d, message %d", keyLength, length).isEqualTo(jdk.doFinal());
      }
    }
  }

  @Test
  void update_thatFails_doesNotPrefixTheNextMessage() throws Exception {
    byte[] key = new byte[32];
    key[0] = 9;
    Mac jdk = Mac.getInstance("HmacSHA512");
    jdk.init(new SecretKeySpec(key, "HmacSHA512"));
    SavedStateHmac ours = SavedStateHmac.sha512(key);
    byte[] message = "the next message".getBytes();

    ours.update(new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ours.update(message, 10, 100)).isInstanceOf(RuntimeException.class);
    ours.update(message, 0, message.length);
    byte[] mac = new byte[SavedStateHmac.SHA512_LENGTH];
    ours.doFinal(mac);
    assertThat(mac).isEqualTo(jdk.doFinal(message));
  }

  @Test
  void wiped_refusesToComputeInsteadOfHashingWithoutAKey() {
    SavedStateHmac mac = SavedStateHmac.sha512(new byte[32]);
    mac.wipe();
    assertThatThrownBy(() -> mac.update(new byte[1]))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> mac.doFinal(new byte[64]))
        .isInstanceOf(IllegalStateException.class);
  }
}
