package io.fle4j.internal.auto.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCluster;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.MongoIterable;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public method of the driver interfaces the auto-encrypting wrappers implement, and of
 * every iterable they return, is classified (analysed, no user data, or refused), checked against
 * the driver on the test classpath. A driver that adds a method fails this test until the method
 * is classified: it cannot open a path for plaintext silently. CI runs it on the oldest and the
 * newest supported driver.
 */
class DriverSurfaceTest {
  private static final Map<Class<?>, Class<?>> WRAPPERS = Map.of(
      MongoCluster.class, EncryptingMongoCluster.class,
      MongoClient.class, EncryptingMongoClient.class,
      MongoDatabase.class, EncryptingMongoDatabase.class,
      MongoCollection.class, EncryptingMongoCollection.class);
  private static final List<Class<? extends Annotation>> HANDLINGS = List.of(
      Handling.Analysed.class, Handling.NoUserData.class, Handling.Refused.class);

  @Test
  void theDriverOnTheClasspath_isTheOneThisRunMeansToTest() throws ReflectiveOperationException {
    // The build runs these tests on the oldest and on the newest supported driver (pom.xml).
    String expected = System.getProperty("fle4j.expectedDriverVersion");
    // Read by reflection: the constant would be inlined at compile time, naming the build's driver.
    String actual = (String) Class.forName("com.mongodb.internal.build.MongoDriverVersion")
        .getField("VERSION").get(null);
    System.out.println("DriverSurfaceTest: driver " + actual);
    if (expected != null) {
      assertThat(actual).isEqualTo(expected);
    }
  }

  @Test
  void everyWrappedInterfaceMethod_isImplementedAndClassifiedExactlyOnce() {
    List<String> unclassified = new ArrayList<>();
    int classified = 0;
    for (Map.Entry<Class<?>, Class<?>> wrapper : WRAPPERS.entrySet()) {
      for (Method method : wrapper.getKey().getMethods()) {
        if (Modifier.isStatic(method.getModifiers())) {
          continue;
        }
        Method implementation = implementation(wrapper.getValue(), method);
        long marks = implementation == null ? 0 : HANDLINGS.stream()
            .filter(implementation::isAnnotationPresent).count();
        if (marks != 1) {
          unclassified.add(wrapper.getKey().getSimpleName() + "."
              + IterableMethods.signature(method) + (implementation == null
                  ? ": not implemented by " + wrapper.getValue().getSimpleName()
                  : ": " + marks + " classifications"));
        } else {
          classified++;
        }
      }
    }
    assertThat(unclassified).as("driver methods without exactly one Handling annotation")
        .isEmpty();
    assertThat(classified).isGreaterThan(200);
  }

  @Test
  void everyIterableTheWrappersReturn_hasEveryMethodClassified() {
    Set<Class<?>> iterables = new LinkedHashSet<>();
    for (Class<?> iface : WRAPPERS.keySet()) {
      for (Method method : iface.getMethods()) {
        if (MongoIterable.class.isAssignableFrom(method.getReturnType())) {
          iterables.add(method.getReturnType());
        }
      }
    }
    assertThat(IterableMethods.interfaces()).as("iterables returned by wrapped methods")
        .containsAll(iterables);
    List<String> unclassified = new ArrayList<>();
    for (Class<?> iterable : IterableMethods.interfaces()) {
      for (Method method : iterable.getMethods()) {
        if (!Modifier.isStatic(method.getModifiers())
            && IterableMethods.kind(iterable, method) == null) {
          unclassified.add(iterable.getSimpleName() + "." + IterableMethods.signature(method));
        }
      }
    }
    assertThat(unclassified).as("iterable methods missing from IterableMethods").isEmpty();
  }

  @Test
  void refusedAndAnalysedMethods_areTheOnesThatCarryData() {
    // Spot checks that the classification means what it says.
    assertThat(handling(MongoCollection.class, "mapReduce", String.class, String.class))
        .isEqualTo(Handling.Refused.class);
    assertThat(handling(MongoDatabase.class, "runCommand", org.bson.conversions.Bson.class))
        .isEqualTo(Handling.Analysed.class);
    assertThat(handling(MongoCollection.class, "createIndex", org.bson.conversions.Bson.class))
        .isEqualTo(Handling.Analysed.class);
    assertThat(handling(MongoDatabase.class, "createCollection", String.class))
        .isEqualTo(Handling.Analysed.class);
    assertThat(handling(MongoCollection.class, "drop")).isEqualTo(Handling.NoUserData.class);
  }

  private static Class<? extends Annotation> handling(Class<?> iface, String name,
      Class<?>... parameters) {
    try {
      Method method = WRAPPERS.get(iface).getMethod(name, parameters);
      return HANDLINGS.stream().filter(method::isAnnotationPresent).findFirst().orElseThrow();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /** The wrapper's own implementation of an interface method, or null (abstract or default). */
  private static Method implementation(Class<?> wrapper, Method method) {
    try {
      Method found = wrapper.getMethod(method.getName(), method.getParameterTypes());
      return found.getDeclaringClass().isInterface() || Modifier.isAbstract(found.getModifiers())
          ? null : Stream.of(found).findFirst().orElse(null);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
