package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class KmsFailuresTest {
  @Test
  void redactor_replacesEverySecretOfEightCharactersOrMore() {
    KmsFailures.Redactor redactor = KmsFailures.redactor("s3cr3t-value", null, "short");
    assertThat(redactor.apply("bad s3cr3t-value, again s3cr3t-value; short stays"))
        .isEqualTo("bad <redacted>, again <redacted>; short stays");
    assertThat(redactor.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void wasInterrupted_seesAWrappedInterrupt_butNotASocketTimeout() {
    assertThat(KmsFailures.wasInterrupted(new RuntimeException(new InterruptedException())))
        .isTrue();
    assertThat(KmsFailures.wasInterrupted(
        new UncheckedIOException(new InterruptedIOException("stopped")))).isTrue();
    assertThat(KmsFailures.wasInterrupted(
        new UncheckedIOException(new SocketTimeoutException("Read timed out")))).isFalse();
    assertThat(KmsFailures.wasInterrupted(new UncheckedIOException(new IOException("reset"))))
        .isFalse();
    // A retry loop whose wait was interrupted rethrows the failure with the interrupt attached.
    UncheckedIOException retried = new UncheckedIOException(new IOException("refused"));
    retried.addSuppressed(new InterruptedException("sleep interrupted"));
    assertThat(KmsFailures.wasInterrupted(retried)).isTrue();
  }

  @Test
  void interrupted_restoresTheFlag_andIsNotRetryable() {
    try {
      KmsProviderException e = KmsFailures.interrupted(KmsProviderName.of("azure"), "sending",
          new RuntimeException(new InterruptedException()));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void rootMessage_prefersTheOuterMessage_thenTheRoot_thenTheType() {
    assertThat(KmsFailures.rootMessage(new RuntimeException("outer", new IOException("inner"))))
        .isEqualTo("outer");
    assertThat(KmsFailures.rootMessage(new RuntimeException(null, new IOException("inner"))))
        .isEqualTo("inner");
    assertThat(KmsFailures.rootMessage(new RuntimeException(null, new IOException())))
        .isEqualTo("IOException");
  }
}
