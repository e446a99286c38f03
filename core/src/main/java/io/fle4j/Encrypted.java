package io.fle4j;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component or POJO field as encrypted by automatic encryption, so the common case
 * needs no JSON schema. When a collection has no schema in {@code schemaMap} and no server-side
 * {@code $jsonSchema}, fle4j derives one from its document class:
 *
 * <pre>{@code
 * public record Patient(
 *     String name,
 *     @Encrypted(algorithm = Algorithm.DETERMINISTIC, keyAltName = "ssn-key") String ssn,
 *     @Encrypted(algorithm = Algorithm.RANDOM, keyAltName = "notes-key") String notes) {}
 *
 * MongoCollection<Patient> patients = client.getDatabase("clinic").getCollection("patients", Patient.class);
 * }</pre>
 *
 * <p>The field's BSON name follows {@code @BsonProperty} and {@code @BsonId}. Deterministic fields
 * take their {@code bsonType} from the Java type (String, Integer/int, Long/long, Date/Instant,
 * ObjectId, byte[]/UUID); fields of a nested record or POJO type with encrypted fields of their
 * own are followed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface Encrypted {
  /** The algorithm. */
  Algorithm algorithm();

  /** The data key's alternate name; set this or {@link #keyId()}. */
  String keyAltName() default "";

  /** The data key's id as a UUID string; set this or {@link #keyAltName()}. */
  String keyId() default "";
}
