/**
 * fle4j's Spring Boot auto-configuration: {@link io.fle4j.spring.Fle4jProperties} ({@code fle4j.*}
 * properties), a {@code ClientEncryption} bean, an automatically encrypting {@code MongoClient}
 * when {@code fle4j.auto-encryption.enabled}, Micrometer wiring and the {@code fle4j} health
 * indicator. Applications use it through properties; its classes other than the properties are
 * not API.
 */
package io.fle4j.spring;
