package io.fle4j.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Case (f): the floor. The bare JCA calls an FLE1 encryption cannot avoid, for the same plaintext
 * sizes (the BSON value bodies of {@link ExplicitEncryption}'s values), with the key specs built
 * and the Cipher and Mac objects created and keyed in advance: one AES-256-CBC pass (a new IV
 * per value means one Cipher init) and one HMAC-SHA-512 over IV and ciphertext. Deterministic
 * encryption adds one more HMAC for the IV.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CryptoFloor {
  /** string32: 4 + 32 + 1 bytes; string1k: 4 + 1024 + 1; int32: 4. */
  @Param({"37", "1029", "4"})
  public int plaintextBytes;

  private final SecureRandom random = new SecureRandom();
  private Cipher cipher;
  private Mac mac;
  private SecretKeySpec aesKey;
  private byte[] padded;
  private byte[] output;
  private final byte[] iv = new byte[16];

  @Setup
  public void setUp() throws Exception {
    aesKey = new SecretKeySpec(Fixture.random(32), "AES");
    cipher = Cipher.getInstance("AES/CBC/NoPadding");
    mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(Fixture.random(32), "HmacSHA512"));
    padded = new byte[(plaintextBytes / 16 + 1) * 16];
    output = new byte[padded.length];
  }

  @Benchmark
  public byte[] aesCbcThenHmac() throws Exception {
    random.nextBytes(iv);
    cipher.init(Cipher.ENCRYPT_MODE, aesKey, new IvParameterSpec(iv));
    cipher.doFinal(padded, 0, padded.length, output, 0);
    mac.update(iv);
    mac.update(output);
    return mac.doFinal();
  }
}
