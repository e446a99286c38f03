package io.fle4j.internal.auto.decrypt;

import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.vault.DataKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import org.bson.BsonSerializationException;

/**
 * Decrypts a reply document from bytes to bytes: every element is copied as it is, except CSFLE
 * ciphertexts, which are replaced by their plaintext under the original element type (the
 * decrypted bytes are already a BSON value body). The application's codec then decodes the
 * result once; nothing is decoded into objects on the way, and ciphertexts are decrypted where
 * they lie in the reply.
 */
public final class RawReplyDecryptor {
  private static final int MAX_DEPTH = 200;
  private static final VarHandle INT32 =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final DataKeys dataKeys;
  private final Events events;

  public RawReplyDecryptor(DataKeys dataKeys) {
    this(dataKeys, Events.NONE);
  }

  /** @param events told of each value that cannot be decrypted */
  public RawReplyDecryptor(DataKeys dataKeys, Events events) {
    this.dataKeys = dataKeys;
    this.events = events;
  }

  /**
   * The document that starts at {@code bytes}' position, decrypted: {@code bytes} itself when it
   * holds no ciphertext (one scan, no copy), else {@link #decrypt}'s copy.
   */
  public ByteBuffer decryptIfEncrypted(ByteBuffer bytes) {
    return CiphertextScanner.containsCiphertext(bytes) ? decrypt(bytes) : bytes;
  }

  /**
   * The decrypted copy of the document that starts at {@code bytes}' position, as a buffer from
   * position 0 to the end of the copy.
   */
  public ByteBuffer decrypt(ByteBuffer bytes) {
    byte[] src;
    int offset;
    if (bytes.hasArray()) {
      src = bytes.array();
      offset = bytes.arrayOffset() + bytes.position();
    } else {
      src = new byte[bytes.remaining()];
      bytes.duplicate().get(src);
      offset = 0;
    }
    int limit = offset + bytes.remaining();
    try {
      int length = bytes.remaining() < 4 ? -1 : int32(src, offset);
      if (length < 5 || length > limit - offset) {
        throw new BsonSerializationException("BSON document length " + length + " does not fit the "
            + (limit - offset) + " bytes of the reply");
      }
      // A plaintext body is always shorter than the ciphertext element it replaces, so the copy
      // fits in the length of the original.
      Copy copy = new Copy(src, offset + length, new byte[length]);
      copy.document(offset, 0);
      return ByteBuffer.wrap(copy.out, 0, copy.written);
    } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new BsonSerializationException("truncated or malformed BSON document in a reply");
    }
  }

  private static int int32(byte[] bytes, int offset) {
    return (int) INT32.get(bytes, offset);
  }

  /** One document's copy in progress. */
  private final class Copy {
    private final byte[] src;
    /** The end of the top-level document: nothing at or past it is read. */
    private final int limit;
    private final byte[] out;
    private int written;
    // The fields of one document are nearly always under one key: look it up once.
    private UUID lastKeyId;
    private AeadKey lastKey;

    Copy(byte[] src, int limit, byte[] out) {
      this.src = src;
      this.limit = limit;
      this.out = out;
    }

    /** Copies the document at {@code src[start]}; returns the position after it. */
    int document(int start, int depth) {
      if (depth > MAX_DEPTH) {
        throw new BsonSerializationException("BSON nested deeper than " + MAX_DEPTH);
      }
      int end = start + int32(src, start);
      if (end < start + 5 || end > limit) {
        throw new BsonSerializationException("BSON document length " + (end - start)
            + " is impossible here");
      }
      int outStart = written;
      written += 4; // the length, patched below
      int p = start + 4;
      while (p < end - 1) {
        byte type = src[p++];
        int nameStart = p;
        while (src[p] != 0) {
          p++;
        }
        p++;
        int nameLength = p - nameStart; // with its NUL
        if (type == 0x05 && isCiphertext(p)) {
          int length = int32(src, p);
          int blob = p + 5;
          if (length > end - blob) { // so written, the sum cannot overflow
            throw new BsonSerializationException("binary of " + length + " bytes overruns its document");
          }
          p = blob + length;
          ValueCipher.Header header = null;
          try {
            header = ValueCipher.parseHeader(src, blob, length);
            AeadKey key = key(header.keyId());
            out[written++] = header.bsonTypeByte();
            write(src, nameStart, nameLength);
            // Straight into the copy: no plaintext array per value to allocate, copy and wipe.
            written += ValueCipher.decryptValueBodyInto(src, blob, length, header, key, out,
                written);
          } catch (RuntimeException e) {
            throw events.decryptionFailed(header == null ? null : header.keyId(), e);
          }
          continue;
        }
        out[written++] = type;
        write(src, nameStart, nameLength);
        switch (type) {
          case 0x03, 0x04 -> p = document(p, depth + 1);
          case 0x0F -> {
            // code with scope: int32 total, string, document (whose ciphertexts are decrypted
            // too, so the total is rewritten)
            int valueStart = written;
            int valueEnd = p + int32(src, p);
            written += 4;
            p = copy(p + 4, 4 + int32(src, p + 4));
            p = document(p, depth + 1);
            if (p != valueEnd) {
              throw new BsonSerializationException("code with scope whose total length is not"
                  + " that of its string and scope");
            }
            INT32.set(out, valueStart, written - valueStart);
          }
          default -> p = copy(p, valueLength(p, type));
        }
      }
      if (p != end - 1 || src[p] != 0) {
        throw new BsonSerializationException("BSON document of " + (end - start)
            + " bytes does not end where its length says");
      }
      out[written++] = 0;
      INT32.set(out, outStart, written - outStart);
      return end;
    }

    private AeadKey key(UUID keyId) {
      if (!keyId.equals(lastKeyId)) {
        lastKey = dataKeys.byId(keyId).key();
        lastKeyId = keyId;
      }
      return lastKey;
    }

    private boolean isCiphertext(int p) {
      if (int32(src, p) < 1 || src[p + 4] != 6) {
        return false;
      }
      byte blobSubtype = src[p + 5];
      return blobSubtype == 1 || blobSubtype == 2;
    }

    private int valueLength(int p, byte type) {
      return switch (type) {
        case 0x01, 0x09, 0x11, 0x12 -> 8;
        case 0x02, 0x0D, 0x0E -> 4 + positive(int32(src, p), 1);
        case 0x05 -> 5 + positive(int32(src, p), 0);
        case 0x06, 0x0A, 0x7F, (byte) 0xFF -> 0;
        case 0x07 -> 12;
        case 0x08 -> 1;
        case 0x0B -> {
          int q = p;
          while (src[q] != 0) {
            q++;
          }
          q++;
          while (src[q] != 0) {
            q++;
          }
          yield q + 1 - p;
        }
        case 0x0C -> 4 + positive(int32(src, p), 1) + 12;
        case 0x10 -> 4;
        case 0x13 -> 16;
        default -> throw new BsonSerializationException(String.format("unknown BSON type 0x%02x", type));
      };
    }

    /** A length read from the reply, refused below {@code minimum} (or so large it overflows). */
    private int positive(int length, int minimum) {
      if (length < minimum || length > limit) {
        throw new BsonSerializationException("bad BSON value length " + length);
      }
      return length;
    }

    /** Copies {@code length} bytes from {@code src[p]}; returns the position after them. */
    private int copy(int p, int length) {
      if (length < 0 || length > limit - p) {
        throw new BsonSerializationException("bad BSON value length " + length);
      }
      write(src, p, length);
      return p + length;
    }

    private void write(byte[] bytes, int from, int length) {
      System.arraycopy(bytes, from, out, written, length);
      written += length;
    }
  }
}
