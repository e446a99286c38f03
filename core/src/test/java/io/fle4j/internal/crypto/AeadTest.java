package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.testing.Hex;
import io.fle4j.testing.SpecData;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.IllegalBlockSizeException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class AeadTest {

  @Test
  void encrypt_mcgrewVector_matchesExpectedCiphertext() throws Exception {
    BsonDocument vector = SpecData.jsonArray("libmongocrypt/test-data/roundtrip/mcgrew.json")
        .get(0).asDocument();
    AeadKey key = AeadKey.of(Hex.decode(vector.getString("key").getValue()));
    byte[] aad = Hex.decode(vector.getString("aad").getValue());
    byte[] iv = Hex.decode(vector.getString("iv").getValue());
    byte[] plaintext = Hex.decode(vector.getString("plaintext").getValue());
    byte[] expected = Hex.decode(vector.getString("ciphertext").getValue());

    assertThat(Hex.encode(Aead.encrypt(key, aad, plaintext, iv))).isEqualTo(Hex.encode(expected));
    assertThat(Aead.decrypt(key, aad, expected)).isEqualTo(plaintext);
  }

  @Test
  void failedCalls_leaveThisThreadsKeyedObjectsExact() throws Exception {
    BsonDocument vector = SpecData.jsonArray("libmongocrypt/test-data/roundtrip/mcgrew.json")
        .get(0).asDocument();
    AeadKey key = AeadKey.of(Hex.decode(vector.getString("key").getValue()));
    byte[] aad = Hex.decode(vector.getString("aad").getValue());
    byte[] iv = Hex.decode(vector.getString("iv").getValue());
    byte[] plaintext = Hex.decode(vector.getString("plaintext").getValue());
    byte[] expected = Hex.decode(vector.getString("ciphertext").getValue());
    byte[] tampered = expected.clone();
    tampered[expected.length - 1] ^= 1;

    // a range past the array, a bad tag, a length no ciphertext has: each fails...
    assertThatThrownBy(() -> Aead.decrypt(key, aad, 0, aad.length, expected, 8, expected.length))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Aead.decrypt(key, aad, 2, aad.length, aad, 0, aad.length))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> Aead.decrypt(key, aad, tampered)).isInstanceOf(AEADBadTagException.class);
    // ...and leaves nothing behind for the next message on this thread and key
    assertThat(Hex.encode(Aead.encrypt(key, aad, plaintext, iv))).isEqualTo(Hex.encode(expected));
    assertThat(Aead.decrypt(key, aad, expected)).isEqualTo(plaintext);
  }

  @Test
  void encryptDeterministic_proseTest1_matchesEveryIntermediateAndTheBlob() {
    BsonDocument example = SpecData.json("derived/offline-vectors.json").getDocument("worked_example");
    AeadKey key = AeadKey.of(java.util.Base64.getDecoder()
        .decode(example.getString("dek_base64").getValue()));
    byte[] aad = Hex.decode(example.getString("AAD").getValue());
    byte[] plaintext = Hex.decode(example.getString("plaintextBsonValueBytes").getValue());

    byte[] c = Aead.encryptDeterministic(key, aad, plaintext);

    assertThat(Hex.encode(Arrays.copyOf(c, 16))).isEqualTo(example.getString("IV").getValue());
    assertThat(Hex.encode(Arrays.copyOfRange(c, 16, c.length - 32)))
        .isEqualTo(example.getString("S_aesCbc").getValue());
    assertThat(Hex.encode(Arrays.copyOfRange(c, c.length - 32, c.length)))
        .isEqualTo(example.getString("T").getValue());
  }

  @Test
  void unwrap_corpusLocalKey_matchesTheLocalWrapExample() throws Exception {
    BsonDocument vectors = SpecData.json("derived/offline-vectors.json");
    BsonDocument wrap = vectors.getDocument("local_wrap_example");
    byte[] kek = java.util.Base64.getDecoder()
        .decode(vectors.getDocument("localMasterKey").getString("base64").getValue());
    byte[] material = SpecData.json("specifications/corpus/corpus-key-local.json")
        .getBinary("keyMaterial").getData();

    assertThat(Hex.encode(Arrays.copyOf(material, 16))).isEqualTo(wrap.getString("IV").getValue());
    byte[] dek = Aead.decrypt(AeadKey.of(kek), Aead.NO_ASSOCIATED_DATA, material);
    assertThat(Hex.encode(dek)).isEqualTo(vectors.getArray("deks").get(0).asDocument()
        .getString("dekHex").getValue());
  }

  @Test
  void decrypt_anyFlippedBit_failsAuthentication() {
    AeadKey key = AeadKey.of(new byte[96]);
    byte[] aad = {1, 2, 3};
    byte[] c = Aead.encryptRandom(key, aad, "secret value".getBytes());
    for (int i = 0; i < c.length; i++) {
      byte[] altered = c.clone();
      altered[i] ^= (byte) 0x80;
      assertThatThrownBy(() -> Aead.decrypt(key, aad, altered))
          .as("bit flipped at byte %d", i)
          .isInstanceOf(AEADBadTagException.class);
    }
    byte[] otherAad = {1, 2, 4};
    assertThatThrownBy(() -> Aead.decrypt(key, otherAad, c)).isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void decrypt_wrongLength_isRefusedBeforeAnyCryptography() {
    AeadKey key = AeadKey.of(new byte[96]);
    assertThatThrownBy(() -> Aead.decrypt(key, new byte[0], new byte[63]))
        .isInstanceOf(IllegalBlockSizeException.class);
    assertThatThrownBy(() -> Aead.decrypt(key, new byte[0], new byte[65]))
        .isInstanceOf(IllegalBlockSizeException.class);
  }

  @Test
  void encrypt_everyPlaintextLengthAroundBlockBoundaries_roundTrips() throws Exception {
    AeadKey key = AeadKey.of(new byte[96]);
    for (int length = 0; length <= 48; length++) {
      byte[] plaintext = new byte[length];
      Arrays.fill(plaintext, (byte) length);
      byte[] c = Aead.encryptDeterministic(key, new byte[0], plaintext);
      assertThat(c).hasSize(Aead.ciphertextLength(length));
      assertThat(Aead.decrypt(key, new byte[0], c)).isEqualTo(plaintext);
    }
  }

  @Test
  void encryptRandom_samePlaintext_differsEachTime() {
    AeadKey key = AeadKey.of(new byte[96]);
    assertThat(Aead.encryptRandom(key, new byte[0], new byte[5]))
        .isNotEqualTo(Aead.encryptRandom(key, new byte[0], new byte[5]));
  }

  @Test
  void aeadKey_toString_isRedacted() {
    assertThat(AeadKey.of(new byte[96]).toString()).isEqualTo("AeadKey[redacted]");
  }

  @org.junit.jupiter.api.Test
  void ivSource_reseedsEverySecondAndEvery65536Ivs() {
    // Issue 13, item 9: a generator seeded once would, restored from a snapshot, repeat IVs.
    int[] reseeds = {0};
    java.security.SecureRandom counting = new java.security.SecureRandom() {
      @Override
      public void reseed() {
        reseeds[0]++;
      }
    };
    long[] now = {0};
    Aead.IvSource source = new Aead.IvSource(counting, () -> now[0]);
    byte[] iv = new byte[16];
    for (int i = 0; i < Aead.RESEED_IVS - 1; i++) {
      source.nextBytes(iv);
    }
    org.assertj.core.api.Assertions.assertThat(reseeds[0]).isZero();
    source.nextBytes(iv);
    org.assertj.core.api.Assertions.assertThat(reseeds[0]).as("after 65,536 IVs").isEqualTo(1);
    now[0] += Aead.RESEED_NANOS;
    source.nextBytes(iv);
    org.assertj.core.api.Assertions.assertThat(reseeds[0]).as("after a second").isEqualTo(2);
  }

  @Test
  void decryptInto_writesOnlyTheVerifiedPlaintext() throws Exception {
    AeadKey key = AeadKey.of(new byte[96]);
    byte[] aad = {7, 7};
    byte[] plaintext = "seventeen bytes!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] c = Aead.encryptRandom(key, aad, plaintext);
    byte[] dest = new byte[40];
    Arrays.fill(dest, (byte) 0x55);

    int n = Aead.decryptInto(key, aad, 0, aad.length, c, 0, c.length, dest, 3);

    assertThat(n).isEqualTo(plaintext.length);
    assertThat(Arrays.copyOfRange(dest, 3, 3 + n)).isEqualTo(plaintext);
    assertThat(dest[2]).isEqualTo((byte) 0x55);
    assertThat(dest[3 + n]).isEqualTo((byte) 0x55);

    byte[] tampered = c.clone();
    tampered[c.length - 1] ^= 1;
    byte[] untouched = new byte[40];
    assertThatThrownBy(() -> Aead.decryptInto(key, aad, 0, aad.length, tampered, 0,
        tampered.length, untouched, 0)).isInstanceOf(AEADBadTagException.class);
    assertThat(untouched).containsOnly((byte) 0);
    assertThatThrownBy(() -> Aead.decryptInto(key, aad, 0, aad.length, c, 0, c.length,
        new byte[10], 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
